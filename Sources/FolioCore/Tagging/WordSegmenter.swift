/// The words a tagger trained on Universal Dependencies English expects, from UAX #29 tokens.
///
/// Clitics split off (`don't` → `do` `n't`, `John's` → `John` `'s`, `cannot` → `can`
/// `not`, `gonna` → `gon` `na`), words joined where UD keeps one (`e-mail`, `co-workers`,
/// `Mr.`, `U.S.`, `p.m.`). Positions stay exact: every word is a byte range of the text.
public enum WordSegmenter {
  /// Clitics split from the end of a word, lowercase; `’` counts as `'`.
  static let clitics = ["n't", "'s", "'m", "'re", "'ve", "'ll", "'d"]
  /// Whole words split in two at a byte offset.
  static let splits: [String: Int] = [
    "cannot": 3, "gonna": 3, "wanna": 3, "gotta": 3, "dont": 2, "didnt": 3, "doesnt": 4,
    "isnt": 2, "wasnt": 3, "arent": 3, "werent": 4, "couldnt": 5, "wouldnt": 5, "shouldnt": 6,
    "hasnt": 3, "havent": 4, "youre": 3, "theyre": 4,
  ]
  /// Prefixes that keep their hyphen in UD English (`co-workers`, `e-mail`, `non-profit`).
  static let prefixes: Set<String> = [
    "e", "co", "pre", "post", "non", "semi", "re", "anti", "multi", "mid", "sub", "inter", "ex",
    "self", "pro", "un", "over", "under", "micro", "mini", "mega", "bi", "tri", "vice",
  ]
  /// Abbreviations that keep their full stop (lowercase, without it).
  static let abbreviations: Set<String> = [
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "inc", "ltd", "co", "corp", "vs", "etc",
    "no", "gen", "gov", "sen", "rep", "rev", "capt", "col", "lt", "sgt", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed", "thu",
    "fri", "sat", "sun", "approx", "dept", "est", "fig", "mt", "ft", "vol", "ave", "blvd",
  ]

  /// The words of the tokens of `text` (valid UTF-8), in order.
  public static func words(_ tokens: [Token], in text: UnsafeBufferPointer<UInt8>) -> [Token] {
    var out: [Token] = []
    out.reserveCapacity(tokens.count + tokens.count / 16)
    var i = 0
    func lower(_ t: Token) -> String {
      String(
        decoding: UnsafeBufferPointer(rebasing: text[Int(t.start)..<Int(t.end)]), as: UTF8.self
      )
      .lowercased()
    }
    func adjacent(_ a: Token, _ b: Token) -> Bool { a.end == b.start }
    func isDot(_ t: Token) -> Bool { t.end - t.start == 1 && text[Int(t.start)] == 0x2E }
    func single(_ t: Token) -> UInt8? { t.end - t.start == 1 ? text[Int(t.start)] : nil }
    while i < tokens.count {
      var t = tokens[i]
      if let c = single(t), t.kind == .punct || t.kind == .symbol {
        // A run of one punctuation character is one word (`...`, `!!`, `--`, `====`).
        while i + 1 < tokens.count, adjacent(t, tokens[i + 1]), single(tokens[i + 1]) == c {
          t.end = tokens[i + 1].end
          i += 1
        }
      } else if t.kind == .number {
        // Dates, times, ranges and phone numbers: `08/16/2000`, `10:30`, `2024-05-06`, `1-2`,
        // `713-853-3989` (UD English keeps each whole).
        while i + 2 < tokens.count, adjacent(t, tokens[i + 1]),
          adjacent(tokens[i + 1], tokens[i + 2]),
          let c = single(tokens[i + 1]), c == 0x2F || c == 0x3A || c == 0x2D,
          tokens[i + 2].kind == .number
        {
          t.end = tokens[i + 2].end
          i += 2
        }
      } else if t.kind == .word, i + 2 < tokens.count, adjacent(t, tokens[i + 1]),
        adjacent(tokens[i + 1], tokens[i + 2]), tokens[i + 2].kind == .word,
        tokens[i + 1].end - tokens[i + 1].start == 1, text[Int(tokens[i + 1].start)] == 0x2D,
        prefixes.contains(lower(t))
      {
        t.end = tokens[i + 2].end
        i += 2
      } else if t.kind == .word, i + 1 < tokens.count, isDot(tokens[i + 1]),
        adjacent(t, tokens[i + 1])
      {
        // Abbreviations, initials and dotted words keep their full stop (`Mr.`, `J.`, `U.S.`).
        let w = lower(t)
        let letters = w.unicodeScalars.filter { $0 != "." }.count
        let initial =
          letters == 1 && w.unicodeScalars.first.map { $0.properties.isAlphabetic } == true
        if abbreviations.contains(w) || w.contains(".") || initial {
          // Not when the full stop ends the text: then it is the sentence's.
          if i + 2 < tokens.count || w.contains(".") && letters > 1 {
            t.end = tokens[i + 1].end
            i += 1
          }
        }
      }
      i += 1
      guard t.kind == .word else {
        out.append(t)
        continue
      }
      split(t, text, into: &out)
    }
    return out
  }

  /// Appends `t`, its clitic or second half split off when it has one.
  private static func split(_ t: Token, _ text: UnsafeBufferPointer<UInt8>, into out: inout [Token])
  {
    let start = Int(t.start)
    let end = Int(t.end)
    // Lowercase ASCII view of the end, `’` (E2 80 99) read as `'`.
    var tail: [UInt8] = []
    var offsets: [Int] = []  // byte offset in the text of each tail character
    var k = end
    while k > start && tail.count < 4 {
      if k - 3 >= start, text[k - 3] == 0xE2, text[k - 2] == 0x80, text[k - 1] == 0x99 {
        tail.append(0x27)
        k -= 3
      } else {
        let b = text[k - 1]
        tail.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
        k -= 1
      }
      offsets.append(k)
    }
    tail.reverse()
    offsets.reverse()
    for c in clitics {
      let bytes = Array(c.utf8)
      guard tail.count > bytes.count, Array(tail.suffix(bytes.count)) == bytes else { continue }
      let at = offsets[offsets.count - bytes.count]
      guard at > start else { continue }
      out.append(Token(start: start, end: at, kind: .word))
      out.append(Token(start: at, end: end, kind: .word))
      return
    }
    if end - start <= 8 {
      let w = String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self)
        .lowercased()
      if let at = splits[w], w.utf8.count == end - start {
        out.append(Token(start: start, end: start + at, kind: .word))
        out.append(Token(start: start + at, end: end, kind: .word))
        return
      }
    }
    out.append(t)
  }
}
