import FolioCore
import Foundation
import Testing

/// Reads a UAX #29 test file: each line's text and the byte offsets where it may break.
func breakTests(_ file: String) throws -> [(
  line: Int, text: String, breaks: [Int], comment: String
)]? {
  guard let dir = sharedCorpus("unicode-break-tests") else { return nil }
  var out: [(Int, String, [Int], String)] = []
  let content = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
  for (n, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
    let parts = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
    guard let rule = parts.first?.trimmingCharacters(in: .whitespaces), !rule.isEmpty else {
      continue
    }
    var text = ""
    var breaks: [Int] = []
    for item in rule.split(separator: " ") {
      if item == "÷" {
        breaks.append(text.utf8.count)
      } else if item != "×", let v = UInt32(item, radix: 16), let s = Unicode.Scalar(v) {
        text.unicodeScalars.append(s)
      }
    }
    out.append((n + 1, text, breaks, parts.count > 1 ? String(parts[1]) : ""))
  }
  return out
}

/// Every line of a UAX #29 test file against `boundaries`; a failure lists the first ten lines.
func expectBreaks(_ file: String, lines: Int, _ boundaries: (String) -> [Int]) throws {
  let tests = try #require(try breakTests(file))
  #expect(tests.count == lines)
  var failures: [String] = []
  for t in tests where boundaries(t.text) != t.breaks {
    failures.append("line \(t.line): \(boundaries(t.text)) vs \(t.breaks) #\(t.comment)")
  }
  #expect(
    failures.isEmpty,
    Comment(
      rawValue: "\(failures.count) lines fail:\n" + failures.prefix(10).joined(separator: "\n")))
}

@Suite("Unicode break tests") struct BreakTests {
  @Test(
    "WordBreakTest.txt (Unicode 15.0) passes in full",
    .enabled(if: hasShared("unicode-break-tests"), "needs ../shared/corpora/unicode-break-tests"))
  func words() throws {
    try expectBreaks("WordBreakTest.txt", lines: 1_823, WordBreak.boundaries)
  }

  @Test(
    "SentenceBreakTest.txt (Unicode 15.0) passes in full",
    .enabled(if: hasShared("unicode-break-tests"), "needs ../shared/corpora/unicode-break-tests"))
  func sentences() throws {
    try expectBreaks("SentenceBreakTest.txt", lines: 502, SentenceBreak.boundaries)
  }
}

@Suite("Tokenizer fast paths") struct TokenizerFastPathTests {
  /// A small deterministic generator (SplitMix64), so a failure can be replayed.
  struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  @Test("counting tokens without making them gives the counts of the tokens made")
  func countsWithoutTokens() {
    // Every kind: URLs, e-mails, handles and hashtags (joined after the scan), numbers, emoji,
    // CJK, combining marks, CRLF.
    let alphabet: [String] =
      "ab Zé9 .,@#_-'\r\n:/wh😀中ąё".map { String($0) }
      + ["http://x.org/a", "a@b.co", "#tag", "@me", "3.5", "U.S."]
    var rng = SplitMix(state: 41)
    for _ in 0..<2_000 {
      let length = Int.random(in: 0...30, using: &rng)
      var text = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }.joined()
      let tokens = Tokenizer.tokenize(text)
      let counted = text.withUTF8 { Tokenizer.count(utf8: $0) }
      #expect(counted.tokens == tokens.count, "\(text.debugDescription)")
      let words = tokens.filter { $0.kind == TokenKind.word }.count
      #expect(counted.words == words, "\(text.debugDescription)")
    }
    // A document keeps its counts until its text changes.
    let doc = Document(id: "d", text: "One two, three.")
    #expect(doc.tokenCounts == (5, 3))
    doc.cut(0..<4)
    #expect(doc.tokenCounts == (4, 2))
  }

  @Test(
    "ASCII runs cut eight bytes at a time end where UAX #29 says (letters, digits and their edges)")
  func asciiRuns() {
    // Letters and digits with the bytes just outside their ranges ('[', '`', '{', '/', ':'; '@'
    // lowered is '`') and the mid-word joiners; no '@', '#', 'h', 'w' or 'f', which start
    // e-mails, handles, hashtags and URLs.
    let alphabet = Array("aqzAQZ09 5[`{/:.,'_-\n")
    var rng = SplitMix(state: 29)
    var failures: [String] = []
    for _ in 0..<3_000 {
      let length = Int.random(in: 0...40, using: &rng)
      let text = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
      let b = WordBreak.boundaries(text)
      let bytes = Array(text.utf8)
      var expected: [[Int]] = []
      for (s, e) in zip(b, b.dropFirst())
      where !bytes[s..<e].allSatisfy({ $0 == 0x20 || $0 == 0x0A }) {
        expected.append([s, e])
      }
      let got = Tokenizer.tokenize(text).map { [Int($0.start), Int($0.end)] }
      if got != expected { failures.append("\(text.debugDescription): \(got) vs \(expected)") }
    }
    #expect(failures.isEmpty, Comment(rawValue: failures.prefix(5).joined(separator: "\n")))
  }
}
