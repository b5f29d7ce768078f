import FolioCore
import Foundation
import Testing

/// Error codes come from one catalogue (`ErrorCode`): the documentation's table is generated
/// from it, and the sources raise every code it lists.
@Suite struct ErrorCodeTests {
  static let page = CLI.root.appendingPathComponent(
    "Sources/folio/Documentation.docc/ErrorCodes.md")

  @Test("ErrorCodes.md's table is the one generated from ErrorCode")
  func tableIsGenerated() throws {
    let text = try String(contentsOf: Self.page, encoding: .utf8)
    let start = try #require(text.range(of: "<!-- generated: codes"))
    let body = try #require(text[start.upperBound...].range(of: "-->\n"))
    let end = try #require(text[body.upperBound...].range(of: "<!-- end codes -->"))
    let expected = ErrorCode.markdownTable()
    if ProcessInfo.processInfo.environment["FOLIO_UPDATE_TRANSCRIPTS"] == "1" {
      let updated =
        String(text[..<body.upperBound]) + expected + String(text[end.lowerBound...])
      try Data(updated.utf8).write(to: Self.page)
      return
    }
    #expect(String(text[body.upperBound..<end.lowerBound]) == expected)
  }

  @Test("every code of the catalogue is raised somewhere in the sources, by its case")
  func everyCodeRaised() throws {
    let sources = CLI.root.appendingPathComponent("Sources")
    var text = ""
    let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
    while let url = files?.nextObject() as? URL {
      guard url.pathExtension == "swift", url.lastPathComponent != "ErrorCode.swift" else {
        continue
      }
      text += try String(contentsOf: url, encoding: .utf8)
    }
    let unused = ErrorCode.allCases.filter {
      !text.contains("ErrorCode.\($0.rawValue.lowercased())")
    }
    #expect(unused == [])
    // No message spells a code by hand: `[F103]` comes from ErrorCode.f103.tag.
    let literal = try NSRegularExpression(pattern: #""\[F[0-9]{3}\]|code: "F[0-9]{3}""#)
    #expect(literal.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text)) == 0)
  }
}
