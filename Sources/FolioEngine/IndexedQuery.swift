import FolioCore
import Foundation

/// `folio query` over an index: the tables the `hits` and `kwic` reports make from a scan,
/// made from the index's streams without reading or tagging a document.
public struct IndexedQuery {
  public let index: SegmentedIndex
  public let query: CQLQuery
  public let strategy: QueryStrategy
  /// Worker threads, each with its own compiled query.
  public var jobs = 1
  /// Asked between documents: Ctrl-C.
  public var stop: @Sendable () -> Bool = { false }

  public init(index: SegmentedIndex, query: CQLQuery, strategy: QueryStrategy) {
    self.index = index
    self.query = query
    self.strategy = strategy
  }

  /// The hits of every document, in corpus order (document number, its hits).
  public func hits() throws(QueryFailure) -> [(Int, [QueryHit])] {
    // Each worker takes every `workers`-th document of each segment into a slot of its own
    // (a program loads a segment's tables once).
    let index = self.index
    let documents = index.segments.indices.map { index.documents(in: $0) }
    let n = documents.reduce(0) { $0 + $1.count }
    let workers = max(1, min(jobs, n))
    final class Slot: @unchecked Sendable {
      var found: [(Int, [QueryHit])] = []
      var failure: (Int, QueryFailure)?
    }
    let slots = (0..<workers).map { _ in Slot() }
    let query = self.query
    let strategy = self.strategy
    let stop = self.stop
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      let slot = slots[w]
      guard let program = try? QueryProgram(query, strategy: strategy) else { return }
      for (k, list) in documents.enumerated() {
        let segment = index.segments[k]
        var i = w
        while i < list.count, !stop() {
          let d = list[i]
          do throws(QueryFailure) {
            let hits = try program.hits(in: segment, document: d)
            if !hits.isEmpty { slot.found.append((index.rank(k, d), hits)) }
          } catch {
            slot.failure = (index.rank(k, d), error)
            return
          }
          i += workers
        }
      }
    }
    // The first failure in corpus order, else every document's hits in corpus order.
    if let failure = slots.compactMap(\.failure).min(by: { $0.0 < $1.0 }) { throw failure.1 }
    return slots.flatMap(\.found).sorted { $0.0 < $1.0 }
  }

  /// The words of the corpus (tokens of kind word), as the reports divide by.
  public func words() -> Int { index.wordCount }

  private func perMillion(_ n: Int, _ words: Int) -> MetaValue {
    words > 0 ? .number((Double(n) * 1e7 / Double(words) + 0.5).rounded(.down) / 10) : .integer(0)
  }

  private func provenance(_ extra: [(String, MetaValue)]) -> Metadata {
    var p = Metadata()
    for (k, v) in extra.sorted(by: { $0.0 < $1.0 }) { p[k] = v }
    p["index"] = .string(index.path)
    p["index_plugins"] = .list(index.manifest.plugins.map { .string($0) })
    return p
  }

  /// `--count`: the `hits` report without `by`.
  public func count() throws(QueryFailure) -> ReportTable {
    let found = try hits()
    let total = found.reduce(0) { $0 + $1.1.count }
    let words = self.words()
    var t = ReportTable(
      title: "hits of \(query.source)", columns: ["hits", "documents", "per_million"],
      rows: [[.integer(total), .integer(found.count), perMillion(total, words)]])
    t.provenance = provenance(
      [
        ("query", .string(query.source)), ("strategy", .string(strategy.rawValue)),
        ("words", .integer(words)),
        ("per_million", .string("hits * 1,000,000 / words in the corpus")),
      ])
    return t
  }

  /// `--group-by`: the `hits` report with `by`.
  ///
  /// Hits are first grouped by value numbers (no strings per hit), then each distinct group
  /// is written out once and groups that read the same (`lower`) are added together.
  public func groups(by: [String], top: Int) throws(QueryFailure) -> ReportTable {
    let found = try hits()
    let labels = query.labels
    enum Part {
      case tokens(attribute: Int, lower: Bool)
      case at(attribute: Int, lower: Bool, label: Int)
      case meta(String)
    }
    // Per segment, a reader of each attribute named (value numbers are the segment's own).
    var readers: [[(id: (Int) -> Int, value: (Int) -> String)]] = index.segments.map { _ in [] }
    func reader(_ attribute: String) throws(QueryFailure) -> Int {
      let name = attribute == "lower" ? "word" : attribute
      for (k, segment) in index.segments.enumerated() {
        guard let r = segment.reader(name) else {
          if segment.tokenCount == 0 {
            readers[k].append(({ _ in 0 }, { _ in "" }))
            continue
          }
          throw QueryFailure(
            "the index \(index.path) has no token attribute '\(attribute)' - build it with the tagger that sets it: folio index CORPUS -p pos"
          )
        }
        readers[k].append(r)
      }
      return readers[0].count - 1
    }
    var parts: [Part] = []
    for name in by {
      if name.hasPrefix("meta.") {
        parts.append(.meta(String(name.dropFirst(5))))
      } else if let dot = name.firstIndex(of: ".") {
        let label = String(name[..<dot])
        let attribute = String(name[name.index(after: dot)...])
        let k: Int
        if label == "match" {
          k = -1
        } else if label == "matchend" {
          k = -2
        } else if let i = labels.firstIndex(of: label) {
          k = i
        } else {
          throw QueryFailure(
            "'\(name)' names no label of the query (labels: \((["match", "matchend"] + labels).joined(separator: ", ")))"
          )
        }
        parts.append(.at(attribute: try reader(attribute), lower: attribute == "lower", label: k))
      } else {
        parts.append(.tokens(attribute: try reader(name), lower: name == "lower"))
      }
    }
    var metaNumbers = ValueNumbers()
    var byNumbers: [[Int]: Int] = [:]
    // One or two single values a hit (match.lemma, a.pos, meta.folder) and few segments: the
    // key is one integer, 21 bits a value, not an array.
    let packed =
      parts.count <= 2 && index.segments.count < 256
      && parts.allSatisfy {
        if case .tokens = $0 { return false }
        return true
      }
    var byPacked: [Int: Int] = [:]
    var total = 0
    var key: [Int] = []
    for (g, hits) in found {
      let (segment, d) = index.locate(g)
      let base = index.segments[segment].tokens(of: d).lowerBound
      var meta: [String: String]? = nil
      for h in hits {
        total += 1
        key.removeAll(keepingCapacity: true)
        // Value numbers are read in the hit's segment: its number leads the key.
        key.append(segment)
        for part in parts {
          switch part {
          case .tokens(let r, _):
            key.append(h.end - h.start)
            for p in (base + h.start)..<(base + h.end) { key.append(readers[segment][r].id(p)) }
          case .at(let r, _, let k):
            let at = k == -1 ? h.start : k == -2 ? h.end - 1 : h.labels[k]
            key.append(at < 0 ? -1 : readers[segment][r].id(base + at))
          case .meta(let field):
            if meta == nil { meta = Dictionary(index.metadata(g), uniquingKeysWith: { a, _ in a }) }
            key.append(metaNumbers.number(meta?[field] ?? ""))
          }
        }
        if packed, key.allSatisfy({ $0 + 1 < 1 << 21 }) {
          byPacked[key.reduce(0) { $0 << 21 | ($1 + 1) }, default: 0] += 1
        } else {
          byNumbers[key, default: 0] += 1
        }
      }
    }
    var counts: [String: Int] = [:]
    for (code, n) in byPacked {
      var numbers: [Int] = []
      var rest = code
      for _ in 0...parts.count {
        numbers.append((rest & (1 << 21 - 1)) - 1)
        rest >>= 21
      }
      byNumbers[Array(numbers.reversed()), default: 0] += n
    }
    for (numbers, n) in byNumbers {
      let segment = numbers[0]
      var i = 1
      var columns: [String] = []
      for part in parts {
        switch part {
        case .tokens(let r, let lower):
          let count = numbers[i]
          let words = numbers[(i + 1)..<(i + 1 + count)].map { id -> String in
            let v = readers[segment][r].value(id)
            return lower ? v.lowercased() : v
          }
          columns.append(words.joined(separator: " "))
          i += 1 + count
        case .at(let r, let lower, _):
          let id = numbers[i]
          let v = id < 0 ? "" : readers[segment][r].value(id)
          columns.append(lower ? v.lowercased() : v)
          i += 1
        case .meta:
          columns.append(metaNumbers.values[numbers[i]])
          i += 1
        }
      }
      counts[columns.joined(separator: "\t"), default: 0] += n
    }
    let ranked = Self.ranked(counts)
    let words = self.words()
    var rows: [[MetaValue?]] = []
    for (i, (key, n)) in ranked.enumerated() {
      if top > 0 && i >= top { break }
      var row: [MetaValue?] = key.split(separator: "\t", omittingEmptySubsequences: false).map {
        .string(String($0))
      }
      row.append(.integer(n))
      row.append(perMillion(n, words))
      rows.append(row)
    }
    var t = ReportTable(
      title:
        "hits of \(query.source) by \(by.joined(separator: ", ")) (\(total) hits, \(ranked.count) groups)",
      columns: by + ["hits", "per_million"], rows: rows)
    t.provenance = provenance(
      [
        ("query", .string(query.source)), ("strategy", .string(strategy.rawValue)),
        ("words", .integer(words)), ("hits", .integer(total)), ("groups", .integer(ranked.count)),
        ("per_million", .string("hits * 1,000,000 / words in the corpus")),
      ])
    return t
  }

  /// Groups most frequent first, ties in byte order of their keys (as `folio.counter`
  /// ranks them).
  static func ranked(_ counts: [String: Int]) -> [(String, Int)] {
    var items = counts.map { (key: $0.key, bytes: Array($0.key.utf8) + [0], n: $0.value) }
    items.sort { a, b in
      if a.n != b.n { return a.n > b.n }
      // The terminating 0 makes a prefix sort first, as in byte order.
      return a.bytes.withUnsafeBufferPointer { x in
        b.bytes.withUnsafeBufferPointer { y in
          memcmp(
            x.baseAddress.unsafelyUnwrapped, y.baseAddress.unsafelyUnwrapped, min(x.count, y.count))
            < 0
        }
      }
    }
    return items.map { ($0.key, $0.n) }
  }

  /// The concordance `kwic` prints with `width` characters of context (its default layout).
  public func concordance(width: Int) throws(QueryFailure) -> ReportTable {
    let found = try hits()
    var rows: [[MetaValue?]] = []
    for (d, hits) in found {
      let (text, starts, ends) = index.text(of: d)
      let span = width * 4 + 8
      for h in hits {
        let first = starts[h.start]
        let last = ends[h.end - 1]
        let left = Self.tail(
          Self.flat(Self.wholeCharacters(text[max(0, first - span)..<first])), width)
        let right = Self.head(
          Self.flat(Self.wholeCharacters(text[last..<min(text.count, last + span)])), width)
        let pad = String(repeating: " ", count: max(0, width - left.unicodeScalars.count))
        rows.append([
          .string(index.documentID(d)), .integer(first + 1), .string(pad + left),
          .string(String(decoding: text[first..<last], as: UTF8.self)), .string(right),
        ])
      }
    }
    var t = ReportTable(
      title: "kwic \(query.source)", columns: ["document", "position", "left", "keyword", "right"],
      rows: rows)
    t.provenance = provenance([("lines", .integer(rows.count)), ("shown", .integer(rows.count))])
    return t
  }

  /// Bytes without a partial UTF-8 character at either edge (the window is cut in bytes).
  static func wholeCharacters(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var s = bytes
    while let b = s.first, b & 0xC0 == 0x80 { s = s.dropFirst() }
    if let lead = s.lastIndex(where: { $0 >= 0xC0 }) {
      let b = s[lead]
      let need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
      if s.endIndex - lead < need { s = s[s.startIndex..<lead] }
    }
    return s
  }

  /// Runs of ASCII white space as one space (Lua's `%s+`).
  static func flat(_ bytes: ArraySlice<UInt8>) -> String {
    var out: [UInt8] = []
    var inSpace = false
    for b in bytes {
      if b == 0x20 || (0x09...0x0D).contains(b) {
        if !inSpace { out.append(0x20) }
        inSpace = true
      } else {
        out.append(b)
        inSpace = false
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func tail(_ s: String, _ n: Int) -> String {
    let scalars = s.unicodeScalars
    guard scalars.count > n else { return s }
    var v = String.UnicodeScalarView()
    v.append(contentsOf: scalars.suffix(n))
    return String(v)
  }

  static func head(_ s: String, _ n: Int) -> String {
    var v = String.UnicodeScalarView()
    v.append(contentsOf: s.unicodeScalars.prefix(n))
    return String(v)
  }
}
