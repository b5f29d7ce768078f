/// Scores of tagging raw text against gold CoNLL-U, as the CoNLL 2018 shared task counts
/// them: a word is right when its span of the text is a gold word's, a tag when the word is
/// right and its tag too; F1 of each over the gold and the predicted words.
public struct RawTextScores: Sendable, Equatable {
  public var gold = 0
  public var predicted = 0
  public var words = 0
  public var upos = 0
  public var lemmas = 0

  func f1(_ right: Int) -> Double {
    gold + predicted == 0 ? 0 : 2 * Double(right) / Double(gold + predicted)
  }
  public var wordF1: Double { f1(words) }
  public var uposF1: Double { f1(upos) }
  public var lemmaF1: Double { f1(lemmas) }
}

extension POSModel {
  /// Segments and tags the `# text` of each gold sentence (sentence boundaries from the gold
  /// data) and scores the words and tags against the gold words.
  public func scoreRawText(_ sentences: [CoNLLU.Sentence]) -> RawTextScores {
    var scores = RawTextScores()
    let session = POSSession(self)
    for s in sentences {
      guard let text = s.comment("text") else { continue }
      let gold = Self.goldSpans(s, in: text)
      var t = text
      let predicted: [(Range<Int>, String, String)] = t.withUTF8 { b in
        let words = WordSegmenter.words(Tokenizer.tokenize(utf8: b), in: b)
        let ranges = words.map { Int($0.start)..<Int($0.end) }
        let (u, x) = session.decide(bytes: b, ranges: ranges)
        return ranges.indices.map { i in
          let form = String(decoding: UnsafeBufferPointer(rebasing: b[ranges[i]]), as: UTF8.self)
          let upos = labels[0][u[i]]
          let lemma = lemmatizer?.lemma(form, upos: upos, xpos: labels[1][x[i]]) ?? "_"
          return (ranges[i], upos, lemma)
        }
      }
      scores.gold += gold.count
      scores.predicted += predicted.count
      var byRange: [Range<Int>: (String, String)] = [:]
      for g in gold { byRange[g.0] = (g.1, g.2) }
      for p in predicted {
        guard let g = byRange[p.0] else { continue }
        scores.words += 1
        if g.0 == p.1 { scores.upos += 1 }
        if g.1 == p.2 { scores.lemmas += 1 }
      }
    }
    return scores
  }

  /// The byte span in `text` of each gold word with its UPOS and lemma: words of a multi-word
  /// token share out its surface when their forms spell it, else each has the whole surface.
  static func goldSpans(_ s: CoNLLU.Sentence, in text: String) -> [(Range<Int>, String, String)] {
    let bytes = Array(text.utf8)
    var at = 0
    var out: [(Range<Int>, String, String)] = []
    func find(_ form: String) -> Range<Int>? {
      let f = Array(form.utf8)
      guard !f.isEmpty else { return nil }
      var k = at
      while k + f.count <= bytes.count {
        if bytes[k..<(k + f.count)].elementsEqual(f) { return k..<(k + f.count) }
        k += 1
      }
      return nil
    }
    var i = 0
    while i < s.words.count {
      let w = s.words[i]
      if let m = s.multiword.first(where: { $0.first == w.id }) {
        let parts = s.words.filter { $0.id >= m.first && $0.id <= m.last }
        guard let surface = find(m.form) else { return out }
        at = surface.upperBound
        var p = surface.lowerBound
        let spells = parts.map(\.form).joined() == m.form
        for part in parts {
          let r = spells ? p..<(p + part.form.utf8.count) : surface
          p = r.upperBound
          out.append((r, part.upos, part.lemma))
        }
        i += parts.count
        continue
      }
      guard let r = find(w.form) else { return out }
      at = r.upperBound
      out.append((r, w.upos, w.lemma))
      i += 1
    }
    return out
  }
}
