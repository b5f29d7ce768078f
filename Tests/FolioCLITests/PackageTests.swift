import Foundation
import Testing

/// `folio plugin add|sync|update|remove` against real git repositories built in the test.
@Suite("plugin packages", .serialized) struct PackageTests {
  let base = FileManager.default.temporaryDirectory.appendingPathComponent("folio-pkg-\(UUID())")
  var cache: URL { base.appendingPathComponent("cache") }
  var repo: URL { base.appendingPathComponent("src/greeter") }

  @discardableResult
  func git(_ arguments: String..., in directory: URL) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git", "-c", "user.email=test@folio", "-c", "user.name=test"] + arguments
    p.currentDirectoryURL = directory
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "git \(arguments.joined(separator: " "))")
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func write(_ text: String, _ url: URL) throws {
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
  }

  /// A plugin at `version` needing `api`, committed and tagged `v<version>`; returns the commit.
  @discardableResult
  func release(_ version: String, api: String = ">=0.1") throws -> String {
    try write(
      """
      name = "greeter"
      version = "\(version)"
      kind = "report"
      summary = "Counts documents"
      folio = "\(api)"
      """, repo.appendingPathComponent("plugin.toml"))
    try write(
      """
      local M = {}
      function M.init() return { n = 0 } end
      function M.each(s) s.n = s.n + 1 end
      function M.merge(a, b) return { n = a.n + b.n } end
      function M.finish(s) return { columns = { "version", "documents" }, rows = { { "\(version)", s.n } } } end
      return M
      """, repo.appendingPathComponent("init.lua"))
    if !FileManager.default.fileExists(atPath: repo.appendingPathComponent(".git").path) {
      try git("init", "-q", in: repo)
    }
    try git("add", "-A", in: repo)
    try git("commit", "-qm", "release \(version)", in: repo)
    try git("tag", "v\(version)", in: repo)
    return try git("rev-parse", "HEAD", in: repo)
  }

  func project(_ name: String) throws -> URL {
    let url = base.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  func folio(_ arguments: [String], in directory: URL) throws -> CLI.Result {
    try CLI.run(arguments, in: directory, environment: ["XDG_CACHE_HOME": cache.path])
  }

  func read(_ url: URL) -> String {
    (try? String(contentsOf: url, encoding: .utf8)) ?? ""
  }

  @Test("add a git plugin at ^1.0, lock it, sync a fresh project --frozen, catch an edited file")
  func addLockSync() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    try release("1.0.0")
    let v11 = try release("1.1.0")
    try release("2.0.0", api: ">=9.0")
    let a = try project("a")
    let added = try folio(["plugin", "add", repo.path + "@^1.0"], in: a)
    #expect(added.status == 0, "\(added.stderr)")
    #expect(added.stdout == "greeter 1.1.0 (\(v11.prefix(12))) from \(repo.path) for ^1.0\n")
    #expect(
      read(a.appendingPathComponent("folio.toml"))
        == "[plugins]\ngreeter = { source = \"\(repo.path)\", version = \"^1.0\" }\n")
    let lock = read(a.appendingPathComponent("folio.lock"))
    #expect(
      lock.contains(
        "name = \"greeter\"\nsource = \"\(repo.path)\"\nrequested = \"^1.0\"\nversion = \"1.1.0\"\ncommit = \"\(v11)\"\nhash = \"sha256:"
      ))
    #expect(lock.contains("\"init.lua\" = \"sha256:"))
    let run = try folio(
      ["run", CLI.root.appendingPathComponent("Examples/news").path, "-p", "greeter", "-q"], in: a)
    #expect(run.stdout == "version\tdocuments\n1.1.0\t24\n")

    // A fresh clone of the project: folio.toml and folio.lock only.
    let b = try project("b")
    for file in ["folio.toml", "folio.lock"] {
      try FileManager.default.copyItem(
        at: a.appendingPathComponent(file), to: b.appendingPathComponent(file))
    }
    let synced = try folio(["plugin", "sync", "--frozen"], in: b)
    #expect(synced.status == 0, "\(synced.stderr)")
    #expect(synced.stdout == "greeter 1.1.0 (\(v11.prefix(12))) from \(repo.path) for ^1.0\n")
    #expect(
      read(b.appendingPathComponent(".folio/plugins/greeter/init.lua"))
        == read(a.appendingPathComponent(".folio/plugins/greeter/init.lua")))

    // Someone edits an installed file.
    let installed = b.appendingPathComponent(".folio/plugins/greeter/init.lua")
    try write(read(installed) + "-- patched\n", installed)
    let tampered = try folio(["plugin", "sync", "--frozen"], in: b)
    #expect(tampered.status == 78)
    #expect(
      tampered.stderr == """
        Error: [F131] installed plugin 'greeter' was modified: .folio/plugins/greeter/init.lua (changed) - while checking it against folio.lock
        Help: delete .folio/plugins/greeter and run folio plugin sync to reinstall what the lock pins

        """)
  }

  @Test("a plugin whose API range excludes this Folio is refused, naming both versions")
  func apiRange() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    try release("1.0.0")
    try release("2.0.0", api: ">=9.0")
    let p = try project("p")
    let r = try folio(["plugin", "add", repo.path + "@^2.0"], in: p)
    #expect(r.status == 78)
    #expect(
      r.stderr.hasPrefix(
        "Error: [F107] plugin 'greeter' needs Folio API >=9.0, and this Folio has 0.1.0 - while loading plugin\n"
      ))
    #expect(
      !FileManager.default.fileExists(
        atPath: p.appendingPathComponent(".folio/plugins/greeter").path))
    #expect(!FileManager.default.fileExists(atPath: p.appendingPathComponent("folio.lock").path))
  }

  @Test(
    "update moves to the newest allowed tag; --frozen catches a folio.toml the lock does not match; remove"
  )
  func updateFrozenRemove() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    try release("1.0.0")
    let p = try project("p")
    #expect(try folio(["plugin", "add", repo.path + "@^1.0"], in: p).status == 0)
    let v12 = try release("1.2.0")
    try release("2.0.0")
    let updated = try folio(["plugin", "update"], in: p)
    #expect(updated.stdout == "greeter 1.2.0 (\(v12.prefix(12))) from \(repo.path) for ^1.0\n")

    let toml = p.appendingPathComponent("folio.toml")
    try write(read(toml).replacingOccurrences(of: "^1.0", with: "^2.0"), toml)
    let frozen = try folio(["plugin", "sync", "--frozen"], in: p)
    #expect(frozen.status == 78)
    #expect(
      frozen.stderr.hasPrefix(
        "Error: [F130] folio.toml and folio.lock disagree: 'greeter' asks for '^2.0', the lock for '^1.0' - while syncing plugins (--frozen)\n"
      ))
    let resynced = try folio(["plugin", "sync"], in: p)
    #expect(resynced.stdout.hasPrefix("greeter 2.0.0 "))

    let removed = try folio(["plugin", "remove", "greeter"], in: p)
    #expect(removed.stdout == "removed greeter\n")
    #expect(
      !FileManager.default.fileExists(
        atPath: p.appendingPathComponent(".folio/plugins/greeter").path))
    #expect(!read(p.appendingPathComponent("folio.lock")).contains("greeter"))
  }

  @Test(
    "a plain folder installs too, with its hash and no commit; an unknown tag range is an error")
  func folderSource() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    let p = try project("p")
    let r = try folio(
      ["plugin", "add", CLI.root.appendingPathComponent("Plugins/wordfreq").path], in: p)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("wordfreq 1.1.0 (folder) from "))
    #expect(
      read(p.appendingPathComponent("folio.lock")).contains("commit = \"\"\nhash = \"sha256:"))
    try release("1.0.0")
    let bad = try folio(["plugin", "add", repo.path + "@^3.0"], in: p)
    #expect(bad.status == 78)
    #expect(
      bad.stderr.hasPrefix(
        "Error: [F132] no version of \(repo.path) matches '^3.0' (tags: 1.0.0) - while installing a plugin\n"
      ))
  }

  @Test("add one plugin from a folder of a repository that holds several (--path)")
  func addFromMonorepo() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    let mono = base.appendingPathComponent("src/team-plugins")
    for name in ["shout", "whisper"] {
      try write(
        """
        name = "\(name)"
        version = "0.3.0"
        kind = "report"
        summary = "Counts documents"
        folio = ">=0.1"
        """, mono.appendingPathComponent("plugins/\(name)/plugin.toml"))
      try write(
        """
        local M = {}
        function M.init() return { n = 0 } end
        function M.each(s) s.n = s.n + 1 end
        function M.merge(a, b) return { n = a.n + b.n } end
        function M.finish(s) return { columns = { "plugin", "documents" }, rows = { { "\(name)", s.n } } } end
        return M
        """, mono.appendingPathComponent("plugins/\(name)/init.lua"))
    }
    try write("# team plugins\n", mono.appendingPathComponent("README.md"))
    try git("init", "-q", in: mono)
    try git("add", "-A", in: mono)
    try git("commit", "-qm", "two plugins", in: mono)
    try git("tag", "v1.4.0", in: mono)
    let commit = try git("rev-parse", "HEAD", in: mono)

    let project = try project("mono-project")
    let added = try folio(
      ["plugin", "add", mono.path + "@^1.0", "--path", "plugins/whisper"], in: project)
    #expect(added.status == 0, "\(added.stderr)")
    #expect(
      added.stdout
        == "whisper 0.3.0 (\(commit.prefix(12))) from \(mono.path) --path plugins/whisper for ^1.0\n"
    )
    #expect(
      read(project.appendingPathComponent("folio.toml"))
        == "[plugins]\nwhisper = { source = \"\(mono.path)\", path = \"plugins/whisper\", version = \"^1.0\" }\n"
    )
    #expect(
      read(project.appendingPathComponent("folio.lock")).contains("path = \"plugins/whisper\"\n"))
    // Only the plugin's folder is installed, and it runs.
    let installed = project.appendingPathComponent(".folio/plugins/whisper")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: installed.path).sorted()
        == ["init.lua", "plugin.toml"])
    let corpus = project.appendingPathComponent("corpus")
    try write("One document.\n", corpus.appendingPathComponent("a.txt"))
    let run = try folio(["run", "corpus", "-p", "whisper", "-q"], in: project)
    #expect(run.stdout == "plugin\tdocuments\nwhisper\t1\n")
    // A fresh clone of the project syncs the same folder, --frozen.
    let clone = try self.project("mono-clone")
    for f in ["folio.toml", "folio.lock"] {
      try FileManager.default.copyItem(
        at: project.appendingPathComponent(f), to: clone.appendingPathComponent(f))
    }
    let synced = try folio(["plugin", "sync", "--frozen"], in: clone)
    #expect(synced.status == 0, "\(synced.stderr)")
    #expect(
      read(clone.appendingPathComponent(".folio/plugins/whisper/init.lua"))
        == read(installed.appendingPathComponent("init.lua")))
    // A folder that is not there names what is.
    let missing = try folio(["plugin", "add", mono.path, "--path", "plugins/shoutt"], in: project)
    #expect(missing.status == 78)
    #expect(
      missing.stderr
        == "Error: [F134] \(mono.path) has no folder plugins/shoutt - while installing a plugin\nHelp: its top-level entries: README.md, plugins\n"
    )
    let outside = try folio(["plugin", "add", mono.path, "--path", "../x"], in: project)
    #expect(outside.status == 64)
  }

  @Test(
    "folio run warns when installed plugins drift from folio.lock, and names a shadowing plugin")
  func driftAndShadowing() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    try release("1.0.0")
    let project = try self.project("drift")
    #expect(try folio(["plugin", "add", repo.path], in: project).status == 0)
    let corpus = project.appendingPathComponent("corpus")
    try write("One document.\n", corpus.appendingPathComponent("a.txt"))
    let clean = try folio(["run", "corpus", "-p", "greeter", "-q"], in: project)
    #expect(clean.stderr == "")
    let help =
      "Help: folio plugin sync installs what folio.lock pins (delete a changed plugin's folder in .folio/plugins first)\n"
    // An edited installed file.
    let code = project.appendingPathComponent(".folio/plugins/greeter/init.lua")
    try write(read(code) + "-- edited\n", code)
    let edited = try folio(["run", "corpus", "-p", "greeter", "-q"], in: project)
    #expect(edited.status == 0)
    #expect(
      edited.stderr
        == "Warning: installed plugin 'greeter' differs from what folio.lock pins\n" + help)
    // folio.toml asks for another range than the lock.
    try FileManager.default.removeItem(at: project.appendingPathComponent(".folio/plugins/greeter"))
    try write(
      "[plugins]\ngreeter = { source = \"\(repo.path)\", version = \"^2.0\" }\n",
      project.appendingPathComponent("folio.toml"))
    let drifted = try folio(["run", "corpus", "-p", "wordfreq:top=1", "-q"], in: project)
    #expect(
      drifted.stderr
        == "Warning: plugin 'greeter' is in folio.lock but not installed\nWarning: folio.toml and folio.lock disagree: 'greeter' asks for '^2.0', the lock for ''\n"
        + help)
    // A project plugin named like a shipped one is announced once.
    let own = try self.project("shadow")
    #expect(try folio(["plugin", "new", "kwic", "--kind", "report"], in: own).status == 0)
    try write("One document.\n", own.appendingPathComponent("corpus/a.txt"))
    let shadow = try folio(["run", "corpus", "-p", "kwic", "-p", "kwic", "-q"], in: own)
    #expect(
      shadow.stderr
        == "Note: plugin 'kwic' is plugins/kwic, which shadows Folio's shipped kwic\n")
  }
}
