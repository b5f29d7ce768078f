import Foundation
import Testing

/// Every `$ folio ...` command of the README and the user guide runs, as a new user types it.
///
/// Each must exit 0 without an error. Commands over the big shared corpora run on `Examples/news` (the
/// same options and plugins, seconds instead of minutes in a debug build); placeholders
/// (`CORPUS`, `dump.jsonl`, `./my_tagger.lua`, `notes.txt`, the treebank files) get small
/// stand-ins; `folio repl` is left to the REPL's own transcripts. Serialized: one folio at a
/// time from this suite, so it does not starve the timing-sensitive suites running beside it.
@Suite(.serialized) struct DocCommandTests {
  /// The README, the user guide and every shipped plugin's README.
  ///
  /// Left out: `Plugins/README.md`, whose tutorial `pluginTutorial` follows step by step and
  /// whose sharing section names example URLs; the query guide, whose one command shows an
  /// error on purpose.
  static let documents =
    ["README.md", "Sources/folio/Documentation.docc/UserGuide.md"]
    + ((try? FileManager.default.contentsOfDirectory(
      atPath: CLI.root.appendingPathComponent("Plugins").path)) ?? []).sorted()
    .filter { !$0.hasPrefix("_") && !$0.hasPrefix(".") && !$0.hasSuffix(".md") }
    .map { "Plugins/\($0)/README.md" }

  /// The `$ folio ...` commands of a Markdown text, without their `# comments`; `folio repl`
  /// left out.
  static func commands(in text: String) -> [String] {
    text.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("$ folio ") else { return nil }
      var command = String(line.dropFirst(2))
      if let comment = command.range(of: "  #") { command = String(command[..<comment.lowerBound]) }
      command = command.trimmingCharacters(in: .whitespaces)
      return command.hasPrefix("folio repl") ? nil : command
    }
  }

  /// Runs `command` through `/bin/sh` in `work`, with the built `folio` first on `PATH`.
  static func shell(_ command: String, in work: URL) throws -> CLI.Result {
    let bin = CLI.binary.deletingLastPathComponent().path
    return try CLI.run(
      ["-c", command], in: work, executable: "/bin/sh",
      environment: ["PATH": bin + ":/usr/bin:/bin"])
  }

  /// A working folder as the docs assume: `Examples/`, `Plugins/`, `../shared`, and stand-ins.
  static func workspace() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("folio-docs-\(UUID())")
    let work = dir.appendingPathComponent("work")
    let fm = FileManager.default
    try fm.createDirectory(at: work, withIntermediateDirectories: true)
    for name in ["Examples", "Plugins"] {
      try fm.createSymbolicLink(
        at: work.appendingPathComponent(name),
        withDestinationURL: CLI.root.appendingPathComponent(name))
    }
    try fm.createSymbolicLink(
      at: dir.appendingPathComponent("shared"),
      withDestinationURL: CLI.shared.deletingLastPathComponent())
    func put(_ name: String, _ bytes: [UInt8]) throws {
      try Data(bytes).write(to: work.appendingPathComponent(name))
    }
    try put(
      "my_tagger.lua",
      Array("return { tag = function(doc) doc:add('mine', 1, 3) end, writes = {'mine'} }\n".utf8))
    try put(
      "dump.jsonl",
      Array(#"{"url": "https://example.org/a", "article": {"body": "Money talks."}}"#.utf8) + [0x0A]
    )
    // 日本語 in Shift_JIS.
    try put("notes.txt", [0x93, 0xFA, 0x96, 0x7B, 0x8C, 0xEA, 0x0A])
    // The treebank, cut to its first 300 sentences: the same commands, in seconds.
    let ud = CLI.shared.appendingPathComponent("ud-english")
    for name in ["en_ewt-ud-train.conllu", "en_ewt-ud-dev.conllu"] {
      let text = try String(contentsOf: ud.appendingPathComponent(name), encoding: .utf8)
      let head = text.components(separatedBy: "\n\n").prefix(300).joined(separator: "\n\n")
      try put(name, Array((head + "\n\n").utf8))
    }
    return work
  }

  @Test(
    .enabled(if: CLI.has("seeds", "ud-english"), "needs ../shared/corpora/seeds and ud-english"),
    arguments: documents)
  func everyCommandRuns(_ document: String) throws {
    let commands = Self.commands(
      in: try String(contentsOf: CLI.root.appendingPathComponent(document), encoding: .utf8))
    #expect(commands.count >= (document.hasPrefix("Plugins/") ? 0 : 15))
    let work = try Self.workspace()
    defer { try? FileManager.default.removeItem(at: work.deletingLastPathComponent()) }
    for command in commands {
      let line = command.replacingOccurrences(of: "../shared/corpora/bbc", with: "Examples/news")
        .replacingOccurrences(of: "../shared/corpora/novels100", with: "Examples/news")
        .replacingOccurrences(of: "reuters21578/*.sgm", with: "reuters21578/reut2-000.sgm")
        .replacingOccurrences(
          of: "readability-news/*/source.html", with: "readability-news/bbc-1/source.html"
        )
        .replacingOccurrences(of: "CORPUS", with: "Examples/news")
        // A user's own folders in the plugin READMEs: news/2024, news/, scraped/.
        .replacingOccurrences(
          of: "(?<![A-Za-z/_-])(news/2024|news/|scraped/)", with: "Examples/news",
          options: .regularExpression)
      let r = try Self.shell(line, in: work)
      #expect(r.status == 0, "\(document): \(command)\n\(r.stderr)")
      #expect(!r.stderr.contains("Error:"), "\(document): \(command)\n\(r.stderr)")
    }
  }

  /// The plugin guide's tutorial, step by step: its commands, with the edits it asks for taken
  /// from its own code blocks (the layer's default in plugin.toml, `init.lua`, the test).
  @Test func pluginTutorial() throws {
    let guide = try String(
      contentsOf: CLI.root.appendingPathComponent("Plugins/README.md"), encoding: .utf8)
    let start = try #require(guide.range(of: "## Your first tagger in ten minutes"))
    let end = try #require(guide.range(of: "\n## ", range: start.upperBound..<guide.endIndex))
    let section = String(guide[start.upperBound..<end.lowerBound])
    let blocks = section.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 1 }
      .map(\.element)
    let lua = blocks.filter { $0.hasPrefix("lua\n") }.map { String($0.dropFirst(4)) }
    let shells = blocks.filter { $0.hasPrefix("\n$ ") }
    try #require(lua.count >= 2 && shells.count >= 2)
    let work = try Self.workspace()
    defer { try? FileManager.default.removeItem(at: work.deletingLastPathComponent()) }
    func run(_ command: String) throws -> CLI.Result {
      let r = try Self.shell(command, in: work)
      #expect(r.status == 0, "\(command)\n\(r.stdout)\(r.stderr)")
      return r
    }
    for command in Self.commands(in: shells[0]) { _ = try run(command) }
    // The edits the guide asks for.
    let plugin = work.appendingPathComponent("plugins/ministers")
    let manifestURL = plugin.appendingPathComponent("plugin.toml")
    let manifest = try String(contentsOf: manifestURL, encoding: .utf8)
    try #require(manifest.contains("default = \"capitalised\""))
    try manifest.replacingOccurrences(
      of: "default = \"capitalised\"", with: "default = \"minister\""
    )
    .write(to: manifestURL, atomically: true, encoding: .utf8)
    try lua[0].write(
      to: plugin.appendingPathComponent("init.lua"), atomically: true, encoding: .utf8)
    try lua[1].write(
      to: plugin.appendingPathComponent("tests/ministers_test.lua"), atomically: true,
      encoding: .utf8)
    var outputs: [String] = []
    for command in Self.commands(in: shells[1]) { outputs.append(try run(command).stdout) }
    #expect(outputs.first?.contains("finds the person after minister") == true)
    #expect(outputs.last?.contains("Pierre") == true, "the concordance the guide describes")
  }
}
