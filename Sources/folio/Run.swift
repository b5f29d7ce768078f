import ArgumentParser
import FolioCore
import FolioEngine
import FolioLua
import Foundation
import LuaRuntime

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run plugins over a corpus, in order, and print each report.",
    discussion: """
      A corpus is a folder (read recursively, in sorted order) or a file of text. Plugins are
      named (looked up in ./plugins, $XDG_DATA_HOME/folio/plugins and Folio's Plugins/) or given
      as a path to a plugin folder or a .lua file. Options follow the name: -p NAME:key=value,...

      Reports go to stdout: an aligned table on a terminal, TSV when piped. Warnings and errors go
      to stderr. Exit codes: 0 ok, 64 usage, 65 some documents failed, 66 corpus not found,
      78 a plugin or its options are wrong, 1 other failures.

      Examples:
        folio run Examples/news -p wordfreq
        folio run Examples/news -p wordfreq:top=10 --format tsv > words.tsv
        folio run ../shared/corpora/seeds -p kwic:word=Kolokoltsev,width=30
        folio run Examples/news -p ./my_filter.lua -p wordfreq
      """)

  @Argument(help: "Corpus folders or files.")
  var corpus: [String] = []

  @Option(
    name: [.short, .customLong("plugin")],
    help: "A plugin to run, with options: NAME[:key=value,...]. Repeat for a pipeline.")
  var plugins: [String] = []

  @Option(help: "Output format: auto (a table on a terminal, TSV otherwise), table or tsv.")
  var format: String = "auto"

  @Option(help: "Instruction budget of each plugin call (0: none).")
  var maxInstructions: UInt64 = LuaLimits.plugin.instructions

  @Option(help: "Time limit of each plugin call, in seconds (0: none).")
  var timeout: Double = LuaLimits.plugin.seconds

  @Option(help: "Memory limit of each plugin's Lua state, in MiB (0: none).")
  var maxMemory: Int = LuaLimits.plugin.memory >> 20

  @Flag(help: "Stop at the first document a plugin fails on.")
  var failFast = false

  @Flag(help: "List the plugins that names resolve to, and exit.")
  var listPlugins = false

  @Flag(name: [.short, .long], help: "Print no summary line on stderr.")
  var quiet = false

  func run() throws {
    let resolver = PluginResolver()
    if listPlugins {
      for (name, location) in resolver.available() {
        Console.out("\(name)\t\(location.path)\n")
      }
      return
    }
    guard !corpus.isEmpty else {
      throw fail(
        FolioError(
          "no corpus given - while reading the command line",
          help: "folio run CORPUS... -p PLUGIN (see folio run --help)", exit: .usage))
    }
    let tableFormat: TableFormat
    switch format {
    case "auto": tableFormat = Console.stdoutIsTerminal ? .table : .tsv
    case "table": tableFormat = .table
    case "tsv": tableFormat = .tsv
    default:
      let near =
        Suggest.closest(format, in: ["auto", "table", "tsv"]).map { "did you mean '\($0)'? " } ?? ""
      throw fail(
        FolioError(
          "unknown format '\(format)' - while reading the command line",
          help: "\(near)formats: auto, table, tsv", exit: .usage))
    }
    do {
      let references = try plugins.map { (p) throws(FolioError) in try PluginReference.parse(p) }
      let configuration = RunConfiguration(
        corpus: corpus, plugins: references,
        limits: LuaLimits(memory: maxMemory << 20, instructions: maxInstructions, seconds: timeout),
        failFast: failFast)
      let runner = Runner(configuration, resolver: resolver) { line in Console.error(line + "\n") }
      let summary = try runner.run()
      for (i, report) in summary.reports.enumerated() {
        if summary.reports.count > 1 {
          Console.out((i > 0 ? "\n" : "") + "# \(report.title)\n")
        }
        Console.out(tableFormat.render(report))
      }
      if !quiet { Console.error("folio: \(summary.line)\n") }
      if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    } catch let error as FolioError {
      throw fail(error)
    }
  }
}
