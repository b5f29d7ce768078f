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

  /// The scalar starting at byte `i` and its length in bytes (U+FFFD for a broken sequence).
  @inline(__always)
  static func scalar(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
    let c = b[i]
    if c < 0x80 { return (UInt32(c), 1) }
    let n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
    guard n > 1, i + n <= b.count else { return (0xFFFD, 1) }
    var v = UInt32(c) & (0xFF >> (n + 1))
    for k in 1..<n { v = v << 6 | UInt32(b[i + k] & 0x3F) }
    return (v, n)
  }

  @inline(__always)
  static func isSpace(_ v: UInt32) -> Bool {
    switch v {
    case 0x20, 0x09...0x0D, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
      0x3000:
      return true
    default: return false
    }
  }

  @inline(__always)
  static func isTerminal(_ v: UInt32) -> Bool {
    switch v {
    case 0x2E, 0x21, 0x3F, 0x2026, 0x203C, 0x2047, 0x2048, 0x2049, 0x3002, 0xFF01, 0xFF1F, 0xFF61:
      return true
    default: return false
    }
  }

  /// Full-width terminals that end a sentence with no space after them.
  @inline(__always)
  static func isCJKTerminal(_ v: UInt32) -> Bool {
    v == 0x3002 || v == 0xFF01 || v == 0xFF1F || v == 0xFF61
  }

  @inline(__always)
  static func isCloser(_ v: UInt32) -> Bool {
    switch v {
    case 0x22, 0x27, 0x29, 0x5D, 0x7D, 0x201D, 0x2019, 0xBB, 0x203A, 0x300D, 0x300F, 0xFF09:
      return true
    default: return false
    }
  }

  /// The byte ranges of the sentences of `text`, without surrounding whitespace.
  public static func split(_ text: String) -> [Range<Int>] {
    var text = text
    return text.withUTF8 { split(utf8: $0) }
  }

  /// The byte ranges of the sentences of UTF-8 text: one pass over the bytes, decoding only
  /// non-ASCII scalars.
  public static func split(utf8 b: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
    var out: [Range<Int>] = []
    var start = -1
    var lastNonSpace = 0
    var newlines = 0
    let n = b.count
    var i = 0
    func close(_ end: Int) {
      if start >= 0, end > start { out.append(start..<end) }
      start = -1
    }
    while i < n {
      let (v, width) = scalar(b, i)
      if isSpace(v) {
        if v == 0x0A {
          newlines += 1
          // A blank line ends a sentence.
          if newlines >= 2 { close(lastNonSpace) }
        }
        i += width
        continue
      }
      newlines = 0
      if start < 0 { start = i }
      i += width
      lastNonSpace = i
      guard isTerminal(v) else { continue }
      // The whole run of terminals and closers.
      let period = i - width
      var j = i
      while j < n {
        let (w, k) = scalar(b, j)
        guard isTerminal(w) || isCloser(w) else { break }
        j += k
      }
      lastNonSpace = j
      i = j
      if j == n { break }
      let (after, _) = scalar(b, j)
      let cjk = isCJKTerminal(v)
      guard cjk || isSpace(after) else { continue }
      var k = j
      while k < n {
        let (w, width) = scalar(b, k)
        guard isSpace(w) else { break }
        k += width
      }
      if k == n || cjk
        || breaks(b, period: period, runEnd: j, next: k, single: v == 0x2E && j == period + 1)
      {
        close(j)
      }
    }
    close(lastNonSpace)
    return out
  }

  /// Whether the terminal run `period..<runEnd`, followed by whitespace and the text at byte
  /// `next`, ends a sentence; `single` says the run is one full stop.
  private static func breaks(
    _ b: UnsafeBufferPointer<UInt8>, period: Int, runEnd: Int, next: Int, single: Bool
  ) -> Bool {
    let (following, _) = scalar(b, next)
    // A lowercase word after the full stop: the sentence goes on ("e.g. this", "5 p.m. today").
    if following >= 0x61 && following <= 0x7A { return false }
    if following >= 0x80, let s = Unicode.Scalar(following), s.properties.isLowercase {
      return false
    }
    guard single else { return true }
    // The word before the full stop (ASCII letters and inner full stops; anything else is no
    // abbreviation).
    var a = period
    while a > 0, period - a < 12 {
      let c = b[a - 1]
      guard (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x2E else { break }
      a -= 1
    }
    guard a < period else { return true }
    if a > 0 {
      let c = b[a - 1]
      // Part of a longer token ("3.5", "example.com.", "Zürich."): not an abbreviation.
      if !(c == 0x20 || (c >= 0x09 && c <= 0x0D) || c == 0x28 || c == 0x22 || c == 0x27
        || c >= 0x80)
      {
        return true
      }
    }
    let word = asciiLowercase(b[a..<period])
    let isDigit = following >= 0x30 && following <= 0x39
    if beforeNumbers.contains(word) { return !isDigit }
    if abbreviations.contains(word) { return false }
    let dots = word.utf8.reduce(0) { $0 + ($1 == 0x2E ? 1 : 0) }
    // An initial: "J. K. Rowling".
    if word.utf8.count == 1 { return false }
    // "U.S.", "U.K.": a break only before a word that usually starts a sentence.
    if dots > 0, word.utf8.count - dots <= 4 {
      var e = next
      while e < b.count, b[e] | 0x20 >= 0x61, b[e] | 0x20 <= 0x7A { e += 1 }
      return starters.contains(asciiLowercase(b[next..<e]))
    }
    return true
  }

  /// ASCII letters and full stops, lowered (no Unicode case mapping: nothing else is there).
  private static func asciiLowercase(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
    String(unsafeUninitializedCapacity: bytes.count) { out in
      for (i, c) in bytes.enumerated() { out[i] = c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
      return bytes.count
    }
  }
}
