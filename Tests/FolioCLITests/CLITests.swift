import Foundation
import Testing

/// Runs the built `folio` executable as a user would and checks its exact output.
struct CLI {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let shared = root.deletingLastPathComponent().appendingPathComponent("shared/corpora")
  static var binary: URL { root.appendingPathComponent(".build/debug/folio") }

  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
    /// stdout's bytes as written (states are binary).
    var output = Data()
  }

  static func run(
    _ arguments: [String], in directory: URL = root, executable: String? = nil,
    input: String? = nil, inputData: Data? = nil, environment: [String: String] = [:]
  ) throws -> Result {
    let payload = inputData ?? input.map { Data($0.utf8) }
    let process = Process()
    process.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? binary
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env["FOLIO_PLUGINS"] = root.appendingPathComponent("Plugins").path
    env["NO_COLOR"] = "1"
    // Reports' provenance says when they were made: pinned, so outputs compare byte for byte.
    env["SOURCE_DATE_EPOCH"] = "1767225600"
    env.merge(environment) { $1 }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let stdin = Pipe()
    process.standardInput = payload == nil ? FileHandle.nullDevice : stdin
    try process.run()
    if let data = payload {
      // A writer thread, so a large output cannot block the child while we write.
      let handle = stdin.fileHandleForWriting
      Thread.detachNewThread {
        handle.write(data)
        try? handle.close()
      }
    }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
      stderr: String(decoding: e, as: UTF8.self), output: o)
  }

  /// A temporary folder with a one-document corpus and the given plugin files.
  static func workspace(_ files: [String: String]) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("folio-cli-\(UUID())")
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("corpus"), withIntermediateDirectories: true)
    try Data("The UN asked Russia for more peacekeepers.\n".utf8).write(
      to: dir.appendingPathComponent("corpus/one.txt"))
    for (name, text) in files {
      let url = dir.appendingPathComponent(name)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url)
    }
    return dir
  }

  /// Whether `../shared/corpora/NAME` is here; the tests that need it are disabled with that
  /// reason where it is not.
  static func has(_ names: String...) -> Bool {
    names.allSatisfy {
      FileManager.default.fileExists(atPath: shared.appendingPathComponent($0).path)
    }
  }

  /// `../shared/corpora/<name>`, or nil when it is absent (the test is disabled then).
  static func sharedCorpus(_ name: String) -> URL? {
    let url = shared.appendingPathComponent(name)
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }

  /// stderr without the timing summary line.
  static func diagnostics(_ r: Result) -> String {
    r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
      .filter { !$0.hasPrefix("folio: ") }.joined(separator: "\n")
  }
}

@Suite("folio run", .serialized) struct RunCommandTests {
  @Test("shipped plugins are found when folio is run by name through a link on PATH")
  func foundThroughPath() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let bin = dir.appendingPathComponent("bin")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      at: bin.appendingPathComponent("folio"), withDestinationURL: CLI.binary)
    // env finds `folio` on PATH, so argv[0] is the bare name, and no FOLIO_PLUGINS helps.
    let listed = try CLI.run(
      ["folio", "plugin", "list"], in: dir, executable: "/usr/bin/env",
      environment: [
        "PATH": bin.path + ":/usr/bin:/bin", "FOLIO_PLUGINS": "",
        "HOME": dir.path, "XDG_DATA_HOME": "",
      ])
    #expect(listed.status == 0)
    #expect(listed.stdout.contains("\nwordfreq\t"))
    #expect(listed.stdout.contains("\tshipped\t"))
  }

  @Test(
    "kwic on the seeds prints one line per occurrence with its context",
    .enabled(if: CLI.has("seeds"), "needs ../shared/corpora/seeds"))
  func kwicSeeds() throws {
    let seeds = try #require(CLI.sharedCorpus("seeds"))
    let r = try CLI.run(["run", seeds.path, "-p", "kwic:word=Kolokoltsev,width=20"])
    #expect(r.status == 0)
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.count == 11)
    #expect(lines[0] == "document\tposition\tleft\tkeyword\tright")
    #expect(
      lines[1]
        == "000_a329563865bc35fc.txt\t151\tr Minister Vladimir \tKolokoltsev\t said after meeting ")
    #expect(
      lines[5]
        == "002_cc2b64a9889106ac.txt\t20\t  date 2024-06-27 A \tKolokoltsev’s\t arrival to particip"
    )
  }

  @Test("wordfreq on the example corpus gives a ranked list")
  func wordfreqExamples() throws {
    let r = try CLI.run(["run", "Examples/news", "-p", "wordfreq:top=3"])
    #expect(r.status == 0)
    #expect(
      r.stdout == """
        rank\tword\tcount\tper_million
        1\tthe\t186\t78118.4
        2\tand\t72\t30239.4
        3\ta\t69\t28979.4

        """)
    #expect(r.stderr.hasPrefix("folio: 24 documents read, 24 kept, 0 dropped, 0 failed in "))
  }

  @Test(
    "the news pipeline on Examples/news: boilerplate out (precision and recall 1), dates and entities in"
  )
  func newsPipeline() throws {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent(
      "folio-news-\(UUID()).jsonl")
    defer { try? FileManager.default.removeItem(at: out) }
    let r = try CLI.run([
      "run", "Examples/news", "-p", "inline-date", "-p", "strip-boilerplate", "-p", "entities",
      "-p", "dates", "-o", out.path, "-q",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let records = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
    }
    #expect(records.count == 24)
    // The truth: every line of the Harbour Ledger's appeal is boilerplate, every other line is story.
    let appeal = try String(
      contentsOf: CLI.root.appendingPathComponent("Examples/news/000_45508004cb4e5294.txt"),
      encoding: .utf8
    )
    .split(separator: "\n").drop { !$0.hasPrefix("Related articles:") }.map(String.init)
    #expect(appeal.count == 7)
    var cut = 0
    var kept = 0
    for record in records {
      let id = record["id"] as? String ?? ""
      let original = try String(
        contentsOf: CLI.root.appendingPathComponent("Examples/news/\(id)"), encoding: .utf8)
      let text = record["text"] as? String ?? ""
      for line in original.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) })
      where !line.isEmpty {
        let story = line.replacingOccurrences(
          of: #"^date \d{4}-\d\d-\d\d "#, with: "", options: .regularExpression)
        if appeal.contains(line) {
          #expect(!text.contains(line), "\(id): boilerplate kept: \(line)")
          cut += 1
        } else {
          #expect(text.contains(story), "\(id): story cut: \(story)")
          kept += 1
        }
      }
    }
    #expect(cut == 70 && kept == 73)
    let record = try #require(records.first { $0["id"] as? String == "002_29b07ba307c6ccab.txt" })
    #expect((record["meta"] as? [String: Any])?["date"] as? String == "2025-03-13")
    // Offsets are code points: slice the text by characters' scalars.
    let scalars = Array((record["text"] as? String ?? "").unicodeScalars)
    func texts(_ layer: String) -> [String] {
      let spans = (record["layers"] as? [String: Any])?[layer] as? [[String: Any]] ?? []
      return spans.compactMap { span in
        guard let a = span["start"] as? Int, let b = span["end"] as? Int else { return nil }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[a..<b])
        return String(s) + "/" + (span["label"] as? String ?? "")
      }
    }
    #expect(
      texts("entity") == [
        "Lisbon/PLACE", "Atlantica Terminals/ORG", "Portuguese Stevedores Union/ORG",
        "Rui Damasceno/PERSON",
        "Marta Quintela/PERSON",
      ])
    // With the article's day in meta.date, relative dates resolve too.
    let dates = texts("date")
    #expect(dates == ["Thursday/DATE", "this year/DATE", "2026/DATE", "Friday/DATE"])
  }

  @Test(
    "the seeds: the news pipeline lists the people, organisations and places, and no word of the appeal survives",
    .enabled(if: CLI.has("seeds"), "needs ../shared/corpora/seeds")
  )
  func seedsEntities() throws {
    let seeds = try #require(CLI.sharedCorpus("seeds"))
    let r = try CLI.run([
      "run", seeds.path, "-p", "inline-date", "-p", "strip-boilerplate", "-p", "entities", "-p",
      "kwic:layer=entity,width=10", "--format", "tsv", "-q",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let keywords = Set(
      r.stdout.split(separator: "\n").dropFirst().map {
        $0.split(separator: "\t", omittingEmptySubsequences: false)[3]
      })
    for name in [
      "Kolokoltsev", "Jeffrey Feltman", "Ban Ki-moon", "Irina Volk", "Jean-Pierre Lacroix", "UN",
      "Interior Ministry", "New York", "Moscow", "Domodedovo", "Sevastopol", "Crimea", "Ukraine",
    ] {
      #expect(keywords.contains(Substring(name)), "\(name) not found")
    }
    let out = FileManager.default.temporaryDirectory.appendingPathComponent(
      "folio-seeds-\(UUID()).jsonl")
    defer { try? FileManager.default.removeItem(at: out) }
    let cut = try CLI.run([
      "run", seeds.path, "-p", "inline-date", "-p", "strip-boilerplate", "-o", out.path, "-q",
    ])
    #expect(cut.status == 0)
    let text = try String(contentsOf: out, encoding: .utf8)
    for phrase in [
      "Related articles", "Dear readers", "unprecedented challenges", "Remind me later", "monthly",
      "undesirable",
    ] {
      #expect(!text.contains(phrase), "\(phrase) survived")
    }
    #expect(
      text.contains("drunk driving to terrorism.")
        && text.contains("despite numerous promises of help"))
  }

  @Test("every shipped plugin's own tests pass (folio plugin test)")
  func shippedPluginTests() throws {
    let r = try CLI.run(["plugin", "test"])
    #expect(r.status == 0, "\(r.stdout)")
    let summary = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
    #expect(summary.hasSuffix(" passed, 0 failed"), "\(summary)")
    #expect(summary == "129 passed, 0 failed")
  }

  @Test("a missing corpus exits 66 with Error:")
  func missingCorpus() throws {
    let r = try CLI.run(["run", "/no/such/corpus", "-p", "wordfreq"])
    #expect(r.status == 66)
    #expect(
      r.stderr
        == "Error: no such file or folder: /no/such/corpus - while reading the corpus\nHelp: check the path; a corpus is a folder or a file of text, Markdown, HTML, JSONL, CSV/TSV, XML or CoNLL-U\n"
    )
    #expect(r.stdout == "")
  }

  @Test(
    "an invalid UTF-8 byte warns once, naming the file, and the run goes on",
    .enabled(if: CLI.has("bbc/sport"), "needs ../shared/corpora/bbc/sport"))
  func invalidUTF8() throws {
    let sport = try #require(CLI.sharedCorpus("bbc/sport"))
    let r = try CLI.run(["run", sport.path, "-p", "wordfreq:top=1"])
    #expect(r.status == 0)
    #expect(
      CLI.diagnostics(r)
        == "Warning: \(sport.path)/199.txt: 1 invalid UTF-8 sequence replaced by U+FFFD (first at byte 257) - it reads cleanly as windows-1252: try --encoding windows-1252\n"
    )
    #expect(r.stderr.contains("511 documents read, 511 kept"))
  }

  @Test("an unknown plugin is a coded error with a suggestion")
  func unknownPlugin() throws {
    let r = try CLI.run(["run", "Examples/news", "-p", "wordfrq"])
    #expect(r.status == 78)
    #expect(
      r.stderr.hasPrefix(
        "Error: [F102] unknown plugin 'wordfrq' - while resolving plugins\nHelp: Did you mean 'wordfreq'? installed plugins: "
      ))
  }

  @Test("pos tags words; wordfreq counts verbs by lemma; without a tagger it says what to run")
  func lemmas() throws {
    let r = try CLI.run([
      "run", "Examples/news", "-p", "pos", "-p", "wordfreq:by=lemma,pos=VERB,top=4",
    ])
    #expect(r.status == 0)
    #expect(
      r.stdout
        == "rank\tlemma\tcount\tper_million\n1\tsay\t41\t129337.5\n2\tkeep\t20\t63091.5\n3\treport\t20\t63091.5\n4\tpay\t13\t41009.5\n"
    )
    let bare = try CLI.run(["run", "Examples/news", "-p", "wordfreq:by=lemma"])
    #expect(bare.status == 65)
    #expect(
      bare.stderr.hasPrefix(
        "Error: plugin 'wordfreq': Plugins/wordfreq/init.lua:43: c:add_tokens: the tokens of 000_45508004cb4e5294.txt have no 'lemma' - run a tagger that sets it first (-p pos)"
      ))
  }

  @Test("collocations and keyness count lemmas and keep the parts of speech asked for")
  func lemmaReports() throws {
    let node = try CLI.run([
      "run", "Examples/news", "-p", "pos", "-p",
      "collocations:node=pay,by=lemma,pos=NOUN,top=3,min=2",
    ])
    #expect(node.status == 0, "\(node.stderr)")
    #expect(
      node.stdout.split(separator: "\n").prefix(4) == [
        "rank\tcollocate\tcount\tleft\tright\tfrequency\texpected\tpmi\tp",
        "1\tnight\t4\t3\t1\t4\t0.24\t4.0305\t1.83e-6",
        "2\tyear\t11\t10\t1\t18\t1.1\t3.32\t1.25e-10",
        "3\tshift\t3\t3\t0\t5\t0.31\t3.2936\t0.0012",
      ])
    let kwic = try CLI.run([
      "run", "Examples/news", "-p", "pos", "-p", "kwic:word=pay,show=pos,width=40",
    ])
    #expect(kwic.status == 0, "\(kwic.stderr)")
    #expect(
      kwic.stdout.split(separator: "\n").prefix(2) == [
        "document\tposition\tleft\tkeyword\tright",
        "000_45508004cb4e5294.txt\t197\t  over/ADP night/NOUN -/PUNCT shift/NOUN\tpay/VERB\t./PUNCT Union/NOUN leader/NOUN",
      ])
    let untagged = try CLI.run(["run", "Examples/news", "-p", "kwic:word=pay,show=pos"])
    #expect(untagged.status == 65)
    #expect(
      untagged.stderr.contains(
        "the tokens of 000_45508004cb4e5294.txt have no 'pos' - run a tagger that sets it first (-p pos)"
      ))
    let dir = try CLI.workspace([
      "c/sport/1.txt": "The players played well and won. She plays and they win again.\n",
      "c/sport/2.txt": "The team scored twice. Fans cheered as the players won.\n",
      "c/business/1.txt": "The banks lent money. Markets rose and investors bought shares.\n",
      "c/business/2.txt": "Shares fell as the bank raised rates. Investors sold.\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let key = try CLI.run(
      ["run", "c", "-p", "pos", "-p", "keyness:value=sport,by=lemma,pos=VERB,min=1"], in: dir)
    #expect(key.status == 0, "\(key.stderr)")
    // "players" is a noun, "played" and "plays" are the verb "play".
    #expect(
      key.stdout
        == "rank\tlemma\ttarget\treference\tlog_likelihood\tlog_ratio\n1\twin\t3\t0\t2.71\t1.778\n2\tplay\t2\t0\t1.81\t1.193\n3\tcheer\t1\t0\t0.9\t0.193\n4\tscore\t1\t0\t0.9\t0.193\n"
    )
    let bad = try CLI.run(["run", "c", "-p", "keyness:value=sport,by=lemmas"], in: dir)
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("option 'by' must be lemma, pos or tag, got 'lemmas'"))
  }

  @Test("a misspelt option is a coded error naming the options")
  func badOption() throws {
    let r = try CLI.run(["run", "Examples/news", "-p", "wordfreq:tpo=3"])
    #expect(r.status == 78)
    #expect(
      r.stderr
        == "Error: [F103] plugin 'wordfreq': no option 'tpo' - while reading the options\nHelp: Did you mean 'top'? its options: top, min, kinds, stopwords, docfreq, by, pos\n"
    )
  }

  @Test(
    "bad plugins end with one line naming the file and line, and a non-zero exit",
    arguments: [
      (
        "syntax.lua", "function M.each(\n", 78,
        "Error: plugin 'syntax': syntax.lua:2: <name> or '...' expected near <eof> - while loading syntax.lua\n"
      ),
      (
        "runtime.lua",
        "local M = {}\nfunction M.each(s, doc)\n  local x = nil\n  return x.field\nend\nfunction M.finish() return {rows = {}} end\nreturn M\n",
        65,
        "Error: plugin 'runtime': runtime.lua:4: attempt to index a nil value (local 'x') - while reading document one.txt\n"
      ),
      (
        "spin.lua",
        "local M = {}\nfunction M.each(s, doc)\n  while true do end\nend\nfunction M.finish() return {rows = {}} end\nreturn M\n",
        65,
        "Error: plugin 'spin': spin.lua:3: instruction limit exceeded (1000000 instructions) - while reading document one.txt\n"
      ),
      (
        "rep.lua",
        "local M = {}\nfunction M.each(s, doc)\n  local big = string.rep('x', 1e10)\nend\nfunction M.finish() return {rows = {}} end\nreturn M\n",
        65,
        "Error: plugin 'rep': rep.lua:3: resulting string too large - while reading document one.txt\n"
      ),
      (
        "mem.lua",
        "local M = {}\nfunction M.each(s, doc)\n  local big = string.rep('x', 1e9)\nend\nfunction M.finish() return {rows = {}} end\nreturn M\n",
        65,
        "Error: plugin 'mem': not enough memory (limit 64 MiB) - while reading document one.txt\n"
      ),
      (
        "exec.lua",
        "local M = {}\nfunction M.keep(doc)\n  os.execute('touch /tmp/folio-was-here')\n  return true\nend\nreturn M\n",
        65,
        "Error: plugin 'exec': exec.lua:3: attempt to call a nil value (field 'execute') - while filtering document one.txt\n"
      ),
    ])
  func badPlugins(file: String, code: String, status: Int32, expected: String) throws {
    try? FileManager.default.removeItem(atPath: "/tmp/folio-was-here")
    let dir = try CLI.workspace([file: code])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(
      ["run", "corpus", "-p", file, "--max-instructions", "1000000", "--max-memory", "64"], in: dir)
    #expect(r.status == status)
    #expect(CLI.diagnostics(r) == expected)
    #expect(!FileManager.default.fileExists(atPath: "/tmp/folio-was-here"))
  }

  @Test("the time limit stops a plugin that spins")
  func timeout() throws {
    let dir = try CLI.workspace([
      "spin.lua": "local M = {}\nfunction M.tag(doc)\n  while true do end\nend\nreturn M\n"
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(
      ["run", "corpus", "-p", "spin.lua", "--max-instructions", "0", "--timeout", "0.2"], in: dir)
    #expect(r.status == 65)
    #expect(
      CLI.diagnostics(r)
        == "Error: plugin 'spin': spin.lua:3: time limit exceeded (0.2 s) - while tagging document one.txt\n"
    )
  }

  @Test("a tagger, a filter and a report work together; spans use string.find positions")
  func pipeline() throws {
    let dir = try CLI.workspace([
      "plugins/orgs/plugin.toml": """
      name = "orgs"
      version = "1.0.0"
      kind = "tagger"
      summary = "tags UN"
      folio = ">=0.1"
      writes = ["org"]
      """,
      "plugins/orgs/init.lua": """
      local M = {}
      function M.tag(doc, ctx)
        local s, e = doc.text:find("UN")
        if s then doc:add("org", s, e, "ORG", {source = "find"}) end
      end
      return M
      """,
      "report.lua": """
      local M = {}
      function M.each(state, doc)
        for _, span in ipairs(doc:spans("org")) do
          state[#state + 1] = {doc.id, span.first, span.last, span.text, span.label, span.attrs.source, doc.meta.path}
        end
      end
      function M.finish(state)
        return {columns = {"id", "first", "last", "text", "label", "source", "path"}, rows = state}
      end
      return M
      """,
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "orgs", "-p", "report.lua"], in: dir)
    #expect(r.status == 0)
    #expect(
      r.stdout
        == "id\tfirst\tlast\ttext\tlabel\tsource\tpath\none.txt\t5\t6\tUN\tORG\tfind\tone.txt\n")
  }

  @Test("a tagger that writes an undeclared layer is stopped with a coded error")
  func undeclaredWrite() throws {
    let dir = try CLI.workspace([
      "plugins/sneaky/plugin.toml":
        "name = \"sneaky\"\nversion = \"1.0.0\"\nkind = \"tagger\"\nwrites = [\"org\"]\n",
      "plugins/sneaky/init.lua":
        "local M = {}\nfunction M.tag(doc)\n  doc:add('person', 1, 3)\nend\nreturn M\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "sneaky"], in: dir)
    #expect(r.status == 65)
    #expect(
      CLI.diagnostics(r)
        == "Error: plugin 'sneaky': plugins/sneaky/init.lua:3: [F201] plugin 'sneaky' writes layer 'person', which it does not declare (writes: 'org'). Add it to 'writes' in plugin.toml - while tagging document one.txt\n"
    )
  }

  @Test("argument errors blame the plugin's line in Lua's wording")
  func argumentError() throws {
    let dir = try CLI.workspace([
      "bad.lua": "local M = {}\nfunction M.tag(doc)\n  doc:add('x', 1, nil)\nend\nreturn M\n"
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "bad.lua"], in: dir)
    #expect(r.status == 65)
    #expect(
      CLI.diagnostics(r)
        == "Error: plugin 'bad': bad.lua:3: bad argument #3 to 'add' (number expected, got nil) - while tagging document one.txt\n"
    )
  }

  @Test("--version and --help")
  func versionAndHelp() throws {
    let v = try CLI.run(["--version"])
    #expect(
      v.stdout
        == "folio 0.1.0 (Lua API 0.1.0, Lua 5.4)\nshipped plugins: \(CLI.root.path)/Plugins\n")
    let h = try CLI.run(["run", "--help"])
    #expect(h.status == 0)
    #expect(
      h.stdout.contains("folio run ../shared/corpora/seeds -p kwic:word=Kolokoltsev,width=30"))
  }
}
