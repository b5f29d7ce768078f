import ArgumentParser
import FolioEngine
import FolioLua
import Foundation

/// Hints for command lines that went wrong in the usual ways: a mistyped command, a plugin's
/// option given to `folio run`, a plugin given as the corpus.
enum CommandHints {
  /// `folio rnu`: the command meant, when the first word is no command.
  static func unknownCommand(_ arguments: [String]) -> FolioError? {
    guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
    let names = Folio.configuration.subcommands.map { $0._commandName } + ["help"]
    guard !names.contains(first) else { return nil }
    let near = Suggest.didYouMean(first, in: names, shown: { "folio " + $0 }).map { $0 + " " } ?? ""
    return FolioError(
      "'\(first)' is not a folio command", while: "reading the command line",
      help: near + "commands: " + names.joined(separator: ", "), exit: .usage)
  }

  /// `folio run CORPUS --top 5`: an unknown option that a plugin has, written as that plugin's
  /// option (`-p wordfreq:top=5`).
  static func pluginOption(_ arguments: [String], message: String) -> FolioError? {
    guard let range = message.range(of: "Unknown option '--"),
      let end = message[range.upperBound...].firstIndex(of: "'"),
      let command = arguments.first, ["run", "query", "index"].contains(command)
    else { return nil }
    let option = String(message[range.upperBound..<end])
    // The plugins named with -p first, then every plugin Folio finds.
    var named: [String] = []
    for (i, argument) in arguments.enumerated() {
      var value: Substring?
      if argument == "-p" || argument == "--plugin", i + 1 < arguments.count {
        value = Substring(arguments[i + 1])
      } else if argument.hasPrefix("-p"), argument.count > 2, !argument.hasPrefix("--") {
        value = argument.dropFirst(2)
      }
      if let value, let name = value.split(separator: ":").first { named.append(String(name)) }
    }
    let resolver = PluginResolver()
    let specs = (named + resolver.available().map(\.name).filter { !named.contains($0) })
      .compactMap { try? resolver.resolve($0).spec }
    let owners = specs.filter { spec in spec.options.contains { $0.name == option } }
      .map(\.name)
    if owners.isEmpty || (!named.isEmpty && !owners.contains(where: named.contains)) {
      guard let first = named.first, let spec = specs.first(where: { $0.name == first }) else {
        return nil
      }
      return FolioError(
        "--\(option) is not an option of folio \(command), nor of the plugin \(spec.name)",
        while: "reading the command line",
        help: spec.options.isEmpty
          ? "\(spec.name) has no options; folio \(command) --help lists the command's"
          : "\(spec.name)'s options: " + spec.options.map(\.name).joined(separator: ", ")
            + " (-p \(spec.name):NAME=VALUE)", exit: .usage)
    }
    let owner = owners.first { named.contains($0) } ?? owners[0]
    var value = "VALUE"
    if let i = arguments.firstIndex(of: "--" + option), i + 1 < arguments.count,
      !arguments[i + 1].hasPrefix("-")
    {
      value = arguments[i + 1]
    } else if let given = arguments.first(where: { $0.hasPrefix("--\(option)=") }) {
      value = String(given.dropFirst(option.count + 3))
    }
    let whose =
      named.contains(owner) || owners.count == 1
      ? "the plugin \(owner)" : "the plugins " + owners.joined(separator: ", ")
    return FolioError(
      "--\(option) is not an option of folio \(command); '\(option)' is an option of \(whose)",
      while: "reading the command line",
      help: "give it after the plugin's name: -p \(owner):\(option)=\(value)", exit: .usage)
  }

  /// `folio run Examples/news wordfreq`: corpus arguments that are no file but name a plugin.
  static func pluginAsCorpus(_ corpus: [String], resolver: PluginResolver) -> FolioError? {
    let names = Set(resolver.available().map(\.name))
    let misplaced = corpus.filter {
      !FileManager.default.fileExists(atPath: $0) && names.contains($0)
    }
    guard !misplaced.isEmpty else { return nil }
    let list = misplaced.map { "'\($0)'" }.joined(separator: ", ")
    return FolioError(
      "\(list) \(misplaced.count == 1 ? "is a plugin" : "are plugins"), not a corpus",
      while: "reading the command line",
      help: "name plugins with -p: " + misplaced.map { "-p \($0)" }.joined(separator: " "),
      exit: .usage)
  }
}
