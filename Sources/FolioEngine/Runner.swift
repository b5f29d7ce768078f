import FolioCore
import FolioLua
import Foundation
import LuaRuntime

/// What `folio run` does: which corpus, which plugins in which order, with which limits.
public struct RunConfiguration: Sendable {
  public var corpus: [String]
  public var plugins: [PluginReference]
  public var limits: LuaLimits
  public var failFast: Bool
  /// Worker threads; each owns one VM per plugin.
  public var jobs: Int
  /// Where kept documents go, as JSONL (nil: nowhere).
  public var documentsOutput: String?
  /// `-o`: the documents when the pipeline has no report (else the caller writes the reports).
  public var output: String?
  /// How files become documents (`--as`, `--text-field`, `--id-field`).
  public var reader: ReaderOptions = ReaderOptions()
  /// Process only this part of the corpus.
  public var shard: Shard?
  /// The part of a larger corpus this whole run is (`--part I/N`: Spark's partition, the
  /// input piped to one task), named in its state for `folio merge`.
  public var part: Shard?
  /// Write the reports' states here instead of finishing them (for `folio merge`).
  public var saveState: String?
  public var offsets: OffsetUnit
  /// Permissions granted with `--allow`, by plugin name (`*`: every plugin).
  public var allow: [String: Grants] = [:]
  /// Stop the run when its first this many documents all failed with the same error (0: never).
  public var stopAfterSameFailures = 10
  /// Build a positional index of the kept documents in this folder (`folio index`).
  public var index: String?
  /// Read only the files with these ids (`folio index --update`: the new and changed ones).
  public var only: Set<String>?
  /// Run only the first pass of the plugins that have one and write its states here
  /// (`--save-scan-state`), for the parts of a corpus processed apart.
  public var saveScanState: String?
  /// The first-pass states of every part of the corpus (`--scan-states`): merged, they give
  /// the scan result this part's main pass uses, the one a single run would have.
  public var scanStates: [String]?
  /// The corpus as reports' provenance names it (`--corpus-name`; nil: the paths given).
  public var corpusName: String?
  /// The name standard input's documents take (`folio run -`): ids `NAME#LINE`, `meta.path`.
  public var stdinName = "stdin"

  /// The corpus is standard input (`folio run -`).
  public var readsStandardInput: Bool { corpus == ["-"] }

  public init(
    corpus: [String], plugins: [PluginReference], limits: LuaLimits = .plugin,
    failFast: Bool = false, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
    documentsOutput: String? = nil, output: String? = nil, offsets: OffsetUnit = .codepoints,
    shard: Shard? = nil, saveState: String? = nil
  ) {
    self.shard = shard
    self.saveState = saveState
    self.output = output
    self.corpus = corpus
    self.plugins = plugins
    self.limits = limits
    self.failFast = failFast
    self.jobs = max(1, jobs)
    self.documentsOutput = documentsOutput
    self.offsets = offsets
  }
}

/// The outcome of a run.
public struct RunSummary: Sendable {
  public var read = 0
  public var kept = 0
  public var dropped = 0
  public var failed = 0
  /// The states `folio merge` merged.
  public var merged = 0
  public var skipped = 0
  public var warnings = 0
  public var bytes = 0
  public var reports: [ReportTable] = []
  /// Seconds spent in each plugin (summed over workers), in pipeline order.
  public var pluginSeconds: [(String, Double)] = []
  public var seconds = 0.0
  public var jobs = 1
  /// The run stopped on Ctrl-C: no output was written.
  public var interrupted = false
  /// The pipeline has no report and nowhere to write documents: what it kept and annotated
  /// was thrown away (the summary says how to keep it).
  public var documentsUnwritten = false

  /// 0 when nothing failed, 65 when some documents failed, 130 when interrupted.
  public var exitCode: Int32 {
    if interrupted { return FolioError.Exit.interrupted.rawValue }
    return failed > 0 ? FolioError.Exit.data.rawValue : 0
  }

  public var line: String {
    var s =
      "\(read) document\(read == 1 ? "" : "s") read, \(kept) kept, \(dropped) dropped, \(failed) failed"
    if skipped > 0 { s += ", \(skipped) skipped" }
    s += " in " + String(format: "%.2f s", seconds)
    if seconds > 0, bytes > 0 {
      s += String(format: " (%.1f MB/s, -j %d)", Double(bytes) / 1e6 / seconds, jobs)
    }
    if !pluginSeconds.isEmpty {
      s +=
        "; "
        + pluginSeconds.map { "\($0.0) " + String(format: "%.2f s", $0.1) }.joined(separator: ", ")
    }
    if interrupted { s += "; interrupted, no output written" }
    return s
  }
}

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
        "no plugin given - while starting the run",
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
            "[F105] plugin '\(instance.spec.name)' reads layer '\(layer)', which no earlier plugin writes (\(writers)) - while checking the pipeline",
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
        "[F141] --allow names plugin '\(name)', which is not in the pipeline - while checking permissions",
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
      "\(users.joined(separator: " and ")) would share standard output - while checking the outputs",
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
        "[F140] plugin '\(spec.name)' asks for permission '\(permission.rawValue)' (to \(permission.meaning)), which was not granted - while checking permissions",
        help: "grant it with \(permission.grantHint(spec.name)) if you trust the plugin",
        exit: .config)
    }
    for permission in named?.granted ?? [] where !spec.permissions.contains(permission) {
      throw FolioError(
        "[F141] --allow grants '\(permission.rawValue)' to plugin '\(spec.name)', which does not ask for it - while checking permissions",
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

  public func run() throws(FolioError) -> RunSummary {
    var unwritten = false
    let start = Date()
    let (loadables, mergers) = try loadPlugins()
    var configuration = self.configuration
    let hasReport = mergers.contains(where: { $0.spec.kind == .report })
    if configuration.documentsOutput == nil, let path = configuration.output, !hasReport {
      configuration.documentsOutput = path
    }
    try Self.checkStandardOutput(configuration, hasReport: hasReport)
    if configuration.documentsOutput == nil, configuration.index == nil,
      configuration.saveState == nil, !hasReport
    {
      unwritten = true
    }
    var entries: [CorpusEntry] = []
    var spool: StandardInputSpool?
    defer { spool?.remove() }
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
    let chunks = Self.plan(entries, jobs: jobs, split: unmergeable.isEmpty)
    let totalBytes = entries.reduce(0) { $0 + $1.bytes }
    // Standard input is read as it comes, or, when this run reads the corpus twice (a scan
    // pass, then the main one), copied to a temporary file that each pass reads from its start.
    let twoPasses =
      mergers.contains(where: \.hasScan) && configuration.scanStates == nil
      && configuration.saveScanState == nil
    if configuration.readsStandardInput, twoPasses {
      do { spool = try StandardInputSpool() } catch {
        throw FolioError("\(error) - while reading standard input", exit: .failure)
      }
    }
    func feed() -> ChunkFeed {
      guard configuration.readsStandardInput else { return ChunkFeed(chunks) }
      // A report that cannot merge sees the whole input as one chunk.
      let whole = !unmergeable.isEmpty
      return ChunkFeed(
        RecordStream(
          fd: spool?.open() ?? STDIN_FILENO, name: configuration.stdinName,
          format: Self.streamFormat(configuration.reader), options: configuration.reader,
          chunkBytes: whole ? .max : 1 << 20, chunkRecords: whole ? .max : 1000),
        owned: spool != nil)
    }

    let pipeline = zip(configuration.plugins, loadables).map { reference, loadable in
      StateFile.Plugin(
        target: reference.target, name: loadable.spec.name, version: loadable.spec.version,
        options: reference.options)
    }
    let part = configuration.part ?? configuration.shard ?? Shard(index: 1, count: 1)
    try Self.checkScanParts(configuration, mergers: mergers)
    if let path = configuration.saveScanState {
      return try saveScan(
        to: path, feed: feed(), totalBytes: totalBytes, jobs: jobs, loadables: loadables,
        mergers: mergers, pipeline: pipeline, part: part, start: start)
    }

    var output: DocumentSink?
    if let path = configuration.index {
      output = .index(
        IndexSink(
          path: path, plugins: configuration.plugins.map(\.description),
          sources: IndexManifest.Source.of(entries),
          root: configuration.only == nil ? IndexManifest.folderRoot(configuration.corpus) : nil,
          reader: configuration.reader))
    } else if let path = configuration.documentsOutput {
      do { output = try DocumentSink(path: path) } catch {
        throw FolioError("\(error) - while opening the output", exit: .failure)
      }
    }
    for plugin in mergers where plugin.spec.kind == .report {
      do { try plugin.startReport() } catch { throw FolioError(error, exit: .failure) }
    }

    // Two-pass plugins: their scan runs over the whole corpus first; its result reaches every
    // worker of the second pass as ctx.scan.
    var scanResults: [LuaData?] = Array(repeating: nil, count: mergers.count)
    if let paths = configuration.scanStates {
      do {
        scanResults = try Self.mergeScans(
          paths, mergers: mergers, pipeline: pipeline, part: part)
      } catch {
        output?.cancel()
        throw error
      }
    } else if mergers.contains(where: \.hasScan) {
      do {
        scanResults = try scan(
          feed: feed(), totalBytes: totalBytes, jobs: jobs, loadables: loadables,
          mergers: mergers, configuration: configuration
        ).results
      } catch {
        output?.cancel()
        throw error
      }
      if LuaInterrupt.isRequested {
        output?.cancel()
        var summary = RunSummary()
        summary.documentsUnwritten = unwritten
        summary.interrupted = true
        summary.jobs = jobs
        summary.seconds = Date().timeIntervalSince(start)
        return summary
      }
    }

    let work = Work(
      feed: feed(), plugins: loadables, configuration: configuration,
      writeDocuments: output != nil, writeTexts: output?.wantsTexts ?? false,
      maxAhead: 2 * jobs + 2, pass: .main, scanResults: scanResults)
    let threads = work.start(jobs)

    var summary = RunSummary()
    summary.documentsUnwritten = unwritten
    summary.jobs = jobs
    var seconds = Array(repeating: 0.0, count: loadables.count)
    var seen = Array(repeating: 0, count: loadables.count)
    var fingerprint = Fingerprint()
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
          summary.interrupted = true
          break chunkLoop
        case .stopped, .finished:
          break chunkLoop
        case .waiting(let docs, let bytes):
          if let progress, Date().timeIntervalSince(lastProgress) >= 0.1 {
            progress(docs, bytes, totalBytes, nil)
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
        fatal = FolioError("\(error) - while reading standard input", exit: .data)
        break
      }
      for outcome in result.outcomes {
        for w in outcome.warnings {
          summary.warnings += 1
          diagnostic("Warning: \(w)")
        }
        summary.bytes += outcome.bytes
        switch outcome.status {
        case .kept:
          summary.read += 1
          summary.kept += 1
          if let output {
            do {
              try output.write(outcome)
            } catch {
              fatal = FolioError("\(error) - while writing documents", exit: .failure)
              break chunkLoop
            }
          }
        case .dropped:
          summary.read += 1
          summary.dropped += 1
        case .skipped:
          summary.skipped += 1
        case .failed(let message, let key, let readOK):
          if readOK { summary.read += 1 }
          summary.failed += 1
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
      for (i, s) in result.seconds.enumerated() { seconds[i] += s }
      for (i, n) in result.seen.enumerated() { seen[i] += n }
      fingerprint.add(result.fingerprint)
      for (i, state) in result.states.enumerated() {
        guard let state else { continue }
        do { try mergers[i].mergeState(state) } catch {
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
    if let fatal {
      output?.cancel()
      throw fatal
    }
    if summary.interrupted || LuaInterrupt.isRequested {
      summary.interrupted = true
      output?.cancel()
      summary.seconds = Date().timeIntervalSince(start)
      return summary
    }
    let provenance = RunProvenance(
      corpus: configuration.corpusName.map { [$0] } ?? configuration.corpus,
      reading: RunProvenance.flags(configuration.reader),
      read: summary.read, fingerprint: fingerprint,
      pipeline: zip(configuration.plugins, mergers).map {
        RunProvenance.step(
          $0, name: $1.spec.name, version: $1.spec.version, files: $1.fileDigests())
      })
    if let path = configuration.saveState {
      do {
        let states = try mergers.map { p throws(PluginError) in
          p.spec.kind == .report ? try p.exportState() : nil
        }
        var file = StateFile(
          shard: part, plugins: pipeline, states: states, read: summary.read, kept: summary.kept,
          dropped: summary.dropped,
          failed: summary.failed)
        file.provenance = provenance
        file.seen = seen
        let out = try AtomicFile(path: path)
        try out.write(file.encoded())
        try out.commit()
      } catch let error as PluginError {
        output?.cancel()
        throw FolioError(error, exit: .failure)
      } catch {
        output?.cancel()
        throw FolioError("\(error) - while saving the state", exit: .failure)
      }
    } else {
      for (i, plugin) in mergers.enumerated() where plugin.spec.kind == .report {
        do {
          var report = try plugin.finish()
          provenance.apply(to: &report, seen: seen[i])
          summary.reports.append(report)
        } catch {
          output?.cancel()
          throw FolioError(error, exit: .failure)
        }
      }
    }
    do { try output?.commit() } catch {
      throw FolioError("\(error) - while writing documents", exit: .failure)
    }
    summary.pluginSeconds = zip(loadables.map(\.spec.name), seconds).map { ($0, $1) }
    summary.seconds = Date().timeIntervalSince(start)
    return summary
  }

  /// The first pass of two-pass plugins: each worker runs `scan.each`; states merge in input
  /// order; `scan.finish` gives each plugin's result.
  private func scan(
    feed: ChunkFeed, totalBytes: Int, jobs: Int, loadables: [Loadable],
    mergers: [PluginInstance], configuration: RunConfiguration, export: Bool = false
  ) throws(FolioError) -> (results: [LuaData?], documents: Int) {
    let work = Work(
      feed: feed, plugins: loadables, configuration: configuration, writeDocuments: false,
      writeTexts: false, maxAhead: 2 * jobs + 2, pass: .scan, scanResults: [])
    let threads = work.start(jobs)
    defer {
      work.stop()
      threads.join()
    }
    var seen = Set<String>()
    for plugin in mergers where plugin.hasScan {
      do { try plugin.startReport(.scan) } catch { throw FolioError(error, exit: .failure) }
    }
    let phase = "scan (" + mergers.filter(\.hasScan).map(\.spec.name).joined(separator: ", ") + ")"
    var lastProgress = Date.distantPast
    var index = -1
    chunks: while true {
      index += 1
      var result: ChunkResult?
      while result == nil {
        switch work.waitForResult(index) {
        case .ready(let r): result = r
        case .interrupted, .stopped: return ([], 0)
        case .finished: break chunks
        case .waiting(let docs, let bytes):
          if let progress, Date().timeIntervalSince(lastProgress) >= 0.1 {
            progress(docs, bytes, totalBytes, phase)
            lastProgress = Date()
          }
        }
      }
      guard let result else { break }
      if let error = result.fatal { throw FolioError(error, exit: .failure) }
      if let error = result.readError {
        throw FolioError("\(error) - while reading standard input", exit: .data)
      }
      for outcome in result.outcomes {
        if case .failed(let message, let key, _) = outcome.status, seen.insert(key).inserted {
          diagnostic("Error: \(message)")
        }
      }
      for (i, state) in result.states.enumerated() {
        guard let state else { continue }
        do { try mergers[i].mergeState(state, .scan) } catch {
          throw FolioError(error, exit: .failure)
        }
      }
      work.merged(index)
    }
    let documents = work.counts.documents
    var results: [LuaData?] = []
    for plugin in mergers {
      guard plugin.hasScan else {
        results.append(nil)
        continue
      }
      if export {
        do { results.append(try plugin.exportState(.scan)) } catch {
          throw FolioError(error, exit: .failure)
        }
        continue
      }
      do {
        let data = try plugin.finishScan()
        try plugin.setScanResult(data)
        results.append(data)
      } catch {
        throw FolioError(error, exit: .failure)
      }
    }
    return (results, documents)
  }

  /// `--save-scan-state`: the first pass only, its states written for the other parts' runs
  /// (an empty list when no plugin has a first pass: nothing is read).
  private func saveScan(
    to path: String, feed: ChunkFeed, totalBytes: Int, jobs: Int, loadables: [Loadable],
    mergers: [PluginInstance], pipeline: [StateFile.Plugin], part: Shard, start: Date
  ) throws(FolioError) -> RunSummary {
    var summary = RunSummary()
    summary.jobs = jobs
    var states: [LuaData?] = Array(repeating: nil, count: mergers.count)
    if mergers.contains(where: \.hasScan) {
      (states, summary.read) = try scan(
        feed: feed, totalBytes: totalBytes, jobs: jobs, loadables: loadables, mergers: mergers,
        configuration: configuration, export: true)
      summary.bytes = totalBytes
    }
    summary.seconds = Date().timeIntervalSince(start)
    if LuaInterrupt.isRequested {
      summary.interrupted = true
      return summary
    }
    var file = StateFile(
      shard: part, plugins: pipeline, states: states, read: summary.read, kept: 0, dropped: 0,
      failed: 0)
    file.scan = true
    do {
      let out = try AtomicFile(path: path)
      try out.write(file.encoded())
      try out.commit()
    } catch {
      throw FolioError("\(error) - while saving the scan state", exit: .failure)
    }
    return summary
  }

  /// Refuses a part of a corpus (`--shard`, `--part`) run alone through a plugin with a first
  /// pass: its scan would see that part only, and the results would differ from one run's.
  static func checkScanParts(_ configuration: RunConfiguration, mergers: [PluginInstance])
    throws(FolioError)
  {
    if configuration.saveScanState != nil, configuration.scanStates != nil {
      throw FolioError(
        "--save-scan-state and --scan-states are two steps, not one - while reading the command line",
        help: "first every part with --save-scan-state, then every part with --scan-states",
        exit: .usage)
    }
    let partial = configuration.shard != nil || configuration.part != nil
    guard partial, configuration.scanStates == nil, configuration.saveScanState == nil,
      let first = mergers.first(where: \.hasScan)
    else { return }
    throw FolioError(
      "[F125] plugin '\(first.spec.name)' reads the whole corpus first (a scan pass), so a part run alone would not give what one run gives - while checking the pipeline",
      help:
        "run the scan of every part first (--save-scan-state scan-I.state), then each part with --scan-states and all of them (see folio merge --help)",
      exit: .usage)
  }

  /// The scan results of a part's run from the first-pass states of all parts: merged in part
  /// order and finished, as one run would have them.
  static func mergeScans(
    _ paths: [String], mergers: [PluginInstance], pipeline: [StateFile.Plugin], part: Shard
  ) throws(FolioError) -> [LuaData?] {
    let files = try StateMerger.load(paths, scan: true)
    if files[0].plugins != pipeline || files[0].shard.count != part.count {
      throw FolioError(
        "[F122] the scan states come from another pipeline or part count than this run - while reading the scan states",
        help:
          "give --scan-states what this pipeline's --save-scan-state wrote, for all \(part.count) parts",
        exit: .data)
    }
    var results: [LuaData?] = Array(repeating: nil, count: mergers.count)
    for (i, plugin) in mergers.enumerated() where plugin.hasScan {
      if files.count > 1, !plugin.canMerge(.scan) {
        throw FolioError(
          "[F122] plugin '\(plugin.spec.name)' defines no scan.merge, so its scan cannot be split into parts - while reading the scan states",
          exit: .data)
      }
      do {
        try plugin.startReport(.scan)
        for file in files {
          if let state = file.states[i] { try plugin.mergeState(state, .scan) }
        }
        let data = try plugin.finishScan()
        try plugin.setScanResult(data)
        results[i] = data
      } catch {
        throw FolioError(error, exit: .failure)
      }
    }
    return results
  }

  /// Cuts the corpus into chunks of consecutive documents: about three per worker (one worker
  /// needs no balancing), between 256 KB and 64 MB and at most 2,000 documents each, so that
  /// workers stay busy, memory stays bounded and few states need copying and merging.
  ///
  /// A small corpus is still cut into at least two chunks a worker when it has the documents:
  /// by bytes alone, 24 short articles made one chunk, and a slow plugin (a model, a remote
  /// lookup) ran on one worker whatever `-j` said.
  static func plan(_ entries: [CorpusEntry], jobs: Int, split: Bool) -> [[CorpusEntry]] {
    guard split else { return entries.isEmpty ? [] : [entries] }
    let total = entries.reduce(0) { $0 + $1.bytes }
    let target = jobs == 1 ? 64 << 20 : min(64 << 20, max(256 << 10, total / (jobs * 2)))
    let most = jobs == 1 ? 2000 : min(2000, max(1, (entries.count + jobs * 2 - 1) / (jobs * 2)))
    var chunks: [[CorpusEntry]] = []
    var current: [CorpusEntry] = []
    var bytes = 0
    for entry in entries {
      current.append(entry)
      bytes += entry.bytes
      if bytes >= target || current.count >= most {
        chunks.append(current)
        current = []
        bytes = 0
      }
    }
    if !current.isEmpty { chunks.append(current) }
    return chunks
  }
}

/// What happened to one document.
struct DocumentOutcome: Sendable {
  enum Status: Sendable {
    case kept, dropped, skipped
    /// The message, the same error without the document it hit (to group repeats), and
    /// whether the document was read before it failed.
    case failed(String, key: String, read: Bool)
  }
  var status: Status
  var warnings: [String] = []
  var id = ""
  /// The id of the file the document came from.
  var source = ""
  var json: [UInt8]?
  /// The (edited) text, when documents go to a folder.
  var text: [UInt8]?
  var bytes = 0
}

/// Where kept documents go: one JSONL file, or a folder with each document's text at its id and its record beside it (`<id>.json`).
///
/// Both appear only when the run succeeds.
enum DocumentSink {
  case jsonl(AtomicFile)
  case folder(AtomicDirectory)
  /// CoNLL-U, VRT or token CSV: each document's record as it is.
  case vertical(AtomicFile)
  /// A positional index (`folio index`).
  case index(IndexSink)

  /// How each document is written: a JSON record, CoNLL-U, VRT, CSV rows of tokens, or an
  /// index record.
  enum Record: Sendable { case json, conllu, vrt, tokens, index }

  /// The record the path's extension asks for (`.conllu`, `.vrt`, `.csv`: a row a token; JSON
  /// otherwise).
  static func record(for path: String?) -> Record {
    switch path.map({ URL(fileURLWithPath: $0).pathExtension.lowercased() }) {
    case "conllu": .conllu
    case "vrt": .vrt
    case "csv": .tokens
    default: .json
    }
  }

  /// A folder when the path ends in `/` or names an existing folder; a CoNLL-U, VRT or token
  /// CSV file by its extension; a JSONL file otherwise.
  init(path: String) throws(AtomicFile.Failure) {
    var isDir: ObjCBool = false
    if path.hasSuffix("/")
      || (FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue)
    {
      self = .folder(try AtomicDirectory(path: path))
    } else if Self.record(for: path) != .json {
      let file = try AtomicFile(path: path)
      if Self.record(for: path) == .tokens { try file.write(Document.tokenHeader) }
      self = .vertical(file)
    } else {
      self = .jsonl(try AtomicFile(path: path))
    }
  }

  var wantsTexts: Bool {
    if case .folder = self { return true }
    return false
  }

  func write(_ outcome: DocumentOutcome) throws(AtomicFile.Failure) {
    guard let json = outcome.json else { return }
    switch self {
    case .jsonl(let file):
      try file.write(json)
      try file.write(byte: 0x0A)
    case .vertical(let file):
      try file.write(json)
    case .folder(let dir):
      try dir.write(outcome.id, outcome.text ?? [])
      try dir.write(outcome.id + ".json", json + [0x0A])
    case .index(let sink):
      try sink.add(json, source: outcome.source)
    }
  }

  func commit() throws(AtomicFile.Failure) {
    switch self {
    case .jsonl(let file), .vertical(let file): try file.commit()
    case .folder(let dir): try dir.commit()
    case .index(let sink): try sink.commit()
    }
  }

  func cancel() {
    switch self {
    case .jsonl(let file), .vertical(let file): file.cancel()
    case .folder(let dir): dir.cancel()
    case .index: break
    }
  }
}

/// Feeds kept documents to an index builder, in corpus order, and writes the index when the
/// run succeeds.
final class IndexSink {
  let path: String
  let plugins: [String]
  let sources: [IndexManifest.Source]
  let root: String?
  let reader: ReaderOptions
  let builder = IndexBuilder()
  private let sourceNumbers: [String: Int]

  init(
    path: String, plugins: [String], sources: [IndexManifest.Source], root: String?,
    reader: ReaderOptions
  ) {
    self.path = path
    self.plugins = plugins
    self.sources = sources
    self.root = root
    self.reader = reader
    sourceNumbers = Dictionary(
      sources.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { a, _ in a })
    // English text runs about 5 bytes a token (word or punctuation); more is reserved later
    // if needed.
    builder.reserve(tokens: sources.reduce(0) { $0 + $1.bytes } / 4)
  }

  func add(_ record: [UInt8], source: String) throws(AtomicFile.Failure) {
    do { try builder.add(record, source: sourceNumbers[source] ?? 0) } catch {
      throw AtomicFile.Failure(path: path, reason: error.message)
    }
  }

  func commit() throws(AtomicFile.Failure) {
    do {
      try builder.write(
        to: path, plugins: plugins, sources: sources, root: root, reader: reader)
    } catch {
      throw AtomicFile.Failure(path: path, reason: error.message)
    }
  }
}

/// What a worker made of one chunk.
struct ChunkResult: Sendable {
  var outcomes: [DocumentOutcome] = []
  /// Each plugin's report state for this chunk (nil for filters and taggers).
  var states: [LuaData?] = []
  var seconds: [Double] = []
  /// How many documents reached each plugin, and the fingerprint of the chunk's documents.
  var seen: [Int] = []
  var fingerprint = Fingerprint()
  /// A failure that stops the run (a plugin that cannot load or copy its state).
  var fatal: PluginError?
  /// Standard input could not be read.
  var readError: String?
}

/// The shared work list of a run: chunks handed out in order, results collected by index.
final class Work: @unchecked Sendable {
  enum Wait {
    case ready(ChunkResult)
    case waiting(Int, Int)
    case interrupted
    /// The workers stopped before taking this chunk.
    case stopped
    /// The corpus ended before this chunk.
    case finished
  }

  private let condition = NSCondition()
  /// Taken by the worker that reads the next chunk (held while it reads standard input).
  private let feedLock = NSLock()
  private let feed: ChunkFeed
  /// The feed has no more chunks: `next` is their number.
  private var exhausted = false
  private let plugins: [Runner.Loadable]
  private let configuration: RunConfiguration
  private let writeDocuments: Bool
  private let writeTexts: Bool
  /// How documents are written (`DocumentSink.record`).
  private let record: DocumentSink.Record
  private let maxAhead: Int
  private let pass: PluginInstance.Pass
  private let scanResults: [LuaData?]
  private var next = 0
  private var mergedUpTo = -1
  private var results: [Int: ChunkResult] = [:]
  private var stopped = false
  /// Why the workers stopped before the end (--fail-fast, or the first documents all failing
  /// the same way): the message and its help.
  private var abort: (message: String, help: String)?
  private var outcomesSeen = 0
  private var sameFailures = 0
  private var firstFailure: String?
  private var documentsDone = 0
  private var bytesDone = 0

  init(
    feed: ChunkFeed, plugins: [Runner.Loadable], configuration: RunConfiguration,
    writeDocuments: Bool, writeTexts: Bool, maxAhead: Int, pass: PluginInstance.Pass,
    scanResults: [LuaData?]
  ) {
    self.writeTexts = writeTexts
    self.pass = pass
    self.scanResults = scanResults
    self.feed = feed
    self.plugins = plugins
    self.configuration = configuration
    self.writeDocuments = writeDocuments
    self.maxAhead = maxAhead
    record =
      configuration.index != nil ? .index : DocumentSink.record(for: configuration.documentsOutput)
    feed.shouldStop = { [unowned self] in self.isStopped || LuaInterrupt.isRequested }
  }

  private var isStopped: Bool {
    condition.lock()
    defer { condition.unlock() }
    return stopped
  }

  func stop() {
    condition.lock()
    stopped = true
    condition.broadcast()
    condition.unlock()
  }

  /// Why the run stopped early, if it did.
  var abortReason: (message: String, help: String)? {
    condition.lock()
    defer { condition.unlock() }
    return abort
  }

  /// Records a document's outcome; returns whether the workers should stop now.
  ///
  /// `failure` is the error's message and key. A worker asks after every document, so
  /// `--fail-fast` stops within one document, not at the end of every chunk.
  func record(failure: (message: String, key: String)?) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    if stopped { return true }
    if let failure {
      if configuration.failFast {
        abort = (failure.message, "the run stopped at the first failure (--fail-fast)")
      } else if sameFailures == outcomesSeen, firstFailure == nil || firstFailure == failure.key {
        firstFailure = failure.key
        sameFailures += 1
      }
    }
    outcomesSeen += 1
    let limit = configuration.stopAfterSameFailures
    if abort == nil, limit > 0, sameFailures == outcomesSeen, sameFailures >= limit {
      abort = (
        "the first \(limit) documents all failed with the same error, so the run stopped: \(firstFailure ?? "")",
        "fix the plugin and run again; --stop-after 0 goes on whatever fails"
      )
    }
    if abort != nil {
      stopped = true
      condition.broadcast()
    }
    return stopped
  }

  func merged(_ index: Int) {
    condition.lock()
    mergedUpTo = index
    results[index] = nil
    condition.broadcast()
    condition.unlock()
  }

  func waitForResult(_ index: Int) -> Wait {
    condition.lock()
    defer { condition.unlock() }
    if let r = results[index] { return .ready(r) }
    if LuaInterrupt.isRequested { return .interrupted }
    if stopped && index >= next { return .stopped }
    if exhausted && index >= next { return .finished }
    _ = condition.wait(until: Date().addingTimeInterval(0.1))
    if let r = results[index] { return .ready(r) }
    if stopped && index >= next { return .stopped }
    if exhausted && index >= next { return .finished }
    return .waiting(documentsDone, bytesDone)
  }

  /// Takes the next chunk and its index, waiting while the workers are too far ahead of the
  /// merging; nil when there is none left or the run stopped.
  private func take() -> (Int, [CorpusEntry])? {
    feedLock.lock()
    defer { feedLock.unlock() }
    condition.lock()
    while !stopped, !exhausted, next - mergedUpTo > maxAhead, !LuaInterrupt.isRequested {
      _ = condition.wait(until: Date().addingTimeInterval(0.1))
    }
    guard !stopped, !exhausted, !LuaInterrupt.isRequested else {
      condition.unlock()
      return nil
    }
    condition.unlock()
    // The read happens outside the condition, so that the merging thread goes on meanwhile.
    let chunk: Result<[CorpusEntry]?, CorpusError>
    do { chunk = .success(try feed.next()) } catch { chunk = .failure(error) }
    condition.lock()
    defer { condition.unlock() }
    switch chunk {
    case .success(let entries?):
      next += 1
      return (next - 1, entries)
    case .success(nil):
      exhausted = true
    case .failure(let error):
      results[next] = ChunkResult(readError: "\(error)")
      next += 1
      exhausted = true
    }
    condition.broadcast()
    return nil
  }

  private func deliver(_ index: Int, _ result: ChunkResult) {
    condition.lock()
    results[index] = result
    condition.broadcast()
    condition.unlock()
  }

  /// The documents and bytes read so far.
  var counts: (documents: Int, bytes: Int) {
    condition.lock()
    defer { condition.unlock() }
    return (documentsDone, bytesDone)
  }

  private func count(_ bytes: Int, documents: Int = 1) {
    condition.lock()
    documentsDone += documents
    bytesDone += bytes
    condition.unlock()
  }

  /// A plugin error without the document it hit, to group the same failure across documents.
  static func key(_ error: PluginError) -> String {
    var e = error
    e.activity = nil
    return e.description
  }

  /// Starts `jobs` worker threads.
  func start(_ jobs: Int) -> WorkerThreads {
    WorkerThreads(count: jobs) { _ in self.workerLoop() }
  }

  /// A worker: loads its own instances, then processes chunks until none are left.
  func workerLoop() {
    var instances: [PluginInstance] = []
    for (i, p) in plugins.enumerated() {
      do {
        let instance = try PluginInstance(
          spec: p.spec, source: p.source, rawOptions: p.options, limits: configuration.limits,
          grants: p.grants)
        if i < scanResults.count, let data = scanResults[i] { try instance.setScanResult(data) }
        instances.append(instance)
      } catch {
        if let (index, _) = take() { deliver(index, ChunkResult(fatal: error)) }
        return
      }
    }
    let reader = CorpusReader(options: configuration.reader)
    while let (index, chunk) = take() {
      deliver(index, process(chunk, instances, reader))
    }
  }

  /// The first pass over a chunk: documents as read go to every `scan.each`.
  private func scanChunk(
    _ chunk: [CorpusEntry], _ instances: [PluginInstance], _ reader: CorpusReader
  )
    -> ChunkResult
  {
    var result = ChunkResult()
    for plugin in instances where plugin.hasScan {
      do { try plugin.startReport(.scan) } catch {
        result.fatal = error
        return result
      }
    }
    for entry in chunk {
      if LuaInterrupt.isRequested { break }
      let documents = (try? reader.readAll(entry, warn: { _ in })) ?? []
      defer { count(entry.bytes, documents: documents.count) }
      for document in documents {
        for plugin in instances where plugin.hasScan {
          do { try plugin.each(document, .scan) } catch {
            if LuaInterrupt.isRequested { break }
            result.outcomes.append(
              DocumentOutcome(status: .failed(error.description, key: Self.key(error), read: true)))
          }
          plugin.closeDocument()
        }
      }
    }
    for plugin in instances {
      guard plugin.hasScan else {
        result.states.append(nil)
        continue
      }
      do { result.states.append(try plugin.exportState(.scan, handOff: true)) } catch {
        result.fatal = error
        return result
      }
    }
    return result
  }

  private func process(
    _ chunk: [CorpusEntry], _ instances: [PluginInstance], _ reader: CorpusReader
  )
    -> ChunkResult
  {
    var result = ChunkResult()
    result.seconds = Array(repeating: 0, count: instances.count)
    result.seen = Array(repeating: 0, count: instances.count)
    if pass == .scan { return scanChunk(chunk, instances, reader) }
    for plugin in instances where plugin.spec.kind == .report {
      do { try plugin.startReport() } catch {
        result.fatal = error
        return result
      }
    }
    entries: for entry in chunk {
      if LuaInterrupt.isRequested { break }
      var warnings: [String] = []
      let read: [Document]
      do {
        read = try reader.readAll(entry) { warnings.append($0.description) }
      } catch {
        result.outcomes.append(
          DocumentOutcome(
            status: .failed("\(error) - while reading the corpus", key: "\(error)", read: false),
            warnings: warnings))
        if record(failure: ("\(error) - while reading the corpus", "\(error)")) { break entries }
        continue
      }
      count(entry.bytes)
      if read.isEmpty {
        result.outcomes.append(DocumentOutcome(status: .skipped, warnings: warnings))
        continue
      }
      // A JSONL file holds many documents: its warnings and bytes go with the first.
      documents: for (number, document) in read.enumerated() {
        result.fingerprint.add(.document(id: document.id, text: document.text))
        var outcome = DocumentOutcome(
          status: .kept, warnings: number == 0 ? warnings : [], bytes: number == 0 ? entry.bytes : 0
        )
        for (i, plugin) in instances.enumerated() {
          let t0 = DispatchTime.now().uptimeNanoseconds
          defer { result.seconds[i] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
          result.seen[i] += 1
          do {
            switch plugin.spec.kind ?? .report {
            case .filter:
              if try !plugin.filter(document) {
                for plugin in instances { plugin.closeDocument() }
                outcome.status = .dropped
                result.outcomes.append(outcome)
                if record(failure: nil) { break entries }
                continue documents
              }
            case .tagger: try plugin.tag(document)
            case .report: try plugin.each(document)
            }
          } catch {
            for plugin in instances { plugin.closeDocument() }
            if LuaInterrupt.isRequested { break entries }
            outcome.status = .failed(error.description, key: Self.key(error), read: true)
            result.outcomes.append(outcome)
            if record(failure: (error.description, Self.key(error))) { break entries }
            continue documents
          }
        }
        for plugin in instances { plugin.closeDocument() }
        if record(failure: nil) { break entries }
        if writeDocuments {
          outcome.id = document.id
          switch record {
          case .json: outcome.json = document.jsonRecord(offsets: configuration.offsets)
          case .conllu: outcome.json = document.conllu()
          case .vrt: outcome.json = document.vrt()
          case .tokens: outcome.json = document.tokenRows(offsets: configuration.offsets)
          case .index:
            outcome.json = IndexRecord.encode(document)
            outcome.source = entry.id
          }
          if writeTexts { outcome.text = Array(document.text.utf8) }
        }
        result.outcomes.append(outcome)
      }
    }
    for plugin in instances {
      guard plugin.spec.kind == .report else {
        result.states.append(nil)
        continue
      }
      do { result.states.append(try plugin.exportState(handOff: true)) } catch {
        result.fatal = error
        return result
      }
    }
    return result
  }
}
