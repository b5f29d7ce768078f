import ArgumentParser
import FolioEngine
import FolioLua
import Foundation

struct PluginCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plugin",
    abstract: "Work with plugins.",
    subcommands: [
      List.self, Info.self, New.self, Test.self, Docs.self, Add.self, Sync.self, Update.self,
      Remove.self,
    ])

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: "List the plugins names resolve to: name, version, kind, where from, summary.")

    @Option(help: "Output format (as for folio run).")
    var format: String = "auto"

    func run() throws {
      let f = try tableFormat(format, output: nil)
      Console.out(f.render(PluginCatalog.list(PluginResolver())))
    }
  }

  struct Docs: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "docs",
      abstract: "Regenerate the option tables of plugins' READMEs from their plugin.toml.",
      discussion: """
        In a plugin's README.md, the table between <!-- generated: options --> and \
        <!-- end options --> is written from plugin.toml (name, type and range, default, \
        description); in the README.md of a folder of plugins, the table between \
        <!-- generated: plugins --> and <!-- end plugins --> lists them. --check changes \
        nothing and exits 1 when a table is stale.

        Examples:
          folio plugin docs plugins/shout
          folio plugin docs Plugins --check
        """)

    @Argument(help: "Plugin folders, or folders of plugins (default: ./plugins).")
    var folders: [String] = ["plugins"]

    @Flag(help: "Only check: list the stale READMEs and exit 1 if there are any.")
    var check = false

    func run() throws {
      do {
        let stale = try PluginCatalog.regenerateDocs(
          folders.map { URL(fileURLWithPath: $0) }, check: check)
        for path in stale { Console.out((check ? "stale: " : "updated: ") + path + "\n") }
        if check, !stale.isEmpty {
          throw fail(
            FolioError(
              "\(stale.count) README table\(stale.count == 1 ? " is" : "s are") older than plugin.toml",
              while: "checking the plugins' docs",
              help: "folio plugin docs " + folders.joined(separator: " ") + " regenerates them"))
        }
      } catch let error as FolioError {
        throw fail(error)
      }
    }
  }

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "info",
      abstract: "Show a plugin's manifest, options and README summary.")

    @Argument(help: "A plugin name or path.")
    var plugin: String

    func run() throws {
      do { Console.out(try PluginCatalog.info(plugin, PluginResolver())) } catch {
        throw fail(error)
      }
    }
  }

  struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "new",
      abstract: "Create a working plugin with a manifest, code, README, a test and a fixture.",
      discussion: """
        Examples:
          folio plugin new dateline --kind tagger
          folio plugin test plugins/dateline
        """)

    @Argument(help: "The plugin's name: lowercase letters, digits and '-'.")
    var name: String

    @Option(help: "filter, tagger or report.")
    var kind: String

    @Option(help: "The folder to create it in.")
    var dir: String = "plugins"

    func run() throws {
      guard let k = PluginKind(rawValue: kind) else {
        throw fail(
          FolioError(
            "unknown kind '\(kind)'", while: "creating a plugin",
            help: "use filter, tagger or report",
            exit: .usage))
      }
      do {
        let folder = try PluginCatalog.scaffold(name: name, kind: k, in: URL(fileURLWithPath: dir))
        Console.out(
          "created \(dir)/\(name)/ (plugin.toml, init.lua, README.md, tests/, fixtures/)\n")
        Console.out("next: folio plugin test \(dir)/\(name)\n")
        _ = folder
      } catch {
        throw fail(error)
      }
    }
  }

  struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "test",
      abstract: "Run plugins' tests (tests/*_test.lua) and print N passed, N failed.",
      discussion: """
        Each test file returns a table of tests (functions) or groups (tables of tests). Tests use \
        folio.test: T.document(text [, meta]), T.run(plugin_or_options..), assert.equal and \
        assert.error_matches.

        Examples:
          folio plugin test               # every plugin in ./plugins and Folio's Plugins/
          folio plugin test Plugins/kwic
        """)

    @Argument(help: "Plugin folders or names (default: every plugin found).")
    var plugins: [String] = []

    func run() throws {
      do {
        let tester = PluginTester(resolver: PluginResolver()) { Console.out(Console.testLine($0)) }
        let result = try tester.run(plugins)
        Console.out("\(result.passed) passed, \(result.failed) failed\n")
        if result.failed > 0 { throw ExitCode(1) }
      } catch let error as FolioError {
        throw fail(error)
      }
    }
  }
}
