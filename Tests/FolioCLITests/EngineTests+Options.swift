import Foundation
import Testing

/// Permissions, option ranges, file options and outputs: more of the engine suite (`.serialized` holds for these too).
extension EngineTests {
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
}
