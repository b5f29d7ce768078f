import ArgumentParser
import FolioEngine
import Foundation

struct PluginCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plugin",
    abstract: "Work with plugins.",
    subcommands: [Test.self])

  struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run plugins' tests (tests/*_test.lua) and print N passed, N failed.",
      discussion: """
        Each test file returns a table of tests (functions) or groups (tables of tests). Tests use
        folio.test: T.document(text [, meta]), T.run(plugin_or_options..), assert.equal and
        assert.error_matches.

        Examples:
          folio plugin test               # every plugin in ./plugins and Folio's Plugins/
          folio plugin test Plugins/kwic
        """)

    @Argument(help: "Plugin folders or names (default: every plugin found).")
    var plugins: [String] = []

    func run() throws {
      do {
        let tester = PluginTester(resolver: PluginResolver()) { Console.out($0) }
        let result = try tester.run(plugins)
        Console.out("\(result.passed) passed, \(result.failed) failed\n")
        if result.failed > 0 { throw ExitCode(1) }
      } catch let error as FolioError {
        throw fail(error)
      }
    }
  }
}
