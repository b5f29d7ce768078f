import FolioCore
import FolioLua
import Foundation
import LuaRuntime

/// Runs a pipeline of plugins over a corpus on worker threads, with results in input order.
///
/// The corpus is cut into chunks of consecutive documents. Workers take chunks in order; each
/// worker owns one VM per plugin, created on its own thread (DESIGN.md §2.5). The calling
/// thread takes chunk results in input order: it prints diagnostics, writes documents and
/// merges each chunk's report states (copied as plain data) with the plugin's `merge`. So the
/// output is the same at any `-j`, provided `merge` is associative.
public final class Runner {
  public let configuration: RunConfiguration
  public let resolver: PluginResolver
  /// Receives each diagnostic line (warnings, document errors) in input order.
  public var diagnostic: (String) -> Void
  /// Receives progress (documents and bytes done, bytes in all, and the pass: nil for the
  /// main pass, "scan (NAME)" for the first pass of two-pass plugins) at most 10 times a
  /// second.
  public var progress: ((Int, Int, Int, String?) -> Void)?

  public init(
    _ configuration: RunConfiguration, resolver: PluginResolver = PluginResolver(),
    diagnostic: @escaping (String) -> Void = { _ in }
  ) {
    self.configuration = configuration
    self.resolver = resolver
    self.diagnostic = diagnostic
  }

  /// A plugin ready to be loaded on any thread.
  struct Loadable: Sendable {
    var spec: PluginSpec
    var source: String
    var options: [(String, String)]
    var grants: Grants
  }

  /// Resolves every plugin and loads it once here (checking manifests and options) before any document is read.
  ///
  /// The instances returned merge and finish the reports.
  func loadPlugins() throws(FolioError) -> ([Loadable], [PluginInstance]) {
    if configuration.plugins.isEmpty && configuration.index == nil {
      throw FolioError(
        "no plugin given", while: "starting the run",
        help: "add -p PLUGIN, e.g. -p wordfreq (folio run --list-plugins lists them)", exit: .usage)
    }
    var loadables: [Loadable] = []
    var instances: [PluginInstance] = []
    var written: Set<String> = []
    var names: [String] = []
    for reference in configuration.plugins {
      let (spec, source) = try resolver.resolve(reference.target)
      let options = reference.options.map { ($0.key, $0.value) }
      let grants = try Self.grants(for: spec, configuration.allow)
      names.append(spec.name)
      do {
        let instance = try PluginInstance(
          spec: spec, source: source, rawOptions: options, limits: configuration.limits,
          grants: grants)
        for layer in instance.spec.reads where !written.contains(layer) {
          let writers =
            written.isEmpty
            ? "no earlier plugin writes a layer"
            : "earlier plugins write: " + written.sorted().joined(separator: ", ")
          throw FolioError(
            "\(ErrorCode.f105.tag) plugin '\(instance.spec.name)' reads layer '\(layer)', which no earlier plugin writes (\(writers))",
            while: "checking the pipeline",
            help: "add a tagger that writes '\(layer)' before '\(instance.spec.name)'",
            exit: .config)
        }
        written.formUnion(instance.spec.writes ?? [])
        instances.append(instance)
        loadables.append(
          Loadable(spec: instance.spec, source: source, options: options, grants: grants))
      } catch let error as PluginError {
        throw FolioError(error)
      } catch let error as FolioError {
        throw error
      } catch {
        throw FolioError("\(error)")
      }
    }
    for name in configuration.allow.keys.sorted() where name != "*" && !names.contains(name) {
      throw FolioError(
        "\(ErrorCode.f141.tag) --allow names plugin '\(name)', which is not in the pipeline",
        while: "checking permissions",
        help: "the pipeline: " + names.joined(separator: ", "), exit: .usage)
    }
    return (loadables, instances)
  }

  /// Refuses two outputs that would share standard output: the reports printed there (or
  /// `-o -`), documents (`-o -` with no report, `--docs-out -`) and `--save-state -`.
  static func checkStandardOutput(_ configuration: RunConfiguration, hasReport: Bool)
    throws(FolioError)
  {
    var users: [String] = []
    if hasReport, configuration.saveState == nil, (configuration.output ?? "-") == "-" {
      users.append("the reports")
    }
    if configuration.documentsOutput == "-" { users.append("the documents") }
    if configuration.saveState == "-" { users.append("the states (--save-state -)") }
    guard users.count > 1 else { return }
    throw FolioError(
      "\(users.joined(separator: " and ")) would share standard output",
      while: "checking the outputs",
      help: "send all but one of them to a file (-o FILE, --docs-out FILE, --save-state FILE)",
      exit: .usage)
  }

  /// What `allow` grants `spec`, checked against what its manifest asks for: a permission
  /// asked and not granted is F140; one granted by name and not asked is F141.
  public static func grants(for spec: PluginSpec, _ allow: [String: Grants]) throws(FolioError)
    -> Grants
  {
    let named = allow[spec.name]
    var grants = named ?? Grants()
    if let all = allow["*"] {
      grants.read = grants.read || all.read
      grants.writeFolder = grants.writeFolder ?? all.writeFolder
    }
    for permission in spec.permissions where !grants.granted.contains(permission) {
      throw FolioError(
        "\(ErrorCode.f140.tag) plugin '\(spec.name)' asks for permission '\(permission.rawValue)' (to \(permission.meaning)), which was not granted",
        while: "checking permissions",
        help: "grant it with \(permission.grantHint(spec.name)) if you trust the plugin",
        exit: .config)
    }
    for permission in named?.granted ?? [] where !spec.permissions.contains(permission) {
      throw FolioError(
        "\(ErrorCode.f141.tag) --allow grants '\(permission.rawValue)' to plugin '\(spec.name)', which does not ask for it",
        while: "checking permissions",
        help: spec.permissions.isEmpty
          ? "'\(spec.name)' asks for no permissions: leave out --allow"
          : "'\(spec.name)' asks for: " + spec.permissions.map(\.rawValue).joined(separator: ", "),
        exit: .usage)
    }
    // Only what the plugin asks for is passed on.
    return Grants(
      read: grants.read && spec.permissions.contains(.read),
      writeFolder: spec.permissions.contains(.write) ? grants.writeFolder : nil)
  }

  /// Runs the pipeline: plan, scan (two-pass plugins), work, finish.
  public func run() throws(FolioError) -> RunSummary {
    let start = Date()
    let plan = try makePlan()
    defer { plan.spool?.remove() }
    let configuration = plan.configuration
    if let path = configuration.saveScanState {
      return try saveScan(
        to: path, feed: plan.feed(), totalBytes: plan.totalBytes, jobs: plan.jobs,
        loadables: plan.loadables, mergers: plan.mergers, pipeline: plan.pipeline,
        part: plan.part, start: start)
    }
    let output = try openOutput(plan)
    let scanResults: [LuaData?]
    do {
      scanResults = try scanPhase(plan)
    } catch {
      output?.cancel()
      throw error
    }
    var tally = Tally(plan)
    if LuaInterrupt.isRequested {
      tally.summary.interrupted = true
    } else {
      do { try work(plan, output: output, scanResults: scanResults, into: &tally) } catch {
        output?.cancel()
        throw error
      }
    }
    if tally.summary.interrupted || LuaInterrupt.isRequested {
      tally.summary.interrupted = true
      output?.cancel()
      tally.summary.seconds = Date().timeIntervalSince(start)
      return tally.summary
    }
    do { try finish(plan, output: output, tally: &tally) } catch {
      output?.cancel()
      throw error
    }
    do { try output?.commit() } catch {
      throw FolioError("\(error)", while: "writing documents", exit: .failure)
    }
    tally.summary.pluginSeconds = zip(plan.loadables.map(\.spec.name), tally.seconds).map {
      ($0, $1)
    }
    tally.summary.seconds = Date().timeIntervalSince(start)
    return tally.summary
  }

  /// What the plan phase decided before any document is read.
  struct Plan {
    /// The run's configuration, with the documents' output settled.
    var configuration: RunConfiguration
    var loadables: [Loadable]
    /// The instances that merge and finish the reports and scans.
    var mergers: [PluginInstance]
    var entries: [CorpusEntry]
    var chunks: [[CorpusEntry]]
    var jobs: Int
    var totalBytes: Int
    /// Some plugin cannot merge: the corpus is one chunk on one worker.
    var whole: Bool
    /// Standard input copied for a second pass, or nil.
    var spool: StandardInputSpool?
    var pipeline: [StateFile.Plugin]
    var part: Shard
    /// No output takes the documents (no report, no --docs-out, no index, no state).
    var unwritten: Bool

    /// The chunks of one pass: the planned ones, or standard input read as it comes (from the
    /// start of its spooled copy when the run reads it twice).
    func feed() -> ChunkFeed {
      guard configuration.readsStandardInput else { return ChunkFeed(chunks) }
      return ChunkFeed(
        RecordStream(
          fd: spool?.open() ?? STDIN_FILENO, name: configuration.stdinName,
          format: Runner.streamFormat(configuration.reader), options: configuration.reader,
          chunkBytes: whole ? .max : 1 << 20, chunkRecords: whole ? .max : 1000),
        owned: spool != nil)
    }
  }

  /// Loads the plugins, lists the corpus and cuts it into chunks for the workers.
  func makePlan() throws(FolioError) -> Plan {
    let (loadables, mergers) = try loadPlugins()
    var configuration = self.configuration
    let hasReport = mergers.contains(where: { $0.spec.kind == .report })
    if configuration.documentsOutput == nil, let path = configuration.output, !hasReport {
      configuration.documentsOutput = path
    }
    try Self.checkStandardOutput(configuration, hasReport: hasReport)
    let unwritten =
      configuration.documentsOutput == nil && configuration.index == nil
      && configuration.saveState == nil && !hasReport
    var entries: [CorpusEntry] = []
    if configuration.readsStandardInput {
      try Self.checkStream(configuration)
    } else {
      do {
        entries = try CorpusReader(options: configuration.reader).list(configuration.corpus) {
          diagnostic("Warning: \($0)")
        }
      } catch {
        throw FolioError(error)
      }
    }
    if let shard = configuration.shard { entries = Array(shard.select(entries)) }
    if let only = configuration.only { entries = entries.filter { only.contains($0.id) } }

    var jobs =
      configuration.readsStandardInput
      ? configuration.jobs : min(configuration.jobs, max(1, entries.count))
    let unmergeable = mergers.filter {
      ($0.spec.kind == .report && !$0.canMerge()) || ($0.hasScan && !$0.canMerge(.scan))
    }
    if jobs > 1, let first = unmergeable.first {
      diagnostic(
        "Note: plugin '\(first.spec.name)' defines no merge(a, b), so its documents cannot be split: running on one worker"
      )
      jobs = 1
    }
    // Standard input is read as it comes, or, when this run reads the corpus twice (a scan
    // pass, then the main one), copied to a temporary file that each pass reads from its start.
    var spool: StandardInputSpool?
    let twoPasses =
      mergers.contains(where: \.hasScan) && configuration.scanStates == nil
      && configuration.saveScanState == nil
    if configuration.readsStandardInput, twoPasses {
      do { spool = try StandardInputSpool() } catch {
        throw FolioError("\(error)", while: "reading standard input", exit: .failure)
      }
    }
    let pipeline = zip(configuration.plugins, loadables).map { reference, loadable in
      StateFile.Plugin(
        target: reference.target, name: loadable.spec.name, version: loadable.spec.version,
        options: reference.options)
    }
    let plan = Plan(
      configuration: configuration, loadables: loadables, mergers: mergers, entries: entries,
      chunks: Self.plan(entries, jobs: jobs, split: unmergeable.isEmpty), jobs: jobs,
      totalBytes: entries.reduce(0) { $0 + $1.bytes }, whole: !unmergeable.isEmpty,
      spool: spool, pipeline: pipeline,
      part: configuration.part ?? configuration.shard ?? Shard(index: 1, count: 1),
      unwritten: unwritten)
    do { try Self.checkScanParts(configuration, mergers: mergers) } catch {
      spool?.remove()
      throw error
    }
    return plan
  }

  /// Opens where the documents go (a file, a folder or an index), and starts the reports.
  func openOutput(_ plan: Plan) throws(FolioError) -> DocumentSink? {
    let configuration = plan.configuration
    var output: DocumentSink?
    if let path = configuration.index {
      output = .index(
        IndexSink(
          path: path, plugins: configuration.plugins.map(\.description),
          sources: IndexManifest.Source.of(plan.entries),
          root: configuration.only == nil ? IndexManifest.folderRoot(configuration.corpus) : nil,
          reader: configuration.reader))
    } else if let path = configuration.documentsOutput {
      do { output = try DocumentSink(path: path) } catch {
        throw FolioError("\(error)", while: "opening the output", exit: .failure)
      }
    }
    for plugin in plan.mergers where plugin.spec.kind == .report {
      do { try plugin.startReport() } catch {
        output?.cancel()
        throw FolioError(error, exit: .failure)
      }
    }
    return output
  }

  /// Two-pass plugins: their scan runs over the whole corpus first (or comes from the parts'
  /// saved scan states); its result reaches every worker of the second pass as ctx.scan.
  func scanPhase(_ plan: Plan) throws(FolioError) -> [LuaData?] {
    if let paths = plan.configuration.scanStates {
      return try Self.mergeScans(
        paths, mergers: plan.mergers, pipeline: plan.pipeline, part: plan.part)
    }
    guard plan.mergers.contains(where: \.hasScan) else {
      return Array(repeating: nil, count: plan.mergers.count)
    }
    return try scan(
      feed: plan.feed(), totalBytes: plan.totalBytes, jobs: plan.jobs,
      loadables: plan.loadables, mergers: plan.mergers, configuration: plan.configuration
    ).results
  }

  /// What the work phase gathered from the workers' results.
  struct Tally {
    var summary = RunSummary()
    /// Seconds each plugin took, and how many documents reached it.
    var seconds: [Double]
    var seen: [Int]
    var fingerprint = Fingerprint()

    init(_ plan: Plan) {
      summary.documentsUnwritten = plan.unwritten
      summary.jobs = plan.jobs
      seconds = Array(repeating: 0, count: plan.loadables.count)
      seen = Array(repeating: 0, count: plan.loadables.count)
    }
  }

  /// The main pass: workers run the pipeline over the chunks; here, in input order, each
  /// chunk's documents are counted and written and its report states merged.
  func work(
    _ plan: Plan, output: DocumentSink?, scanResults: [LuaData?], into tally: inout Tally
  ) throws(FolioError) {
    let configuration = plan.configuration
    let work = Work(
      feed: plan.feed(), plugins: plan.loadables, configuration: configuration,
      writeDocuments: output != nil, writeTexts: output?.wantsTexts ?? false,
      maxAhead: 2 * plan.jobs + 2, pass: .main, scanResults: scanResults)
    let threads = work.start(plan.jobs)
    var seenErrors: [String: Int] = [:]
    var order: [String] = []
    var fatal: FolioError?
    var lastProgress = Date.distantPast

    var index = -1
    chunkLoop: while true {
      index += 1
      var result: ChunkResult?
      while result == nil {
        switch work.waitForResult(index) {
        case .ready(let r): result = r
        case .interrupted:
          tally.summary.interrupted = true
          break chunkLoop
        case .stopped, .finished:
          break chunkLoop
        case .waiting(let docs, let bytes):
          if let progress, Date().timeIntervalSince(lastProgress) >= 0.1 {
            progress(docs, bytes, plan.totalBytes, nil)
            lastProgress = Date()
          }
        }
      }
      guard let result else { break }
      if let error = result.fatal {
        fatal = FolioError(error, exit: .failure)
        break
      }
      if let error = result.readError {
        fatal = FolioError("\(error)", while: "reading standard input", exit: .data)
        break
      }
      for outcome in result.outcomes {
        for w in outcome.warnings {
          tally.summary.warnings += 1
          diagnostic("Warning: \(w)")
        }
        tally.summary.bytes += outcome.bytes
        switch outcome.status {
        case .kept:
          tally.summary.read += 1
          tally.summary.kept += 1
          if let output {
            do {
              try output.write(outcome)
            } catch {
              fatal = FolioError("\(error)", while: "writing documents", exit: .failure)
              break chunkLoop
            }
          }
        case .dropped:
          tally.summary.read += 1
          tally.summary.dropped += 1
        case .skipped:
          tally.summary.skipped += 1
        case .failed(let message, let key, let readOK):
          if readOK { tally.summary.read += 1 }
          tally.summary.failed += 1
          if let n = seenErrors[key] {
            seenErrors[key] = n + 1
          } else {
            seenErrors[key] = 0
            order.append(key)
            // Under --fail-fast the first failure is the run's error, printed once below.
            if !configuration.failFast { diagnostic("Error: \(message)") }
          }
        }
      }
      for (i, s) in result.seconds.enumerated() { tally.seconds[i] += s }
      for (i, n) in result.seen.enumerated() { tally.seen[i] += n }
      tally.fingerprint.add(result.fingerprint)
      for (i, state) in result.states.enumerated() {
        guard let state else { continue }
        do { try plan.mergers[i].mergeState(state) } catch {
          fatal = FolioError(error, exit: .failure)
          break chunkLoop
        }
      }
      work.merged(index)
    }
    work.stop()
    threads.join()
    if fatal == nil, let abort = work.abortReason {
      fatal = FolioError(abort.message, help: abort.help, exit: .data)
    }

    let aborted = work.abortReason != nil
    for key in order where (seenErrors[key] ?? 0) > 0 && !aborted {
      let n = seenErrors[key] ?? 0
      diagnostic("(the same error happened in \(n) more document\(n == 1 ? "" : "s"): \(key))")
    }
    if let fatal { throw fatal }
  }

  /// The reports' tables with their provenance, or the run's state for `folio merge`.
  func finish(_ plan: Plan, output: DocumentSink?, tally: inout Tally) throws(FolioError) {
    let configuration = plan.configuration
    let summary = tally.summary
    let provenance = RunProvenance(
      corpus: configuration.corpusName.map { [$0] } ?? configuration.corpus,
      reading: RunProvenance.flags(configuration.reader),
      read: summary.read, fingerprint: tally.fingerprint,
      pipeline: zip(configuration.plugins, plan.mergers).map {
        RunProvenance.step(
          $0, name: $1.spec.name, version: $1.spec.version, files: $1.fileDigests())
      })
    guard let path = configuration.saveState else {
      for (i, plugin) in plan.mergers.enumerated() where plugin.spec.kind == .report {
        do {
          var report = try plugin.finish()
          provenance.apply(to: &report, seen: tally.seen[i])
          tally.summary.reports.append(report)
        } catch {
          throw FolioError(error, exit: .failure)
        }
      }
      return
    }
    do {
      let states = try plan.mergers.map { p throws(PluginError) in
        p.spec.kind == .report ? try p.exportState() : nil
      }
      var file = StateFile(
        shard: plan.part, plugins: plan.pipeline, states: states, read: summary.read,
        kept: summary.kept, dropped: summary.dropped, failed: summary.failed)
      file.provenance = provenance
      file.seen = tally.seen
      let out = try AtomicFile(path: path)
      try out.write(file.encoded())
      try out.commit()
    } catch let error as PluginError {
      throw FolioError(error, exit: .failure)
    } catch {
      throw FolioError("\(error)", while: "saving the state", exit: .failure)
    }
  }

}
