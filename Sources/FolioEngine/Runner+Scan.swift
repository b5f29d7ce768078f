import FolioCore
import FolioLua
import Foundation
import LuaRuntime

extension Runner {
  /// The first pass of two-pass plugins: each worker runs `scan.each`; states merge in input
  /// order; `scan.finish` gives each plugin's result.
  func scan(
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
        throw FolioError("\(error)", while: "reading standard input", exit: .data)
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
  func saveScan(
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
      throw FolioError("\(error)", while: "saving the scan state", exit: .failure)
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
        "--save-scan-state and --scan-states are two steps, not one",
        while: "reading the command line",
        help: "first every part with --save-scan-state, then every part with --scan-states",
        exit: .usage)
    }
    let partial = configuration.shard != nil || configuration.part != nil
    guard partial, configuration.scanStates == nil, configuration.saveScanState == nil,
      let first = mergers.first(where: \.hasScan)
    else { return }
    throw FolioError(
      "\(ErrorCode.f125.tag) plugin '\(first.spec.name)' reads the whole corpus first (a scan pass), so a part run alone would not give what one run gives",
      while: "checking the pipeline",
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
        "\(ErrorCode.f122.tag) the scan states come from another pipeline or part count than this run",
        while: "reading the scan states",
        help:
          "give --scan-states what this pipeline's --save-scan-state wrote, for all \(part.count) parts",
        exit: .data)
    }
    var results: [LuaData?] = Array(repeating: nil, count: mergers.count)
    for (i, plugin) in mergers.enumerated() where plugin.hasScan {
      if files.count > 1, !plugin.canMerge(.scan) {
        throw FolioError(
          "\(ErrorCode.f128.tag) plugin '\(plugin.spec.name)' defines no scan.merge, so its scan cannot be split into parts",
          while: "reading the scan states",
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
