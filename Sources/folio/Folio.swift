import ArgumentParser
import FolioCore
import FolioEngine
import FolioLua
import Foundation
import LuaRuntime

@main
struct Folio: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "folio",
    abstract: "A scriptable corpus workbench: load corpora, run Lua plugins, get reports.",
    discussion: """
      Examples:
        folio run Examples/news -p wordfreq:top=20
        folio run ../shared/corpora/seeds -p kwic:word=Kolokoltsev
        folio repl Examples/news
        folio doc Corpus:kwic
        folio plugin test Plugins/wordfreq

      Exit codes: 0 ok, 1 other failures, 64 usage, 65 some documents failed,
      66 corpus not found or empty, 78 a plugin or its options are wrong, 130 interrupted.
      """,
    version: FolioVersion.withPlugins,
    subcommands: [
      Run.self, REPL.self, Script.self, Merge.self, CorpusCommand.self, PluginCommand.self,
      Query.self, IndexCommand.self, Doc.self, Train.self, Eval.self,
    ])
}

extension Folio {
  /// Tunes malloc (`ProcessTuning`), then runs the command line.
  static func main() {
    ProcessTuning.tuneMalloc()
    // ArgumentParser's own `main`, with Folio's hints for the usual slips.
    let arguments = Array(CommandLine.arguments.dropFirst())
    if let hint = CommandHints.unknownCommand(arguments) {
      Console.error(hint.rendered)
      Foundation.exit(hint.exit.rawValue)
    }
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
    } catch {
      if let hint = CommandHints.pluginOption(arguments, message: message(for: error)) {
        Console.error(hint.rendered)
        Foundation.exit(hint.exit.rawValue)
      }
      let code = exitCode(for: error)
      let text = fullMessage(for: error)
      if code.isSuccess || error is ExitCode || text.isEmpty { exit(withError: error) }
      Console.error(text.hasSuffix("\n") ? text : text + "\n")
      Foundation.exit(code.rawValue)
    }
  }
}

enum FolioVersion {
  static let string = "folio 0.1.0 (Lua API \(FolioLua.apiVersion), \(luaVersion))"
  static var luaVersion: String { "Lua 5.4" }
  /// `--version`: the version, then where the shipped plugins are found.
  static var withPlugins: String {
    let plugins =
      PluginResolver.shippedPlugins()?.standardizedFileURL.path
      ?? "not found (set FOLIO_PLUGINS to Folio's Plugins folder)"
    return string + "\nshipped plugins: " + plugins
  }
}

/// Prints `Error:`/`Help:` on stderr and exits with the error's code.
func fail(_ error: FolioError) -> ExitCode {
  Console.error(error.rendered)
  return ExitCode(error.exit.rawValue)
}

/// The format `--format` and `-o` choose, or the error printed and its exit code.
func tableFormat(_ name: String, output: String?) throws -> TableFormat {
  do throws(FolioError) {
    return try ReportOutput.format(name, output: output)
  } catch {
    throw fail(error)
  }
}
