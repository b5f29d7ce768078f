import Foundation

/// A corpus held in memory: the REPL's and `folio script`'s view of the documents (DESIGN.md §4).
///
/// Batch runs stream instead. The bulk operations (concordance, frequency list, search) run
/// here in Swift; the frequency list of lowercased words is an index built on first use and kept
/// until a document's text changes.
public final class Corpus {
  /// The documents in corpus order.
  public let documents: [Document]
  /// The paths the corpus was loaded from (for display).
  public let sources: [String]
  private var positions: [String: Int]?
  private var wordIndex: (key: Int, counter: Counter)?
  private var pending: Pending?
  /// An index of these very documents that answers `concordance(query:)` (see `attach`).
  public private(set) var index: SegmentedIndex?
  private var indexRevision = 0

  public init(documents: [Document], sources: [String]) {
    self.documents = documents
    self.sources = sources
  }

  /// A frequency index being built on other threads from copies of the texts.
  final class Pending: @unchecked Sendable {
    let key: Int
    var builder: WorkerThreads?
    // Written by the builder before it finishes; read after joining it.
    var counter: Counter?
    init(key: Int) { self.key = key }
  }

  /// Starts building the frequency list of lowercased words in the background, so that the first `freq` answers at once.
  ///
  /// The threads read copies of the texts (value types), never the documents.
  public func prepareIndex() {
    guard pending == nil, wordIndex == nil, !documents.isEmpty else { return }
    let job = Pending(key: revisionKey)
    let texts = documents.map(\.text)
    pending = job
    job.builder = WorkerThreads(count: 1) { _ in
      job.counter = Self.count(texts, kinds: [.word], lower: true)
    }
  }

  private var revisionKey: Int { documents.reduce(0) { $0 &+ $1.revision } }

  /// Counts the tokens of `texts` on all cores.
  static func count(
    _ texts: [String], kinds: Set<TokenKind>, lower: Bool,
    stop: @Sendable () -> Bool = { false }
  ) -> Counter {
    // A worker for each megabyte, up to the cores: small corpora stay on one thread, a few
    // long books spread over all of them.
    let bytes = texts.reduce(0) { $0 + $1.utf8.count }
    let workers = max(
      1, min(ProcessInfo.processInfo.activeProcessorCount, texts.count, bytes >> 20))
    final class Slot: @unchecked Sendable { var counter = Counter(capacity: 1 << 12) }
    let slots = (0..<workers).map { _ in Slot() }
    let mask = kinds.reduce(0 as UInt32) { $0 | 1 << $1.rawValue }
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      let counter = slots[w].counter
      var i = w
      while i < texts.count && !stop() {
        var text = texts[i]
        text.withUTF8 { counter.add(text: $0, mask: mask, lower: lower) }
        i += workers
      }
    }
    let total = slots[0].counter
    for slot in slots.dropFirst() { total.merge(slot.counter) }
    return total
  }

  /// Reads every document of `paths` into memory; warnings (binary files, bad records) go to `warn`.
  public static func load(
    _ paths: [String], options: ReaderOptions = ReaderOptions(),
    warn: (CorpusWarning) -> Void = { _ in }
  ) throws(CorpusError) -> Corpus {
    let reader = CorpusReader(options: options)
    var documents: [Document] = []
    for entry in try reader.list(paths, warn: warn) {
      documents += try reader.readAll(entry, warn: warn)
    }
    return Corpus(documents: documents, sources: paths)
  }

  public var count: Int { documents.count }

  /// Bytes of text in all documents.
  public var byteCount: Int { documents.reduce(0) { $0 + $1.byteCount } }

  /// The 0-based position of the document with identifier `id` (the first, when ids repeat).
  public func position(of id: String) -> Int? {
    if positions == nil {
      var map: [String: Int] = [:]
      for (i, d) in documents.enumerated() where map[d.id] == nil { map[d.id] = i }
      positions = map
    }
    return positions?[id]
  }

  /// The document with identifier `id`.
  public func document(id: String) -> Document? {
    position(of: id).map { documents[$0] }
  }

  /// A sub-corpus of the documents at `indices` (0-based), in the order given.
  public func subset(_ indices: [Int]) -> Corpus {
    Corpus(documents: indices.map { documents[$0] }, sources: sources)
  }

  /// `n` documents drawn without replacement, the same ones for the same seed, kept in corpus order.
  public func sample(_ n: Int, seed: UInt64) -> Corpus {
    var generator = SplitMix64(seed: seed)
    var order = Array(documents.indices)
    let k = max(0, min(n, order.count))
    for i in 0..<k {
      let j = i + Int(generator.next() % UInt64(order.count - i))
      order.swapAt(i, j)
    }
    return subset(order[..<k].sorted())
  }

  // MARK: Concordance

  /// One concordance line: the match and its context, in characters, with line breaks shown as spaces.
  public struct Line: Sendable, Equatable {
    /// 0-based position of the document in the corpus.
    public var document: Int
    public var id: String
    /// UTF-8 byte range of the match in the document's text.
    public var range: Range<Int>
    public var left: String
    public var match: String
    public var right: String
  }

  /// Concordance of the tokens equal to `word` (see `Document.findTokens`), `width` characters either side.
  public func concordance(
    word: String, ignoreCase: Bool = false, possessive: Bool = true, width: Int = 40,
    limit: Int = .max, stop: () -> Bool = { false }
  ) -> [Line] {
    var lines: [Line] = []
    for (i, doc) in documents.enumerated() {
      // `stop` (the deadline, Ctrl-C) is asked per document and per 256 lines: a novel can
      // hold ten thousand lines, and Ctrl-C should come back within 100 ms.
      if lines.count >= limit || stop() { break }
      let found = doc.findTokens(word, ignoreCase: ignoreCase, possessive: possessive)
      guard !found.isEmpty else { continue }
      for (k, t) in found.prefix(limit - lines.count).enumerated() {
        if k % 256 == 255 && stop() { return lines }
        lines.append(Self.line(doc, i, Int(t.start)..<Int(t.end), width: width))
      }
    }
    return lines
  }

  /// Concordance of the matches of `regex`.
  public func concordance(
    regex: RegularExpression, width: Int = 40, limit: Int = .max, stop: () -> Bool = { false }
  ) throws(RegularExpression.Failure) -> [Line] {
    var lines: [Line] = []
    for (i, doc) in documents.enumerated() {
      if lines.count >= limit || stop() { break }
      var text = doc.text
      let remaining = limit - lines.count
      let matches = try text.withUTF8 { buffer in
        Result { () throws(RegularExpression.Failure) in
          try regex.matches(buffer, trusted: true, limit: remaining, stop: stop)
        }
      }.get()
      for (k, m) in matches.enumerated() {
        if k % 256 == 255 && stop() { return lines }
        guard let whole = m[0], !whole.isEmpty else { continue }
        lines.append(Self.line(doc, i, whole, width: width))
      }
    }
    return lines
  }

  /// Lets `index` answer queries while no document changes: nil, or why it cannot (it holds
  /// other documents).
  public func attach(_ index: SegmentedIndex) -> String? {
    guard index.documentCount == documents.count else {
      return "it holds \(index.documentCount) documents, the corpus \(documents.count)"
    }
    for (g, d) in documents.enumerated() where index.documentID(g) != d.id {
      return "its document \(g + 1) is \(index.documentID(g)), the corpus's \(d.id)"
    }
    self.index = index
    indexRevision = revisionKey
    return nil
  }

  /// Concordance of the hits of a CQL query: from the attached index while no document
  /// changed and it has what the query asks (the same lines), else from the documents.
  public func concordance(
    query program: QueryProgram, width: Int = 40, limit: Int = .max, stop: () -> Bool = { false }
  ) throws(QueryFailure) -> [Line] {
    if let index, indexRevision == revisionKey,
      let lines = try? indexed(index, program, width: width, limit: limit, stop: stop)
    {
      return lines
    }
    var lines: [Line] = []
    for (i, doc) in documents.enumerated() {
      if lines.count >= limit || stop() { break }
      let tokens = doc.tokens
      for h in try program.hits(in: doc).prefix(limit - lines.count) {
        lines.append(
          Self.line(doc, i, Int(tokens[h.start].start)..<Int(tokens[h.end - 1].end), width: width))
      }
    }
    return lines
  }

  /// The lines of `concordance(query:)` from an index: hits found segment by segment (each
  /// segment's tables load once), put in corpus order, cut to `limit`.
  private func indexed(
    _ index: SegmentedIndex, _ program: QueryProgram, width: Int, limit: Int, stop: () -> Bool
  ) throws(QueryFailure) -> [Line] {
    var found: [(Int, [QueryHit])] = []
    for k in index.segments.indices {
      for d in index.documents(in: k) {
        if stop() { break }
        let hits = try program.hits(in: index.segments[k], document: d)
        if !hits.isEmpty { found.append((index.rank(k, d), hits)) }
      }
    }
    found.sort { $0.0 < $1.0 }
    var lines: [Line] = []
    for (g, hits) in found {
      if lines.count >= limit { break }
      let (k, d) = index.locate(g)
      let (starts, ends) = index.segments[k].byteRanges(of: d)
      for h in hits.prefix(limit - lines.count) {
        lines.append(Self.line(documents[g], g, starts[h.start]..<ends[h.end - 1], width: width))
      }
    }
    return lines
  }

  static func line(_ doc: Document, _ index: Int, _ range: Range<Int>, width: Int) -> Line {
    let utf8 = doc.text.utf8
    func flat(_ s: Substring.UTF8View) -> String {
      String(decoding: s, as: UTF8.self).map { $0.isNewline || $0 == "\t" ? " " : $0 }
        .reduce(into: "") { $0.append($1) }
    }
    let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
    let upper = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
    let text = doc.text
    let leftStart =
      text.index(lower, offsetBy: -width, limitedBy: text.startIndex) ?? text.startIndex
    let rightEnd = text.index(upper, offsetBy: width, limitedBy: text.endIndex) ?? text.endIndex
    return Line(
      document: index, id: doc.id, range: range,
      left: flat(text[leftStart..<lower].utf8), match: flat(text[lower..<upper].utf8),
      right: flat(text[upper..<rightEnd].utf8))
  }

  // MARK: Frequencies and search

  /// Counts of the tokens of `kinds` over the whole corpus, lowercased when `lower`.
  ///
  /// The default (lowercased words) is computed once and kept until a document changes.
  ///
  /// `stop` is asked before each document, from the counting threads: when it says so, the
  /// counts are partial and not kept.
  public func frequencies(
    kinds: Set<TokenKind> = [.word], lower: Bool = true, stop: @Sendable () -> Bool = { false }
  ) -> Counter {
    let isDefault = kinds == [.word] && lower
    let key = revisionKey
    if isDefault, let job = pending {
      job.builder?.join()
      pending = nil
      if job.key == key, let counter = job.counter { wordIndex = (key, counter) }
    }
    if isDefault, let wordIndex, wordIndex.key == key { return wordIndex.counter }
    let counter = Self.count(documents.map(\.text), kinds: kinds, lower: lower, stop: stop)
    if isDefault && !stop() { wordIndex = (key, counter) }
    return counter
  }

  /// The 0-based positions of the documents whose text `regex` matches.
  public func search(_ regex: RegularExpression, stop: () -> Bool = { false })
    throws(RegularExpression.Failure) -> [Int]
  {
    var found: [Int] = []
    for (i, doc) in documents.enumerated() {
      if stop() { break }
      var text = doc.text
      let hit = try text.withUTF8 { buffer in
        Result { () throws(RegularExpression.Failure) in
          try regex.match(buffer, from: 0, trusted: true, stop: stop) != nil
        }
      }.get()
      if hit { found.append(i) }
    }
    return found
  }
}

extension Corpus: CustomStringConvertible {
  public var description: String {
    let n = documents.count
    let from = sources.isEmpty ? "" : " from " + sources.joined(separator: ", ")
    return "<Corpus \(n) document\(n == 1 ? "" : "s"), \(Self.size(byteCount))\(from)>"
  }

  /// `1.2 MB`, `830 KB`, `12 B`.
  public static func size(_ bytes: Int) -> String {
    if bytes >= 1_000_000 { return String(format: "%.1f MB", Double(bytes) / 1e6) }
    if bytes >= 1000 { return "\(bytes / 1000) KB" }
    return "\(bytes) B"
  }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64): samples repeat across runs and platforms.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
