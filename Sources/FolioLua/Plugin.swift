import FolioCore

/// What a plugin does (DESIGN.md §5).
public enum PluginKind: String, Sendable, CaseIterable {
  case filter, tagger, report
}

/// The type of a plugin option.
public enum OptionType: String, Sendable, CaseIterable {
  /// `file`: a path given by the user; the host reads the file and the plugin gets its
  /// contents as `ctx.files.NAME` (plugins cannot read files themselves).
  case string, integer, number, boolean, file
}

/// One declared option of a plugin.
public struct OptionSpec: Sendable, Equatable {
  public var name: String
  public var type: OptionType
  public var defaultValue: MetaValue?
  public var description: String
  /// The smallest and largest value a number option takes (`min`, `max` in plugin.toml).
  public var minimum: Double?
  public var maximum: Double?

  public init(
    name: String, type: OptionType, defaultValue: MetaValue? = nil, description: String = "",
    minimum: Double? = nil, maximum: Double? = nil
  ) {
    self.name = name
    self.type = type
    self.defaultValue = defaultValue
    self.description = description
    self.minimum = minimum
    self.maximum = maximum
  }

  /// Why `value` is out of this option's range (`from 0 to 100`), or nil when it is in it.
  public func rangeProblem(_ value: MetaValue) -> String? {
    let x: Double
    switch value {
    case .integer(let i): x = Double(i)
    case .number(let d): x = d
    default: return nil
    }
    // NaN is out of any range.
    let below = minimum.map { !(x >= $0) } ?? false
    let above = maximum.map { !(x <= $0) } ?? false
    guard below || above else { return nil }
    switch bounds {
    case (let l?, let h?): return "from \(l) to \(h)"
    case (let l?, nil): return "at least \(l)"
    case (nil, let h?): return "at most \(h)"
    default: return nil
    }
  }

  /// The type with its range when the manifest gives one: `integer ≥ 0`, `number 0–1`.
  public var shownType: String {
    switch bounds {
    case (let l?, let h?): return "\(type.rawValue) \(l)–\(h)"
    case (let l?, nil): return "\(type.rawValue) ≥ \(l)"
    case (nil, let h?): return "\(type.rawValue) ≤ \(h)"
    default: return type.rawValue
    }
  }

  /// `minimum` and `maximum` as written for people: whole numbers without `.0`.
  private var bounds: (String?, String?) {
    func show(_ d: Double) -> String {
      d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
    return (minimum.map(show), maximum.map(show))
  }

  /// Parses a value given on the command line (`-p name:key=value`).
  public func parse(_ text: String) -> MetaValue? {
    switch type {
    case .string, .file: return .string(text)
    case .integer: return Int(text).map(MetaValue.integer)
    case .number: return Double(text).map(MetaValue.number)
    case .boolean:
      switch text.lowercased() {
      case "true", "yes", "1", "on": return .bool(true)
      case "false", "no", "0", "off": return .bool(false)
      default: return nil
      }
    }
  }
}

/// A plugin as found on disk: its manifest (from `plugin.toml`, or filled in from the module a
/// single `.lua` file returns) and where its code is.
public struct PluginSpec: Sendable, Equatable {
  public var name: String
  public var version: String
  public var kind: PluginKind?
  public var summary: String
  public var options: [OptionSpec]
  public var reads: [String]
  /// Layers the plugin may write; nil when a single-file plugin declares none.
  public var writes: [String]?
  /// The `init.lua` or single `.lua` file.
  public var codePath: String
  /// The chunk name shown in messages and tracebacks (`@Plugins/kwic/init.lua`).
  public var chunkName: String
  /// Whether the spec came from a `plugin.toml`.
  public var hasManifest: Bool
  /// What the plugin asks to do outside its sandbox (`permissions` in `plugin.toml`).
  public var permissions: [Permission] = []
  /// The plugin's folder as a real path (files it ships: `$plugin/...` options,
  /// `folio.read_file`); nil for a single-file plugin.
  public var folder: String?

  public init(
    name: String, version: String = "0.0.0", kind: PluginKind? = nil, summary: String = "",
    options: [OptionSpec] = [], reads: [String] = [], writes: [String]? = nil, codePath: String,
    chunkName: String, hasManifest: Bool = false
  ) {
    self.name = name
    self.version = version
    self.kind = kind
    self.summary = summary
    self.options = options
    self.reads = reads
    self.writes = writes
    self.codePath = codePath
    self.chunkName = chunkName
    self.hasManifest = hasManifest
  }
}

/// A plugin failure, printed as `plugin 'kwic': <what> - while <doing what>`.
public struct PluginError: Error, CustomStringConvertible, Equatable {
  public var plugin: String
  /// A stable code for errors users look up (`F103`), when there is one.
  public var code: String?
  public var message: String
  public var help: String?
  public var traceback: String?
  public var activity: String?
  /// Set for failures caused by a limit (instructions, time, memory, interrupt).
  public var limit: Bool

  public init(
    plugin: String, code: String? = nil, message: String, help: String? = nil,
    traceback: String? = nil, activity: String? = nil, limit: Bool = false
  ) {
    self.plugin = plugin
    self.code = code
    self.message = message
    self.help = help
    self.traceback = traceback
    self.activity = activity
    self.limit = limit
  }

  public var description: String {
    var s = code.map { "[\($0)] " } ?? ""
    s += "plugin '\(plugin)': \(message)"
    if let activity { s += " - while \(activity)" }
    return s
  }
}
