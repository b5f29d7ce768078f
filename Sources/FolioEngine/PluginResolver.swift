import FolioCore
import FolioLua
import Foundation

/// A plugin named on the command line: `NAME[:key=value,...]` or `PATH[:key=value,...]`.
public struct PluginReference: Sendable, Equatable, CustomStringConvertible {
  public var target: String
  public var options: [Option]

  public struct Option: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
      self.key = key
      self.value = value
    }
  }

  public init(target: String, options: [Option] = []) {
    self.target = target
    self.options = options
  }

  /// As written on the command line: `pos:model=m.gz`.
  public var description: String {
    options.isEmpty
      ? target : target + ":" + options.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
  }

  /// Parses `kwic:word=Kolokoltsev,width=30`.
  ///
  /// A value may be double-quoted to hold commas (`regex:pattern="\\d{1,2}",layer=day`); inside
  /// quotes `\"` and `\\` escape.
  public static func parse(_ text: String) throws(FolioError) -> PluginReference {
    // The options start after the last ':' before the first '=': plugin paths may hold
    // colons (./a:b.lua:k=v) and option values may hold paths (file=/tmp/x).
    let chars = Array(text)
    var colon: Int?
    var candidate: Int?
    for (i, c) in chars.enumerated() {
      if c == "=" {
        colon = candidate
        break
      }
      if c == ":" { candidate = i }
    }
    // No '=' at all: after a plain name (`kwic:word`) it is a malformed option list; in a path
    // (`./a:b.lua`) the colon is part of the name.
    if colon == nil, !chars.contains("="), let first = chars.firstIndex(of: ":") {
      let name = String(chars[..<first])
      if !name.contains("/"), !name.hasSuffix(".lua") { colon = first }
    }
    guard let colon else {
      try refuseSpaces(text)
      return PluginReference(target: text)
    }
    let target = String(chars[..<colon])
    if target.isEmpty {
      throw FolioError(
        "a plugin name is missing before ':'", while: "reading the command line", exit: .usage)
    }
    var options: [Option] = []
    var key = ""
    var value = ""
    var inValue = false
    var inQuotes = false
    var wasQuoted = false
    var i = colon + 1
    func finish() throws(FolioError) {
      if key.isEmpty && value.isEmpty && !inValue { return }
      guard inValue, !key.isEmpty else {
        throw FolioError(
          "option '\(key)' of plugin '\(target)' is not key=value",
          while: "reading the command line",
          help: "write -p \(target):key=value,key2=value2 (quote values that hold commas)",
          exit: .usage)
      }
      options.append(Option(key: key, value: value))
      key = ""
      value = ""
      inValue = false
      wasQuoted = false
    }
    // In an unquoted value, commas inside brackets or double quotes do not separate options:
    // `cql=[lemma="say"] []{0,3} "that",layer=say` is two options.
    var depth = 0
    var inString = false
    while i < chars.count {
      let c = chars[i]
      if inQuotes {
        if c == "\\", i + 1 < chars.count, chars[i + 1] == "\"" || chars[i + 1] == "\\" {
          value.append(chars[i + 1])
          i += 2
          continue
        }
        if c == "\"" { inQuotes = false } else { value.append(c) }
      } else if c == ",", depth <= 0, !inString {
        try finish()
        depth = 0
      } else if c == "=", !inValue {
        inValue = true
      } else if c == "\"", inValue, value.isEmpty, !wasQuoted, Self.isQuotedValue(chars, from: i) {
        inQuotes = true
        wasQuoted = true
      } else if inValue {
        if c == "\"" { inString.toggle() }
        if !inString {
          if "[{(".contains(c) { depth += 1 }
          if "]})".contains(c) { depth -= 1 }
        }
        value.append(c)
      } else {
        key.append(c)
      }
      i += 1
    }
    if inQuotes {
      throw FolioError(
        "a quoted value of plugin '\(target)' has no closing \"", while: "reading the command line",
        exit: .usage)
    }
    try finish()
    return PluginReference(target: target, options: options)
  }

  /// Whether the `"` at `start` opens a quoted value.
  ///
  /// It does when its closing quote ends the option (a comma or the end follows); `"money"
  /// within s` is a value that starts with a quote.
  /// `-p 'wordfreq top=5'`: a plugin name with options written as on a shell line.
  static func refuseSpaces(_ text: String) throws(FolioError) {
    let words = text.split(whereSeparator: \.isWhitespace)
    guard words.count > 1, !text.contains("/"), !text.hasSuffix(".lua") else { return }
    throw FolioError(
      "plugin '\(text)': a plugin's options follow its name after a colon",
      while: "reading the command line",
      help: "write -p \(words[0]):\(words.dropFirst().joined(separator: ","))", exit: .usage)
  }

  private static func isQuotedValue(_ chars: [Character], from start: Int) -> Bool {
    var i = start + 1
    while i < chars.count {
      if chars[i] == "\\" {
        i += 2
        continue
      }
      if chars[i] == "\"" { return i + 1 == chars.count || chars[i + 1] == "," }
      i += 1
    }
    return true  // unclosed: the error says so
  }
}

/// Finds plugins: an explicit path, then the project's `plugins/`, the plugins installed for
/// the project (`.folio/plugins/`), the user's data folder (`$XDG_DATA_HOME/folio/plugins`) and
/// Folio's shipped `Plugins/`.
public struct PluginResolver: Sendable {
  public var searchPath: [URL]
  public var workingDirectory: URL

  public init(searchPath: [URL]? = nil, workingDirectory: URL? = nil) {
    let cwd = workingDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    self.workingDirectory = cwd
    self.searchPath = searchPath ?? Self.defaultSearchPath(cwd: cwd)
  }

  public static func defaultSearchPath(cwd: URL) -> [URL] {
    // The project's own plugins, then those installed for it (folio.toml / folio.lock).
    var path = [
      cwd.appendingPathComponent("plugins"), cwd.appendingPathComponent(".folio/plugins"),
    ]
    let env = ProcessInfo.processInfo.environment
    if let data = env["XDG_DATA_HOME"], !data.isEmpty {
      path.append(URL(fileURLWithPath: data).appendingPathComponent("folio/plugins"))
    } else if let home = env["HOME"] {
      path.append(URL(fileURLWithPath: home).appendingPathComponent(".local/share/folio/plugins"))
    }
    if let shipped = shippedPlugins() { path.append(shipped) }
    return path
  }

  /// Folio's own `Plugins/`: `$FOLIO_PLUGINS`, `<prefix>/share/folio/Plugins` next to the
  /// executable, or the source checkout the executable was built in.
  ///
  /// The executable is found from the kernel (`/proc/self/exe`), not from `argv[0]`, which is
  /// a bare name when `folio` is found on `PATH` and a link's path when it is one.
  public static func shippedPlugins() -> URL? {
    let fm = FileManager.default
    if let env = ProcessInfo.processInfo.environment["FOLIO_PLUGINS"], !env.isEmpty {
      return URL(fileURLWithPath: env)
    }
    let exe = URL(fileURLWithPath: executablePath()).resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    let share = dir.deletingLastPathComponent().appendingPathComponent("share/folio/Plugins")
    if fm.fileExists(atPath: share.path) { return share }
    for _ in 0..<6 {
      let candidate = dir.appendingPathComponent("Plugins")
      if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path),
        fm.fileExists(atPath: candidate.path)
      {
        return candidate
      }
      dir = dir.deletingLastPathComponent()
    }
    return nil
  }

  /// The running executable's own path: `/proc/self/exe`, else `argv[0]`.
  static func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if n > 0 {
      return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    return CommandLine.arguments.first ?? ""
  }

  /// How a path is shown in messages and chunk names: relative to the working directory when
  /// it lies below it, or `Plugins/...` for shipped plugins.
  func display(_ url: URL) -> String {
    let path = url.standardizedFileURL.path
    let cwd = workingDirectory.standardizedFileURL.path
    if path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
    if let shipped = Self.shippedPlugins()?.standardizedFileURL.path, path.hasPrefix(shipped + "/")
    {
      return "Plugins/" + path.dropFirst(shipped.count + 1)
    }
    return path
  }

  /// Where the plugin `name` comes from when it shadows one of Folio's shipped plugins of the
  /// same name (a project's `plugins/kwic`), else nil.
  public func shadowing(_ name: String) -> String? {
    guard !name.contains("/"), !name.hasSuffix(".lua"),
      let shipped = Self.shippedPlugins()?.standardizedFileURL,
      let used = available().first(where: { $0.name == name })?.location.standardizedFileURL,
      !used.path.hasPrefix(shipped.path + "/")
    else { return nil }
    let fm = FileManager.default
    let hasShipped =
      fm.fileExists(atPath: shipped.appendingPathComponent(name + "/init.lua").path)
      || fm.fileExists(atPath: shipped.appendingPathComponent(name + ".lua").path)
    return hasShipped ? display(used) : nil
  }

  /// Every plugin name on the search path (first match wins), for messages and listings.
  public func available() -> [(name: String, location: URL)] {
    var seen = Set<String>()
    var found: [(String, URL)] = []
    let fm = FileManager.default
    for dir in searchPath {
      guard let items = try? fm.contentsOfDirectory(atPath: dir.path) else { continue }
      for item in items.sorted() where !item.hasPrefix(".") && !item.hasPrefix("_") {
        let url = dir.appendingPathComponent(item)
        let name = item.hasSuffix(".lua") ? String(item.dropLast(4)) : item
        let isPlugin =
          item.hasSuffix(".lua")
          || fm.fileExists(atPath: url.appendingPathComponent("init.lua").path)
        if isPlugin, seen.insert(name).inserted { found.append((name, url)) }
      }
    }
    return found
  }

  /// Resolves a reference to a spec and the plugin's source code.
  public func resolve(_ target: String) throws(FolioError) -> (spec: PluginSpec, source: String) {
    let fm = FileManager.default
    var location: URL?
    let looksLikePath = target.contains("/") || target.hasSuffix(".lua") || target.hasPrefix(".")
    if looksLikePath {
      let url = URL(fileURLWithPath: target, relativeTo: workingDirectory)
      guard fm.fileExists(atPath: url.path) else {
        throw FolioError(
          "no plugin at \(target)", while: "resolving plugins",
          help: "check the path, or give a plugin name (folio run --list-plugins)", exit: .config)
      }
      location = url
    } else {
      for dir in searchPath {
        let folder = dir.appendingPathComponent(target)
        let file = dir.appendingPathComponent(target + ".lua")
        if fm.fileExists(atPath: folder.appendingPathComponent("init.lua").path) {
          location = folder
          break
        }
        if fm.fileExists(atPath: file.path) {
          location = file
          break
        }
      }
    }
    guard let location else {
      let names = available().map(\.name)
      var help = "installed plugins: " + (names.isEmpty ? "none" : names.joined(separator: ", "))
      if let hint = Suggest.didYouMean(target, in: names) { help = hint + " " + help }
      throw FolioError(
        "\(ErrorCode.f102.tag) unknown plugin '\(target)'", while: "resolving plugins",
        help: help.prefix(1).uppercased() + help.dropFirst(), exit: .config)
    }
    var isDir: ObjCBool = false
    _ = fm.fileExists(atPath: location.path, isDirectory: &isDir)
    let shown = display(location)
    if isDir.boolValue {
      let initURL = location.appendingPathComponent("init.lua")
      let hasManifest = fm.fileExists(atPath: location.appendingPathComponent("plugin.toml").path)
      var spec =
        hasManifest
        ? try PluginManifest.load(folder: location, displayFolder: shown)
        : PluginSpec(
          name: location.lastPathComponent, codePath: shown + "/init.lua",
          chunkName: "@" + shown + "/init.lua")
      spec.codePath = shown + "/init.lua"
      spec.folder = location.standardizedFileURL.path
      return (spec, try read(initURL, shown + "/init.lua"))
    }
    let name = location.deletingPathExtension().lastPathComponent
    let spec = PluginSpec(name: name, codePath: shown, chunkName: "@" + shown)
    return (spec, try read(location, shown))
  }

  private func read(_ url: URL, _ shown: String) throws(FolioError) -> String {
    guard let data = fm().contents(atPath: url.path) else {
      throw FolioError("cannot read \(shown)", while: "loading plugin", exit: .config)
    }
    return String(decoding: data, as: UTF8.self)
  }

  private func fm() -> FileManager { FileManager.default }
}
