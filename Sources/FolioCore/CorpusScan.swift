import Dispatch
import Foundation

/// Reads a corpus file by file, `jobs` files at a time, and hands each file's documents to a
/// visitor in corpus order; only one batch is in memory at once.
public enum CorpusScan {
  /// One read file: its entry, documents and warnings.
  public struct File {
    public var entry: CorpusEntry
    public var documents: [Document]
    public var warnings: [CorpusWarning]
    /// The format the file was read as.
    public var format: InputFormat
  }

  private final class Slots: @unchecked Sendable {
    var files: [File?]
    var failure: CorpusError?
    let lock = NSLock()
    init(_ n: Int) { files = Array(repeating: nil, count: n) }
  }

  /// What workers compute for each document before the visitor sees it (cached on the document).
  public struct Warm: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let tokens = Warm(rawValue: 1)
    public static let sentences = Warm(rawValue: 2)
  }

  /// Reads `entries` with `reader`, `jobs` at a time, calling `visit` in order.
  public static func scan(
    _ entries: [CorpusEntry], reader: CorpusReader, jobs: Int, warm: Warm = [],
    visit: (File) throws -> Void
  ) throws {
    let batch = max(1, jobs) * 8
    var start = 0
    while start < entries.count {
      let part = Array(entries[start..<min(start + batch, entries.count)])
      let slots = Slots(part.count)
      DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, part.count))) { worker in
        var i = worker
        while i < part.count {
          var warnings: [CorpusWarning] = []
          do throws(CorpusError) {
            let documents = try reader.readAll(part[i]) { warnings.append($0) }
            for document in documents {
              if warm.contains(.tokens) { _ = document.tokens }
              if warm.contains(.sentences) { _ = document.sentences }
            }
            let name =
              part[i].id.lowercased().hasSuffix(".gz") ? String(part[i].id.dropLast(3)) : part[i].id
            let format =
              reader.options.format == .auto ? InputFormat.of(name) : reader.options.format
            let file = File(
              entry: part[i], documents: documents, warnings: warnings, format: format)
            slots.lock.withLock { slots.files[i] = file }
          } catch {
            slots.lock.withLock { slots.failure = slots.failure ?? error }
          }
          i += max(1, min(jobs, part.count))
        }
      }
      if let failure = slots.failure { throw failure }
      for file in slots.files { if let file { try visit(file) } }
      start += part.count
    }
  }
}

/// What `folio corpus info` reports about a corpus.
public struct CorpusInfo {
  public var files = 0
  public var documents = 0
  public var inputBytes = 0
  public var textBytes = 0
  public var tokens = 0
  public var words = 0
  public var sentences = 0
  /// Distinct lowercased words.
  public var types: Int { typeCounter.count }
  public var formats: [String: Int] = [:]
  public var encodings: [String: Int] = [:]
  /// Metadata fields: how many documents have each, and the first value seen, in first-seen order.
  public var fields: [(name: String, documents: Int, example: String)] = []
  public var problems: [CorpusWarning] = []
  /// Counts only what reading and tokenising give: no types, sentences or metadata fields.
  public var brief = false
  private var fieldIndex: [String: Int] = [:]
  private let typeCounter = TermCounter(capacity: 1 << 16)

  public init() {}

  /// Adds one read file.
  public mutating func add(_ file: CorpusScan.File) {
    files += 1
    inputBytes += file.entry.bytes
    formats[file.format.rawValue, default: 0] += 1
    problems += file.warnings
    var encoding = "utf-8"
    for document in file.documents {
      documents += 1
      textBytes += document.byteCount
      let tokens = document.tokens
      self.tokens += tokens.count
      words += tokens.reduce(0) { $0 + ($1.kind == .word ? 1 : 0) }
      if brief {
        if let e = document.meta["encoding"], case .string(let name) = e { encoding = name }
        continue
      }
      sentences += document.sentences.count
      document.addTokens(to: typeCounter, kinds: [.word], lower: true)
      for (key, value) in document.meta.entries {
        if key == "encoding", case .string(let e) = value { encoding = e }
        if let i = fieldIndex[key] {
          fields[i].documents += 1
        } else {
          fieldIndex[key] = fields.count
          var example = value.description
          if example.unicodeScalars.count > 40 { example = String(example.prefix(39)) + "…" }
          fields.append((key, 1, example))
        }
      }
    }
    encodings[encoding, default: 0] += 1
  }

  /// The report as aligned text.
  public func rendered() -> String {
    func n(_ x: Int) -> String {
      let digits = String(x)
      var out = ""
      for (i, c) in digits.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(c)
      }
      return String(out.reversed())
    }
    var lines: [(String, String)] = [
      ("files", n(files)),
      ("documents", n(documents)),
      ("input", "\(n(inputBytes)) bytes (\(Corpus.size(inputBytes)))"),
      ("text", "\(n(textBytes)) bytes (\(Corpus.size(textBytes)))"),
      ("tokens", n(tokens)),
      ("words", n(words)),
      ("types", "\(n(types)) (distinct lowercased words)"),
      ("sentences", n(sentences)),
      (
        "readers",
        formats.sorted { $0.key < $1.key }.map { "\($0.key) \(n($0.value))" }.joined(
          separator: ", ")
      ),
      (
        "encodings",
        encodings.sorted { $0.key < $1.key }.map { "\($0.key) \(n($0.value))" }.joined(
          separator: ", ")
      ),
    ]
    if brief { lines.removeAll { ["types", "sentences"].contains($0.0) } }
    let width = lines.map(\.0.count).max() ?? 0
    var out =
      lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
      .joined(separator: "\n") + "\n"
    if !fields.isEmpty {
      out += "\nmetadata fields (documents, example):\n"
      let w = fields.map(\.name.count).max() ?? 0
      for f in fields {
        out +=
          "  \(f.name.padding(toLength: w, withPad: " ", startingAt: 0))  \(n(f.documents))  \(f.example.replacingOccurrences(of: "\n", with: " "))\n"
      }
    }
    out +=
      "\ndecoding and reading problems: \(problems.isEmpty ? "none" : String(problems.count))\n"
    for p in problems.prefix(50) { out += "  \(p)\n" }
    if problems.count > 50 { out += "  … and \(problems.count - 50) more\n" }
    return out
  }
}
