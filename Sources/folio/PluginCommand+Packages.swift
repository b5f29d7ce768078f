import ArgumentParser
import FolioEngine
import Foundation

extension PluginCommand {
  static func packages() -> PluginPackages {
    var p = PluginPackages(project: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    p.say = { Console.error($0 + "\n") }
    return p
  }

  static func describe(_ plugins: [LockedPlugin]) -> String {
    plugins.map { p in
      let commit = p.commit.isEmpty ? "folder" : String(p.commit.prefix(12))
      return "\(p.name) \(p.version) (\(commit)) from \(p.source)"
        + (p.path.isEmpty ? "" : " --path \(p.path)")
        + (p.requested.isEmpty ? "" : " for \(p.requested)")
    }.joined(separator: "\n") + (plugins.isEmpty ? "" : "\n")
  }

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract:
        "Install a plugin into the project (.folio/plugins), list it in folio.toml and pin it in folio.lock.",
      discussion: """
        SOURCE is a folder or a git repository (any URL git understands, local paths and \
        file:// included); versions are git tags (v1.2.0). Without a range, the newest tag. \
        In a repository of several plugins, --path names the plugin's folder; the tags then \
        version the repository, and folio.toml and folio.lock record the folder.

        Examples:
          folio plugin add ../team-plugins/entities
          folio plugin add https://git.example.org/news/strip-sites.git@^1.2
          folio plugin add file:///srv/git/dedupe.git@~2.0
          folio plugin add https://git.example.org/news/plugins.git@^3 --path shout
        """)

    @Argument(help: "SOURCE[@VERSION-OR-RANGE]")
    var source: String

    @Option(
      help: ArgumentHelp(
        "The plugin's folder inside SOURCE, for a repository that holds several plugins.",
        valueName: "DIR"))
    var path: String = ""

    func run() throws {
      do {
        let locked = try PluginCommand.packages().add(source, path: path)
        Console.out(PluginCommand.describe([locked]))
      } catch { throw fail(error) }
    }
  }

  struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sync",
      abstract:
        "Install exactly what folio.lock pins (offline when the sources are cached or local).",
      discussion: """
        Installed files are checked against the lock's content hashes: a modified file is \
        reported by name. Without --frozen, plugins added to or removed from folio.toml are \
        resolved and the lock is updated.
        """)

    @Flag(help: "Fail when folio.toml and folio.lock disagree, instead of updating the lock (CI).")
    var frozen = false

    func run() throws {
      do {
        let plugins = try PluginCommand.packages().sync(frozen: frozen)
        Console.out(PluginCommand.describe(plugins))
      } catch { throw fail(error) }
    }
  }

  struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "update",
      abstract: "Move plugins to the newest version their range in folio.toml allows.")

    @Argument(help: "A plugin (default: all).")
    var name: String?

    func run() throws {
      do {
        let plugins = try PluginCommand.packages().update(name)
        Console.out(PluginCommand.describe(plugins))
      } catch { throw fail(error) }
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "remove",
      abstract: "Uninstall a plugin and drop it from folio.toml and folio.lock.")

    @Argument(help: "The plugin's name.")
    var name: String

    func run() throws {
      do {
        try PluginCommand.packages().remove(name)
        Console.out("removed \(name)\n")
      } catch { throw fail(error) }
    }
  }
}
