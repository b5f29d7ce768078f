import FolioCore
import FolioLua
import Foundation
import TOMLKit

/// One plugin as `folio.lock` pins it.
public struct LockedPlugin: Sendable, Equatable {
  public var name: String
  /// As the user gave it: a folder, a git URL or a local repository path.
  public var source: String
  /// The range asked for (`^1.0`), or empty for "newest".
  public var requested: String
  public var version: String
  /// The git commit installed, or empty for a plain folder.
  public var commit: String
  /// `sha256:` of the installed files (paths and contents).
  public var hash: String
  /// Each installed file's `sha256:`, by relative path, so a changed file can be named.
  public var files: [String: String]
  /// The plugin's folder inside the source (`--path shout` in a repository of several
  /// plugins); empty when the source is the plugin.
  public var path = ""
}

/// The plugins a project installs: `folio plugin add|sync|update|remove` (issue #7).
///
/// Plugins come from folders or git repositories, are installed into the project's
/// `.folio/plugins/`, listed in `folio.toml` and pinned in `folio.lock` with commit and
/// content hash. Works offline from a cache of git mirrors (`$XDG_CACHE_HOME/folio/git`).
public struct PluginPackages {
  public let project: URL
  public var cache: URL
  /// Progress and notes, a line each.
  public var say: (String) -> Void = { _ in }

  public init(project: URL, cache: URL? = nil) {
    self.project = project
    let env = ProcessInfo.processInfo.environment
    let base =
      env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? ((env["HOME"] ?? NSTemporaryDirectory()) + "/.cache")
    self.cache = cache ?? URL(fileURLWithPath: base).appendingPathComponent("folio/git")
  }

  var installRoot: URL { project.appendingPathComponent(".folio/plugins") }
  var lockURL: URL { project.appendingPathComponent("folio.lock") }
  var tomlURL: URL { project.appendingPathComponent("folio.toml") }

  // MARK: Commands

  /// `folio plugin add SOURCE[@RANGE] [--path DIR]`: installs the newest version the range
  /// allows (of the plugin in folder `path` of the source) and records it.
  public func add(_ argument: String, path: String = "") throws(FolioError) -> LockedPlugin {
    let (source, requested) = Self.split(argument)
    let path = try Self.checkedPath(path)
    let locked = try install(source: source, requested: requested, commit: nil, path: path)
    var lock = try readLock()
    lock.removeAll { $0.name == locked.name }
    lock.append(locked)
    try writeLock(lock)
    try ProjectPlugins.set(
      locked.name, source: source, version: requested, path: path, in: tomlURL)
    return locked
  }

  /// A plugin's folder inside its source: relative, without `..`, no trailing `/`.
  static func checkedPath(_ path: String) throws(FolioError) -> String {
    let parts = path.split(separator: "/").filter { $0 != "." }
    guard !path.hasPrefix("/"), !parts.contains("..") else {
      throw FolioError(
        "--path \(path): the plugin's folder must lie inside the source",
        while: "installing a plugin",
        help: "give it relative to the repository's top, e.g. --path plugins/shout", exit: .usage)
    }
    return parts.joined(separator: "/")
  }

  /// `folio plugin sync [--frozen]`: makes `.folio/plugins/` hold exactly what `folio.lock` says.
  ///
  /// Without `--frozen`, plugins listed in `folio.toml` but not (or differently) locked are
  /// resolved and locked first, and locked plugins no longer listed are removed.
  public func sync(frozen: Bool) throws(FolioError) -> [LockedPlugin] {
    let wanted = try ProjectPlugins.read(tomlURL)
    var lock = try readLock()
    let differences = Self.differences(wanted, lock)
    if frozen && !differences.isEmpty {
      throw FolioError(
        "\(ErrorCode.f130.tag) folio.toml and folio.lock disagree: "
          + differences.joined(separator: "; "),
        while: "syncing plugins (--frozen)",
        help: "run folio plugin sync without --frozen to update folio.lock, and commit it",
        exit: .config)
    }
    if !frozen {
      lock.removeAll { entry in
        let keep = wanted.contains { $0.name == entry.name }
        if !keep {
          try? FileManager.default.removeItem(at: installRoot.appendingPathComponent(entry.name))
          say("removed \(entry.name) (no longer in folio.toml)")
        }
        return !keep
      }
    }
    var result: [LockedPlugin] = []
    for entry in lock {
      if let want = wanted.first(where: { $0.name == entry.name }), !frozen,
        want.source != entry.source || want.version != entry.requested || want.path != entry.path
      {
        continue  // re-resolved below
      }
      result.append(try installLocked(entry))
    }
    if !frozen {
      for want in wanted where !result.contains(where: { $0.name == want.name }) {
        result.append(
          try install(source: want.source, requested: want.version, commit: nil, path: want.path))
      }
      try writeLock(result)
    }
    return result
  }

  /// `folio plugin update [NAME]`: the newest versions the ranges allow.
  public func update(_ name: String?) throws(FolioError) -> [LockedPlugin] {
    var lock = try readLock()
    guard name == nil || lock.contains(where: { $0.name == name }) else {
      throw FolioError(
        "no plugin '\(name ?? "")' in folio.lock", while: "updating plugins",
        help: "locked: " + lock.map(\.name).joined(separator: ", "), exit: .usage)
    }
    var changed: [LockedPlugin] = []
    for (i, entry) in lock.enumerated() where name == nil || entry.name == name {
      let fresh = try install(
        source: entry.source, requested: entry.requested, commit: nil, path: entry.path)
      lock[i] = fresh
      changed.append(fresh)
    }
    try writeLock(lock)
    return changed
  }

  /// `folio plugin remove NAME`.
  public func remove(_ name: String) throws(FolioError) {
    var lock = try readLock()
    let listed = try ProjectPlugins.read(tomlURL).contains { $0.name == name }
    guard listed || lock.contains(where: { $0.name == name }) else {
      throw FolioError("no plugin '\(name)' in folio.toml", while: "removing it", exit: .usage)
    }
    lock.removeAll { $0.name == name }
    try writeLock(lock)
    try ProjectPlugins.remove(name, from: tomlURL)
    try? FileManager.default.removeItem(at: installRoot.appendingPathComponent(name))
  }

  /// What no longer matches `folio.lock`, for `folio run` to mention before it starts.
  ///
  /// Locked plugins not installed or changed since, and a `folio.toml` that asks for
  /// something else. Empty without a lock file. Reads and hashes only; changes nothing.
  public func drift() -> [String] {
    guard FileManager.default.fileExists(atPath: lockURL.path),
      let lock = try? readLock()
    else { return [] }
    var out: [String] = []
    for entry in lock {
      let folder = installRoot.appendingPathComponent(entry.name)
      if !FileManager.default.fileExists(atPath: folder.path) {
        out.append("plugin '\(entry.name)' is in folio.lock but not installed")
      } else if let now = try? Self.hashes(folder), Self.combined(now) != entry.hash {
        out.append("installed plugin '\(entry.name)' differs from what folio.lock pins")
      }
    }
    if let wanted = try? ProjectPlugins.read(tomlURL) {
      out += Self.differences(wanted, lock).map { "folio.toml and folio.lock disagree: " + $0 }
    }
    return out
  }

  // MARK: Installing

  /// `SOURCE@RANGE` → (SOURCE, RANGE); an `@` inside a URL's user part (`git@host:`) is not a range.
  static func split(_ argument: String) -> (String, String) {
    guard let at = argument.lastIndex(of: "@") else { return (argument, "") }
    let range = String(argument[argument.index(after: at)...])
    guard VersionRequirement(range) != nil else { return (argument, "") }
    return (String(argument[..<at]), range)
  }

  /// Resolves `source` (newest version in `requested`, or exactly `commit`), installs it and returns its lock entry.
  func install(source: String, requested: String, commit: String?, path: String = "")
    throws(FolioError) -> LockedPlugin
  {
    let staging = try stagingFolder()
    defer { try? FileManager.default.removeItem(at: staging) }
    let checkout = staging.appendingPathComponent("checkout")
    var resolvedCommit = ""
    let local = URL(fileURLWithPath: source, relativeTo: project).standardizedFileURL
    if FileManager.default.fileExists(atPath: local.path), !Git.isRepository(local) {
      try copyFolder(local, to: checkout)
    } else {
      let mirror = try Git.mirror(source, project: project, cache: cache, say: say)
      if let commit {
        resolvedCommit = commit
      } else {
        resolvedCommit = try Git.pick(mirror, requested: requested, source: source)
      }
      try Git.export(mirror, commit: resolvedCommit, to: checkout, source: source)
    }
    var plugin = checkout
    if !path.isEmpty {
      plugin = checkout.appendingPathComponent(path)
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: plugin.path, isDirectory: &isDir),
        isDir.boolValue
      else {
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: checkout.path)) ?? [])
          .filter { !$0.hasPrefix(".") }.sorted()
        throw FolioError(
          "\(ErrorCode.f134.tag) \(source) has no folder \(path)", while: "installing a plugin",
          help: "its top-level entries: " + folders.joined(separator: ", "), exit: .config)
      }
    }
    let spec = try manifest(of: plugin, source: path.isEmpty ? source : source + " --path " + path)
    // In a repository of several plugins the tags version the repository, not each plugin.
    if path.isEmpty, !requested.isEmpty, let range = VersionRequirement(requested),
      let v = SemanticVersion(spec.version), !range.accepts(v)
    {
      throw FolioError(
        "\(ErrorCode.f132.tag) \(source) has version \(spec.version), outside \(requested)",
        while: "installing \(spec.name)",
        help: "ask for a range that includes it, or tag a matching version", exit: .config)
    }
    let files = try Self.hashes(plugin)
    try place(plugin, as: spec.name, staging: staging)
    say(
      "installed \(spec.name) \(spec.version)"
        + (resolvedCommit.isEmpty ? "" : " (\(resolvedCommit.prefix(12)))"))
    return LockedPlugin(
      name: spec.name, source: source, requested: requested, version: spec.version,
      commit: resolvedCommit, hash: Self.combined(files), files: files, path: path)
  }

  /// Checks an installed plugin against its lock entry, installing it when it is missing.
  func installLocked(_ entry: LockedPlugin) throws(FolioError) -> LockedPlugin {
    let folder = installRoot.appendingPathComponent(entry.name)
    if FileManager.default.fileExists(atPath: folder.path) {
      try verify(entry, folder)
      return entry
    }
    let fresh = try install(
      source: entry.source, requested: entry.requested,
      commit: entry.commit.isEmpty ? nil : entry.commit, path: entry.path)
    if fresh.hash != entry.hash {
      try? FileManager.default.removeItem(at: folder)
      throw FolioError(
        "\(ErrorCode.f137.tag) \(entry.name) from \(entry.source) does not match folio.lock (its content hash changed)",
        while: "syncing plugins",
        help:
          "the source changed under the same version; check it, then folio plugin update \(entry.name)",
        exit: .config)
    }
    return entry
  }

  /// Reports tampering: a file changed, added or removed since installation.
  func verify(_ entry: LockedPlugin, _ folder: URL) throws(FolioError) {
    let now = try Self.hashes(folder)
    guard Self.combined(now) != entry.hash else { return }
    let changed = Set(now.keys).union(entry.files.keys).sorted().filter {
      now[$0] != entry.files[$0]
    }
    let shown = changed.map { path -> String in
      let where_ = ".folio/plugins/\(entry.name)/\(path)"
      if now[path] == nil { return where_ + " (removed)" }
      if entry.files[path] == nil { return where_ + " (added)" }
      return where_ + " (changed)"
    }
    throw FolioError(
      "\(ErrorCode.f131.tag) installed plugin '\(entry.name)' was modified: "
        + shown.joined(separator: ", "),
      while: "checking it against folio.lock",
      help:
        "delete .folio/plugins/\(entry.name) and run folio plugin sync to reinstall what the lock pins",
      exit: .config)
  }

  func manifest(of folder: URL, source: String) throws(FolioError) -> PluginSpec {
    guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("plugin.toml").path)
    else {
      throw FolioError(
        "\(ErrorCode.f134.tag) \(source) holds no plugin.toml", while: "installing a plugin",
        help:
          "a shared plugin is a folder with plugin.toml and init.lua (folio plugin new NAME makes one)",
        exit: .config)
    }
    // The manifest checks its name against its folder: read it under its own name.
    let name =
      (try? TOMLTable(
        string: String(contentsOf: folder.appendingPathComponent("plugin.toml"), encoding: .utf8)))?[
        "name"]?.string ?? "?"
    if folder.lastPathComponent == name {
      return try PluginManifest.load(folder: folder, displayFolder: source)
    }
    let named = folder.deletingLastPathComponent().appendingPathComponent(name)
    do {
      try FileManager.default.moveItem(at: folder, to: named)
    } catch {
      throw FolioError(
        "cannot stage \(source): \(error.localizedDescription)", while: "installing a plugin")
    }
    defer { try? FileManager.default.moveItem(at: named, to: folder) }
    return try PluginManifest.load(folder: named, displayFolder: source)
  }

  func stagingFolder() throws(FolioError) -> URL {
    let url = installRoot.appendingPathComponent(".staging-\(UUID().uuidString.prefix(8))")
    do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch
    {
      throw FolioError(
        "cannot create \(url.path): \(error.localizedDescription)", while: "installing a plugin")
    }
    return url
  }

  /// Moves the checked-out plugin into `.folio/plugins/NAME`, replacing an older copy with two renames.
  func place(_ checkout: URL, as name: String, staging: URL) throws(FolioError) {
    let target = installRoot.appendingPathComponent(name)
    let old = staging.appendingPathComponent("old")
    let fm = FileManager.default
    do {
      if fm.fileExists(atPath: target.path) { try fm.moveItem(at: target, to: old) }
      try fm.moveItem(at: checkout, to: target)
    } catch {
      if fm.fileExists(atPath: old.path) && !fm.fileExists(atPath: target.path) {
        try? fm.moveItem(at: old, to: target)
      }
      throw FolioError(
        "cannot install \(name): \(error.localizedDescription)", while: "installing it")
    }
  }

  func copyFolder(_ from: URL, to: URL) throws(FolioError) {
    do {
      try FileManager.default.createDirectory(at: to, withIntermediateDirectories: true)
      for relative in Self.files(in: from) {
        let target = to.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
          at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: from.appendingPathComponent(relative), to: target)
      }
    } catch {
      throw FolioError(
        "cannot copy \(from.path): \(error.localizedDescription)", while: "installing a plugin")
    }
  }

  // MARK: Hashes

  /// Regular files under `folder`, relative and sorted, skipping `.git`.
  static func files(in folder: URL) -> [String] {
    var out: [String] = []
    guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
    while let relative = walker.nextObject() as? String {
      if relative == ".git" || relative.hasPrefix(".git/") {
        walker.skipDescendants()
        continue
      }
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(
        atPath: folder.appendingPathComponent(relative).path, isDirectory: &isDir),
        !isDir.boolValue
      {
        out.append(relative)
      }
    }
    return out.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }

  static func hashes(_ folder: URL) throws(FolioError) -> [String: String] {
    var out: [String: String] = [:]
    for relative in files(in: folder) {
      guard
        let data = FileManager.default.contents(
          atPath: folder.appendingPathComponent(relative).path)
      else {
        throw FolioError("cannot read \(folder.path)/\(relative)", while: "hashing a plugin")
      }
      out[relative] = "sha256:" + SHA256.hex(data)
    }
    return out
  }

  /// One hash over the sorted `path hash` lines.
  static func combined(_ files: [String: String]) -> String {
    let lines = files.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map {
      "\($0) \(files[$0] ?? "")\n"
    }
    return "sha256:" + SHA256.hex(Array(lines.joined().utf8))
  }

  static func differences(_ wanted: [ProjectPlugins.Entry], _ lock: [LockedPlugin]) -> [String] {
    var out: [String] = []
    for w in wanted {
      guard let l = lock.first(where: { $0.name == w.name }) else {
        out.append("'\(w.name)' is not in folio.lock")
        continue
      }
      if l.source != w.source {
        out.append("'\(w.name)' comes from \(w.source), the lock says \(l.source)")
      }
      if l.path != w.path {
        out.append("'\(w.name)' is the folder '\(w.path)' of its source, the lock says '\(l.path)'")
      }
      if l.requested != w.version {
        out.append("'\(w.name)' asks for '\(w.version)', the lock for '\(l.requested)'")
      }
    }
    for l in lock where !wanted.contains(where: { $0.name == l.name }) {
      out.append("'\(l.name)' is locked but not in folio.toml")
    }
    return out
  }

  // MARK: folio.lock

  func readLock() throws(FolioError) -> [LockedPlugin] {
    guard let text = try? String(contentsOf: lockURL, encoding: .utf8) else { return [] }
    let table: TOMLTable
    do { table = try TOMLTable(string: text) } catch {
      throw FolioError(
        "\(ErrorCode.f100.tag) folio.lock: \(error)", while: "reading the lock file",
        help: "folio.lock is written by folio plugin add/sync; restore it from version control",
        exit: .config)
    }
    return (table["plugin"]?.array ?? []).compactMap { value -> LockedPlugin? in
      guard let t = value.table, let name = t["name"]?.string else { return nil }
      var files: [String: String] = [:]
      if let f = t["files"]?.table { for k in f.keys { files[k] = f[k]?.string } }
      return LockedPlugin(
        name: name, source: t["source"]?.string ?? "", requested: t["requested"]?.string ?? "",
        version: t["version"]?.string ?? "", commit: t["commit"]?.string ?? "",
        hash: t["hash"]?.string ?? "", files: files, path: t["path"]?.string ?? "")
    }
  }

  func writeLock(_ entries: [LockedPlugin]) throws(FolioError) {
    var text =
      "# Written by folio plugin add/sync/update: what .folio/plugins holds, pinned. Commit it.\nversion = 1\n"
    for e in entries.sorted(by: { $0.name < $1.name }) {
      text += "\n[[plugin]]\n"
      text += "name = \(Self.quoted(e.name))\nsource = \(Self.quoted(e.source))\n"
      text += "requested = \(Self.quoted(e.requested))\nversion = \(Self.quoted(e.version))\n"
      text += "commit = \(Self.quoted(e.commit))\nhash = \(Self.quoted(e.hash))\n"
      if !e.path.isEmpty { text += "path = \(Self.quoted(e.path))\n" }
      text += "[plugin.files]\n"
      for k in e.files.keys.sorted() {
        text += "\(Self.quoted(k)) = \(Self.quoted(e.files[k] ?? ""))\n"
      }
    }
    do {
      let file = try AtomicFile(path: lockURL.path)
      try file.write(text)
      try file.commit()
    } catch { throw FolioError("\(error)", while: "writing folio.lock") }
  }

  static func quoted(_ s: String) -> String {
    "\""
      + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      + "\""
  }
}
