import ArgumentParser
import FolioCore
import FolioEngine
import FolioLua
import Foundation
import LuaRuntime

#if canImport(Glibc)
  import Glibc
#endif

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run plugins over a corpus, in order, and print each report.",
    discussion: """
      A corpus is a folder (read recursively, in sorted order), a file or a quoted glob: text \
      (.txt, .md), web pages (.html: the article's text, the page's metadata), JSONL/NDJSON \
      (one document a line), a JSON array, CSV/TSV with a header row, or SGML/XML records \
      (.sgm, .xml: --record names the element), any of them gzipped (.gz). For records, \
      --text-field names the text (default: text), --id-field the id (default: FILE#LINE); \
      other fields go to doc.meta, nested ones as dotted keys. --encoding reads legacy text \
      (shift_jis, gb18030, windows-1252, ...); see folio corpus info. Plugins are \
      named (looked up in ./plugins, $XDG_DATA_HOME/folio/plugins and Folio's Plugins/) or given \
      as a path to a plugin folder or a .lua file. Options follow the name: -p NAME:key=value,...

      The corpus - is standard input, read as it comes with memory bounded: JSONL records by \
      default, or --as csv, tsv (a header row, then a record a row) or text (a document a \
      line); ids are stdin#LINE (--stdin-name renames it) unless --id-field names one. -o - and \
      --save-state - write to standard output, so Folio can be a stage of a pipe, of Spark's \
      RDD.pipe or of a Slurm job (see the guide "Folio on a cluster").

      Reports go to stdout: an aligned table on a terminal, TSV when piped; -o FILE writes them \
      to a file in the format its extension names (.tsv .csv .json .jsonl .md .html .txt). \
      When the pipeline has no report, -o FILE.jsonl writes the kept documents, annotated, one \
      JSON record a line (with a tagger, each record's "tokens" carry pos, tag and lemma); \
      FILE.conllu and FILE.vrt write CoNLL-U and CWB's vertical format, FILE.csv one row a \
      token (--docs-out does the same next to reports). Every output file is written \
      atomically: a failed or interrupted run leaves earlier files as they were.

      Without -p, the pipeline comes from ./folio.toml ([[pipeline]] steps with plugin = "NAME" \
      and options = { key = value }). Plugins are resolved in this order: a path, ./plugins, \
      ./.folio/plugins (installed for the project), $XDG_DATA_HOME/folio/plugins, Folio's \
      Plugins/; --list-plugins shows what each name resolves to. The pipeline is checked before \
      any document is read: unknown plugins, wrong options and layers read before any plugin \
      writes them are errors with a fix.

      Documents are processed by -j workers (default: one per core) and results come out in \
      input order, identical at any -j. Warnings and errors go to stderr, with a progress line \
      on a terminal. Exit codes: 0 ok, 64 usage, 65 some documents failed, 66 corpus not \
      found, 78 a plugin or its options are wrong, 130 interrupted (Ctrl-C), 1 other failures.

      Examples:
        folio run Examples/news -p wordfreq
        folio run Examples/news -p wordfreq:top=10 --format tsv > words.tsv
        folio run ../shared/corpora/seeds -p kwic:word=Kolokoltsev,width=30
        folio run Examples/news -p ./my_filter.lua -p wordfreq
        folio run Examples/news -p ./my_tagger.lua -o tagged.jsonl
        folio run ../shared/corpora/novels100 -p wordfreq:top=50 -j 2 -o words.csv
        zcat news.jsonl.gz | folio run - -p ./my_tagger.lua -o - | gzip > tagged.jsonl.gz
      """)

  @Argument(help: "Corpus folders or files, or - for standard input.")
  var corpus: [String] = []

  @Option(
    help: ArgumentHelp(
      "The name of standard input's documents (folio run -): ids NAME#LINE, meta.path.",
      valueName: "NAME"))
  var stdinName = "stdin"

  @Option(
    help: ArgumentHelp(
      "The corpus's name in the reports' provenance (default: the paths given).",
      valueName: "NAME"))
  var corpusName: String?

  @Option(
    name: [.short, .customLong("plugin")],
    help: "A plugin to run, with options: NAME[:key=value,...]. Repeat for a pipeline.")
  var plugins: [String] = []

  @Option(
    help:
      "Report format: auto (a table on a terminal, TSV otherwise, or from -o's extension), table, tsv, csv, json, jsonl, markdown, html."
  )
  var format: String = "auto"

  @Option(
    name: [.short, .long],
    help:
      "Write the reports (or, with no report, the kept documents: JSONL, .conllu, .vrt, or .csv a row a token) to this file."
  )
  var output: String?

  @Option(
    help:
      "Write the kept documents, annotated, to this file (JSONL; .conllu, .vrt, .csv by extension)."
  )
  var docsOut: String?

  @Option(
    help: "Offsets in exported documents: codepoints (0-based, end-exclusive, as Python) or bytes.")
  var offsets: String = "codepoints"

  @Option(
    name: [.customShort("j", allowingJoined: true), .long],
    help: "Worker threads (default: the number of cores; -j2 works as -j 2).")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @Option(help: "Progress line on stderr: auto (on a terminal, for runs over a second) or never.")
  var progress: String = "auto"

  @Option(
    help: "Instruction budget of each plugin call (0: none; a budget costs ~15% of Lua speed).")
  var maxInstructions: UInt64 = LuaLimits.plugin.instructions

  @Option(help: "Time limit of each plugin call, in seconds (0: none).")
  var timeout: Double = LuaLimits.plugin.seconds

  @Option(help: "Memory limit of each plugin's Lua state, in MiB (0: none).")
  var maxMemory: Int = LuaLimits.plugin.memory >> 20

  @OptionGroup var reading: CorpusOptions

  @Option(help: "Process only part I of N of the corpus (1-based, contiguous, in corpus order).")
  var shard: String?

  @Option(
    help: ArgumentHelp(
      "This run's corpus is part I of N of a larger one (a Spark partition, the input piped to one task): its --save-state says so for folio merge; nothing is left out.",
      valueName: "I/N"))
  var part: String?

  @Option(
    help:
      "Write the reports' states to this file (- for standard output) instead of the reports (see folio merge)."
  )
  var saveState: String?

  @Option(
    help: ArgumentHelp(
      "Run only the first pass of plugins that read the corpus twice (entities, dedupe, ...) over this part, and write its states here (- for standard output).",
      valueName: "FILE"))
  var saveScanState: String?

  @Option(
    help: ArgumentHelp(
      "The first-pass states of all parts (files, folders, - ; repeatable): this part's run uses their merged result, as one run over the whole corpus would.",
      valueName: "STATES"))
  var scanStates: [String] = []

  @Flag(help: "Stop at the first document a plugin fails on.")
  var failFast = false

  @Option(
    help: ArgumentHelp(
      "Stop the run when its first N documents all fail with the same error (0: never).",
      valueName: "N"))
  var stopAfter = 10

  @Option(
    help: ArgumentHelp(
      "Grant a plugin a permission its plugin.toml asks for: NAME:read (files under its own folder), NAME:write=DIR (files into DIR), or both, comma-separated; * for every plugin.",
      valueName: "NAME:PERMISSIONS"))
  var allow: [String] = []

  @Flag(help: "List the plugins that names resolve to, and exit.")
  var listPlugins = false

  @Flag(name: [.short, .long], help: "Print no summary line on stderr.")
  var quiet = false

  func run() throws {
    // First thing: a SIGINT ignored by a parent (a test runner, nohup) is ignored by us too
    // until the handler is installed.
    LuaInterrupt.installHandler()
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
          "no corpus given", while: "reading the command line",
          help: "folio run CORPUS... -p PLUGIN (see folio run --help)", exit: .usage))
    }
    if let misplaced = CommandHints.pluginAsCorpus(corpus, resolver: resolver) {
      throw fail(misplaced)
    }
    let tableFormat = try tableFormat(format, output: output)
    if let docsOut {
      do {
        try ReportOutput.checkExtension(
          docsOut, option: "--docs-out", known: ReportOutput.documentExtensions)
      } catch { throw fail(error) }
    }
    guard let offsetUnit = OffsetUnit(rawValue: offsets) else {
      throw fail(
        FolioError(
          "unknown offset unit '\(offsets)'", while: "reading the command line",
          help: "use codepoints or bytes", exit: .usage))
    }
    let selected: Shard?
    let labelled: Shard?
    do {
      selected = try shard.map { (s) throws(FolioError) in try Self.shard(s, option: "--shard") }
      labelled = try part.map { (s) throws(FolioError) in try Self.shard(s, option: "--part") }
    } catch { throw fail(error) }
    if shard != nil, part != nil {
      throw fail(
        FolioError(
          "--shard and --part cannot be given together", while: "reading the command line",
          help: "--shard I/N reads part I of the corpus; --part I/N says the corpus is part I",
          exit: .usage))
    }
    guard jobs >= 1 else {
      throw fail(
        FolioError("-j must be at least 1", while: "reading the command line", exit: .usage))
    }
    guard ["auto", "never"].contains(progress) else {
      throw fail(
        FolioError(
          "unknown progress mode '\(progress)'", while: "reading the command line",
          help: "use auto or never", exit: .usage))
    }
    do {
      var references = try plugins.map { (p) throws(FolioError) in try PluginReference.parse(p) }
      if references.isEmpty, let project = try ProjectFile.pipeline(in: resolver.workingDirectory) {
        references = project
      }
      var configuration = RunConfiguration(
        corpus: corpus, plugins: references,
        limits: LuaLimits(memory: maxMemory << 20, instructions: maxInstructions, seconds: timeout),
        failFast: failFast, jobs: jobs, documentsOutput: docsOut, output: output,
        offsets: offsetUnit, shard: selected, saveState: saveState)
      configuration.part = labelled
      configuration.reader = try reading.reader()
      configuration.stdinName = stdinName
      configuration.corpusName = corpusName
      configuration.saveScanState = saveScanState
      configuration.scanStates = scanStates.isEmpty ? nil : scanStates
      try Self.checkStandardInput(corpus)
      configuration.stopAfterSameFailures = max(0, stopAfter)
      configuration.allow = try AllowOption.parse(allow)
      try Self.execute(
        configuration, resolver: resolver, format: tableFormat, showProgress: progress == "auto",
        quiet: quiet)
    } catch let error as FolioError {
      throw fail(error)
    }
  }

  /// `I/N`, as `--shard` and `--part` take it.
  static func shard(_ text: String, option: String) throws(FolioError) -> Shard {
    guard let s = Shard(text) else {
      throw FolioError(
        "\(option) must be I/N with 1 ≤ I ≤ N, got '\(text)'", while: "reading the command line",
        help: "e.g. \(option) 2/3 for the second of three parts", exit: .usage)
    }
    return s
  }

  /// Refuses `-` (standard input) given with other corpora.
  static func checkStandardInput(_ corpus: [String]) throws(FolioError) {
    if corpus.contains("-"), corpus.count > 1 {
      throw FolioError(
        "- (standard input) cannot be read with other corpora", while: "reading the command line",
        help: "run standard input on its own: folio run - ...", exit: .usage)
    }
  }

  /// Runs a pipeline with the console's progress and summary (`Runner.execute`), then exits
  /// with the run's code.
  static func execute(
    _ configuration: RunConfiguration, resolver: PluginResolver, format tableFormat: TableFormat,
    showProgress: Bool, quiet: Bool
  ) throws {
    let code = try Runner.execute(
      configuration, resolver: resolver, format: tableFormat, showProgress: showProgress,
      quiet: quiet)
    if code != 0 { throw ExitCode(code) }
  }
}

struct Merge: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Merge the states of shards into the final reports.",
    discussion: """
      Each shard of a corpus can run anywhere (GNU parallel, a Slurm array, Spark's pipe):
        folio run CORPUS -p wordfreq --shard 1/3 --save-state s1.state
        folio run CORPUS -p wordfreq --shard 2/3 --save-state s2.state
        folio run CORPUS -p wordfreq --shard 3/3 --save-state s3.state
        folio merge s1.state s2.state s3.state
      gives the same report as one run over the whole corpus. A part read from standard input \
      names itself: folio run - --part 2/3 --save-state - < part2.jsonl. States come from \
      files, folders of them (every file, by name) or - (standard input, states one after \
      another); every part of the N must be there.

      Plugins that read the corpus twice (a scan pass first: entities, dedupe, \
      strip-boilerplate) need one more step, so that each part's second pass knows the whole \
      corpus: first every part with --save-scan-state, then every part with --scan-states:
        folio run CORPUS -p entities -p wordfreq --shard 1/3 --save-scan-state scan/1
        ... (each part)
        folio run CORPUS -p entities -p wordfreq --shard 1/3 --scan-states scan \
          --save-state s1.state
        ... (each part)
        folio merge s1.state s2.state s3.state
      States are merged in shard \
      order whatever order they are given in.
      """)

  @Argument(help: "State files written by folio run --save-state, folders of them, or -.")
  var states: [String] = []

  @Option(help: "Report format (as for folio run).")
  var format: String = "auto"

  @Option(name: [.short, .long], help: "Write the reports to this file.")
  var output: String?

  @Option(
    help: ArgumentHelp(
      "Grant a plugin a permission, as for folio run (a report may write files as it finishes).",
      valueName: "NAME:PERMISSIONS"))
  var allow: [String] = []

  @Flag(name: [.short, .long], help: "Print no summary line on stderr.")
  var quiet = false

  func run() throws {
    let tableFormat = try tableFormat(format, output: output)
    do {
      let (reports, summary) = try StateMerger.merge(
        states, resolver: PluginResolver(), allow: try AllowOption.parse(allow))
      try ReportOutput.write(reports, format: tableFormat, to: output)
      if !quiet {
        Console.error(
          "folio: merged \(summary.merged) state\(summary.merged == 1 ? "" : "s"): \(summary.read) documents read, \(summary.kept) kept, \(summary.dropped) dropped, \(summary.failed) failed\n"
        )
      }
    } catch {
      throw fail(error)
    }
  }
}
