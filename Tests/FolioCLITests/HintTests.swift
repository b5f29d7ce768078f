import Foundation
import Testing

/// Command lines that go wrong in the usual ways get a message that says what to type instead,
/// before any document is read.
@Suite struct HintTests {
  func expectUsage(_ arguments: [String], _ stderr: String, in dir: URL = CLI.root) throws {
    let r = try CLI.run(arguments, in: dir)
    #expect(r.status == 64)
    #expect(r.stdout == "")
    #expect(r.stderr == stderr)
  }

  @Test func mistypedCommand() throws {
    try expectUsage(
      ["rnu", "Examples/news"],
      """
      Error: 'rnu' is not a folio command - while reading the command line
      Help: did you mean 'folio run'? commands: run, repl, script, merge, corpus, plugin, query, index, doc, train, eval, help

      """)
  }

  @Test func pluginOptionGivenToRun() throws {
    try expectUsage(
      ["run", "Examples/news", "-p", "wordfreq", "--top", "5"],
      """
      Error: --top is not an option of folio run; 'top' is an option of the plugin wordfreq - while reading the command line
      Help: give it after the plugin's name: -p wordfreq:top=5

      """)
    try expectUsage(
      ["run", "Examples/news", "-p", "kwic", "--width=40"],
      """
      Error: --width is not an option of folio run; 'width' is an option of the plugin kwic - while reading the command line
      Help: give it after the plugin's name: -p kwic:width=40

      """)
    let r = try CLI.run(["run", "Examples/news", "-p", "kwic", "--top=5"])
    #expect(r.status == 64)
    #expect(
      r.stderr.hasPrefix(
        "Error: --top is not an option of folio run, nor of the plugin kwic - while reading the command line\nHelp: kwic's options: word, width, ignore_case, "
      ))
    // No -p: every plugin that has the option is named.
    let any = try CLI.run(["run", "Examples/news", "--top", "5"])
    #expect(any.stderr.contains("'top' is an option of the plugins collocations, "))
    #expect(any.stderr.contains(", wordfreq - while reading the command line\n"))
    // An option no plugin has keeps ArgumentParser's own message.
    let none = try CLI.run(["run", "Examples/news", "--frobnicate"])
    #expect(none.status == 64)
    #expect(none.stderr.hasPrefix("Error: Unknown option '--frobnicate'"))
  }

  @Test func optionsWrittenAsAShellLine() throws {
    try expectUsage(
      ["run", "Examples/news", "-p", "wordfreq top=5 by=lemma"],
      """
      Error: plugin 'wordfreq top=5 by=lemma': a plugin's options follow its name after a colon - while reading the command line
      Help: write -p wordfreq:top=5,by=lemma

      """)
  }

  @Test func pluginGivenAsCorpus() throws {
    try expectUsage(
      ["run", "Examples/news", "wordfreq"],
      """
      Error: 'wordfreq' is a plugin, not a corpus - while reading the command line
      Help: name plugins with -p: -p wordfreq

      """)
  }

  @Test func outputsCheckedBeforeTheRun() throws {
    try expectUsage(
      ["run", "Examples/news", "-p", "wordfreq", "-o", "words.xlsx"],
      """
      Error: -o words.xlsx: Folio writes no .xlsx files - while reading the command line
      Help: name a file ending in .tsv, .tab, .csv, .json, .jsonl, .ndjson, .md, .markdown, .html, .htm, .svg, .txt, .conllu, .vrt (or a folder DIR/), or choose the format with --format

      """)
    try expectUsage(
      ["run", "Examples/news", "-p", "entities", "--docs-out", "tagged.txt"],
      """
      Error: --docs-out tagged.txt: Folio writes no .txt files - while reading the command line
      Help: name a file ending in .jsonl, .ndjson, .json, .conllu, .vrt, .csv (or a folder DIR/)

      """)
    let dir = try CLI.workspace([:])
    let missing = try CLI.run(
      ["run", "corpus", "-p", "wordfreq", "-o", "out/words.tsv"], in: dir)
    #expect(missing.status == 1)
    #expect(
      missing.stderr
        == "Error: cannot write out/words.tsv: No such file or directory - while checking the outputs\nHelp: the folder out does not exist: create it first (mkdir -p out)\n"
    )
    // --format names the format: any extension goes.
    let named = try CLI.run(
      ["run", "corpus", "-p", "wordfreq:top=1", "--format", "csv", "-o", "words.dat", "-q"], in: dir
    )
    #expect(named.status == 0)
    let written = try String(contentsOf: dir.appendingPathComponent("words.dat"), encoding: .utf8)
    #expect(written == "rank,word,count,per_million\r\n1,asked,1,142857.1\r\n")
  }

  @Test func taggerWithNowhereToWrite() throws {
    let dir = try CLI.workspace([:])
    let r = try CLI.run(["run", "corpus", "-p", "entities"], in: dir)
    #expect(r.status == 0)
    #expect(
      r.stderr.hasSuffix(
        "\nfolio: the documents were not written (no report, no -o): -o tagged.jsonl keeps them, or .conllu, .vrt, .csv, a folder DIR/\n"
      ))
    let kept = try CLI.run(["run", "corpus", "-p", "entities", "-o", "t.jsonl", "-q"], in: dir)
    #expect(kept.stderr == "")
  }

  @Test func everyFileSkipped() throws {
    let dir = try CLI.workspace([:])
    let corpus = dir.appendingPathComponent("corpus")
    try FileManager.default.removeItem(at: corpus.appendingPathComponent("one.txt"))
    // gzip data in a .txt, a PDF, binary bytes.
    try Data([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x01, 0x00]).write(
      to: corpus.appendingPathComponent("a.txt"))
    try Data("%PDF-1.7\n%âãÏÓ\n1 0 obj\n".utf8).write(to: corpus.appendingPathComponent("b.txt"))
    try Data([0, 1, 2, 3, 0, 0, 0, 4, 5, 0]).write(to: corpus.appendingPathComponent("c.txt"))
    try Data("rank\n".utf8).write(to: dir.appendingPathComponent("words.tsv"))
    let r = try CLI.run(["run", "corpus", "-p", "wordfreq", "-o", "words.tsv"], in: dir)
    #expect(r.status == 66)
    #expect(
      CLI.diagnostics(r) == """
        Warning: corpus/a.txt: holds gzip-compressed data, not text (name it a.txt.gz and Folio unpacks it); skipped
        Warning: corpus/b.txt: is a PDF document, not text (extract its text first, e.g. with pdftotext); skipped
        Warning: corpus/c.txt: looks like a binary file; skipped
        Error: no documents: every file of the corpus was skipped (3) - while reading the corpus
        Help: the warnings above say why for each file; no output was written

        """)
    // The earlier output is left as it was.
    #expect(
      try String(contentsOf: dir.appendingPathComponent("words.tsv"), encoding: .utf8) == "rank\n")
  }
}

/// On a terminal, errors and `plugin test` marks are coloured; piped or with `NO_COLOR`, not.
@Suite(
  .enabled(
    if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"),
    "util-linux's script (a pseudo-terminal) is not installed"))
struct ColourTests {
  /// Runs folio under `script`, in a pseudo-terminal, with colour allowed.
  func onTerminal(_ arguments: String) throws -> String {
    let r = try CLI.run(
      ["-qec", "env -u NO_COLOR TERM=xterm \(CLI.binary.path) \(arguments)", "/dev/null"],
      executable: "/usr/bin/script")
    return r.stdout.replacingOccurrences(of: "\r\n", with: "\n")
  }

  @Test func errorsAndMarks() throws {
    #expect(
      try onTerminal("run no-such-corpus -p wordfreq")
        == "\u{1B}[1;31mError:\u{1B}[0m no such file or folder: no-such-corpus - while reading the corpus\n\u{1B}[1;32mHelp:\u{1B}[0m check the path; a corpus is a folder or a file of text, Markdown, HTML, JSONL, CSV/TSV, XML or CoNLL-U\n"
    )
    #expect(try onTerminal("run --bogus").hasPrefix("\u{1B}[1;31mError:\u{1B}[0m Unknown option"))
    let marks = try onTerminal("plugin test Plugins/min-length")
    #expect(marks.contains("\n  \u{1B}[32m✔\u{1B}[0m drops documents with too few words\n"))
    // Piped: no escapes.
    let piped = try CLI.run(
      ["plugin", "test", "Plugins/min-length"], environment: ["TERM": "xterm"])
    #expect(piped.stdout.contains("\n  ✔ drops documents with too few words\n"))
    #expect(!piped.stdout.contains("\u{1B}"))
  }

  @Test func scanPassShowsProgress() throws {
    var files = [
      "twopass.lua": """
      -- 25 ms of work per document in the scan: 80 documents take two seconds.
      local M = { scan = {} }
      function M.scan.init() return { n = 0 } end
      function M.scan.each(s, doc)
        local t = os.clock()
        while os.clock() - t < 0.025 do end
        s.n = s.n + 1
      end
      function M.scan.merge(a, b) return { n = a.n + b.n } end
      function M.scan.finish(s) return s.n end
      function M.keep(doc, ctx) return true end
      return M
      """
    ]
    for i in 1...80 { files["corpus/d\(i).txt"] = "Document \(i).\n" }
    let dir = try CLI.workspace(files)
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(
      [
        "-qec",
        "env -u NO_COLOR TERM=xterm \(CLI.binary.path) run corpus -j 1 -p ./twopass.lua -o kept.jsonl",
        "/dev/null",
      ], in: dir, executable: "/usr/bin/script")
    #expect(r.stdout.contains("\u{1B}[2Kscan (twopass)  "))
    #expect(r.stdout.contains(" docs  "))
  }
}
