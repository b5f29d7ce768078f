import FolioCore
import FolioLua
import Foundation
import LuaRuntime

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
