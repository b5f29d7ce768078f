import Foundation
import Testing

/// Every `$ folio ...` command of the README runs, as a new user would type it: exit 0 and no
/// error. Commands over `../shared/corpora/bbc` run on `Examples/news` instead (the same
/// options and plugins, seconds instead of minutes in a debug build); placeholders (`CORPUS`,
/// `dump.jsonl`, `./my_tagger.lua`) get small stand-ins; `folio repl` is left to the REPL's
/// own transcripts.
@Suite struct ReadmeCommandTests {
  static func commands() throws -> [String] {
    let readme = try String(
      contentsOf: CLI.root.appendingPathComponent("README.md"), encoding: .utf8)
    return readme.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("$ folio ") else { return nil }
      var command = String(line.dropFirst(2))
      if let comment = command.range(of: "  #") { command = String(command[..<comment.lowerBound]) }
      command = command.trimmingCharacters(in: .whitespaces)
      return command.hasPrefix("folio repl") ? nil : command
    }
  }

  @Test func everyCommandRuns() throws {
    guard CLI.sharedCorpus("seeds") != nil else { return }
    let commands = try Self.commands()
    #expect(commands.count >= 20)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "folio-readme-\(UUID())")
    let work = dir.appendingPathComponent("work")
    let fm = FileManager.default
    try fm.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? fm.removeItem(at: dir) }
    for name in ["Examples", "Plugins"] {
      try fm.createSymbolicLink(
        at: work.appendingPathComponent(name),
        withDestinationURL: CLI.root.appendingPathComponent(name))
    }
    try fm.createSymbolicLink(
      at: dir.appendingPathComponent("shared"),
      withDestinationURL: CLI.shared.deletingLastPathComponent())
    try Data(
      "return { tag = function(doc) doc:add('mine', 1, 3) end, writes = {'mine'} }\n".utf8
    ).write(to: work.appendingPathComponent("my_tagger.lua"))
    try Data(
      #"{"url": "https://example.org/a", "article": {"body": "Money talks."}}"#.utf8 + [0x0A]
    ).write(to: work.appendingPathComponent("dump.jsonl"))
    let bin = CLI.binary.deletingLastPathComponent().path
    for command in commands {
      let line = command.replacingOccurrences(of: "../shared/corpora/bbc", with: "Examples/news")
        .replacingOccurrences(of: "CORPUS", with: "Examples/news")
      let r = try CLI.run(
        ["-c", line], in: work, executable: "/bin/sh",
        environment: ["PATH": bin + ":/usr/bin:/bin"])
      #expect(r.status == 0, "\(command)\n\(r.stderr)")
      #expect(!r.stderr.contains("Error:"), "\(command)\n\(r.stderr)")
    }
  }
}
