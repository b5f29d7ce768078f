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
