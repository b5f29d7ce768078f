import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("folio run: workers and outputs", .serialized) struct EngineTests {
  func read(_ url: URL) -> String? {
    (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) }
  }

  /// Files in `dir` other than `expected` (temporary files left behind, for instance).
  func leftovers(_ dir: URL, expected: Set<String>) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter {
      !expected.contains($0)
    }
  }

  @Test(
    "-j 1 and -j 4 write identical report files",
    arguments: [
      ["Examples/news", "-p", "kwic:word=the,width=20"],
      ["Examples/news", "-p", "wordfreq:top=0"],
    ])
  func deterministic(arguments: [String]) throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    var outputs: [String] = []
    for j in ["1", "4"] {
      let out = dir.appendingPathComponent("out-\(j).tsv")
      let r = try CLI.run(["run"] + arguments + ["-j", j, "-o", out.path, "-q"])
      #expect(r.status == 0)
      outputs.append(read(out) ?? "")
    }
    #expect(outputs[0] == outputs[1])
    #expect(outputs[0].split(separator: "\n").count > 20)
  }

  @Test(
    "a corpus split over workers gives the bbc word list of one worker",
    .enabled(if: CLI.has("bbc"), "needs ../shared/corpora/bbc"))
  func bbcDeterministic() throws {
    let bbc = try #require(CLI.sharedCorpus("bbc"))
    let one = try CLI.run(["run", bbc.path, "-p", "wordfreq:top=100", "-j", "1", "-q"])
    let four = try CLI.run(["run", bbc.path, "-p", "wordfreq:top=100", "-j", "4", "-q"])
    #expect(one.status == 0)
    #expect(one.stdout == four.stdout)
    #expect(one.stdout.hasPrefix("rank\tword\tcount\tper_million\n1\tthe\t"))
  }

  @Test("kept documents go to JSONL with code point offsets, or bytes on request")
  func jsonl() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "Café UN\r\n",
      "orgs.lua": """
      local M = { writes = { "org" } }
      function M.tag(doc)
        local s, e = doc.text:find("UN")
        if s then doc:add("org", s, e, "ORG", { n = 1 }) end
        doc.meta.seen = true
      end
      return M
      """,
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "orgs.lua", "-o", "out.jsonl", "-j", "2"], in: dir)
    #expect(r.status == 0)
    #expect(r.stdout == "")
    let lines = (read(dir.appendingPathComponent("out.jsonl")) ?? "").split(separator: "\n")
    #expect(
      lines == [
        #"{"id":"one.txt","meta":{"path":"one.txt","folder":"","bytes":43,"seen":true},"text":"The UN asked Russia for more peacekeepers.\n","offsets":"codepoints","layers":{"org":[{"start":4,"end":6,"label":"ORG","attrs":{"n":1}}]}}"#,
        #"{"id":"two.txt","meta":{"path":"two.txt","folder":"","bytes":10,"seen":true},"text":"Café UN\n","offsets":"codepoints","layers":{"org":[{"start":5,"end":7,"label":"ORG","attrs":{"n":1}}]}}"#,
      ])
    let b = try CLI.run(
      ["run", "corpus/two.txt", "-p", "orgs.lua", "-o", "b.jsonl", "--offsets", "bytes"], in: dir)
    #expect(b.status == 0)
    #expect(
      read(dir.appendingPathComponent("b.jsonl"))?.contains(
        #""offsets":"bytes","layers":{"org":[{"start":6,"end":8"#) == true)
  }

  @Test(
    "report formats follow the output file's extension",
    arguments: [
      ("out.csv", "rank,word,count,per_million\r\n1,the,2,285714.3\r\n"),
      (
        "out.md",
        "## wordfreq\n\n"
          + "| rank | word | count | per_million |\n|---|---|---|---|\n| 1 | the | 2 | 285714.3 |\n\n"
          + "- plugin: wordfreq\n- version: 1.1.0\n"
          + "- options: by=\"\", docfreq=false, kinds=word, min=1, pos=\"\", stopwords=\"\", top=1\n"
          + "- folio: 0.1.0\n- corpus: corpus\n- corpus_documents: 1\n"
          + "- corpus_fingerprint: fp128:c6d4a9667f5662311d6328b34e6332c6\n- documents: 1\n"
          + "- pipeline: wordfreq 1.1.0 top=1\n- time: 2026-01-01T00:00:00Z\n"
          + "- per_million: count * 1,000,000 / words counted (in the group, with by)\n"
      ),
      (
        "out.json",
        #"{"title":"wordfreq","provenance":{"plugin":"wordfreq","version":"1.1.0","options":"by=\"\", docfreq=false, kinds=word, min=1, pos=\"\", stopwords=\"\", top=1","folio":"0.1.0","corpus":"corpus","corpus_documents":1,"corpus_fingerprint":"fp128:c6d4a9667f5662311d6328b34e6332c6","documents":1,"pipeline":["wordfreq 1.1.0 top=1"],"time":"2026-01-01T00:00:00Z","per_million":"count * 1,000,000 / words counted (in the group, with by)"},"columns":["rank","word","count","per_million"],"rows":[[1,"the",2,285714.3]]}"#
          + "\n"
      ),
      ("out.jsonl", #"{"rank":1,"word":"the","count":2,"per_million":285714.3}"# + "\n"),
    ])
  func formats(file: String, expected: String) throws {
    let dir = try CLI.workspace(["corpus/one.txt": "The cat, the hat; a mat b."])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "wordfreq:top=1", "-o", file, "-q"], in: dir)
    #expect(r.status == 0)
    #expect(read(dir.appendingPathComponent(file)) == expected)
    // CSV and JSONL have no room for the title and provenance: a sidecar holds them.
    let sidecar = read(dir.appendingPathComponent(file + ".provenance.json"))
    if file.hasSuffix(".csv") || file.hasSuffix(".jsonl") {
      #expect(
        sidecar
          == #"[{"title":"wordfreq","columns":["rank","word","count","per_million"],"rows":1,"provenance":{"plugin":"wordfreq","version":"1.1.0","options":"by=\"\", docfreq=false, kinds=word, min=1, pos=\"\", stopwords=\"\", top=1","folio":"0.1.0","corpus":"corpus","corpus_documents":1,"corpus_fingerprint":"fp128:c6d4a9667f5662311d6328b34e6332c6","documents":1,"pipeline":["wordfreq 1.1.0 top=1"],"time":"2026-01-01T00:00:00Z","per_million":"count * 1,000,000 / words counted (in the group, with by)"}}]"#
          + "\n")
    } else {
      #expect(sidecar == nil)
    }
  }

  @Test("provenance: the pipeline before a report, option files by hash, shards added up")
  func provenance() throws {
    let dir = try CLI.workspace([
      "corpus/a.txt": "Irina Volk spoke. Volk left.", "corpus/b.txt": "Related articles: more.",
      "names.txt": "Irina Volk\tPERSON\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let one = try CLI.run(
      [
        "run", "corpus", "--as", "text", "-p", "strip-boilerplate", "-p",
        "gazetteer:file=names.txt",
        "-p", "wordfreq:top=1", "-o", "w.json", "-q", "-j", "1",
      ], in: dir)
    #expect(one.status == 0, "\(one.stderr)")
    let json = read(dir.appendingPathComponent("w.json")) ?? ""
    #expect(json.contains(#""corpus":"corpus","reading":"--as text","corpus_documents":3,"#))
    #expect(
      json.contains(
        #""pipeline":["strip-boilerplate 1.0.0; phrases=$plugin/phrases.txt sha256:ac179e9fc7a21952349032e8d579d580d6d14781bf928791c6dba6e6b6126796 (566 bytes)","gazetteer 1.0.0 file=names.txt; file=names.txt sha256:3e9c8b3d6ef2f9527312d45d3d8aa07a75630a1df8446cd7fc84a07a7c655268 (18 bytes)","wordfreq 1.1.0 top=1"]"#
      ))
    #expect(json.contains(#""time":"2026-01-01T00:00:00Z""#))
    // The same documents give the same fingerprint at any -j and from shards.
    let fingerprint = json.firstMatch(of: /fp128:[0-9a-f]{32}/).map { String($0.output) }
    #expect(fingerprint != nil)
    for i in 1...2 {
      let r = try CLI.run(
        [
          "run", "corpus", "--as", "text", "-p", "wordfreq:top=1", "--shard", "\(i)/2",
          "--save-state", "s\(i).state", "-q",
        ], in: dir)
      #expect(r.status == 0)
    }
    let merged = try CLI.run(["merge", "s1.state", "s2.state", "-o", "m.json", "-q"], in: dir)
    #expect(merged.status == 0)
    let m = read(dir.appendingPathComponent("m.json")) ?? ""
    #expect(
      m.contains(
        #""corpus_documents":3,"corpus_fingerprint":"\#(fingerprint ?? "")","documents":3,"#))
    #expect(m.contains(#""shards":2"#))
  }

  @Test("an HTML report lists its provenance: plugin, version, options, formula")
  func htmlProvenance() throws {
    let dir = try CLI.workspace(["corpus/one.txt": "red big car. red big car. red car."])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(
      ["run", "corpus", "-p", "collocations:min=1,measure=log_dice", "-o", "c.html", "-q"], in: dir)
    #expect(r.status == 0)
    let page = read(dir.appendingPathComponent("c.html")) ?? ""
    #expect(page.contains("<dt>plugin</dt><dd>collocations</dd>"))
    #expect(page.contains("<dt>formula</dt><dd>14 + log2(2 * o11 / (r1 + c1))</dd>"))
    #expect(page.contains("<dt>n</dt><dd>8</dd>"))
    #expect(page.contains("measure=log_dice, min=1"))
  }

  /// A plugin asking for both permissions: it reads `lists/names.txt` from its folder and
  /// writes what option `path` names.
  static let permitted = [
    "perm/plugin.toml": """
    name = "perm"
    version = "1.0.0"
    kind = "report"
    summary = "reads its list, writes a file"
    permissions = ["read", "write"]

    [options.read]
    type = "string"
    default = "lists/names.txt"
    description = "the file to read"

    [options.path]
    type = "string"
    default = "out/names.txt"
    description = "where to write"
    """,
    "perm/init.lua": """
    local M = {}
    function M.each() end
    function M.finish(s, ctx)
      local names = folio.read_file(ctx.options.read)
      local written = folio.write_file(ctx.options.path, names:upper())
      return { columns = { "bytes" }, rows = { { #names } } }
    end
    return M
    """,
    "perm/lists/names.txt": "volk\nlacroix\n",
    "perm/tests/perm_test.lua": """
    local T = folio.test
    return {
      ["reads its list and writes it in capitals"] = function()
        local r = T.run({ "text" })
        T.assert.equal(r.rows, { { 13 } })
        T.assert.equal(T.written("out/names.txt"), "VOLK\\nLACROIX\\n")
      end,
    }
    """,
    "secret.txt": "not yours\n",
  ]

  @Test("permissions: asked in plugin.toml, granted with --allow, checked before the run")
  func permissions() throws {
    let dir = try CLI.workspace(Self.permitted)
    defer { try? FileManager.default.removeItem(at: dir) }
    let ok = try CLI.run(
      ["run", "corpus", "-p", "./perm", "--allow", "perm:read,write=granted", "-q"], in: dir)
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(ok.stdout == "bytes\n13\n")
    #expect(read(dir.appendingPathComponent("granted/out/names.txt")) == "VOLK\nLACROIX\n")

    let none = try CLI.run(["run", "corpus", "-p", "./perm", "-q"], in: dir)
    #expect(none.status == 78)
    #expect(
      none.stderr
        == "Error: [F140] plugin 'perm' asks for permission 'read' (to read files under its own folder), which was not granted - while checking permissions\nHelp: grant it with --allow perm:read if you trust the plugin\n"
    )
    let unasked = try CLI.run(
      [
        "run", "corpus", "-p", "./perm", "-p", "wordfreq", "--allow", "perm:read,write=g",
        "--allow", "wordfreq:read", "-q",
      ], in: dir)
    #expect(unasked.status == 64)
    #expect(
      unasked.stderr
        == "Error: [F141] --allow grants 'read' to plugin 'wordfreq', which does not ask for it - while checking permissions\nHelp: 'wordfreq' asks for no permissions: leave out --allow\n"
    )
    let stranger = try CLI.run(
      [
        "run", "corpus", "-p", "./perm", "--allow", "perm:read,write=g", "--allow", "kwic:read",
        "-q",
      ], in: dir)
    #expect(stranger.status == 64)
    #expect(
      stranger.stderr.hasPrefix(
        "Error: [F141] --allow names plugin 'kwic', which is not in the pipeline"))
    // The REPL's .run takes the same grants.
    let repl = try CLI.run(
      ["repl", "corpus", "--allow", "perm:read,write=granted"], in: dir, input: ".run ./perm\n")
    #expect(repl.stdout.hasPrefix("perm\n\nbytes\n"), "\(repl.stdout)\(repl.stderr)")
    let replDenied = try CLI.run(["repl", "corpus"], in: dir, input: ".run ./perm\n")
    #expect(replDenied.stderr.contains("[F140] plugin 'perm' asks for permission 'read'"))
    // Its own tests run with the permissions it asks for; written files go to a scratch folder.
    let tests = try CLI.run(["plugin", "test", "./perm"], in: dir)
    #expect(tests.status == 0, "\(tests.stdout)")
    #expect(tests.stdout.hasSuffix("1 passed, 0 failed\n"))
    // An unknown permission in the manifest is refused with the ones there are.
    try Data(
      (Self.permitted["perm/plugin.toml"] ?? "").replacingOccurrences(
        of: "\"write\"]", with: "\"net\"]"
      )
      .utf8
    ).write(to: dir.appendingPathComponent("perm/plugin.toml"))
    let bad = try CLI.run(["run", "corpus", "-p", "./perm", "-q"], in: dir)
    #expect(bad.status == 78)
    #expect(bad.stderr.hasPrefix("Error: [F101] perm/plugin.toml: permission 'net' is unknown"))
  }

  @Test(
    "permissions: paths stay inside the plugin's folder and the granted folder",
    arguments: [
      (
        "read=../secret.txt",
        "bad argument #1 to 'read_file' (a relative path without '..' expected, got '../secret.txt')"
      ),
      (
        "read=/etc/passwd",
        "bad argument #1 to 'read_file' (a relative path without '..' expected, got '/etc/passwd')"
      ),
      (
        "read=link/secret.txt", "cannot read 'link/secret.txt': it leads out of the plugin's folder"
      ),
      (
        "path=../escaped.txt",
        "bad argument #1 to 'write_file' (a relative path without '..' expected, got '../escaped.txt')"
      ),
      (
        "path=out/../../escaped.txt",
        "bad argument #1 to 'write_file' (a relative path without '..' expected"
      ),
      ("path=outside/escaped.txt", "cannot write 'outside/escaped.txt': it leads out of"),
      // No folder is made outside before the path is refused.
      ("path=outside/made/escaped.txt", "cannot write 'outside/made/escaped.txt': it leads out of"),
      ("path=linked.txt", "cannot write 'linked.txt': it exists and is not a plain file"),
    ])
  func permissionPaths(option: String, expected: String) throws {
    let dir = try CLI.workspace(Self.permitted)
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    try fm.createSymbolicLink(
      atPath: dir.appendingPathComponent("perm/link").path, withDestinationPath: dir.path)
    try fm.createDirectory(
      at: dir.appendingPathComponent("granted"), withIntermediateDirectories: true)
    try fm.createSymbolicLink(
      atPath: dir.appendingPathComponent("granted/outside").path, withDestinationPath: dir.path)
    try fm.createSymbolicLink(
      atPath: dir.appendingPathComponent("granted/linked.txt").path,
      withDestinationPath: dir.appendingPathComponent("escaped.txt").path)
    let r = try CLI.run(
      ["run", "corpus", "-p", "./perm:\(option)", "--allow", "perm:read,write=granted", "-q"],
      in: dir)
    #expect(r.status == 1, "\(r.stderr)")
    #expect(r.stderr.contains(expected), "\(r.stderr)")
    #expect(!fm.fileExists(atPath: dir.appendingPathComponent("escaped.txt").path))
    #expect(!fm.fileExists(atPath: dir.appendingPathComponent("made").path))
  }

  @Test("option ranges: plugin.toml states min and max, and values outside are refused")
  func optionRanges() throws {
    func manifest(_ extra: String) -> [String: String] {
      [
        "r/plugin.toml": """
        name = "r"
        version = "1.0.0"
        kind = "report"
        summary = "takes a ranged option"

        [options.top]
        type = "integer"
        \(extra)
        description = "how many"
        """,
        "r/init.lua": """
        local M = {}
        function M.each() end
        function M.finish(s, ctx) return { columns = { "top" }, rows = { { ctx.options.top } } } end
        return M
        """,
      ]
    }
    let dir = try CLI.workspace(manifest("min = 0\nmax = 100\ndefault = 20"))
    defer { try? FileManager.default.removeItem(at: dir) }
    let ok = try CLI.run(["run", "corpus", "-p", "./r:top=100", "-q"], in: dir)
    #expect(ok.stdout == "top\n100\n", "\(ok.stderr)")
    let low = try CLI.run(["run", "corpus", "-p", "./r:top=-5", "-q"], in: dir)
    #expect(low.status == 78)
    #expect(
      low.stderr.hasPrefix(
        "Error: [F104] plugin 'r': option 'top' must be from 0 to 100, got '-5' - while reading the options"
      ), "\(low.stderr)")
    let info = try CLI.run(["plugin", "info", "./r"], in: dir)
    #expect(info.stdout.contains("top     integer 0–100       20  how many"), "\(info.stdout)")
    for (extra, expected) in [
      ("min = 0\ndefault = -1", "option 'top': its default is not at least 0"),
      ("min = \"zero\"\ndefault = 1", "option 'top': 'min' must be a number"),
    ] {
      let bad = try CLI.workspace(manifest(extra))
      defer { try? FileManager.default.removeItem(at: bad) }
      let r = try CLI.run(["run", "corpus", "-p", "./r", "-q"], in: bad)
      #expect(r.status == 78)
      #expect(r.stderr.contains("[F101] r/plugin.toml: " + expected), "\(r.stderr)")
    }
  }

  /// A plugin whose `file` option (`list`) has the default `DEFAULT`; it reports the bytes read.
  static func fileOptionPlugin(default path: String) -> [String: String] {
    [
      "words/plugin.toml": """
      name = "words"
      version = "1.0.0"
      kind = "report"
      summary = "reads the list its option names"

      [options.list]
      type = "file"
      default = "\(path)"
      description = "a word list"
      """,
      "words/init.lua": """
      local M = {}
      function M.each() end
      function M.finish(s, ctx) return { columns = { "list" }, rows = { { ctx.files.list } } } end
      return M
      """,
      "words/lists/ok.txt": "shipped",
      "secret.txt": "secret",
    ]
  }

  @Test(
    "file options: a plugin's default names only files it ships; what the user names is read",
    arguments: [
      ("/etc/hostname", "", "the plugin's default names /etc/hostname, outside its own folder"),
      ("secret.txt", "", "the plugin's default names secret.txt, outside its own folder"),
      ("$plugin/../secret.txt", "", "$plugin/../secret.txt leaves the plugin's folder"),
      ("$plugin/link", "", "$plugin/link is a symbolic link that leads out of the plugin's folder"),
      ("$plugin/lists/ok.txt", "", ""),
      ("/etc/hostname", ":list=secret.txt", ""),
    ])
  func fileOptions(defaultPath: String, named: String, expected: String) throws {
    let dir = try CLI.workspace(Self.fileOptionPlugin(default: defaultPath))
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createSymbolicLink(
      atPath: dir.appendingPathComponent("words/link").path,
      withDestinationPath: dir.appendingPathComponent("secret.txt").path)
    let r = try CLI.run(["run", "corpus", "-p", "./words" + named, "-q"], in: dir)
    if expected.isEmpty {
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout == "list\n" + (named.isEmpty ? "shipped" : "secret") + "\n")
    } else {
      #expect(r.status != 0)
      #expect(r.stderr.contains("[F108] plugin 'words': option 'list': " + expected), "\(r.stderr)")
      #expect(!r.stdout.contains("secret"))
    }
  }

  @Test("-o through a symbolic link writes the file it points to; to a device, straight to it")
  func outputThroughLinks() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    try fm.createSymbolicLink(
      atPath: dir.appendingPathComponent("link.tsv").path, withDestinationPath: "real.tsv")
    try Data("old\n".utf8).write(to: dir.appendingPathComponent("real.tsv"))
    let r = try CLI.run(["run", "corpus", "-p", "wordfreq:top=1", "-o", "link.tsv", "-q"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(
      (try? fm.destinationOfSymbolicLink(atPath: dir.appendingPathComponent("link.tsv").path))
        == "real.tsv")
    #expect(read(dir.appendingPathComponent("real.tsv"))?.hasPrefix("rank\tword") == true)
    // A link to /dev/null: the run writes into the device and leaves link and device alone
    // (a rename would have replaced the device with a regular file).
    try fm.createSymbolicLink(
      atPath: dir.appendingPathComponent("null.tsv").path, withDestinationPath: "/dev/null")
    let n = try CLI.run(["run", "corpus", "-p", "wordfreq:top=1", "-o", "null.tsv", "-q"], in: dir)
    #expect(n.status == 0, "\(n.stderr)")
    #expect(
      (try? fm.destinationOfSymbolicLink(atPath: dir.appendingPathComponent("null.tsv").path))
        == "/dev/null")
    let type = try fm.attributesOfItem(atPath: "/dev/null")[.type] as? FileAttributeType
    #expect(type == .typeCharacterSpecial)
  }

  @Test("a failed run leaves an earlier output file as it was, and no temporary file")
  func atomicOnFailure() throws {
    let dir = try CLI.workspace([
      "late.lua": """
      local M = {}
      function M.each(s, doc) end
      function M.finish(s) error("finish failed") end
      return M
      """
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data("earlier good report\n".utf8).write(to: dir.appendingPathComponent("report.tsv"))
    let r = try CLI.run(["run", "corpus", "-p", "late.lua", "-o", "report.tsv"], in: dir)
    #expect(r.status == 1)
    #expect(
      r.stderr == "Error: plugin 'late': late.lua:3: finish failed - while finishing the report\n")
    #expect(read(dir.appendingPathComponent("report.tsv")) == "earlier good report\n")
    #expect(leftovers(dir, expected: ["corpus", "late.lua", "report.tsv"]) == [])
  }

  @Test(
    "counters move from the workers to the merging VM: the same at any -j, kept by merge and taken in finish, once"
  )
  func countersHandedOver() throws {
    let dir = try CLI.workspace([
      "parts.lua": """
      local M = {}
      function M.init() return { c = folio.counter(), same = nil, parts = {}, docs = 0 } end
      function M.each(s, doc)
        s.c:add_tokens(doc, { lower = true })
        s.same = s.c -- the same counter twice in the state travels once
        s.docs = s.docs + 1
      end
      function M.merge(a, b)
        -- b.c arrives as the string that stands for the counter: kept, taken in finish.
        a.parts[#a.parts + 1] = b.c
        a.docs = a.docs + b.docs
        return a
      end
      function M.finish(s)
        local all = folio.counter()
        for _, p in ipairs(s.parts) do all:merge(p) end
        local ok, err = pcall(folio.counter, s.parts[1])
        local again = ok and "again" or (tostring(err):find("taken already", 1, true) and "once" or tostring(err))
        return { columns = { "words", "distinct", "docs", "the", "taken" },
          rows = { { all:total(), #all, s.docs, all:get("the"), again } } }
      end
      return M
      """
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    // 1.4 MB of news, so that 4 workers get several chunks (and states) each.
    let news = CLI.root.appendingPathComponent("Examples/news")
    let corpus = dir.appendingPathComponent("corpus")
    try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
    for name in try FileManager.default.contentsOfDirectory(atPath: news.path) {
      let text = try String(contentsOf: news.appendingPathComponent(name), encoding: .utf8)
      try String(repeating: text + "\n", count: 100).write(
        to: corpus.appendingPathComponent(name), atomically: false, encoding: .utf8)
    }
    var outputs: [String] = []
    for j in ["1", "4"] {
      let r = try CLI.run(["run", "corpus", "-p", "parts.lua", "-j", j, "-q"], in: dir)
      #expect(r.status == 0, "\(r.stderr)")
      outputs.append(r.stdout)
    }
    #expect(outputs[0] == outputs[1])
    let words = try CLI.run(["run", "corpus", "-p", "wordfreq:top=1", "-q"], in: dir)
    // The same count of "the" as wordfreq's, every document once (the workspace's one and
    // the 24 news), the ticket taken once.
    let the = words.stdout.split(separator: "\n")[1].split(separator: "\t")[2]
    #expect(outputs[0].hasSuffix("\t25\t\(the)\tonce\n"), "\(outputs[0])")
  }

  @Test("a state that is not plain data is refused with where it is")
  func stateCopy() throws {
    let dir = try CLI.workspace([
      "fn.lua": """
      local M = {}
      function M.init() return { items = { first = print } } end
      function M.each(s, doc) end
      function M.merge(a, b) return a end
      function M.finish(s) return { rows = {} } end
      return M
      """
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "fn.lua"], in: dir)
    #expect(r.status == 1)
    #expect(
      r.stderr
        == "Error: [F121] plugin 'fn': the report state cannot be copied: state[\"items\"][\"first\"]: a function (states must be plain data: tables, strings, numbers, booleans) - while copying the report state\nHelp: keep only tables, strings, numbers, booleans and counters in the state; build other values in finish\n"
    )
  }

  @Test("Ctrl-C stops the workers within a second, exits 130 and writes no output")
  func interrupt() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "More text.",
      "spin.lua":
        "local M = {}\nfunction M.tag(doc)\n  print('spinning')\n  while true do end\nend\nreturn M\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let process = Process()
    process.executableURL = CLI.binary
    process.arguments = [
      "run", "corpus", "-p", "spin.lua", "-o", "out.jsonl", "-j", "2", "--max-instructions", "0",
      "--timeout", "0",
    ]
    process.currentDirectoryURL = dir
    let err = Pipe()
    process.standardError = err
    process.standardOutput = Pipe()
    try process.run()
    // Wait until a plugin runs (it prints to stderr), then press Ctrl-C.
    var stderr = ""
    let handle = err.fileHandleForReading
    while !stderr.contains("spinning") {
      let chunk = handle.availableData
      if chunk.isEmpty { break }
      stderr += String(decoding: chunk, as: UTF8.self)
    }
    let elapsed = Self.interrupt(process)
    stderr += String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 130)
    #expect(elapsed < 1.0)
    #expect(stderr.contains("interrupted, no output written"))
    #expect(leftovers(dir, expected: ["corpus", "spin.lua"]) == [])
  }

  /// Presses Ctrl-C (SIGINT) and waits up to 10 s for the process to end (then kills it);
  /// returns how long it took.
  static func interrupt(_ process: Process) -> TimeInterval {
    let sent = Date()
    kill(process.processIdentifier, SIGINT)
    while process.isRunning, Date().timeIntervalSince(sent) < 10 { usleep(10_000) }
    let elapsed = Date().timeIntervalSince(sent)
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return elapsed
  }

  @Test("Ctrl-C while standard input is quiet stops the run within a second")
  func interruptWaitingInput() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let process = Process()
    process.executableURL = CLI.binary
    process.arguments = ["run", "-", "-p", "wordfreq", "-o", "words.tsv"]
    process.currentDirectoryURL = dir
    let input = Pipe()
    let err = Pipe()
    process.standardInput = input
    process.standardError = err
    process.standardOutput = Pipe()
    try process.run()
    // One record, then nothing more for as long as the pipe stays open.
    input.fileHandleForWriting.write(Data("{\"text\":\"one\"}\n".utf8))
    usleep(500_000)
    let elapsed = Self.interrupt(process)
    try? input.fileHandleForWriting.close()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 130)
    #expect(elapsed < 1.0)
    #expect(stderr.contains("interrupted, no output written"))
    #expect(leftovers(dir, expected: ["corpus"]) == [])
  }

  @Test("on a terminal, a progress line shows after a second and is erased; never otherwise")
  func progressLine() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "More text.",
      "corpus/three.txt": "Last text.",
      "slow.lua": """
      local M = {}
      function M.tag(doc)
        local t = os.clock() while os.clock() - t < 0.6 do end
      end
      return M
      """,
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let command = "\(CLI.binary.path) run corpus -p slow.lua -j 1 -o out.jsonl"
    // script(1) runs the command on a pseudo-terminal, as a person's shell would.
    let tty = try CLI.run(["-qfec", command, "/dev/null"], in: dir, executable: "/usr/bin/script")
    #expect(tty.status == 0)
    let text = tty.stdout
    #expect(text.contains("\r\u{1B}[2K"))
    #expect(text.contains("docs  0.0 MB"))
    #expect(text.contains("ETA"))
    // The line is erased before the summary, which starts on a clean line.
    #expect(text.contains("\r\u{1B}[2Kfolio: 3 documents read, 3 kept"))
    let never = try CLI.run(
      ["-qfec", command + " --progress never", "/dev/null"], in: dir, executable: "/usr/bin/script")
    #expect(!never.stdout.contains("\u{1B}["))
    let piped = try CLI.run(
      ["run", "corpus", "-p", "slow.lua", "-j", "1", "-o", "out.jsonl"], in: dir)
    #expect(!piped.stderr.contains("\u{1B}["))
  }

  @Test("folio run - reads documents from standard input: the same reports and records as files")
  func standardInput() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let news = CLI.root.appendingPathComponent("Examples/news").path
    let export = try CLI.run(["corpus", "export", news, "-o", "news.jsonl"], in: dir)
    #expect(export.status == 0)
    let records = try String(contentsOf: dir.appendingPathComponent("news.jsonl"), encoding: .utf8)
    let pipeline = ["-p", "entities", "-p", "wordfreq:top=5", "-q"]
    let files = try CLI.run(["run", news] + pipeline, in: dir)
    let piped = try CLI.run(["run", "-"] + pipeline, in: dir, input: records)
    #expect(piped.status == 0)
    #expect(piped.stdout == files.stdout)
    // Documents to standard output as JSONL: the records a file run writes.
    let tagged = try CLI.run(["run", news, "-p", "entities", "-q", "-o", "tagged.jsonl"], in: dir)
    #expect(tagged.status == 0)
    let out = try CLI.run(["run", "-", "-p", "entities", "-q", "-o", "-"], in: dir, input: records)
    #expect(out.status == 0)
    #expect(
      out.stdout
        == (try String(contentsOf: dir.appendingPathComponent("tagged.jsonl"), encoding: .utf8)))
    // Three parts of the input, each naming its part, merged from one stream of states.
    let lines = records.split(separator: "\n").map { $0 + "\n" }
    let light = ["-p", "wordfreq:top=5", "-p", "kwic:word=said,width=20", "-q"]
    var states = Data()
    for i in 0..<3 {
      let part = lines[(lines.count * i / 3)..<(lines.count * (i + 1) / 3)].joined()
      let r = try CLI.run(
        ["run", "-", "--part", "\(i + 1)/3", "--save-state", "-"] + light, in: dir, input: part)
      #expect(r.status == 0)
      states += r.output
    }
    let merged = try CLI.run(["merge", "-", "-q"], in: dir, inputData: states)
    #expect(merged.status == 0)
    #expect(merged.stdout == (try CLI.run(["run", news] + light, in: dir)).stdout)
    #expect(merged.stdout.contains("# kwic said"))
    // A plugin that reads the corpus twice, from standard input in two steps: one run's report.
    let scan = try CLI.run(
      ["run", "-", "--part", "1/1", "--save-scan-state", "scan.state"] + pipeline, in: dir,
      input: records)
    #expect(scan.status == 0)
    let second = try CLI.run(
      ["run", "-", "--part", "1/1", "--scan-states", "scan.state", "--save-state", "-"] + pipeline,
      in: dir, input: records)
    let twoSteps = try CLI.run(["merge", "-", "-q"], in: dir, inputData: second.output)
    #expect(twoSteps.stdout == files.stdout)
    // CSV and text lines, with the stream's name in ids and warnings.
    let csv = try CLI.run(
      ["run", "-", "--as", "csv", "--stdin-name", "feed", "-p", "entities", "-q", "-o", "-"],
      in: dir, input: "text,n\n\"The UN met.\",1\nBad row\n")
    #expect(csv.status == 0)
    #expect(
      csv.stdout
        == "{\"id\":\"feed#1\",\"meta\":{\"path\":\"feed\",\"folder\":\"\",\"record\":1,\"n\":1},\"text\":\"The UN met.\",\"offsets\":\"codepoints\",\"layers\":{\"entity\":[{\"start\":4,\"end\":6,\"label\":\"ORG\",\"attrs\":{\"entity_id\":\"1\",\"entry\":\"UN\",\"source\":\"gazetteer\"}}]}}\n"
    )
    #expect(csv.stderr == "Warning: feed:3: 1 fields where the header has 2; skipped\n")
    // An empty input is an empty part (a Spark partition can be one), not an error.
    let empty = try CLI.run(["run", "-", "-p", "wordfreq", "-q"], in: dir, input: "")
    #expect(empty.status == 0)
    #expect(empty.stdout == "rank\tword\tcount\tper_million\n")
    // Outputs that would share standard output, and what standard input cannot be.
    let both = try CLI.run(
      ["run", "-", "-p", "wordfreq", "--docs-out", "-"], in: dir, input: records)
    #expect(both.status == 64)
    #expect(
      both.stderr
        == "Error: the reports and the documents would share standard output - while checking the outputs\nHelp: send all but one of them to a file (-o FILE, --docs-out FILE, --save-state FILE)\n"
    )
    let html = try CLI.run(["run", "-", "--as", "html", "-p", "wordfreq"], in: dir, input: "")
    #expect(html.status == 64)
    #expect(
      html.stderr.hasPrefix(
        "Error: standard input cannot be read --as html: its records must be lines"))
    let mixed = try CLI.run(["run", "-", "corpus", "-p", "wordfreq"], in: dir, input: "")
    #expect(mixed.status == 64)
    // Compressed or binary input fails at once, saying what to do.
    let gzipped = try CLI.run(
      ["run", "-", "-p", "wordfreq"], in: dir, inputData: Data([0x1F, 0x8B, 0x08, 0x00, 0x41]))
    #expect(gzipped.status == 65)
    #expect(
      gzipped.stderr
        == "Error: cannot read stdin: it holds gzip-compressed data, not text (pipe it through zcat first) - while reading standard input\n"
    )
    let partAndShard = try CLI.run(
      ["run", "-", "--part", "1/2", "--shard", "1/2", "-p", "wordfreq"], in: dir, input: "")
    #expect(partAndShard.status == 64)
    let shardOfInput = try CLI.run(
      ["run", "-", "--shard", "1/2", "-p", "wordfreq"], in: dir, input: "")
    #expect(shardOfInput.status == 64)
    #expect(
      shardOfInput.stderr.hasSuffix(
        "Help: to name the part of a larger corpus that standard input is, use --part 1/2\n"))
  }

  @Test("three shards merged give the bytes of one run, in whatever order they are given")
  func shards() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    var corpora = [CLI.root.appendingPathComponent("Examples/news").path]
    if let bbc = CLI.sharedCorpus("bbc") { corpora.append(bbc.path) }
    for corpus in corpora {
      let pipeline = [corpus, "-p", "wordfreq:top=30", "-p", "kwic:word=strike,width=15", "-q"]
      for i in 1...3 {
        let r = try CLI.run(
          ["run"] + pipeline + ["--shard", "\(i)/3", "--save-state", "s\(i).state"], in: dir)
        #expect(r.status == 0)
        #expect(r.stdout == "")
      }
      let whole = try CLI.run(["run"] + pipeline, in: dir)
      let merged = try CLI.run(["merge", "s2.state", "s3.state", "s1.state", "-q"], in: dir)
      #expect(merged.status == 0)
      #expect(merged.stdout == whole.stdout)
      #expect(whole.stdout.contains("# kwic strike"))
    }
    let twice = try CLI.run(["merge", "s1.state", "s1.state"], in: dir)
    #expect(twice.status == 65)
    #expect(
      twice.stderr
        == "Error: [F123] shard 1/3 is given twice (s1.state and s1.state) - while merging\nHelp: give each part its own --shard I/N (or --part I/N)\n"
    )
    let partial = try CLI.run(["merge", "s1.state", "s3.state"], in: dir)
    #expect(partial.status == 65)
    #expect(
      partial.stderr
        == "Error: [F124] shard 2/3 is missing - while merging\nHelp: merge the states of all 3 parts: a report of some would be wrong\n"
    )
    // A folder of states, and states one after another on standard input.
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("states"), withIntermediateDirectories: true)
    for i in 1...3 {
      try FileManager.default.copyItem(
        at: dir.appendingPathComponent("s\(i).state"),
        to: dir.appendingPathComponent("states/part-\(i)"))
    }
    let folder = try CLI.run(["merge", "states", "-q"], in: dir)
    #expect(folder.status == 0)
    let joined = try ["s3.state", "s1.state", "s2.state"].map {
      try Data(contentsOf: dir.appendingPathComponent($0))
    }.reduce(Data(), +)
    let piped = try CLI.run(["merge", "-", "-q"], in: dir, inputData: joined)
    #expect(piped.status == 0)
    #expect(piped.stdout == folder.stdout)
    #expect(folder.stdout.contains("# kwic strike"))
    _ = try CLI.run(
      ["run", "corpus", "-p", "wordfreq:top=3", "--shard", "1/3", "--save-state", "other.state"],
      in: dir)
    let mixed = try CLI.run(["merge", "s2.state", "other.state"], in: dir)
    #expect(mixed.status == 65)
    #expect(
      mixed.stderr.hasPrefix(
        "Error: [F122] other.state comes from another pipeline or shard count than s2.state - while merging\n"
      ))
    // A plugin that reads the corpus twice: a part alone is refused; its scan first, then
    // each part with every scan, gives one run's reports and documents.
    let news = CLI.root.appendingPathComponent("Examples/news").path
    let twoPass = [news, "-p", "entities", "-p", "kwic:word=said,width=20", "-q"]
    let alone = try CLI.run(["run"] + twoPass + ["--shard", "1/2", "--save-state", "x"], in: dir)
    #expect(alone.status == 64)
    #expect(
      alone.stderr
        == "Error: [F125] plugin 'entities' reads the whole corpus first (a scan pass), so a part run alone would not give what one run gives - while checking the pipeline\nHelp: run the scan of every part first (--save-scan-state scan-I.state), then each part with --scan-states and all of them (see folio merge --help)\n"
    )
    for i in 1...2 {
      let scan = try CLI.run(
        ["run"] + twoPass + ["--shard", "\(i)/2", "--save-scan-state", "scan-\(i).state"], in: dir)
      #expect(scan.status == 0)
    }
    var documents = ""
    for i in 1...2 {
      let r = try CLI.run(
        ["run"] + twoPass + [
          "--shard", "\(i)/2", "--scan-states", "scan-1.state", "--scan-states", "scan-2.state",
          "--save-state", "n\(i).state", "--docs-out", "n\(i).jsonl",
        ], in: dir)
      #expect(r.status == 0)
      documents += try String(
        contentsOf: dir.appendingPathComponent("n\(i).jsonl"), encoding: .utf8)
    }
    let single = try CLI.run(["run"] + twoPass + ["--docs-out", "all.jsonl"], in: dir)
    let parts = try CLI.run(["merge", "n1.state", "n2.state", "-q"], in: dir)
    #expect(parts.stdout == single.stdout)
    #expect(
      documents
        == (try String(contentsOf: dir.appendingPathComponent("all.jsonl"), encoding: .utf8)))
    let wrongKind = try CLI.run(["merge", "scan-1.state", "scan-2.state"], in: dir)
    #expect(wrongKind.status == 65)
    #expect(
      wrongKind.stderr.hasPrefix(
        "Error: [F126] scan-1.state holds the states of a scan pass (--save-scan-state) - while merging\n"
      ))
    let bad = try CLI.run(["run", "corpus", "-p", "wordfreq", "--shard", "4/3"], in: dir)
    #expect(bad.status == 64)
    #expect(bad.stderr.hasPrefix("Error: --shard must be I/N with 1 ≤ I ≤ N, got '4/3'"))
  }

  @Test("the pipeline comes from folio.toml when no -p is given, and is checked before reading")
  func projectPipeline() throws {
    let dir = try CLI.workspace([
      "folio.toml": """
      [[pipeline]]
      plugin = "wordfreq"
      options = { top = 2 }
      """,
      "plugins/needs/plugin.toml": """
      name = "needs"
      version = "1.0.0"
      kind = "report"
      reads = ["entity"]
      """,
      "plugins/needs/init.lua": """
      local M = {}
      function M.each(s, doc) end
      function M.finish(s) return { rows = {} } end
      return M
      """,
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-q"], in: dir)
    #expect(r.status == 0)
    #expect(
      r.stdout == "rank\tword\tcount\tper_million\n1\tasked\t1\t142857.1\n2\tfor\t1\t142857.1\n")
    let check = try CLI.run(["run", "/no/such/corpus", "-p", "wordfreq", "-p", "needs"], in: dir)
    #expect(check.status == 78)
    #expect(
      check.stderr
        == "Error: [F105] plugin 'needs' reads layer 'entity', which no earlier plugin writes (no earlier plugin writes a layer) - while checking the pipeline\nHelp: add a tagger that writes 'entity' before 'needs'\n"
    )
    let list = try CLI.run(["run", "--list-plugins"], in: dir)
    let lines = list.stdout.split(separator: "\n")
    #expect(lines.contains { $0.hasPrefix("needs\t") && $0.hasSuffix("/plugins/needs") })
    #expect(lines.contains { $0.hasPrefix("wordfreq\t") && $0.hasSuffix("Plugins/wordfreq") })
  }

  @Test("-o DIR/ writes each kept document's text at its id and its record beside it")
  func folderOutput() throws {
    let dir = try CLI.workspace([
      "corpus/sport/two.txt": "Goal!\r\n",
      "corpus/sport/three.txt": "Dropped: told the BBC.",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(
      ["run", "corpus", "-p", "phrase-filter:phrase=told the BBC", "-o", "out/", "-q"], in: dir)
    #expect(r.status == 0)
    let out = dir.appendingPathComponent("out")
    #expect(read(out.appendingPathComponent("sport/two.txt")) == "Goal!\n")
    #expect(
      read(out.appendingPathComponent("sport/two.txt.json"))
        == #"{"id":"sport/two.txt","meta":{"path":"sport/two.txt","folder":"sport","bytes":7},"text":"Goal!\n","offsets":"codepoints","layers":{}}"#
        + "\n")
    #expect(
      read(out.appendingPathComponent("one.txt")) == "The UN asked Russia for more peacekeepers.\n")
    #expect(
      !FileManager.default.fileExists(atPath: out.appendingPathComponent("sport/three.txt").path))
    #expect(leftovers(dir, expected: ["corpus", "out"]) == [])
  }

  @Test("a two-pass plugin scans the whole corpus first, at any -j the same")
  func twoPass() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    var outputs: [String] = []
    for j in ["1", "4"] {
      let r = try CLI.run(
        [
          "run", CLI.root.appendingPathComponent("Examples/news").path, "-p", "strip-boilerplate",
          "-o", dir.appendingPathComponent("j\(j).jsonl").path, "-j", j, "-q",
        ])
      #expect(r.status == 0)
      outputs.append(read(dir.appendingPathComponent("j\(j).jsonl")) ?? "")
    }
    #expect(outputs[0] == outputs[1])
    let records = outputs[0].split(separator: "\n")
    #expect(records.count == 24)
    #expect(!outputs[0].contains("Remind me later."))
    #expect(!outputs[0].contains("Dear readers,"))
    #expect(records.filter { $0.contains(#""boilerplate_lines":7"#) }.count == 10)
    #expect(outputs[0].contains("Marta Quintela called the deal"))
  }

  @Test("kill -9 in the middle of a run leaves the earlier output file whole")
  func killed() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "More text.",
      "spin.lua":
        "local M = {}\nfunction M.tag(doc)\n  print('spinning')\n  while true do end\nend\nreturn M\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data("earlier good output\n".utf8).write(to: dir.appendingPathComponent("out.jsonl"))
    let process = Process()
    process.executableURL = CLI.binary
    process.arguments = [
      "run", "corpus", "-p", "spin.lua", "-o", "out.jsonl", "--max-instructions", "0", "--timeout",
      "0",
    ]
    process.currentDirectoryURL = dir
    let err = Pipe()
    process.standardError = err
    process.standardOutput = Pipe()
    try process.run()
    var seen = ""
    while !seen.contains("spinning") {
      let chunk = err.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      seen += String(decoding: chunk, as: UTF8.self)
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(read(dir.appendingPathComponent("out.jsonl")) == "earlier good output\n")
  }

  @Test("--fail-fast stops at the first failure; without it the run goes on")
  func failFast() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "More text.",
      "bad.lua": "local M = {}\nfunction M.keep(doc)\n  error('no good')\nend\nreturn M\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let fast = try CLI.run(["run", "corpus", "-p", "bad.lua", "--fail-fast", "-j", "1"], in: dir)
    #expect(fast.status == 65)
    #expect(
      fast.stderr
        == "Error: plugin 'bad': bad.lua:3: no good - while filtering document one.txt\nHelp: the run stopped at the first failure (--fail-fast)\n"
    )
    let all = try CLI.run(["run", "corpus", "-p", "bad.lua", "-j", "1"], in: dir)
    #expect(all.status == 65)
    #expect(
      CLI.diagnostics(all)
        == "Error: plugin 'bad': bad.lua:3: no good - while filtering document one.txt\n(the same error happened in 1 more document: plugin 'bad': bad.lua:3: no good)\n"
    )
    #expect(all.stderr.contains("2 documents read, 0 kept, 0 dropped, 2 failed"))
  }

  @Test("a document kept past its call is closed: using it later is an error naming the line")
  func closedDocument() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "More text.",
      "keep.lua":
        "local M = {}\nlocal kept\nfunction M.tag(doc)\n  if kept then return kept.text end\n  kept = doc\nend\nreturn M\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "keep.lua", "-j", "1"], in: dir)
    #expect(r.status == 65)
    #expect(
      CLI.diagnostics(r)
        == "Error: plugin 'keep': keep.lua:4: this Document is closed: it was valid only during the call that received it - while tagging document two.txt\n"
    )
  }

  @Test("a span kept past its document's call keeps its fields; following it is an error")
  func closedSpan() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "More text.",
      "keep.lua":
        "local M = {}\nlocal kept\nfunction M.tag(doc)\n  if kept then assert(kept.text ~= nil); return kept:next() end\n  kept = doc:sentences()[1]\nend\nreturn M\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "keep.lua", "-j", "1"], in: dir)
    #expect(r.status == 65)
    #expect(
      CLI.diagnostics(r)
        == "Error: plugin 'keep': keep.lua:4: this span's Document is closed: spans can be followed only during the call that received their document - while tagging document two.txt\n"
    )
  }

  @Test("a token kept past its document's call is an error saying to keep t.text or t:totable()")
  func closedToken() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "More text.",
      "keep.lua":
        "local M = {}\nlocal kept, copy\nfunction M.tag(doc)\n  if kept then assert(copy.text == 'The'); return kept.text end\n  kept = doc:tokens()[1]; copy = kept:totable()\nend\nreturn M\n",
      "state.lua":
        "local M = {}\nfunction M.init() return {} end\nfunction M.each(s, doc) s.first = doc:tokens()[1] end\nfunction M.merge(a, b) return a end\nfunction M.finish(s) return {columns = {'x'}, rows = {}} end\nreturn M\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "keep.lua", "-j", "1"], in: dir)
    #expect(r.status == 65)
    #expect(
      CLI.diagnostics(r)
        == "Error: plugin 'keep': keep.lua:4: this Token's document is closed: tokens can be read only during the call that received their document (keep t.text or t:totable()) - while tagging document two.txt\n"
    )
    let state = try CLI.run(["run", "corpus", "-p", "state.lua", "-j", "2"], in: dir)
    #expect(state.status == 1)
    #expect(
      state.stderr.contains(
        "this Token's document is closed: tokens can be read only during the call that received their document (keep t.text or t:totable())"
      ))
  }

  @Test(
    "token columns kept past their document's call keep what was read; new columns are an error")
  func closedTokenColumns() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "More text.",
      "keep.lua":
        "local M = {}\nlocal kept\nfunction M.tag(doc)\n  if kept then assert(#kept.kind > 0); return kept.text end\n  kept = doc:token_columns(); local _ = kept.kind\nend\nreturn M\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "keep.lua", "-j", "1"], in: dir)
    #expect(r.status == 65)
    #expect(
      CLI.diagnostics(r)
        == "Error: plugin 'keep': keep.lua:4: the Document of these token columns is closed: read its columns during the call that received the document - while tagging document two.txt\n"
    )
  }

  @Test(
    "JSONL and JSON arrays: one document a record, fields to meta, bad lines warned and skipped")
  func records() throws {
    let dir = try CLI.workspace([
      "news.jsonl": #"""
      {"id":"a1","text":"The UN asked Russia.","site":"mt","author":{"name":"Ann"}}
      {"id":"a2","body":"no text field"}
      not json
      {"id":"a3","text":"Moscow said no.","n":3}
      """#,
      "arr.json": #"[{"article":{"body":"Body one."}},{"article":{"body":"Body two."}}]"#,
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(
      ["run", "news.jsonl", "--id-field", "id", "-p", "spans", "-o", "out.jsonl", "-j", "1", "-q"],
      in: dir)
    #expect(r.status == 0)
    #expect(
      r.stderr
        == "Warning: news.jsonl:2: no text field 'text' (fields: id, body); skipped - use --text-field\nWarning: news.jsonl:3: malformed JSON; skipped (expected a JSON value at byte 1)\n"
    )
    let r2 = try CLI.run(
      [
        "run", "news.jsonl", "--id-field", "id", "-p", "phrase-filter:phrase=zzz", "-o",
        "out.jsonl", "-q",
      ], in: dir)
    #expect(r2.status == 0)
    #expect(
      read(dir.appendingPathComponent("out.jsonl"))?.split(separator: "\n").first
        == #"{"id":"a1","meta":{"path":"news.jsonl","folder":"","record":1,"id":"a1","site":"mt","author.name":"Ann"},"text":"The UN asked Russia.","offsets":"codepoints","layers":{}}"#
    )
    let a = try CLI.run(
      ["run", "arr.json", "--text-field", "article.body", "-p", "wordfreq:top=1", "-q"], in: dir)
    #expect(a.stdout == "rank\tword\tcount\tper_million\n1\tbody\t2\t500000\n")
  }

  @Test("folio plugin new makes plugins whose tests pass; list and info describe plugins")
  func pluginCommands() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    for kind in ["filter", "tagger", "report"] {
      let r = try CLI.run(["plugin", "new", "my-\(kind)", "--kind", kind], in: dir)
      #expect(r.status == 0)
      #expect(r.stdout.hasPrefix("created plugins/my-\(kind)/"))
    }
    let t = try CLI.run(
      ["plugin", "test", "plugins/my-filter", "plugins/my-tagger", "plugins/my-report"], in: dir)
    #expect(t.status == 0)
    #expect(t.stdout.hasSuffix("3 passed, 0 failed\n"))
    let again = try CLI.run(["plugin", "new", "my-filter", "--kind", "filter"], in: dir)
    #expect(again.status == 64)
    #expect(again.stderr.contains("[F136]"))
    let bad = try CLI.run(["plugin", "new", "My Plugin", "--kind", "filter"], in: dir)
    #expect(bad.stderr.hasPrefix("Error: [F135] 'My Plugin' is not a plugin name"))
    let list = try CLI.run(["plugin", "list"], in: dir)
    #expect(list.stdout.contains("my-tagger\t0.1.0\ttagger\tproject\t"))
    #expect(list.stdout.contains("kwic\t1.3.0\treport\tshipped\tKeyword in context"))
    let info = try CLI.run(["plugin", "info", "kwic"], in: dir)
    #expect(info.stdout.hasPrefix("kwic 1.3.0 — report\nKeyword in context"))
    #expect(info.stdout.contains("ignore_case  boolean           false"))
    #expect(info.stdout.contains("width        integer 0–100000  40"))
    #expect(info.stdout.contains("A report: keyword in context."))
  }
}
