import Foundation
import Testing

/// Shards, projects, folders, two passes, failures and closed objects: more of the engine suite (`.serialized` holds for these too).
extension EngineTests {
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
