import FolioCore
import Foundation
import LuaRuntime

extension PluginInstance {
  // MARK: Options

  static func readOptions(_ L: LuaState, _ index: Int32) -> [OptionSpec] {
    var specs: [OptionSpec] = []
    let t = L.absolute(index)
    L.forEach(t) {
      guard L.type(at: -2) == .string, let name = L.string(at: -2) else { return }
      if L.type(at: -1) == .table {
        var type = OptionType.string
        if L.rawGet(-1, "type") == .string, let tn = L.string(at: -1),
          let ot = OptionType(rawValue: tn)
        {
          type = ot
        }
        L.pop()
        L.rawGet(-1, "default")
        let def = FolioLua.metaValue(L, -1)
        L.pop()
        var description = ""
        if L.rawGet(-1, "description") == .string { description = L.string(at: -1) ?? "" }
        L.pop()
        if case .integer? = def, type == .string { type = .integer }
        specs.append(
          OptionSpec(name: name, type: type, defaultValue: def, description: description))
      } else if let def = FolioLua.metaValue(L, -1) {
        let type: OptionType =
          switch def {
          case .integer: .integer
          case .number: .number
          case .bool: .boolean
          default: .string
          }
        specs.append(OptionSpec(name: name, type: type, defaultValue: def))
      }
    }
    return specs.sorted { $0.name < $1.name }
  }

  /// Reads the files named by options of type `file`.
  ///
  /// A path the user gave (`named`: on the command line or in `folio.toml`) is read: naming it
  /// is the grant. A plugin's own default may name only a file it ships (`$plugin/NAME`), and
  /// that path may not lead out of its folder, by `..` or by a symbolic link.
  static func readFiles(
    _ spec: PluginSpec, _ options: [String: MetaValue], named: Set<String>
  ) throws(PluginError) -> [String: [UInt8]] {
    var files: [String: [UInt8]] = [:]
    for option in spec.options where option.type == .file {
      guard case .string(var path)? = options[option.name], !path.isEmpty else { continue }
      func refuse(_ message: String, _ help: String) -> PluginError {
        PluginError(
          plugin: spec.name, code: ErrorCode.f108.rawValue,
          message: "option '\(option.name)': \(message)",
          help: help, activity: "reading the options")
      }
      if path.hasPrefix("$plugin/") {
        let relative = path.dropFirst("$plugin/".count)
        guard !relative.split(separator: "/").contains("..") else {
          throw refuse(
            "\(path) leaves the plugin's folder",
            "$plugin/ paths name files inside the plugin's own folder")
        }
        let folder =
          spec.folder.map { URL(fileURLWithPath: $0) }
          ?? URL(fileURLWithPath: spec.codePath).deletingLastPathComponent()
        path = folder.appendingPathComponent(String(relative)).path
        if let root = FolioLua.realPath(folder.path), let target = FolioLua.realPath(path),
          !target.hasPrefix(root + "/")
        {
          throw refuse(
            "$plugin/\(relative) is a symbolic link that leads out of the plugin's folder",
            "$plugin/ paths name files inside the plugin's own folder")
        }
      } else if !named.contains(option.name) {
        throw refuse(
          "the plugin's default names \(path), outside its own folder; a plugin may name only files it ships ($plugin/NAME)",
          "name the file yourself: -p \(spec.name):\(option.name)=FILE")
      }
      guard let data = FileManager.default.contents(atPath: path) else {
        throw PluginError(
          plugin: spec.name, code: ErrorCode.f108.rawValue,
          message: "option '\(option.name)': cannot read \(path)",
          help: "give the path of an existing file, relative to the current folder",
          activity: "reading the options")
      }
      files[option.name] = [UInt8](data)
    }
    return files
  }

  /// Checks command-line options against the declared ones and applies defaults.
  public static func resolveOptions(_ spec: PluginSpec, _ raw: [(String, String)])
    throws(PluginError) -> [String: MetaValue]
  {
    var values: [String: MetaValue] = [:]
    for option in spec.options { values[option.name] = option.defaultValue }
    let known = spec.options.map(\.name)
    for (key, text) in raw {
      guard let option = spec.options.first(where: { $0.name == key }) else {
        var help =
          known.isEmpty ? "it takes no options" : "its options: " + known.joined(separator: ", ")
        if let hint = Suggest.didYouMean(key, in: known) { help = hint + " " + help }
        throw PluginError(
          plugin: spec.name, code: ErrorCode.f103.rawValue, message: "no option '\(key)'",
          help: help.prefix(1).uppercased() + help.dropFirst(),
          activity: "reading the options")
      }
      guard let value = option.parse(text) else {
        throw PluginError(
          plugin: spec.name, code: ErrorCode.f104.rawValue,
          message:
            "option '\(key)' must be \(option.type == .integer ? "an" : "a") \(option.type.rawValue), got '\(text)'",
          activity: "reading the options")
      }
      if let problem = option.rangeProblem(value) {
        throw PluginError(
          plugin: spec.name, code: ErrorCode.f104.rawValue,
          message: "option '\(key)' must be \(problem), got '\(text)'",
          activity: "reading the options")
      }
      values[key] = value
    }
    return values
  }
}
