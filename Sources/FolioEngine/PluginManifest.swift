import FolioCore
import FolioLua
import Foundation
import TOMLKit

/// Reads `plugin.toml` (DESIGN.md §5): data only, never runs code.
public enum PluginManifest {
  /// Parses the manifest of the plugin folder `folder`.
  public static func load(folder: URL, displayFolder: String) throws(FolioError) -> PluginSpec {
    let path = folder.appendingPathComponent("plugin.toml")
    let shown = displayFolder + "/plugin.toml"
    let text: String
    do { text = try String(contentsOf: path, encoding: .utf8) } catch {
      throw FolioError("cannot read \(shown)", while: "loading plugin", exit: .config)
    }
    let table: TOMLTable
    do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
      throw FolioError(
        "\(ErrorCode.f100.tag) \(shown):\(error.source.begin.line): \(error.description)",
        while: "reading the manifest",
        help: "plugin.toml is TOML: https://toml.io", exit: .config)
    } catch {
      throw FolioError(
        "\(ErrorCode.f100.tag) \(shown): \(error)", while: "reading the manifest", exit: .config)
    }
    func bad(_ message: String, _ help: String) -> FolioError {
      FolioError(
        "\(ErrorCode.f101.tag) \(shown): \(message)", while: "reading the manifest", help: help,
        exit: .config)
    }
    let folderName = folder.lastPathComponent
    guard let name = table["name"]?.string else {
      throw bad("'name' is missing", "add name = \"\(folderName)\"")
    }
    guard name == folderName else {
      throw bad(
        "name '\(name)' differs from its folder '\(folderName)'",
        "rename the folder or set name = \"\(folderName)\"")
    }
    guard let version = table["version"]?.string, SemanticVersion(version) != nil else {
      throw bad("'version' is missing or not a semantic version", "use version = \"1.0.0\"")
    }
    let kindText = table["kind"]?.string ?? ""
    guard let kind = PluginKind(rawValue: kindText) else {
      throw bad(
        "'kind' must be filter, tagger or report, got '\(kindText)'",
        "set kind = \"report\" (or filter, tagger)")
    }
    if let range = table["folio"]?.string {
      guard let requirement = VersionRequirement(range) else {
        throw bad("'folio' range '\(range)' is not understood", "use folio = \">=0.1\" or \"^0.1\"")
      }
      let ours =
        SemanticVersion(FolioLua.apiVersion) ?? SemanticVersion(major: 0, minor: 0, patch: 0)
      guard requirement.accepts(ours) else {
        throw FolioError(
          "\(ErrorCode.f107.tag) plugin '\(name)' needs Folio API \(range), and this Folio has \(FolioLua.apiVersion)",
          while: "loading plugin",
          help: "update Folio, or use a version of '\(name)' made for API \(FolioLua.apiVersion)",
          exit: .config)
      }
    }
    var options: [OptionSpec] = []
    if let optionTable = table["options"]?.table {
      for key in optionTable.keys.sorted() {
        guard let o = optionTable[key]?.table else {
          throw bad(
            "option '\(key)' must be a table",
            "write [options.\(key)] with type, default and description")
        }
        let typeName = o["type"]?.string ?? "string"
        guard let type = OptionType(rawValue: typeName) else {
          throw bad(
            "option '\(key)' has unknown type '\(typeName)'",
            "types: string, integer, number, boolean")
        }
        var def: MetaValue?
        if let v = o["default"] {
          if let b = v.bool {
            def = .bool(b)
          } else if let i = v.int {
            def = .integer(i)
          } else if let d = v.double {
            def = .number(d)
          } else if let s = v.string {
            def = .string(s)
          }
        }
        func bound(_ name: String) throws(FolioError) -> Double? {
          guard let v = o[name] else { return nil }
          guard type == .integer || type == .number, let d = v.double ?? v.int.map(Double.init)
          else {
            throw bad(
              "option '\(key)': '\(name)' must be a number, on an integer or number option",
              "write \(name) = 0 under [options.\(key)] with type = \"integer\" or \"number\"")
          }
          return d
        }
        let spec = OptionSpec(
          name: key, type: type, defaultValue: def, description: o["description"]?.string ?? "",
          minimum: try bound("min"), maximum: try bound("max"))
        if let def, let problem = spec.rangeProblem(def) {
          throw bad(
            "option '\(key)': its default is not \(problem)", "give a default inside the range")
        }
        options.append(spec)
      }
      // In the order the manifest declares them (TOML tables are unordered): help texts and
      // the README's generated table follow the author's order.
      func place(_ name: String) -> Int {
        text.range(of: "[options.\(name)]").map {
          text.distance(from: text.startIndex, to: $0.lowerBound)
        }
          ?? Int.max
      }
      options.sort { (place($0.name), $0.name) < (place($1.name), $1.name) }
    }
    func strings(_ key: String) -> [String] {
      table[key]?.array.map { $0.compactMap { $0.string } } ?? []
    }
    var permissions: [Permission] = []
    for asked in strings("permissions") {
      guard let permission = Permission(rawValue: asked) else {
        throw bad(
          "permission '\(asked)' is unknown",
          "permissions are \"read\" (files under the plugin's folder) and \"write\" (files in a folder the user names)"
        )
      }
      if !permissions.contains(permission) { permissions.append(permission) }
    }
    var spec = PluginSpec(
      name: name, version: version, kind: kind, summary: table["summary"]?.string ?? "",
      options: options, reads: strings("reads"), writes: strings("writes"),
      codePath: displayFolder + "/init.lua", chunkName: "@" + displayFolder + "/init.lua",
      hasManifest: true)
    spec.permissions = permissions
    return spec
  }
}

/// `MAJOR.MINOR.PATCH`.
public struct SemanticVersion: Comparable, Sendable, CustomStringConvertible {
  public var major: Int
  public var minor: Int
  public var patch: Int

  public init(major: Int, minor: Int, patch: Int) {
    self.major = major
    self.minor = minor
    self.patch = patch
  }

  public init?(_ text: String) {
    let core = text.split(separator: "-", maxSplits: 1).first.map(String.init) ?? text
    let raw = core.split(separator: ".", omittingEmptySubsequences: false)
    let p = raw.compactMap { Int($0) }.filter { $0 >= 0 }
    guard (1...3).contains(raw.count), p.count == raw.count else { return nil }
    self.init(major: p[0], minor: p.count > 1 ? p[1] : 0, patch: p.count > 2 ? p[2] : 0)
  }

  public static func < (a: Self, b: Self) -> Bool {
    (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
  }

  public var description: String { "\(major).\(minor).\(patch)" }
}

/// A version range: `>=0.1`, `^0.1`, `~1.2`, `=1.0.0`, `1.0.0`, or several joined by commas.
public struct VersionRequirement: Sendable {
  private var checks: [@Sendable (SemanticVersion) -> Bool] = []

  public init?(_ text: String) {
    for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      var op = ""
      var rest = Substring(part)
      for candidate in [">=", "<=", "^", "~", ">", "<", "="] where rest.hasPrefix(candidate) {
        op = candidate
        rest = rest.dropFirst(candidate.count)
        break
      }
      guard let v = SemanticVersion(rest.trimmingCharacters(in: .whitespaces)) else { return nil }
      switch op {
      case ">=": checks.append { $0 >= v }
      case "<=": checks.append { $0 <= v }
      case ">": checks.append { $0 > v }
      case "<": checks.append { $0 < v }
      case "~": checks.append { $0 >= v && $0.major == v.major && $0.minor == v.minor }
      case "^", "":
        checks.append { w in
          w >= v
            && (v.major > 0
              ? w.major == v.major : (v.minor > 0 ? w.major == 0 && w.minor == v.minor : w == v))
        }
      default: checks.append { $0 == v }
      }
    }
    if checks.isEmpty { return nil }
  }

  public func accepts(_ version: SemanticVersion) -> Bool { checks.allSatisfy { $0(version) } }
}
