/// Sentence boundaries for running text.
///
/// A break comes after `.`, `!`, `?`, `…` (and closing quotes or brackets) when whitespace and
/// a likely sentence start follow; after CJK `。！？` always; at blank lines always. English abbreviations ("Mr.", "Dr.", "Inc.", "Jan."), initials
/// ("J. K. Rowling"), multi-dot abbreviations ("U.S.") before a word that does not usually start
/// a sentence, and decimals ("3.5") do not end sentences. A single line break inside a
/// paragraph does not end one (hard-wrapped books), unless the line ends a sentence.
public enum Sentences {
  /// Titles and abbreviations that do not end a sentence before a capitalised word.
  static let abbreviations: Set<String> = [
    "mr", "mrs", "ms", "mx", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "gov", "sen",
    "rep", "col", "lt", "sgt", "capt", "cmdr", "adm", "maj", "rev", "hon", "pres", "supt",
    "insp", "det", "messrs", "mme", "mlle", "inc", "ltd", "co", "corp", "bros", "llc", "plc",
    "dept", "univ", "assn", "ave", "blvd", "rd", "vs", "etc", "approx", "est", "cf", "al",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "e.g", "i.e",
    "a.m", "p.m", "viz", "ca", "cca", "dist", "no.",
  ]
  /// Abbreviations that hold only before a number (No 10, pp 3-5, Fig 2, with full stops).
  static let beforeNumbers: Set<String> = [
    "no", "nos", "vol", "pp", "p", "fig", "figs", "eq", "art", "ch", "sec", "op",
  ]
  /// Words that often start a sentence: after "U.S." they mean the abbreviation ended one.
  static let starters: Set<String> = [
    "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "this", "that", "these",
    "those", "there", "in", "on", "at", "but", "and", "so", "if", "when", "as", "his", "her",
    "its", "their", "our", "my", "mr", "mrs", "ms", "dr", "what", "who", "why", "how", "however",
    "meanwhile", "after", "before", "for", "with", "while", "some", "many", "one", "officials",
  ]

  static let terminals: Set<Unicode.Scalar> = [
    "!", "?", "…", "‼", "⁇", "⁈", "⁉", "。", "！", "？", "｡",
  ]
  static let closers: Set<Unicode.Scalar> = [
    "\"", "'", "”", "’", ")", "]", "}", "»", "›", "」", "』", "）",
  ]

  /// The byte ranges of the sentences of `text`, without surrounding whitespace.
  public static func split(_ text: String) -> [Range<Int>] {
    var scalars: [(Unicode.Scalar, Int)] = []
    scalars.reserveCapacity(text.utf8.count)
    var offset = 0
    for s in text.unicodeScalars {
      scalars.append((s, offset))
      offset += UTF8.width(s)
    }
    let end = offset
    func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }
    var out: [Range<Int>] = []
    var start: Int?
    var lastNonSpace = 0
    func close(at byte: Int) {
      if let s = start, byte > s { out.append(s..<byte) }
      start = nil
    }
    var i = 0
    while i < scalars.count {
      let (s, at) = scalars[i]
      if isSpace(s) {
        // A blank line ends a sentence.
        if s == "\n", start != nil {
          var j = i + 1
          while j < scalars.count, isSpace(scalars[j].0), scalars[j].0 != "\n" { j += 1 }
          if j < scalars.count, scalars[j].0 == "\n" { close(at: lastNonSpace) }
        }
        i += 1
        continue
      }
      if start == nil { start = at }
      lastNonSpace = at + UTF8.width(s)
      guard s == "." || terminals.contains(s) else {
        i += 1
        continue
      }
      // Take the whole run of terminals and closers.
      var j = i + 1
      while j < scalars.count,
        scalars[j].0 == "." || terminals.contains(scalars[j].0) || closers.contains(scalars[j].0)
      {
        j += 1
      }
      let runEnd = j < scalars.count ? scalars[j].1 : end
      let cjk = s == "。" || s == "！" || s == "？" || s == "｡"
      if j == scalars.count {
        lastNonSpace = runEnd
        close(at: runEnd)
        break
      }
      guard cjk || isSpace(scalars[j].0) else {
        lastNonSpace = runEnd
        i = j
        continue
      }
      var k = j
      while k < scalars.count, isSpace(scalars[k].0) { k += 1 }
      if k == scalars.count || cjk || breaks(scalars, period: i, runEnd: j, next: k) {
        lastNonSpace = runEnd
        close(at: runEnd)
      } else {
        lastNonSpace = runEnd
      }
      i = j
    }
    close(at: lastNonSpace)
    return out
  }

  /// Whether the terminal run `period..<runEnd`, followed by whitespace and the scalar at
  /// `next`, ends a sentence.
  private static func breaks(_ s: [(Unicode.Scalar, Int)], period: Int, runEnd: Int, next: Int)
    -> Bool
  {
    let following = s[next].0
    let props = following.properties
    // A lowercase word after the full stop: the sentence goes on ("e.g. this", "5 p.m. today").
    if props.isLowercase { return false }
    guard s[period].0 == ".", runEnd == period + 1 else { return true }
    // The word before the full stop.
    var a = period
    while a > 0, !s[a - 1].0.properties.isWhitespace, !closers.contains(s[a - 1].0),
      s[a - 1].0 != "("
    { a -= 1 }
    let word = String(String.UnicodeScalarView(s[a..<period].map(\.0))).lowercased()
    if word.isEmpty { return true }
    let isDigit = props.numericType != nil
    if beforeNumbers.contains(word) { return !isDigit }
    if abbreviations.contains(word) { return false }
    let letters = word.unicodeScalars.filter { $0 != "." }
    // An initial: "J. K. Rowling".
    if letters.count == 1, word.count == 1, letters.first?.properties.isAlphabetic == true {
      return false
    }
    // "U.S.", "U.K.": a break only before a word that usually starts a sentence.
    if word.contains("."), letters.count <= 4, letters.allSatisfy({ $0.properties.isAlphabetic }) {
      var b = next
      var nextWord = ""
      while b < s.count, s[b].0.properties.isAlphabetic {
        nextWord.unicodeScalars.append(s[b].0)
        b += 1
      }
      return starters.contains(nextWord.lowercased())
    }
    return true
  }
}
