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

  /// Files read ahead of the visitor: workers claim entries in order, at most `window` ahead
  /// of the one the visitor waits for, and the visitor takes them in order.
  private final class Pipeline: @unchecked Sendable {
    let condition = NSCondition()
    var files: [File?]
    var next = 0  // the next entry a worker claims
    var visited = 0  // the entry the visitor waits for
    var failure: CorpusError?
    var stopped = false
    init(_ n: Int) { files = Array(repeating: nil, count: n) }
  }

  /// What workers compute for each document before the visitor sees it (cached on the document).
  public struct Warm: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let tokens = Warm(rawValue: 1)
    public static let sentences = Warm(rawValue: 2)
    /// How many tokens and words (without making the tokens).
    public static let tokenCounts = Warm(rawValue: 4)
  }

  /// Reads `entries` with `reader`, `jobs` at a time, calling `visit` in order.
  ///
  /// Workers read ahead while the visitor works, at most `jobs * 8` files ahead of it, so
  /// memory stays bounded and no worker waits for a batch to finish.
  public static func scan(
    _ entries: [CorpusEntry], reader: CorpusReader, jobs: Int, warm: Warm = [],
    visit: (File) throws -> Void
  ) throws {
    let jobs = max(1, min(jobs, entries.count))
    if jobs == 1 {
      for entry in entries { try visit(read(entry, reader: reader, warm: warm)) }
      return
    }
    let window = jobs * 8
    let pipeline = Pipeline(entries.count)
    let group = DispatchGroup()
    for _ in 0..<jobs {
      DispatchQueue.global().async(group: group) {
        let c = pipeline.condition
        while true {
          c.lock()
          while !pipeline.stopped && pipeline.next < entries.count
            && pipeline.next >= pipeline.visited + window
          {
            c.wait()
          }
          guard !pipeline.stopped, pipeline.next < entries.count else {
            c.unlock()
            return
          }
          let i = pipeline.next
          pipeline.next += 1
          c.unlock()
          do throws(CorpusError) {
            let file = try read(entries[i], reader: reader, warm: warm)
            c.lock()
            pipeline.files[i] = file
          } catch {
            c.lock()
            pipeline.failure = pipeline.failure ?? error
            pipeline.stopped = true
          }
          c.broadcast()
          c.unlock()
        }
      }
    }
    defer {
      pipeline.condition.lock()
      pipeline.stopped = true
      pipeline.condition.broadcast()
      pipeline.condition.unlock()
      group.wait()
    }
    let c = pipeline.condition
    for i in 0..<entries.count {
      c.lock()
      while pipeline.files[i] == nil && pipeline.failure == nil { c.wait() }
      if let failure = pipeline.failure {
        c.unlock()
        throw failure
      }
      let file = pipeline.files[i]
      pipeline.files[i] = nil
      pipeline.visited = i + 1
      c.broadcast()
      c.unlock()
      if let file { try visit(file) }
    }
  }

  private static func read(_ entry: CorpusEntry, reader: CorpusReader, warm: Warm)
    throws(CorpusError) -> File
  {
    var warnings: [CorpusWarning] = []
    let documents = try reader.readAll(entry) { warnings.append($0) }
    for document in documents {
      if warm.contains(.tokens) { _ = document.tokens }
      if warm.contains(.sentences) { _ = document.sentences }
      if warm.contains(.tokenCounts) { _ = document.tokenCounts }
    }
    let name = CorpusReader.hasGzipSuffix(entry.id) ? String(entry.id.dropLast(3)) : entry.id
    let format = reader.options.format == .auto ? InputFormat.of(name) : reader.options.format
    return File(entry: entry, documents: documents, warnings: warnings, format: format)
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
  public var types: Int { typeCounter?.count ?? 0 }
  public var formats: [String: Int] = [:]
  public var encodings: [String: Int] = [:]
  /// Metadata fields: how many documents have each, and the first value seen, in first-seen order.
  public var fields: [(name: String, documents: Int, example: String)] = []
  public var problems: [CorpusWarning] = []
  /// Counts only what reading and tokenising give: no types, sentences or metadata fields.
  public var brief = false
  private var fieldIndex: [String: Int] = [:]
  /// Made by the first full (not brief) `add`: a brief count has no use for its 2 MB table.
  private var typeCounter: Counter?

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
      // A full count makes the tokens (the types below need them); a brief one only counts.
      if !brief { _ = document.tokens }
      let counts = document.tokenCounts
      tokens += counts.tokens
      words += counts.words
      if brief {
        if let e = document.meta["encoding"], case .string(let name) = e { encoding = name }
        continue
      }
      sentences += document.sentences.count
      let counter = typeCounter ?? Counter(capacity: 1 << 16)
      typeCounter = counter
      document.addTokens(to: counter, kinds: [.word], lower: true)
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
