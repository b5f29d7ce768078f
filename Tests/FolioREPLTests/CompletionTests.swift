import FolioCore
import FolioEngine
import FolioLua
import FolioREPL
import Foundation
import Testing

@Suite("REPL completion and evaluation") struct CompletionTests {
  static func session(_ lines: [String] = []) throws -> REPLSession {
    var options = REPLSession.Options()
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    options.corpus = [root.appendingPathComponent("Examples/news").path]
    options.resolver = PluginResolver(searchPath: [root.appendingPathComponent("Plugins")])
    let s = try REPLSession(options, out: { _ in }, err: { _ in })
    _ = s.run(ListLineReader(lines))
    return s
  }

  @Test(
    "completes globals, module fields, methods, metadata keys, commands and plugin names",
    arguments: [
      ("fol", 0, ["folio"]),
      ("x = folio.st", 10, ["stats"]),
      ("folio.stats.log_", 12, ["log_dice", "log_likelihood", "log_ratio"]),
      ("d:sp", 2, ["spans"]),
      ("d:te", 2, ["text_of"]),
      ("d.me", 2, ["meta"]),
      ("d.meta.f", 7, ["folder"]),
      ("corpus:k", 7, ["kwic"]),
      ("corpus:", 7, ["docs", "filter", "freq", "get", "kwic", "query", "sample", "search"]),
      ("rows:ta", 5, ["take"]),
      (".ti", 0, [".timer"]),
      (".run word", 5, ["wordfreq"]),
      (".mode j", 6, ["json", "jsonl"]),
      ("?Corpus:f", 1, ["Corpus:filter", "Corpus:freq"]),
      ("nothing.here", 8, []),
      ("t.f", 2, ["first"]),
      ("t:co", 2, ["covering"]),
      // Index expressions: a corpus's documents, a List's rows, quoted keys.
      ("corpus[1]:sp", 10, ["spans"]),
      ("print(corpus[2].meta.fo", 21, ["folder"]),
      ("corpus[1].i", 10, ["id"]),
      ("rows[1].", 8, ["count", "per_million", "word"]),
      ("d.meta[\"folder\"]", 16, []),
      ("corpus[999]:", 12, []),
      // Internal names only with a leading `_`.
      ("corpus:_", 7, ["_subset"]),
    ])
  func completes(_ line: String, _ start: Int, _ expected: [String]) throws {
    let s = try Self.session(["d = corpus[1]", "rows = freq()", "t = d:tokens()[1]"])
    let (wordStart, candidates) = s.completions(line)
    #expect(wordStart == start)
    #expect(candidates == expected)
  }

  @Test("a chunk starting with local keeps its names; others stay local to the chunk")
  func locals() throws {
    var out: [String] = []
    var options = REPLSession.Options()
    options.corpus = []
    let s = try REPLSession(options, out: { out.append($0) }, err: { out.append("E: " + $0) })
    _ = s.run(
      ListLineReader([
        "local a, b = 1, 2", "a + b", "local function twice(x) return 2 * x end", "twice(21)",
        "do local hidden = 1 end", "hidden", "local c <const> = 5", "c",
      ]))
    #expect(out == ["3\n", "42\n", "nil\n", "nil\n"])
  }
}

@Suite("API reference files") struct ReferenceFileTests {
  @Test("Plugins/_meta/API.md is the Markdown generated from the reference, REPL helpers included")
  func markdownInSync() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let committed = try String(
      contentsOf: root.appendingPathComponent("Plugins/_meta/API.md"), encoding: .utf8)
    let generated = FolioLua.markdownReference(FolioLua.reference + REPLSession.reference)
    #expect(
      committed == generated,
      "regenerate it: swift build && .build/debug/folio doc --markdown > Plugins/_meta/API.md")
    #expect(generated.contains("\n### `kwic`\n"))
  }
}
