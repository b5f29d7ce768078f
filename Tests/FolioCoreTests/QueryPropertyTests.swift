import Foundation
import Testing

@testable import FolioCore

/// Random queries over random small documents: the compiled matcher must give exactly the hits
/// of a deliberately naive evaluator, which computes every (start, end) pair a pattern can match
/// by set recursion over the syntax tree and then applies the strategy's definition.
@Suite("CQL queries: the matcher against a naive evaluator") struct QueryPropertyTests {
  struct Random {
    var state: UInt64
    mutating func next(_ n: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(n))
    }
    mutating func chance(_ percent: Int) -> Bool { next(100) < percent }
  }

  static let words = ["a", "b", "ab", "ba", "A", "é"]
  static let tags = ["N", "V", "ADJ"]

  static func document(_ r: inout Random) -> Document {
    var text = ""
    var tokens: [Token] = []
    var pos = TokenColumn()
    let n = 1 + r.next(24)
    for _ in 0..<n {
      let w = words[r.next(words.count)]
      if !text.isEmpty { text += " " }
      let start = text.utf8.count
      text += w
      tokens.append(Token(start: start, end: text.utf8.count, kind: .word))
      pos.append(tags[r.next(tags.count)])
    }
    let doc = Document(id: "r", text: text)
    doc.setWords(tokens, columns: [("pos", pos)])
    // Sentences: consecutive runs; entities: random, possibly overlapping spans.
    var i = 0
    while i < n {
      let len = 1 + r.next(6)
      let j = min(n, i + len)
      doc.add(Span(start: Int(tokens[i].start), end: Int(tokens[j - 1].end)), to: "sentence")
      i = j
    }
    for _ in 0..<r.next(5) {
      let a = r.next(n)
      let b = min(n - 1, a + r.next(3))
      doc.add(
        Span(
          start: Int(tokens[a].start), end: Int(tokens[b].end), label: r.chance(50) ? "X" : "Y"),
        to: "entity")
    }
    return doc
  }

  static func value(_ r: inout Random) -> String {
    ["a", "b", "ab", "a.*", ".*a", "a|b", "[ab]+", "é", "A", "."][r.next(10)]
  }

  static func test(_ r: inout Random, depth: Int = 0) -> String {
    switch r.next(depth > 1 ? 3 : 6) {
    case 0: return "word=\"\(value(&r))\"\(r.chance(30) ? "%c" : "")"
    case 1: return "pos\(r.chance(30) ? "!=" : "=")\"\(tags[r.next(tags.count)])\""
    case 2: return "lower=\"\(value(&r))\"\(r.chance(20) ? "%d" : "")"
    case 3: return "!\(test(&r, depth: depth + 1))"
    case 4: return "(\(test(&r, depth: depth + 1)) & \(test(&r, depth: depth + 1)))"
    default: return "(\(test(&r, depth: depth + 1)) | \(test(&r, depth: depth + 1)))"
    }
  }

  static func item(_ r: inout Random, depth: Int) -> String {
    var s: String
    switch r.next(depth > 1 ? 3 : 8) {
    case 0: s = "[]"
    case 1: s = "\"\(words[r.next(words.count)])\"\(r.chance(30) ? "%c" : "")"
    case 2: s = "[\(test(&r))]"
    case 3: s = "(\(pattern(&r, depth: depth + 1)) | \(pattern(&r, depth: depth + 1)))"
    case 4: s = "(\(pattern(&r, depth: depth + 1)))"
    case 5: return r.chance(50) ? "<entity label=\"X\"/>" : "<entity/>"
    case 6: return r.chance(50) ? "<s>" : "<entity>"
    default: return r.chance(50) ? "</s>" : "</entity>"
    }
    // A group of tags alone takes no token and cannot repeat (the parser says so).
    let takesTokens = s.contains("[") || s.contains("\"") || s.contains("/>")
    switch takesTokens ? r.next(8) : 7 {
    case 0: s += "?"
    case 1: s += "*"
    case 2: s += "+"
    case 3:
      let lo = r.next(3)
      s += r.chance(50) ? "{\(lo)}" : "{\(lo),\(lo + r.next(3))}"
    default: break
    }
    return s
  }

  static func pattern(_ r: inout Random, depth: Int = 0) -> String {
    (0...r.next(3)).map { _ in item(&r, depth: depth) }.joined(separator: " ")
  }

  static func query(_ r: inout Random) -> String {
    var q = pattern(&r)
    switch r.next(6) {
    case 0: q += " within s"
    case 1: q += " within <entity>"
    case 2: q = "<entity/> containing \(pattern(&r))"
    default: break
    }
    return q
  }

  // MARK: The naive evaluator

  struct Naive {
    let doc: Document
    let tokens: [Token]
    let words: [String]
    let pos: [String]

    init(_ doc: Document) {
      self.doc = doc
      tokens = doc.tokens
      let text = Array(doc.text.utf8)
      words = tokens.map { String(decoding: text[Int($0.start)..<Int($0.end)], as: UTF8.self) }
      pos = (0..<tokens.count).map { doc.tokenAttribute("pos", at: $0) ?? "" }
    }

    /// Token ranges of a layer's spans meeting the conditions (tokens wholly inside).
    func spans(_ s: CQLStructure) -> [Range<Int>] {
      doc.spans(s.layer).compactMap { span in
        for c in s.conditions {
          let ok = (span.label.map { whole($0, c.value, c.flags) } ?? false) != c.negated
          if !ok { return nil }
        }
        let inside = tokens.indices.filter {
          Int(tokens[$0].start) >= span.start && Int(tokens[$0].end) <= span.end
        }
        guard let a = inside.first, let b = inside.last else { return nil }
        return a..<(b + 1)
      }
    }

    func whole(_ value: String, _ pattern: String, _ flags: CQLFlags) -> Bool {
      var v = value
      var p = pattern
      if flags.ignoreDiacritics {
        v = v.folding(options: .diacriticInsensitive, locale: nil)
        p = p.folding(options: .diacriticInsensitive, locale: nil)
      }
      guard var re = try? _StringProcessing.Regex<AnyRegexOutput>("^(?:" + p + ")$") else {
        return false
      }
      if flags.ignoreCase { re = re.ignoresCase() }
      return v.wholeMatch(of: re) != nil
    }

    func holds(_ t: CQLTest, _ i: Int) -> Bool {
      switch t {
      case .any: return true
      case .not(let x): return !holds(x, i)
      case .and(let l): return l.allSatisfy { holds($0, i) }
      case .or(let l): return l.contains { holds($0, i) }
      case .compare(let a, let negated, let v, let f):
        let value = a == "pos" ? pos[i] : a == "lower" ? words[i].lowercased() : words[i]
        return whole(value, v, f) != negated
      }
    }

    func ends(_ node: CQLNode, from starts: Set<Int>) -> Set<Int> {
      var out = Set<Int>()
      for i in starts { out.formUnion(ends(node, i)) }
      return out
    }

    func ends(_ node: CQLNode, _ i: Int) -> Set<Int> {
      switch node {
      case .token(let t, _): return i < tokens.count && holds(t, i) ? [i + 1] : []
      case .sequence(let l):
        var at: Set<Int> = [i]
        for x in l { at = ends(x, from: at) }
        return at
      case .alternation(let l): return l.reduce(into: Set<Int>()) { $0.formUnion(ends($1, i)) }
      case .repeated(let x, let lo, let hi):
        var out = Set<Int>()
        var at: Set<Int> = [i]
        var seen = Set<Int>()
        var k = 0
        while true {
          if k >= lo { out.formUnion(at) }
          if let hi, k >= hi { break }
          if k >= lo && at.isSubset(of: seen) { break }
          if k >= lo { seen.formUnion(at) }
          at = ends(x, from: at)
          k += 1
          if at.isEmpty { break }
        }
        return out
      case .open(let s): return spans(s).contains { $0.lowerBound == i } ? [i] : []
      case .close(let layer):
        return spans(CQLStructure(layer: layer, conditions: [])).contains { $0.upperBound == i }
          ? [i] : []
      case .region(let s, let inner):
        return Set(
          spans(s).filter { r in
            r.lowerBound == i && (inner.map { ends($0, i).contains(r.upperBound) } ?? true)
          }.map(\.upperBound))
      }
    }

    func hits(_ q: CQLQuery, strategy: QueryStrategy, maxLength: Int) -> [QueryHit] {
      let within = q.within.map { spans($0) }
      var found: [QueryHit] = []
      var usedEnds = Set<Int>()
      var furthest = -1
      for s in tokens.indices {
        let candidates = ends(q.pattern, s).filter { e in
          e > s && e - s <= maxLength
            && within.allSatisfy { list in
              list.contains { $0.lowerBound <= s && $0.upperBound >= e }
            }
        }
        guard let e = strategy == .longest ? candidates.max() : candidates.min() else { continue }
        switch strategy {
        case .standard: if !usedEnds.insert(e).inserted { continue }
        case .longest:
          if e <= furthest { continue }
          furthest = e
        case .shortest: break
        }
        found.append(QueryHit(start: s, end: e))
      }
      if strategy == .shortest {
        found = found.filter { h in
          !found.contains { $0 != h && $0.start >= h.start && $0.end <= h.end }
        }
      }
      for (negated, inner) in q.containing {
        let sub = CQLQuery(source: q.source, pattern: inner)
        let innerHits = hits(sub, strategy: .standard, maxLength: maxLength)
        found = found.filter { h in
          innerHits.contains { $0.start >= h.start && $0.end <= h.end } != negated
        }
      }
      return found
    }
  }

  @Test(
    "1,500 random queries give the naive evaluator's hits under each strategy, with and without an index"
  )
  func randomQueries() throws {
    var r = Random(state: 20_261_207)
    var checked = 0
    var withHits = 0
    // The documents are indexed in groups of 50; each is queried in the index too.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-qp-\(UUID())")
    defer { try? FileManager.default.removeItem(at: folder) }
    var index: CorpusIndex? = nil
    var group: [Document] = []
    for round in 0..<500 {
      if round % 50 == 0 {
        group = (0..<50).map { _ in Self.document(&r) }
        let builder = IndexBuilder()
        builder.postingsAbove = 0  // every attribute gets postings, to test them
        // Every other index keeps positions only for values on at most 5 tokens.
        if round % 100 == 0 { builder.postingsMost = 5 }
        for d in group { try builder.add(IndexRecord.encode(d)) }
        let path = folder.appendingPathComponent("i\(round)").path
        try builder.write(to: path, plugins: [], sources: [])
        index = try CorpusIndex(path: path)
      }
      let doc = group[round % 50]
      let cql = Self.query(&r)
      let query: CQLQuery
      do { query = try CQLQuery(cql) } catch {
        Issue.record("the generated query \(cql) does not parse: \(error)")
        continue
      }
      let naive = Naive(doc)
      for strategy in QueryStrategy.allCases {
        let program: QueryProgram
        do { program = try QueryProgram(query, strategy: strategy, maxLength: 8) } catch {
          break  // a query that takes no tokens
        }
        let found = try program.hits(in: doc)
        let got = found.map { QueryHit(start: $0.start, end: $0.end) }
        let want = naive.hits(query, strategy: strategy, maxLength: 8)
        #expect(got == want, "\(strategy) \(cql) on \(doc.text)")
        if let index {
          let indexed = try program.hits(in: index, document: round % 50)
          #expect(indexed == found, "index: \(strategy) \(cql) on \(doc.text)")
          // Again with start positions read from postings wherever they can be.
          let eager = try QueryProgram(query, strategy: strategy, maxLength: 8)
          eager.postingsRatio = 0
          let fromPostings = try eager.hits(in: index, document: round % 50)
          #expect(fromPostings == found, "postings: \(strategy) \(cql) on \(doc.text)")
        }
        checked += 1
        if !want.isEmpty { withHits += 1 }
      }
    }
    #expect(checked > 1_200)
    #expect(withHits > 400, "most generated queries should find something")
  }
}
