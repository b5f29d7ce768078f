import Foundation
import Testing

/// A golden transcript: `Tests/FolioCLITests/transcripts/NAME.md` holds a command, its stdin and
/// its exact stdout and stderr, as fenced blocks.
///
/// Set `FOLIO_UPDATE_TRANSCRIPTS=1` to rewrite the outputs from the current build (then read
/// the diff before committing it).
struct Transcript: CustomStringConvertible {
  var url: URL
  var text: String

  var description: String { url.lastPathComponent }

  static var folder: URL { CLI.root.appendingPathComponent("Tests/FolioCLITests/transcripts") }

  static func all() -> [Transcript] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".md") }.sorted().compactMap { name in
      let url = folder.appendingPathComponent(name)
      guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
      return Transcript(url: url, text: String(decoding: data, as: UTF8.self))
    }
  }

  /// The body of the fenced block named `kind`, or nil.
  func block(_ kind: String) -> String? {
    guard let open = text.range(of: "```\(kind)\n") else { return nil }
    guard let close = text.range(of: "\n```", range: open.upperBound..<text.endIndex) else {
      return nil
    }
    return String(text[open.upperBound..<close.lowerBound]) + "\n"
  }

  mutating func replace(_ kind: String, with body: String) {
    var body = body
    if body.hasSuffix("\n") { body.removeLast() }
    if let open = text.range(of: "\n```\(kind)\n"),
      let close = text.range(of: "\n```\n", range: open.upperBound..<text.endIndex)
    {
      if body.isEmpty {
        text.removeSubrange(open.lowerBound..<close.upperBound)
        if text.hasSuffix("\n\n") { text.removeLast() }
      } else {
        text.replaceSubrange(open.upperBound..<close.lowerBound, with: body)
      }
    } else if !body.isEmpty {
      text += "\n```\(kind)\n\(body)\n```\n"
    }
  }
}

@Suite("transcripts", .serialized) struct TranscriptTests {
  @Test(
    "each transcript's command prints exactly what the transcript says", arguments: Transcript.all()
  )
  func transcript(_ t: Transcript) throws {
    let command = try #require(t.block("command")).trimmingCharacters(in: .whitespacesAndNewlines)
    var words = command.split(separator: " ").map(String.init)
    #expect(words.removeFirst() == "folio")
    let result = try CLI.run(words, input: t.block("input"))
    if ProcessInfo.processInfo.environment["FOLIO_UPDATE_TRANSCRIPTS"] == "1" {
      var updated = t
      updated.replace("stdout", with: result.stdout)
      updated.replace("stderr", with: result.stderr)
      updated.replace("status", with: result.status == 0 ? "" : "\(result.status)\n")
      try Data(updated.text.utf8).write(to: t.url)
      return
    }
    #expect(result.stdout == (t.block("stdout") ?? ""))
    #expect(result.stderr == (t.block("stderr") ?? ""))
    #expect("\(result.status)\n" == (t.block("status") ?? "0\n"))
  }
}
