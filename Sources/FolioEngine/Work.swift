import FolioCore
import FolioLua
import Foundation
import LuaRuntime

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
