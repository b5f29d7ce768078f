/// A lemmatiser learned from tagged words: the lemma is the word's form edited at its end
/// (`said` → strip 3, add `ay` → `say`), the edit chosen by the longest ending of the form
/// that the training data has with the same tags, and a list of exceptions where the
/// endings choose wrong (`was` → `be`, `n't` → `not`), as UDPipe and Stanza do.
public struct Lemmatizer: Sendable {
  /// An edit from a form to its lemma: lowercase the form first or not, drop `strip` scalars
  /// from its end, add `append`.
  struct Rule: Hashable, Comparable, Sendable {
    var lower: Bool
    var strip: Int
    var append: String

    /// The rule that makes `lemma` from `form`.
    init(form: String, lemma: String) {
      // A lowercase lemma is made from the lowercase form (The → the, Said → say); one with
      // capitals from the form as it is (Bush → Bush).
      lower = lemma == lemma.lowercased()
      let base = Array((lower ? form.lowercased() : form).unicodeScalars)
      let target = Array(lemma.unicodeScalars)
      var common = 0
      while common < base.count && common < target.count && base[common] == target[common] {
        common += 1
      }
      strip = base.count - common
      var tail = String.UnicodeScalarView()
      tail.append(contentsOf: target[common...])
      append = String(tail)
    }

    init(lower: Bool, strip: Int, append: String) {
      self.lower = lower
      self.strip = strip
      self.append = append
    }

    /// The lemma of `form`, or nil when the form is too short for the rule.
    func apply(_ form: String) -> String? {
      let base = (lower ? form.lowercased() : form).unicodeScalars
      guard strip <= base.count else { return nil }
      var out = String.UnicodeScalarView(base.dropLast(strip))
      out.append(contentsOf: append.unicodeScalars)
      return String(out)
    }

    static func < (a: Rule, b: Rule) -> Bool {
      (a.lower ? 1 : 0, a.strip, a.append) < (b.lower ? 1 : 0, b.strip, b.append)
    }

    /// `L3ay`: L or K (lowercase or keep), the number to strip, what to add.
    var text: String { (lower ? "L" : "K") + String(strip) + "|" + append }

    init?(text: Substring) {
      guard let mode = text.first, mode == "L" || mode == "K",
        let bar = text.firstIndex(of: "|"),
        let n = Int(text[text.index(after: text.startIndex)..<bar]),
        n >= 0
      else { return nil }
      self.init(lower: mode == "L", strip: n, append: String(text[text.index(after: bar)...]))
    }
  }

  /// The longest ending looked up.
  static let longest = 6
  /// `form\tUPOS\tXPOS` (form lowercased) → lemma, where the endings choose wrong.
  var exceptions: [String: String]
  /// `UPOS\tXPOS\tending` and `UPOS\t\tending` (lowercased) → rule.
  var endings: [String: Rule]

  /// `UPOS\tlemma` of every lemma the training data has: of the edits the endings offer, one
  /// that makes a known lemma is preferred (`bombed` → `bomb`, not `bom` as `climbed` →
  /// `climb` would have it).
  var known: Set<String>

  /// UPOS → characters its lemmas leave out wherever the form has them (EWT writes the lemma
  /// of `1,100` as `1100`): learned where the data does so nearly always.
  var dropped: [String: Set<Character>]

  init(
    exceptions: [String: String], endings: [String: Rule], known: Set<String> = [],
    dropped: [String: Set<Character>] = [:]
  ) {
    self.exceptions = exceptions
    self.endings = endings
    self.known = known
    self.dropped = dropped
  }

  /// The lemma of `form` tagged `upos` and `xpos`.
  public func lemma(_ form: String, upos: String, xpos: String) -> String {
    let lower = form.lowercased()
    let tags = "\t" + upos + "\t" + xpos
    if let lemma = exceptions["!" + form + tags] ?? exceptions[lower + tags] { return lemma }
    let lemma =
      fromEndings(form, lower: lower, upos: upos, xpos: xpos) ?? (upos == "PROPN" ? form : lower)
    guard let drop = dropped[upos], lemma.contains(where: { drop.contains($0) }) else {
      return lemma
    }
    return lemma.filter { !drop.contains($0) }
  }

  /// The characters a tag's lemmas leave out of the form: seen in at least 10 words with the
  /// tag, and left out in 90% of them or more.
  static func droppedCharacters(
    _ words: [(form: String, upos: String, xpos: String, lemma: String)]
  ) -> [String: Set<Character>] {
    var seen: [String: [Character: (all: Int, dropped: Int)]] = [:]
    for w in words where w.lemma != "_" {
      for c in Set(w.form) where !c.isLetter && !c.isNumber {
        var n = seen[w.upos, default: [:]][c, default: (0, 0)]
        n.all += 1
        if !w.lemma.contains(c) && w.lemma == w.form.filter({ $0 != c }) { n.dropped += 1 }
        seen[w.upos, default: [:]][c] = n
      }
    }
    var out: [String: Set<Character>] = [:]
    for (upos, counts) in seen {
      for (c, n) in counts where n.all >= 10 && n.dropped * 10 >= n.all * 9 {
        out[upos, default: []].insert(c)
      }
    }
    return out
  }

  /// The lemma the longest ending with the same tags gives — unless it is not a known lemma
  /// and a shorter ending's is.
  private func fromEndings(_ form: String, lower: String, upos: String, xpos: String) -> String? {
    let scalars = Array(lower.unicodeScalars)
    var first: String?
    for tags in [upos + "\t" + xpos + "\t", upos + "\t\t"] {
      for k in stride(from: min(Self.longest, scalars.count), through: 0, by: -1) {
        var key = tags
        key.unicodeScalars.append(contentsOf: scalars[(scalars.count - k)...])
        guard let rule = endings[key], let lemma = rule.apply(form) else { continue }
        if known.isEmpty || known.contains(upos + "\t" + lemma) { return lemma }
        // A proper noun written in lowercase or capitals (`india`, `TEHRAN`) has its known
        // capitalised lemma.
        if upos == "PROPN", let c = lemma.first {
          let capital = c.uppercased() + lemma.dropFirst().lowercased()
          if capital != lemma && known.contains(upos + "\t" + capital) { return capital }
        }
        if first == nil { first = lemma }
      }
    }
    return first
  }

  /// Learns from (form, UPOS, XPOS, lemma) words; an ending rule needs `minimumTypes`
  /// different words that make it.
  public static func train(
    _ words: [(form: String, upos: String, xpos: String, lemma: String)], minimumTypes: Int = 2
  ) -> Lemmatizer {
    var byWord: [String: [String: Int]] = [:]
    var byForm: [String: [String: Int]] = [:]
    var forms: [String: Set<String>] = [:]
    // Per ending: how many words make each rule, and how many different words (form and
    // tags) do: a rule only one word makes ("Sept." → "September") would turn "Capt." into
    // "Captember"; that word gets an exception instead.
    var byEnding: [String: [Rule: Int]] = [:]
    var typesByEnding: [String: [Rule: Int]] = [:]
    var seenTypes = Set<String>()
    for w in words where w.lemma != "_" {
      let rule = Rule(form: w.form, lemma: w.lemma)
      let lower = w.form.lowercased()
      let key = lower + "\t" + w.upos + "\t" + w.xpos
      byWord[key, default: [:]][w.lemma, default: 0] += 1
      forms[key, default: []].insert(w.form)
      byForm["!" + w.form + "\t" + w.upos + "\t" + w.xpos, default: [:]][w.lemma, default: 0] += 1
      let newType = seenTypes.insert(w.form + "\t" + w.upos + "\t" + w.xpos + "\t" + w.lemma)
        .inserted
      let scalars = Array(lower.unicodeScalars)
      for k in 0...min(longest, scalars.count) {
        let e = String(String.UnicodeScalarView(scalars[(scalars.count - k)...]))
        for tags in [w.upos + "\t" + w.xpos + "\t", w.upos + "\t\t"] {
          byEnding[tags + e, default: [:]][rule, default: 0] += 1
          if newType { typesByEnding[tags + e, default: [:]][rule, default: 0] += 1 }
        }
      }
    }
    func best(_ counts: [Rule: Int], _ types: [Rule: Int]) -> Rule? {
      counts.filter { (types[$0.key] ?? 0) >= minimumTypes }
        .max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
    }
    var endings: [String: Rule] = [:]
    for (key, counts) in byEnding {
      if let rule = best(counts, typesByEnding[key] ?? [:]) { endings[key] = rule }
    }
    // An ending whose rule is its shorter ending's adds nothing.
    var pruned: [String: Rule] = [:]
    for (key, rule) in endings {
      let parts = key.split(separator: "\t", omittingEmptySubsequences: false)
      let ending = parts[2].unicodeScalars
      if !ending.isEmpty {
        let shorter =
          parts[0] + "\t" + parts[1] + "\t" + String(String.UnicodeScalarView(ending.dropFirst()))
        if endings[String(shorter)] == rule { continue }
      }
      pruned[key] = rule
    }
    var known = Set<String>()
    for w in words where w.lemma != "_" { known.insert(w.upos + "\t" + w.lemma) }
    var model = Lemmatizer(
      exceptions: [:], endings: pruned, known: known, dropped: droppedCharacters(words))
    func commonest(_ counts: [String: Int]) -> String? {
      counts.max(by: { a, b in a.value != b.value ? a.value < b.value : a.key > b.key })?.key
    }
    // A word gets its lemma as an exception when the endings give any of its spellings
    // another (`i` → `I` although `I` → `I` follows from the endings), and a spelling its
    // own when the word's is not its (`al` → `al` where `Al` → `Al` is commoner).
    for (key, counts) in byWord {
      guard let lemma = commonest(counts) else { continue }
      let parts = key.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      for form in forms[key] ?? []
      where model.fromEndings(form, lower: parts[0], upos: parts[1], xpos: parts[2]) != lemma {
        model.exceptions[key] = lemma
        break
      }
    }
    for (key, counts) in byForm {
      guard let lemma = commonest(counts) else { continue }
      let parts = key.dropFirst().split(separator: "\t", omittingEmptySubsequences: false)
        .map(String.init)
      let lower = parts[0].lowercased()
      let general =
        model.exceptions[lower + "\t" + parts[1] + "\t" + parts[2]]
        ?? model.fromEndings(parts[0], lower: lower, upos: parts[1], xpos: parts[2])
      if general != lemma { model.exceptions[key] = lemma }
    }
    return model
  }

  /// The lemmatiser as lines: `=form\tUPOS\tXPOS\tlemma`, `*UPOS\tXPOS\tending\trule`,
  /// `~UPOS\tlemma` and `-UPOS\tcharacter`, sorted.
  public var lines: [String] {
    (exceptions.map { "=" + $0.key + "\t" + $0.value }
      + endings.map { "*" + $0.key + "\t" + $0.value.text } + known.map { "~" + $0 }
      + dropped.flatMap { upos, cs in cs.map { "-" + upos + "\t" + String($0) } }).sorted()
  }

  /// The lemmatiser `lines` wrote, or nil.
  public init?(lines: some Sequence<Substring>) {
    var exceptions: [String: String] = [:]
    var endings: [String: Rule] = [:]
    var known = Set<String>()
    var dropped: [String: Set<Character>] = [:]
    for line in lines {
      let parts = line.dropFirst().split(separator: "\t", omittingEmptySubsequences: false)
      if line.first == "~" || line.first == "-" {
        guard parts.count == 2 else { return nil }
        if line.first == "~" {
          known.insert(String(line.dropFirst()))
        } else {
          guard let c = parts[1].first, parts[1].count == 1 else { return nil }
          dropped[String(parts[0]), default: []].insert(c)
        }
        continue
      }
      guard parts.count == 4 else { return nil }
      let key = parts[0...2].joined(separator: "\t")
      switch line.first {
      case "=": exceptions[key] = String(parts[3])
      case "*":
        guard let rule = Rule(text: parts[3]) else { return nil }
        endings[key] = rule
      default: return nil
      }
    }
    self.init(exceptions: exceptions, endings: endings, known: known, dropped: dropped)
  }
}
