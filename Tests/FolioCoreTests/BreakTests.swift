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
  guard let tests = try breakTests(file) else { return }
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
  @Test("WordBreakTest.txt (Unicode 15.0) passes in full")
  func words() throws {
    try expectBreaks("WordBreakTest.txt", lines: 1_823, WordBreak.boundaries)
  }

  @Test("SentenceBreakTest.txt (Unicode 15.0) passes in full")
  func sentences() throws {
    try expectBreaks("SentenceBreakTest.txt", lines: 502, SentenceBreak.boundaries)
  }
}
