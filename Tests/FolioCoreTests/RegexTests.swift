import FolioCore
import Testing

@Suite("Regex start filter") struct RegexStartFilterTests {
  /// Every match in `text`, by the start filter (a trusted subject) and by PCRE2's own search.
  func both(_ pattern: String, _ flags: String, _ text: String) throws -> (
    [[Range<Int>?]], [[Range<Int>?]]
  ) {
    let re = try RegularExpression(pattern, flags: flags)
    var text = text
    return try text.withUTF8 { b in
      (try re.matches(b, trusted: true), try re.matches(b, trusted: false))
    }
  }

  @Test(
    "matching only at possible start bytes finds what PCRE2's search finds",
    arguments: [
      (
        #"\b(?:Jan|March|Dec)\.?\s+\d{1,2}(?!\d)|(?<!\d)\d{1,2}\s+(?:Jan|March)\b|(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)"#,
        ""
      ),
      (#"\d+"#, ""), (#"\w+@\w+"#, ""), (#"k\w*"#, "i"), (#"\bMr\.?\s+\w+"#, ""), (#"\s\d"#, ""),
      (#"(?<=x)\d\d?"#, ""), (#"[^a\s]\d"#, ""), (#"(?:\d|é)x"#, "i"), (#"\S+"#, ""),
    ])
  func sameMatches(pattern: String, flags: String) throws {
    // Text with ASCII and Unicode digits (Arabic-Indic, fullwidth), the Kelvin sign (K in any
    // case), accented letters, dates and addresses.
    let pieces = [
      "Jan 5", "March 12", "1999-12-31", "٣ March", "１２ Jan", "x7", "x٤٥", "Mr. Smith", "MR Jones",
      "a@b", "é@ü", "K", "kelvin", "\u{212A}ELVIN", "éx", "ÉX", "7x", " ", "\n", "aa1", "é", "—",
    ]
    var state: UInt64 = 11
    for _ in 0..<300 {
      var text = ""
      for _ in 0..<8 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        text += pieces[Int((state >> 33) % UInt64(pieces.count))]
        text += (state >> 20) % 3 == 0 ? "" : " "
      }
      let (filtered, searched) = try both(pattern, flags, text)
      #expect(
        filtered.map { $0.map { $0.map(\.lowerBound) } }
          == searched.map { $0.map { $0.map(\.lowerBound) } }, "\(text.debugDescription)")
      #expect(
        filtered.map { $0.map { $0.map(\.upperBound) } }
          == searched.map { $0.map { $0.map(\.upperBound) } }, "\(text.debugDescription)")
    }
  }
}

@Suite("Finding a word's tokens") struct FindTokensTests {
  @Test("findTokens finds exactly the tokens that spell the word, in any case when asked")
  func againstTokens() {
    let pieces = [
      "money", "Money", "MONEY", "moneys", "summon", "m", "M", "mon", "mo", "ney", "money.",
      "(money)", "money's", "é", "—", " ", " ", "\n", "mmoney", "MoNeY", "x",
    ]
    var state: UInt64 = 5
    var failures: [String] = []
    for round in 0..<500 {
      var text = ""
      for _ in 0..<(round % 40) {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        text += pieces[Int((state >> 33) % UInt64(pieces.count))]
      }
      let doc = Document(id: "d", text: text)
      let bytes = Array(text.utf8)
      for ignoreCase in [false, true] {
        let expected = doc.tokens.filter { t in
          let s = String(decoding: bytes[Int(t.start)..<Int(t.end)], as: UTF8.self)
          return ignoreCase ? s.lowercased() == "money" : s == "money"
        }.map { [Int($0.start), Int($0.end)] }
        let got = doc.findTokens("money", ignoreCase: ignoreCase).map {
          [Int($0.start), Int($0.end)]
        }
        if got != expected {
          failures.append("\(text.debugDescription) \(ignoreCase): \(got) vs \(expected)")
        }
      }
    }
    #expect(failures.isEmpty, Comment(rawValue: failures.prefix(3).joined(separator: "\n")))
  }
}
