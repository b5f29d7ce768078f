import Foundation
import Testing

/// The error-code table of the documentation lists exactly the codes the sources raise.
@Suite struct ErrorCodeTests {
  static let table = CLI.root.appendingPathComponent(
    "Sources/folio/Documentation.docc/ErrorCodes.md")

  /// Codes as the sources write them: `"[F103] ...` or `code: "F103"`.
  func codesInSources() throws -> Set<String> {
    let sources = CLI.root.appendingPathComponent("Sources")
    let pattern = try NSRegularExpression(pattern: #"(?:"\[|code: "|fail\(\s*")(F1[0-9]{2})"#)
    var codes: Set<String> = []
    let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
    while let url = files?.nextObject() as? URL {
      guard url.pathExtension == "swift" else { continue }
      let text = try String(contentsOf: url, encoding: .utf8)
      for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
        if let range = Range(m.range(at: 1), in: text) { codes.insert(String(text[range])) }
      }
    }
    return codes
  }

  @Test func tableMatchesSources() throws {
    let text = try String(contentsOf: Self.table, encoding: .utf8)
    let rows = text.split(separator: "\n").filter { $0.hasPrefix("| F1") }
    let listed = rows.map { String($0.dropFirst(2).prefix(4)) }
    #expect(listed.count == Set(listed).count, "a code is listed twice")
    let used = try codesInSources()
    #expect(used.count >= 25)
    #expect(Set(listed).subtracting(used).sorted() == [], "listed but never raised")
    #expect(used.subtracting(listed).sorted() == [], "raised but not in ErrorCodes.md")
  }
}
