/// Morphological features (`FEATS`: `Number=Plur`, `Tense=Past|VerbForm=Fin`) from a word's tags.
///
/// Learned from a treebank: the commonest features of each (UPOS, XPOS) pair, and for a word
/// whose own commonest features differ (`they` PRP: `Case=Nom|Number=Plur|Person=3|...`), the
/// word's. Where a language's tags carry its morphology, as Penn tags do English's, this
/// is most of what a tagger for FEATS would learn.
public struct FeatsLexicon: Sendable, Equatable {
  /// `UPOS\tXPOS` → features.
  var byTags: [String: String]
  /// `form\tUPOS\tXPOS` (form lowercased) → features, where they differ from the tags'.
  var byWord: [String: String]

  /// The features of `form` tagged `upos` and `xpos` (`_` when the training data had none).
  public func feats(_ form: String, upos: String, xpos: String) -> String {
    let tags = upos + "\t" + xpos
    return byWord[form.lowercased() + "\t" + tags] ?? byTags[tags] ?? "_"
  }

  /// Learns from (form, UPOS, XPOS, FEATS) words.
  public static func train(_ words: [(form: String, upos: String, xpos: String, feats: String)])
    -> FeatsLexicon
  {
    var tags: [String: [String: Int]] = [:]
    var forms: [String: [String: Int]] = [:]
    for w in words {
      let key = w.upos + "\t" + w.xpos
      tags[key, default: [:]][w.feats, default: 0] += 1
      forms[w.form.lowercased() + "\t" + key, default: [:]][w.feats, default: 0] += 1
    }
    func commonest(_ counts: [String: Int]) -> String? {
      counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
    }
    let byTags = tags.compactMapValues(commonest)
    var byWord: [String: String] = [:]
    for (key, counts) in forms {
      guard let feats = commonest(counts) else { continue }
      let tagKey = key.split(separator: "\t", omittingEmptySubsequences: false).dropFirst()
        .joined(separator: "\t")
      if byTags[tagKey] != feats { byWord[key] = feats }
    }
    return FeatsLexicon(byTags: byTags, byWord: byWord)
  }

  /// The lexicon as lines, sorted: `*UPOS\tXPOS\tfeats` and `=form\tUPOS\tXPOS\tfeats`.
  public var lines: [String] {
    (byTags.map { "*" + $0.key + "\t" + $0.value } + byWord.map { "=" + $0.key + "\t" + $0.value })
      .sorted()
  }

  /// The lexicon `lines` wrote, or nil.
  public init?(lines: some Sequence<Substring>) {
    var byTags: [String: String] = [:]
    var byWord: [String: String] = [:]
    for line in lines {
      let parts = line.dropFirst().split(separator: "\t", omittingEmptySubsequences: false)
      switch (line.first, parts.count) {
      case ("*", 3): byTags[parts[0] + "\t" + parts[1]] = String(parts[2])
      case ("=", 4): byWord[parts[0...2].joined(separator: "\t")] = String(parts[3])
      default: return nil
      }
    }
    self.init(byTags: byTags, byWord: byWord)
  }

  init(byTags: [String: String], byWord: [String: String]) {
    self.byTags = byTags
    self.byWord = byWord
  }
}
