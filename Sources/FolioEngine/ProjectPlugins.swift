import FolioCore
import FolioLua
import Foundation
import TOMLKit

/// The `[plugins]` table of `folio.toml`: `NAME = { source = "...", version = "^1.0" }`.
///
/// Edited line by line, so the user's comments and layout elsewhere survive.
public enum ProjectPlugins {
  public struct Entry: Sendable, Equatable {
    public var name: String
    public var source: String
    public var version: String
    /// The plugin's folder inside the source (`path = "shout"`), or empty.
    public var path = ""
  }

  public static func read(_ url: URL) throws(FolioError) -> [Entry] {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
    let table: TOMLTable
    do { table = try TOMLTable(string: text) } catch {
      throw FolioError(
        "\(ErrorCode.f100.tag) folio.toml: \(error)", while: "reading the project file",
        exit: .config
      )
    }
    guard let plugins = table["plugins"]?.table else { return [] }
    return plugins.keys.sorted().compactMap { name in
      guard let t = plugins[name]?.table, let source = t["source"]?.string else { return nil }
      return Entry(
        name: name, source: source, version: t["version"]?.string ?? "",
        path: t["path"]?.string ?? "")
    }
  }

  static func line(_ name: String, _ source: String, _ version: String, _ path: String) -> String {
    var fields = ["source = \(PluginPackages.quoted(source))"]
    if !path.isEmpty { fields.append("path = \(PluginPackages.quoted(path))") }
    if !version.isEmpty { fields.append("version = \(PluginPackages.quoted(version))") }
    return "\(name) = { \(fields.joined(separator: ", ")) }"
  }

  public static func set(
    _ name: String, source: String, version: String, path: String = "", in url: URL
  ) throws(FolioError) {
    var lines =
      (try? String(contentsOf: url, encoding: .utf8))?.split(
        separator: "\n", omittingEmptySubsequences: false
      ).map(String.init) ?? []
    if lines.last == "" { lines.removeLast() }
    let entry = line(name, source, version, path)
    if let header = lines.firstIndex(where: {
      $0.trimmingCharacters(in: .whitespaces) == "[plugins]"
    }) {
      var end = header + 1
      while end < lines.count, !lines[end].trimmingCharacters(in: .whitespaces).hasPrefix("[") {
        end += 1
      }
      if let existing = (header + 1..<end).first(where: { Self.key(of: lines[$0]) == name }) {
        lines[existing] = entry
      } else {
        var at = end
        while at > header + 1, lines[at - 1].trimmingCharacters(in: .whitespaces).isEmpty {
          at -= 1
        }
        lines.insert(entry, at: at)
      }
    } else {
      if let last = lines.last, !last.isEmpty { lines.append("") }
      lines += ["[plugins]", entry]
    }
    try write(lines, url)
  }

  public static func remove(_ name: String, from url: URL) throws(FolioError) {
    guard
      var lines = (try? String(contentsOf: url, encoding: .utf8))?.split(
        separator: "\n", omittingEmptySubsequences: false
      ).map(String.init)
    else { return }
    if lines.last == "" { lines.removeLast() }
    guard
      let header = lines.firstIndex(where: {
        $0.trimmingCharacters(in: .whitespaces) == "[plugins]"
      })
    else { return }
    var i = header + 1
    while i < lines.count, !lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("[") {
      if key(of: lines[i]) == name { lines.remove(at: i) } else { i += 1 }
    }
    try write(lines, url)
  }

  static func key(of line: String) -> String? {
    let t = line.trimmingCharacters(in: .whitespaces)
    guard let eq = t.firstIndex(of: "="), !t.hasPrefix("#") else { return nil }
    return t[..<eq].trimmingCharacters(in: .whitespaces).trimmingCharacters(
      in: CharacterSet(charactersIn: "\""))
  }

  static func write(_ lines: [String], _ url: URL) throws(FolioError) {
    do {
      let file = try AtomicFile(path: url.path)
      try file.write(lines.joined(separator: "\n") + "\n")
      try file.commit()
    } catch { throw FolioError("\(error)", while: "writing folio.toml") }
  }
}

/// The git commands plugin installation needs, run as child processes (git is required only
/// for git sources).
enum Git {
  struct Output {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static func run(_ arguments: [String], in directory: URL? = nil, tool: String = "git") -> Output {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [tool] + arguments
    if let directory { p.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    p.environment = env
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    do { try p.run() } catch {
      return Output(status: 127, stdout: "", stderr: "\(tool) is not installed")
    }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Output(
      status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
      stderr: String(decoding: e, as: UTF8.self))
  }

  static func isRepository(_ folder: URL) -> Bool {
    FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path)
  }

  /// A bare mirror of `source` in the cache, fetched when reachable (offline: the cached copy).
  static func mirror(_ source: String, project: URL, cache: URL, say: (String) -> Void)
    throws(FolioError)
    -> URL
  {
    // Local paths are made absolute (relative to the project), so the cache key does not
    // depend on whether the path exists today; URLs (`scheme://`, `host:path`) stay as they are.
    let isURL =
      source.contains("://")
      || (source.contains(":") && !source.hasPrefix("/") && !source.hasPrefix("."))
    let remote =
      isURL ? source : URL(fileURLWithPath: source, relativeTo: project).standardizedFileURL.path
    let mirror = cache.appendingPathComponent(
      String(SHA256.hex(Array(remote.utf8)).prefix(16)) + ".git")
    if FileManager.default.fileExists(atPath: mirror.path) {
      let fetched = run([
        "--git-dir", mirror.path, "fetch", "--quiet", "--prune", "--tags", "--force", "origin",
        "+refs/heads/*:refs/heads/*",
      ])
      if fetched.status != 0 { say("note: \(source) is unreachable; using the cached copy") }
      return mirror
    }
    try? FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
    let cloned = run(["clone", "--quiet", "--mirror", remote, mirror.path])
    guard cloned.status == 0 else {
      try? FileManager.default.removeItem(at: mirror)
      throw FolioError(
        "\(ErrorCode.f133.tag) cannot fetch \(source): \(cloned.stderr.trimmingCharacters(in: .whitespacesAndNewlines))",
        while: "installing a plugin",
        help:
          "check the URL or path; sources are folders or git repositories (any URL git understands)",
        exit: .config)
    }
    return mirror
  }

  /// The commit of the newest tag `vX.Y.Z` (or `X.Y.Z`) that `requested` allows; HEAD when the repository has no version tags and no range was asked for.
  static func pick(_ mirror: URL, requested: String, source: String) throws(FolioError) -> String {
    let tags = run(["--git-dir", mirror.path, "tag", "--list"]).stdout.split(separator: "\n").map(
      String.init)
    let versions = tags.compactMap { tag -> (String, SemanticVersion)? in
      let text = tag.hasPrefix("v") ? String(tag.dropFirst()) : tag
      return SemanticVersion(text).map { (tag, $0) }
    }
    let range = requested.isEmpty ? nil : VersionRequirement(requested)
    let allowed = versions.filter { range?.accepts($0.1) ?? true }.sorted { $0.1 < $1.1 }
    let ref: String
    if let best = allowed.last {
      ref = "refs/tags/\(best.0)"
    } else if versions.isEmpty && requested.isEmpty {
      ref = "HEAD"
    } else {
      let known = versions.map(\.1).sorted().map(\.description).joined(separator: ", ")
      throw FolioError(
        "\(ErrorCode.f132.tag) no version of \(source) matches '\(requested)' (tags: \(known.isEmpty ? "none" : known))",
        while: "installing a plugin",
        help:
          "ask for one of the tagged versions, e.g. @^\(versions.map(\.1).max()?.description ?? "1.0.0")",
        exit: .config)
    }
    let commit = run(["--git-dir", mirror.path, "rev-parse", "--verify", "\(ref)^{commit}"])
    guard commit.status == 0 else {
      throw FolioError(
        "\(ErrorCode.f133.tag) cannot read \(ref) of \(source)", while: "installing a plugin",
        exit: .config)
    }
    return commit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Writes the files of `commit` to `folder` (git archive, then tar).
  static func export(_ mirror: URL, commit: String, to folder: URL, source: String)
    throws(FolioError)
  {
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let tar = folder.deletingLastPathComponent().appendingPathComponent("plugin.tar")
    let archived = run([
      "--git-dir", mirror.path, "archive", "--format=tar", "-o", tar.path, commit,
    ])
    guard archived.status == 0 else {
      throw FolioError(
        "\(ErrorCode.f133.tag) commit \(commit.prefix(12)) of \(source) is not available",
        while: "installing a plugin",
        help:
          "the lock pins a commit the source no longer has; folio plugin update picks a new one",
        exit: .config)
    }
    let unpacked = run(["-xf", tar.path, "-C", folder.path], tool: "tar")
    try? FileManager.default.removeItem(at: tar)
    guard unpacked.status == 0 else {
      throw FolioError("cannot unpack \(source)", while: "installing a plugin")
    }
  }
}
