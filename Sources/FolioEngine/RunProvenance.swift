import FolioCore
import Foundation

/// What every report of a run says about the run that made it.
///
/// Beside what its plugin says of itself (plugin, version, options): the corpus (paths, how it
/// was read, how many documents, a fingerprint of their texts), the whole pipeline, the
/// documents the report saw and when it was made. A table can then be traced to exactly what
/// produced it.
public struct RunProvenance: Sendable, Equatable {
  /// The corpus paths as given.
  public var corpus: [String]
  /// The reading options that differ from the defaults, as command-line flags ("" if none).
  public var reading: String
  /// The documents read (before any filter) and their fingerprint.
  public var read: Int
  public var fingerprint: Fingerprint
  /// Every step of the pipeline: "name version key=value,...", in order.
  public var pipeline: [String]
  /// The shards merged (`folio merge`), or 0 for a run in one process.
  public var shards = 0

  public init(
    corpus: [String], reading: String, read: Int, fingerprint: Fingerprint, pipeline: [String]
  ) {
    self.corpus = corpus
    self.reading = reading
    self.read = read
    self.fingerprint = fingerprint
    self.pipeline = pipeline
  }

  /// One pipeline step as provenance names it: "name version key=value,...", then the files
  /// its options named with their hashes ("; file=names.txt sha256:HEX (21 bytes)").
  static func step(
    _ reference: PluginReference, name: String, version: String, files: [String] = []
  ) -> String {
    let options = reference.options.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    return "\(name) \(version)" + (options.isEmpty ? "" : " " + options)
      + files.map { "; " + $0 }.joined()
  }

  /// The reading options that differ from the defaults, as flags of `folio run`.
  public static func flags(_ r: ReaderOptions) -> String {
    var out: [String] = []
    if r.format != .auto { out.append("--as \(r.format.rawValue)") }
    if let f = r.textField { out.append("--text-field \(f)") }
    if let f = r.idField { out.append("--id-field \(f)") }
    if let f = r.record { out.append("--record \(f)") }
    if let e = r.encoding { out.append("--encoding \(e)") }
    if r.keepDocumentation { out.append("--keep-docs") }
    if r.keepEmpty { out.append("--keep-empty") }
    if !r.columnTypes.isEmpty {
      let types = r.columnTypes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }
      out.append("--types " + types.joined(separator: ","))
    }
    if r.maxDocumentSize != ReaderOptions.defaultMaxDocumentSize {
      out.append("--max-document-size \(r.maxDocumentSize >> 20)")
    }
    return out.joined(separator: " ")
  }

  /// The report's provenance with the run's after its plugin's own name, version, options and
  /// Folio's version: `seen` is how many documents reached the report.
  ///
  /// The time is now, or `SOURCE_DATE_EPOCH` when set (the reproducible-builds convention:
  /// outputs that must be byte-identical from run to run set it).
  public func apply(to report: inout ReportTable, seen: Int, time: Date? = nil) {
    let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init)
    let time = time ?? epoch.map { Date(timeIntervalSince1970: $0) } ?? Date()
    var out = Metadata()
    let head = ["plugin", "version", "options", "folio"]
    for key in head { if let v = report.provenance[key] { out[key] = v } }
    out["corpus"] = .string(corpus.joined(separator: " "))
    if !reading.isEmpty { out["reading"] = .string(reading) }
    out["corpus_documents"] = .integer(read)
    out["corpus_fingerprint"] = .string(fingerprint.text)
    out["documents"] = .integer(seen)
    out["pipeline"] = .list(pipeline.map { .string($0) })
    if shards > 0 { out["shards"] = .integer(shards) }
    let format = ISO8601DateFormatter()
    format.formatOptions = [.withInternetDateTime]
    out["time"] = .string(format.string(from: time))
    for (key, value) in report.provenance.entries where out[key] == nil { out[key] = value }
    report.provenance = out
  }
}
