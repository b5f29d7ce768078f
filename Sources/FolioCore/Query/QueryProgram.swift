import Foundation

/// One hit of a query in a document: token positions (half-open) and the positions of its
/// labels.
public struct QueryHit: Sendable, Equatable {
  /// Index of the first token.
  public var start: Int
  /// One past the last token.
  public var end: Int
  /// Token index of each of the query's labels (`CQLQuery.labels`), -1 when unset.
  public var labels: [Int]

  public init(start: Int, end: Int, labels: [Int] = []) {
    self.start = start
    self.end = end
    self.labels = labels
  }
}

/// Which of the matches that overlap a query keeps (CQP's `MatchingStrategy`).
public enum QueryStrategy: String, Sendable, CaseIterable {
  /// CQP's default: the shortest match from each start; of matches ending at the same token,
  /// the one that starts first (`[pos="ADJ"]+ [pos="NOUN"]` gives "big red car" once).
  case standard
  /// The longest match from each start, leaving out matches inside another.
  case longest
  /// The shortest matches, leaving out matches that contain another.
  case shortest
}

/// A query failed on a document (an attribute its tokens lack) or could not be compiled (a
/// value that is not a regular expression).
public struct QueryFailure: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// A compiled query, for one thread: regular expressions, caches of which values match, and
/// the matching machine (a Pike VM over token positions: every way through the pattern is
/// followed in step, so no query backtracks exponentially).
///
/// Not thread-safe: each thread compiles its own from the (Sendable) `CQLQuery`.
public final class QueryProgram {
  public let query: CQLQuery
  public let strategy: QueryStrategy
  /// The most tokens a hit may span (CQP's hard boundary).
  public let maxLength: Int

  private enum Inst {
    case test(Int)
    case any
    case split(Int, Int)
    case jump(Int)
    case save(Int)
    case open(Int)
    case close(Int)
    case region(Int, inner: Int?)
    case accept
  }

  /// Where a compared value comes from.
  private enum Source: Equatable {
    case word, lower, norm, kind
    case column(String)

    var name: String {
      switch self {
      case .word: "word"
      case .lower: "lower"
      case .norm: "norm"
      case .kind: "kind"
      case .column(let n): n
      }
    }
  }

  /// One comparison of a token test (`pos="ADJ"`), with its caches of answers.
  ///
  /// Its caches are touched once per token: they skip Swift's run-time exclusivity checks (a
  /// program belongs to one thread and no access to them overlaps another).
  private final class Atom {
    let source: Source
    let matcher: ValueMatcher
    /// A plain word compared as bytes, with no regular expression and no cache (ASCII letters
    /// lowered when `caseless`); nil when the value is a pattern.
    let literal: UnsafeMutableBufferPointer<UInt8>?
    let caseless: Bool
    /// By interned word number: 0 not yet known, 1 no, 2 yes.
    @exclusivity(unchecked) var byWord: [UInt8] = []
    @exclusivity(unchecked) var byValue: [String: Bool] = [:]
    /// For a column: the current document's codes and answers by code.
    @exclusivity(unchecked) var codes: [UInt32] = []
    @exclusivity(unchecked) var values: [String] = []
    @exclusivity(unchecked) var byCode: [UInt8] = []
    /// With an index: its attribute, and answers by value number (kept from document to
    /// document: the numbers are the whole corpus's).
    @exclusivity(unchecked) var indexed: CorpusIndex.Attribute?
    /// The attribute's stream (a plain pointer: no reference counting per token).
    @exclusivity(unchecked) var stream: PackedInts?
    @exclusivity(unchecked) var byID: [UInt8] = []

    init(source: Source, matcher: ValueMatcher) {
      self.source = source
      self.matcher = matcher
      var literal: UnsafeMutableBufferPointer<UInt8>? = nil
      var caseless = false
      if let plain = matcher.plain, source == .word || source == .lower {
        let bytes = Array(plain.utf8)
        caseless = matcher.flags.ignoreCase || source == .lower
        // Caseless byte comparison is exact for ASCII words only.
        if !caseless || bytes.allSatisfy({ $0 < 0x80 }) {
          let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bytes.count))
          for (k, b) in bytes.enumerated() {
            buffer[k] = caseless && source == .word ? Document.asciiLower(b) : b
          }
          literal = UnsafeMutableBufferPointer(rebasing: buffer[0..<bytes.count])
        }
      }
      self.literal = literal
      self.caseless = caseless
    }

    deinit { literal?.baseAddress?.deallocate() }
  }

  private enum Test {
    case any
    case atom(Int, negated: Bool)
    indirect case not(Test)
    case and([Test])
    case or([Test])
  }

  /// The spans of a structure in the current document, as token ranges.
  private struct StructureData {
    var startsAt: [Int: [Int]] = [:]
    var endsAt: Set<Int> = []
    var ranges: [Range<Int>] = []
    /// For `within`: per token, the furthest end of a span that contains it (-1: none).
    var reach: [Int32] = []

    /// With `reach` filled in when the structure is a `within`.
    func finished(_ tokens: Int, within: Bool) -> StructureData {
      guard within else { return self }
      var out = self
      var reach = [Int32](repeating: -1, count: tokens)
      for r in ranges {
        for i in r where reach[i] < Int32(r.upperBound) { reach[i] = Int32(r.upperBound) }
      }
      out.reach = reach
      return out
    }
  }

  @exclusivity(unchecked) private var programs: [[Inst]] = []
  @exclusivity(unchecked) private var atoms: [Atom] = []
  @exclusivity(unchecked) private var tests: [Test] = []
  /// Per test: k + 1 when it is atom k alone, -(k + 1) when it is its negation, 0 otherwise
  /// (the per-token path then copies no `Test`).
  @exclusivity(unchecked) private var simpleTests: [Int] = []
  @exclusivity(unchecked) private var structures: [CQLStructure] = []
  @exclusivity(unchecked) private var structureMatchers: [[(String, Bool, ValueMatcher)]] = []
  @exclusivity(unchecked) private var withinIndices: [Int] = []
  /// Structures that anchors or regions use (they need the spans' starts and ends by
  /// position; a `within` alone needs only how far each token may reach).
  private var anchored = Set<Int>()
  private let slotCount: Int
  /// Tests one of which the first token of any hit meets (nil: no such filter).
  @exclusivity(unchecked) private var firstTests: [Int]?
  /// A pattern of a fixed number of tokens: per token its test (-1: any), per label its token.
  ///
  /// `a:[pos="ADJ"] [] "money"` is one; nil when the pattern repeats, chooses or has regions.
  @exclusivity(unchecked) private var straight: (tests: [Int], labels: [Int])?
  private let containing: [(negated: Bool, program: QueryProgram)]
  private let constraint: CompiledConstraint?
  @exclusivity(unchecked) private var constraintNeedsLabels = false

  // The current document.
  // The current document's text and tokens, copied into buffers that the per-token code reads
  // with no reference counting or bounds checks (reused from document to document).
  @exclusivity(unchecked) private var text = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
  @exclusivity(unchecked) private var textCapacity = 1
  @exclusivity(unchecked) private var tokens = UnsafeMutablePointer<Token>.allocate(capacity: 1)
  @exclusivity(unchecked) private var tokenCapacity = 1
  @exclusivity(unchecked) private var tokenCount = 0
  /// With an index: the position of the document's first token, and the index.
  @exclusivity(unchecked) private var indexBase = 0
  @exclusivity(unchecked) private var loadedIndex: CorpusIndex?
  /// With an index: `within` structures answered by bisection (see `reach`).
  @exclusivity(unchecked) private var lazyWithin: [Int: CorpusIndex.Layer] = [:]
  /// Postings are read when fewer than 1 in this many tokens pass (0: always; tests use it).
  var postingsRatio = 20
  /// Where hits can start in the whole index, from postings (see `startsFromPostings`).
  @exclusivity(unchecked) private var indexStarts: [Int]?
  @exclusivity(unchecked) private var wordIDs: [Int32] = []
  @exclusivity(unchecked) private var structureData: [StructureData] = []
  @exclusivity(unchecked) private var document: Document?
  private let words = Counter(capacity: 1 << 12)
  @exclusivity(unchecked) private var needsWords = false

  // The machine's scratch space.
  /// Per instruction of every program (from `markBase[p]`): the stamp of the position it was
  /// last added at.
  @exclusivity(unchecked) private var marks = UnsafeMutablePointer<Int>.allocate(capacity: 1)
  @exclusivity(unchecked) private var markBase: [Int] = []
  @exclusivity(unchecked) private var stamp = 0
  @exclusivity(unchecked) private var pending: [[[Int64]]] = []
  @exclusivity(unchecked) private var scratch: [([Int64], [Int64])] = []
  @exclusivity(unchecked) private var stepLists: (current: [Int64], next: [Int64]) = ([], [])
  /// Per program: whether it has a region (then threads can jump ahead, see `run`).
  @exclusivity(unchecked) private var hasRegion: [Bool] = []
  @exclusivity(unchecked) private var slots: [Int32] = []

  /// Compiles `query`; fails when a value is not a valid regular expression.
  public init(_ query: CQLQuery, strategy: QueryStrategy = .standard, maxLength: Int = 500)
    throws(QueryFailure)
  {
    self.query = query
    self.strategy = strategy
    self.maxLength = max(1, maxLength)
    slotCount = query.labels.count
    var containing: [(Bool, QueryProgram)] = []
    for (negated, node) in query.containing {
      let sub = CQLQuery(source: query.source, pattern: node)
      containing.append((negated, try QueryProgram(sub, strategy: .standard, maxLength: maxLength)))
    }
    self.containing = containing
    constraint = try query.constraint.map { c throws(QueryFailure) in
      try CompiledConstraint(c, labels: query.labels)
    }
    if let c = query.constraint { constraintNeedsLabels = Self.usesLabels(c) }
    var code: [Inst] = []
    programs = [[]]
    try emit(query.pattern, into: &code)
    code.append(.accept)
    programs[0] = code
    for s in query.within { withinIndices.append(try structureIndex(s)) }
    firstTests = firstTestsOf(0)
    if !Self.canTakeTokens(query.pattern) {
      throw QueryFailure("the query matches no tokens: add a token pattern such as [] or \"word\"")
    }
    var at = 0
    for code in programs {
      markBase.append(at)
      at += code.count
    }
    marks.deallocate()
    marks = .allocate(capacity: max(1, at))
    marks.initialize(repeating: -1, count: max(1, at))
    hasRegion = programs.map { code in
      code.contains { if case .region = $0 { true } else { false } }
    }
    simpleTests = tests.map { t in
      if case .atom(let k, let negated) = t { return negated ? -(k + 1) : k + 1 }
      return 0
    }
    straight = Self.straightLine(programs[0], labels: slotCount)
  }

  /// The tests and labels of a program that only tests tokens one after another.
  private static func straightLine(_ code: [Inst], labels: Int) -> (tests: [Int], labels: [Int])? {
    var tests: [Int] = []
    var at = [Int](repeating: -1, count: labels)
    for inst in code {
      switch inst {
      case .test(let t): tests.append(t)
      case .any: tests.append(-1)
      case .save(let k): at[k] = tests.count
      case .accept: return tests.isEmpty ? nil : (tests, at)
      default: return nil
      }
    }
    return nil
  }

  private static func usesLabels(_ c: CQLConstraint) -> Bool {
    switch c {
    case .not(let x): usesLabels(x)
    case .and(let l), .or(let l): l.contains(where: usesLabels)
    case .compare(let a, _, let b):
      [a, b].contains { if case .label = $0 { true } else { false } }
    }
  }

  private static func canTakeTokens(_ node: CQLNode) -> Bool {
    switch node {
    case .token, .region: true
    case .open, .close: false
    case .sequence(let l), .alternation(let l): l.contains(where: canTakeTokens)
    case .repeated(let n, _, let max): max != 0 && canTakeTokens(n)
    }
  }

  // MARK: Compiling

  private func structureIndex(_ s: CQLStructure) throws(QueryFailure) -> Int {
    if let k = structures.firstIndex(of: s) { return k }
    var ms: [(String, Bool, ValueMatcher)] = []
    for c in s.conditions {
      ms.append(
        (c.attribute, c.negated, try ValueMatcher(c.value, c.flags, what: "\(c.attribute)=")))
    }
    structures.append(s)
    structureMatchers.append(ms)
    return structures.count - 1
  }

  private func atomIndex(_ attribute: String, _ value: String, _ flags: CQLFlags)
    throws(QueryFailure)
    -> Int
  {
    let source: Source =
      switch attribute {
      case "word": .word
      case "lower": .lower
      case "norm": .norm
      case "kind": .kind
      default: .column(attribute)
      }
    if [.word, .lower, .norm].contains(source) { needsWords = true }
    atoms.append(
      Atom(source: source, matcher: try ValueMatcher(value, flags, what: "\(attribute)=")))
    return atoms.count - 1
  }

  private func compileTest(_ t: CQLTest) throws(QueryFailure) -> Test {
    switch t {
    case .any: return .any
    case .compare(let a, let negated, let v, let f):
      return .atom(try atomIndex(a, v, f), negated: negated)
    case .not(let x): return .not(try compileTest(x))
    case .and(let l): return .and(try l.map { (x) throws(QueryFailure) in try compileTest(x) })
    case .or(let l): return .or(try l.map { (x) throws(QueryFailure) in try compileTest(x) })
    }
  }

  private func emit(_ node: CQLNode, into code: inout [Inst]) throws(QueryFailure) {
    switch node {
    case .token(let t, let label):
      if let label, let k = query.labels.firstIndex(of: label) { code.append(.save(k)) }
      if case .any = t {
        code.append(.any)
      } else {
        tests.append(try compileTest(t))
        code.append(.test(tests.count - 1))
      }
    case .sequence(let l):
      for n in l { try emit(n, into: &code) }
    case .alternation(let l):
      var jumps: [Int] = []
      for (k, n) in l.enumerated() {
        if k < l.count - 1 {
          let split = code.count
          code.append(.split(split + 1, -1))
          try emit(n, into: &code)
          jumps.append(code.count)
          code.append(.jump(-1))
          code[split] = .split(split + 1, code.count)
        } else {
          try emit(n, into: &code)
        }
      }
      for j in jumps { code[j] = .jump(code.count) }
    case .repeated(let n, let lo, let hi):
      for _ in 0..<lo { try emit(n, into: &code) }
      if let hi {
        var splits: [Int] = []
        for _ in lo..<hi {
          splits.append(code.count)
          code.append(.split(code.count + 1, -1))
          try emit(n, into: &code)
        }
        for s in splits { code[s] = .split(s + 1, code.count) }
      } else {
        let loop = code.count
        code.append(.split(loop + 1, -1))
        try emit(n, into: &code)
        code.append(.jump(loop))
        code[loop] = .split(loop + 1, code.count)
      }
    case .open(let s):
      let k = try structureIndex(s)
      anchored.insert(k)
      code.append(.open(k))
    case .close(let layer):
      let k = try structureIndex(CQLStructure(layer: layer, conditions: []))
      anchored.insert(k)
      code.append(.close(k))
    case .region(let s, let inner):
      let k = try structureIndex(s)
      anchored.insert(k)
      var innerProgram: Int? = nil
      if let inner {
        programs.append([])
        let p = programs.count - 1
        var sub: [Inst] = []
        try emit(inner, into: &sub)
        sub.append(.accept)
        programs[p] = sub
        innerProgram = p
      }
      code.append(.region(k, inner: innerProgram))
    }
  }

  /// The tests of the tokens a hit can start with, when every way in starts with a test.
  private func firstTestsOf(_ p: Int) -> [Int]? {
    let code = programs[p]
    var seen = Set<Int>()
    var out: [Int] = []
    var ok = true
    func visit(_ pc: Int) {
      guard ok, seen.insert(pc).inserted else { return }
      switch code[pc] {
      case .test(let t): out.append(t)
      case .any, .region, .accept: ok = false
      case .split(let a, let b):
        visit(a)
        visit(b)
      case .jump(let a): visit(a)
      case .save, .open, .close: visit(pc + 1)
      }
    }
    visit(0)
    return ok ? out : nil
  }

  // MARK: Documents

  /// The hits in `doc`, in order of their first token.
  public func hits(in doc: Document) throws(QueryFailure) -> [QueryHit] {
    try hits(
      meta: { doc.meta[$0]?.description }, load: { (p) throws(QueryFailure) in try p.load(doc) },
      inner: { (sub) throws(QueryFailure) in try sub.hits(in: doc) })
  }

  /// The hits in document `d` of an index, as `hits(in:)` finds them in the document itself
  /// (token positions from the document's first token).
  public func hits(in index: CorpusIndex, document d: Int) throws(QueryFailure) -> [QueryHit] {
    var metadata: [String: String]? = nil
    return try hits(
      meta: { field in
        if metadata == nil {
          metadata = Dictionary(index.metadata(d), uniquingKeysWith: { a, _ in a })
        }
        return metadata?[field]
      }, load: { (p) throws(QueryFailure) in try p.load(index, d) },
      inner: { (sub) throws(QueryFailure) in try sub.hits(in: index, document: d) })
  }

  /// A document's hits: a constraint on metadata alone is asked first, then the document is
  /// loaded and searched, and `containing` clauses and constraints on labels thin the hits.
  private func hits(
    meta: (String) -> String?, load: (QueryProgram) throws(QueryFailure) -> Void,
    inner: (QueryProgram) throws(QueryFailure) -> [QueryHit]
  ) throws(QueryFailure) -> [QueryHit] {
    if let constraint, !constraintNeedsLabels,
      !constraint.holds(meta: meta, hit: nil, program: self)
    {
      return []
    }
    try load(self)
    defer { unload() }
    var found = search()
    for (negated, sub) in containing {
      let within = try inner(sub)
      found = found.filter { h in
        within.contains { $0.start >= h.start && $0.end <= h.end } != negated
      }
    }
    if let constraint, constraintNeedsLabels {
      found = found.filter { constraint.holds(meta: meta, hit: $0, program: self) }
    }
    return found
  }

  /// The hits in the loaded document, before `containing` and constraints.
  private func search() -> [QueryHit] {
    let n = tokenCount
    var found: [QueryHit] = []
    // Ends taken by an earlier start (the standard strategy keeps one hit per end).
    var usedEnds = [Bool](repeating: false, count: strategy == .standard ? n + 1 : 0)
    var furthest = -1
    let line = straight
    func attempt(_ start: Int) {
      var limit = min(n, start + maxLength)
      for w in withinIndices {
        let r = reach(w, start)
        if r < 0 { limit = -1 } else { limit = min(limit, r) }
      }
      if limit <= start { return }
      let end: Int
      let labels: [Int]
      if let line {
        // A fixed number of tokens: each is tested in turn, no machine (one match a start,
        // every strategy keeps it).
        guard start + line.tests.count <= limit else { return }
        for (i, t) in line.tests.enumerated() where t >= 0 {
          guard holds(test: t, start + i) else { return }
        }
        end = start + line.tests.count
        labels = line.labels.map { $0 < 0 ? -1 : start + $0 }
      } else {
        guard let (e, l) = run(0, from: start, limit: limit, longest: strategy == .longest)
        else { return }
        (end, labels) = (e, l)
      }
      switch strategy {
      case .standard:
        if usedEnds[end] { return }
        usedEnds[end] = true
      case .longest:
        if end <= furthest { return }
        furthest = end
      case .shortest: break
      }
      found.append(QueryHit(start: start, end: end, labels: labels))
    }
    if let starts = indexStarts, loadedIndex != nil {
      // Only where the postings say a hit can start (they are the corpus's positions).
      var lo = 0
      var hi = starts.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if starts[mid] < indexBase { lo = mid + 1 } else { hi = mid }
      }
      while lo < starts.count, starts[lo] < indexBase + n {
        attempt(starts[lo] - indexBase)
        lo += 1
      }
    } else if let table = firstTable() {
      // One comparison on a small attribute of the index: a tight loop over its stream.
      table.answers.withUnsafeBufferPointer { answers in
        for start in 0..<n where answers[table.stream[indexBase + start]] != 0 { attempt(start) }
      }
    } else {
      for start in 0..<n {
        if let firstTests, !firstTests.contains(where: { holds(test: $0, start) }) { continue }
        attempt(start)
      }
    }
    return strategy == .shortest ? Self.minimal(found) : found
  }

  deinit {
    text.deallocate()
    tokens.deallocate()
    marks.deallocate()
  }

  /// With an index, when a hit's first token meets one comparison (or its negation) on an
  /// attribute of at most 4,096 values: the stream, and per value whether a hit can start.
  private func firstTable() -> (stream: PackedInts, answers: [UInt8])? {
    guard loadedIndex != nil, let firstTests, firstTests.count == 1 else { return nil }
    let simple = simpleTests[firstTests[0]]
    guard simple != 0 else { return nil }
    let a = atoms[abs(simple) - 1]
    guard let stream = a.stream, a.byID.count <= 4096 else { return nil }
    var answers = [UInt8](repeating: 0, count: a.byID.count)
    for id in answers.indices {
      let v = a.byID[id]
      let yes = v == 0 ? indexValue(a, id) : v == 2
      answers[id] = yes == (simple > 0) ? 1 : 0
    }
    return (stream, answers)
  }

  /// How far a hit starting at `start` may reach inside structure `w` (-1: it is outside).
  private func reach(_ w: Int, _ start: Int) -> Int {
    guard let layer = lazyWithin[w] else { return Int(structureData[w].reach[start]) }
    let g = indexBase + start
    var lo = 0
    var hi = layer.info.spans
    while lo < hi {
      let mid = (lo + hi) / 2
      if layer.starts[mid] <= g { lo = mid + 1 } else { hi = mid }
    }
    guard lo > 0 else { return -1 }
    let end = layer.starts[lo - 1] + layer.counts[lo - 1]
    return end > g ? end - indexBase : -1
  }

  /// Leaves out hits that contain another hit.
  private static func minimal(_ hits: [QueryHit]) -> [QueryHit] {
    var keep = [Bool](repeating: true, count: hits.count)
    for i in hits.indices {
      var j = i + 1
      while j < hits.count, hits[j].start < hits[i].end {
        if hits[j].end <= hits[i].end {
          keep[i] = false
          break
        }
        j += 1
      }
    }
    return hits.indices.filter { keep[$0] }.map { hits[$0] }
  }

  /// `lower` and `norm` of a token's text (`word` as it is).
  private static func derived(_ word: String, _ name: String) -> String {
    switch name {
    case "lower": return word.lowercased()
    case "norm":
      var copy = word
      return copy.withUTF8 { TextCase.norm($0) }
    default: return word
    }
  }

  /// The value of attribute `name` at token `i` of the loaded document.
  func value(_ name: String, at i: Int) -> String? {
    guard i >= 0, i < tokenCount else { return nil }
    if let index = loadedIndex, document == nil {
      let word = name == "word" || name == "lower" || name == "norm"
      guard let v = index.value(word ? "word" : name, at: indexBase + i) else { return nil }
      return word ? Self.derived(v, name) : v
    }
    guard let doc = document else { return nil }
    let t = tokens[i]
    switch name {
    case "word", "lower", "norm":
      let bytes = UnsafeBufferPointer(start: text + Int(t.start), count: Int(t.end - t.start))
      return Self.derived(String(decoding: bytes, as: UTF8.self), name)
    case "kind": return t.kind.name
    default: return doc.tokenAttribute(name, at: i)
    }
  }

  private func load(_ doc: Document) throws(QueryFailure) {
    document = doc
    loadedIndex = nil
    lazyWithin = [:]
    indexBase = 0
    for atom in atoms where atom.indexed != nil {
      atom.indexed = nil
      atom.stream = nil
      atom.byID = []
    }
    let list = doc.tokens
    if list.count > tokenCapacity {
      tokens.deallocate()
      tokenCapacity = list.count * 2
      tokens = .allocate(capacity: tokenCapacity)
    }
    list.withUnsafeBufferPointer { b in
      if let base = b.baseAddress { tokens.update(from: base, count: b.count) }
    }
    tokenCount = list.count
    var source = doc.text
    source.withUTF8 { b in
      if b.count > textCapacity {
        text.deallocate()
        textCapacity = b.count * 2
        text = .allocate(capacity: textCapacity)
      }
      if let base = b.baseAddress { text.update(from: base, count: b.count) }
    }
    for atom in atoms {
      guard case .column(let name) = atom.source else { continue }
      guard let column = doc.tokenColumns[name] else {
        throw QueryFailure(
          "the tokens of \(doc.id) have no '\(name)' - run a tagger that sets it first (-p pos)")
      }
      atom.codes = column.codes
      atom.values = column.values
      atom.byCode = [UInt8](repeating: 0, count: column.values.count)
    }
    if let constraint {
      for name in constraint.attributes where !CQLTest.builtinAttributes.contains(name) {
        if doc.tokenColumns[name] == nil {
          throw QueryFailure(
            "the tokens of \(doc.id) have no '\(name)' - run a tagger that sets it first (-p pos)")
        }
      }
    }
    if needsWords { wordIDs = [Int32](repeating: -1, count: tokenCount) }
    structureData = structures.indices.map { structureData(for: $0, doc) }
  }

  private func load(_ index: CorpusIndex, _ d: Int) throws(QueryFailure) {
    let range = index.tokens(of: d)
    indexBase = range.lowerBound
    tokenCount = range.count
    let fresh = loadedIndex !== index
    if fresh {
      loadedIndex = index
      for atom in atoms { atom.byID = [] }
    }
    func attribute(_ name: String) throws(QueryFailure) -> CorpusIndex.Attribute {
      guard let a = index.attributes[name] else {
        throw QueryFailure(
          "the index \(index.path) has no token attribute '\(name)' - build it with the tagger that sets it: folio index CORPUS -p pos"
        )
      }
      return a
    }
    for atom in atoms {
      switch atom.source {
      case .word, .lower, .norm: atom.indexed = try attribute("word")
      case .kind: atom.indexed = try attribute("kind")
      case .column(let name): atom.indexed = try attribute(name)
      }
      atom.stream = atom.indexed?.ids
      if atom.byID.isEmpty, let a = atom.indexed {
        atom.byID = [UInt8](repeating: 0, count: a.streamValues)
      }
    }
    if let constraint {
      for name in constraint.attributes where !CQLTest.builtinAttributes.contains(name) {
        _ = try attribute(name)
      }
    }
    if fresh { indexStarts = startsFromPostings(index) }
    var data: [StructureData] = []
    lazyWithin = [:]
    for k in structures.indices {
      // A `within` on disjoint spans with no conditions (sentences) is answered by bisection
      // of the index's spans at each start tried, not by a table over every token.
      if withinIndices.contains(k), !anchored.contains(k), structures[k].conditions.isEmpty,
        let layer = index.layers[structures[k].layer], layer.info.disjoint == true
      {
        lazyWithin[k] = layer
        data.append(StructureData())
        continue
      }
      data.append(try structureData(for: k, index, range))
    }
    structureData = data
  }

  /// The spans of structure `k` in the index's tokens `range`, as document positions.
  private func structureData(for k: Int, _ index: CorpusIndex, _ range: Range<Int>)
    throws(QueryFailure) -> StructureData
  {
    var data = StructureData()
    let s = structures[k]
    guard let layer = index.layers[s.layer] else {
      return data.finished(tokenCount, within: withinIndices.contains(k))
    }
    // Per condition, each span's value (nil: the span has none), read through a per-value
    // cache of the answer.
    var fields: [(ids: PackedInts?, lexicon: StringTable?, negated: Bool, matcher: ValueMatcher)] =
      []
    for (attribute, negated, matcher) in structureMatchers[k] {
      if attribute == "label" {
        fields.append((layer.labels, layer.lexicon, negated, matcher))
      } else if let a = layer.attributes[attribute] {
        fields.append((a.ids, a.lexicon, negated, matcher))
      } else {
        fields.append((nil, nil, negated, matcher))
      }
    }
    var answers = fields.map { [UInt8](repeating: 0, count: $0.lexicon?.count ?? 0) }
    func passes(_ span: Int) -> Bool {
      for (f, field) in fields.enumerated() {
        var yes = false
        if let ids = field.ids, let lexicon = field.lexicon {
          let id = ids[span]
          if answers[f][id] == 0 {
            let v = lexicon.string(id)
            answers[f][id] = v != IndexRecord.missing && field.matcher.matches(v) ? 2 : 1
          }
          yes = answers[f][id] == 2
        }
        if yes == field.negated { return false }
      }
      return true
    }
    // Spans are stored in corpus order: the first that starts in the document, by bisection.
    var lo = 0
    var hi = layer.info.spans
    while lo < hi {
      let mid = (lo + hi) / 2
      if layer.starts[mid] < range.lowerBound { lo = mid + 1 } else { hi = mid }
    }
    var ranges: [Range<Int>] = []
    var i = lo
    while i < layer.info.spans, layer.starts[i] < range.upperBound {
      defer { i += 1 }
      if !fields.isEmpty && !passes(i) { continue }
      let start = layer.starts[i] - range.lowerBound
      ranges.append(start..<(start + layer.counts[i]))
    }
    if anchored.contains(k) {
      for r in ranges {
        data.startsAt[r.lowerBound, default: []].append(r.upperBound)
        data.endsAt.insert(r.upperBound)
      }
    }
    data.ranges = ranges
    return data.finished(tokenCount, within: withinIndices.contains(k))
  }

  private func unload() {
    document = nil
    tokenCount = 0
    wordIDs = []
    structureData = []
    for atom in atoms where !atom.codes.isEmpty {
      atom.codes = []
      atom.values = []
      atom.byCode = []
    }
  }

  private func structureData(for k: Int, _ doc: Document) -> StructureData {
    var data = StructureData()
    let matchers = structureMatchers[k]
    var ranges: [Range<Int>] = []
    let tokens = doc.tokens
    for span in doc.spans(structures[k].layer) {
      var ok = true
      for (attribute, negated, matcher) in matchers {
        let v: String? =
          attribute == "label"
          ? span.label : span.attributes.first { $0.0 == attribute }.map { $0.1.description }
        if (v.map { matcher.matches($0) } ?? false) == negated {
          ok = false
          break
        }
      }
      guard ok else { continue }
      let r = IndexRecord.tokenRange(tokens, span.start, span.end)
      if r.isEmpty { continue }
      ranges.append(r)
      data.startsAt[r.lowerBound, default: []].append(r.upperBound)
      data.endsAt.insert(r.upperBound)
    }
    data.ranges = ranges
    return data.finished(tokenCount, within: withinIndices.contains(k))
  }

  // MARK: Tests

  /// Whether token `i` passes test number `t`.
  @inline(__always) private func holds(test t: Int, _ i: Int) -> Bool {
    let simple = simpleTests[t]
    if simple > 0 { return atom(simple - 1, i) }
    if simple < 0 { return !atom(-simple - 1, i) }
    return holds(tests[t], i)
  }

  private func holds(_ test: Test, _ i: Int) -> Bool {
    switch test {
    case .any: return true
    case .atom(let k, let negated): return atom(k, i) != negated
    case .not(let t): return !holds(t, i)
    case .and(let l): return l.allSatisfy { holds($0, i) }
    case .or(let l): return l.contains { holds($0, i) }
    }
  }

  private func atom(_ k: Int, _ i: Int) -> Bool {
    unowned(unsafe) let a = atoms[k]
    if let stream = a.stream {
      let id = stream[indexBase + i]
      let v = a.byID[id]
      return v == 0 ? indexValue(a, id) : v == 2
    }
    switch a.source {
    case .column:
      let c = Int(a.codes[i])
      var v = a.byCode[c]
      if v == 0 {
        let value = a.values[c]
        let yes = a.byValue[value] ?? a.matcher.matches(value)
        a.byValue[value] = yes
        v = yes ? 2 : 1
        a.byCode[c] = v
      }
      return v == 2
    case .kind:
      let k = Int(tokens[i].kind.rawValue)
      if a.byCode.isEmpty {
        a.byCode = TokenKind.allCases.map { a.matcher.matches($0.name) ? 2 : 1 }
      }
      return a.byCode[k] == 2
    case .word, .lower, .norm:
      if let literal = a.literal, let yes = same(i, literal, caseless: a.caseless) { return yes }
      let id = wordID(i)
      if id >= a.byWord.count {
        a.byWord.append(
          contentsOf: repeatElement(0, count: max(id + 1 - a.byWord.count, a.byWord.count)))
      }
      var v = a.byWord[id]
      if v == 0 {
        let word = words.withKey(id) { String(decoding: $0, as: UTF8.self) }
        v = a.matcher.matches(Self.derived(word, a.source.name)) ? 2 : 1
        a.byWord[id] = v
      }
      return v == 2
    }
  }

  /// Whether value `id` of the index's attribute passes atom `a` (then cached).
  private func indexValue(_ a: Atom, _ id: Int) -> Bool {
    guard let indexed = a.indexed else { return false }
    let yes = a.matcher.matches(
      Self.derived(indexed.lexicon.string(indexed.value(ofStream: id)), a.source.name))
    a.byID[id] = yes ? 2 : 1
    return yes
  }

  /// With an index: the corpus positions where a hit can start, read from postings (nil: try
  /// every position).
  ///
  /// The pattern's leading tokens are at fixed offsets from a hit's start: of those with a
  /// positive comparison on an attribute that has postings, the one fewest tokens pass
  /// decides, when fewer than 1 in `postingsRatio` tokens pass it (`[pos="ADJ"] "money"`
  /// starts one token before each *money*).
  private func startsFromPostings(_ index: CorpusIndex) -> [Int]? {
    var leading: [CQLNode] = []
    switch query.pattern {
    case .sequence(let l): leading = l
    case .token: leading = [query.pattern]
    default: return nil
    }
    var best: (offset: Int, ids: [Int], total: Int, postings: Postings)? = nil
    for (offset, node) in leading.enumerated() {
      guard case .token(let test, _) = node else { break }
      guard case .compare(let name, false, let value, let flags) = test else { continue }
      let attributeName = CQLTest.builtinAttributes.contains(name) && name != "kind" ? "word" : name
      guard let attribute = index.attributes[attributeName], let postings = attribute.postings,
        let matcher = try? ValueMatcher(value, flags, what: "")
      else { continue }
      var ids: [Int] = []
      if name == "word" || !CQLTest.builtinAttributes.contains(name), let plain = matcher.plain,
        !flags.ignoreCase
      {
        if let id = attribute.lexicon.find(plain) { ids = [id] }
      } else {
        for id in 0..<attribute.info.values {
          if matcher.matches(Self.derived(attribute.lexicon.string(id), name)) { ids.append(id) }
        }
      }
      // A frequent value has no positions: a test it passes cannot start from postings.
      guard ids.allSatisfy({ attribute.hasPositions($0) }) else { continue }
      let total = ids.reduce(0) { $0 + postings.count($1) }
      if best == nil || total < best?.total ?? 0 { best = (offset, ids, total, postings) }
    }
    guard let best, best.total * postingsRatio < index.tokenCount else { return nil }
    var out: [Int] = []
    out.reserveCapacity(best.total)
    for id in best.ids { out.append(contentsOf: best.postings.positions(id)) }
    if best.ids.count > 1 { out.sort() }
    return out.compactMap { $0 >= best.offset ? $0 - best.offset : nil }
  }

  /// The interned number of token `i`'s text (interned when first asked).
  private func wordID(_ i: Int) -> Int {
    let known = wordIDs[i]
    if known >= 0 { return Int(known) }
    let t = tokens[i]
    let s = Int(t.start)
    let id = words.intern(text + s, Int(t.end) - s, readable: textCapacity - s)
    wordIDs[i] = Int32(id)
    return id
  }

  /// Whether token `i` is the word `literal`; nil when a caseless comparison meets a character
  /// beyond ASCII (Unicode case mapping decides then).
  private func same(_ i: Int, _ literal: UnsafeMutableBufferPointer<UInt8>, caseless: Bool)
    -> Bool?
  {
    let t = tokens[i]
    let s = Int(t.start)
    let n = Int(t.end) - s
    let p = text + s
    if !caseless {
      return n == literal.count
        && (n == 0 || memcmp(p, literal.baseAddress.unsafelyUnwrapped, n) == 0)
    }
    var k = 0
    while k < n {
      let c = p[k]
      if c >= 0x80 { return nil }
      if k >= literal.count || Document.asciiLower(c) != literal[k] {
        // A difference: the answer is no if the rest is ASCII too.
        for j in k..<n where p[j] >= 0x80 { return nil }
        return false
      }
      k += 1
    }
    return n == literal.count
  }

  // MARK: The machine

  /// Runs program `p` from token `start`: the end of its shortest (or, with `longest`, its
  /// longest) non-empty match up to `limit`, with the labels set on the way; with `exact`, only
  /// whether a match ends exactly there.
  private func run(_ p: Int, from start: Int, limit: Int, longest: Bool, exact: Int? = nil)
    -> (Int, [Int])?
  {
    let code = programs[p]
    if !hasRegion[p] {
      return runInStep(p, code, from: start, limit: limit, longest: longest, exact: exact)
    }
    let depth = p == 0 ? 0 : pendingDepth
    pendingDepth = depth + 1
    defer { pendingDepth = depth }
    if pending.count <= depth {
      pending.append([])
      scratch.append(([], []))
    }
    // Taken out of the members while in use, so that no write copies them.
    var pend = pending[depth]
    pending[depth] = []
    var (raw, list) = scratch[depth]
    scratch[depth] = ([], [])
    let width = limit - start + 1
    if pend.count < width { pend.append(contentsOf: repeatElement([], count: width - pend.count)) }
    if p == 0 { slots.removeAll(keepingCapacity: true) }
    let base = Int32(slots.count)
    for _ in 0..<slotCount { slots.append(-1) }
    pend[0].append(Self.pack(0, base))
    var result: (Int, [Int])? = nil
    var last = 0  // the furthest offset with pending threads
    var offset = 0
    while offset <= last && offset < width {
      let pos = start + offset
      swap(&raw, &pend[offset])
      stamp += 1
      list.removeAll(keepingCapacity: true)
      for t in raw { closure(p, code, Self.pc(t), Self.slotBase(t), pos, &list) }
      raw.removeAll(keepingCapacity: true)
      var done = false
      for t in list {
        let pc = Self.pc(t)
        switch code[pc] {
        case .accept:
          if let exact {
            if pos == exact {
              result = (pos, [])
              done = true
            }
          } else if pos > start || p != 0 {
            if result == nil || (longest && pos > (result?.0 ?? 0)) {
              result = (pos, labels(Self.slotBase(t)))
            }
            if !longest { done = true }
          }
        case .test(let k):
          if pos < limit, holds(test: k, pos) {
            pend[offset + 1].append(Self.pack(pc + 1, Self.slotBase(t)))
            last = max(last, offset + 1)
          }
        case .any:
          if pos < limit {
            pend[offset + 1].append(Self.pack(pc + 1, Self.slotBase(t)))
            last = max(last, offset + 1)
          }
        case .region(let k, let inner):
          for end in structureData[k].startsAt[pos] ?? [] where end <= limit && end > pos {
            if let inner, run(inner, from: pos, limit: end, longest: false, exact: end) == nil {
              continue
            }
            pend[end - start].append(Self.pack(pc + 1, Self.slotBase(t)))
            last = max(last, end - start)
          }
        default: break
        }
        if done { break }
      }
      if done { break }
      offset += 1
    }
    for o in 0...min(last, width - 1) { pend[o].removeAll(keepingCapacity: true) }
    pending[depth] = pend
    scratch[depth] = (raw, list)
    return result
  }

  @exclusivity(unchecked) private var pendingDepth = 0

  /// `run` for a program without regions: every thread advances one token at a time, so two
  /// lists (this position's threads, the next one's) replace the table of future positions.
  private func runInStep(
    _ p: Int, _ code: [Inst], from start: Int, limit: Int, longest: Bool, exact: Int?
  ) -> (Int, [Int])? {
    var current = stepLists.current
    var next = stepLists.next
    stepLists = ([], [])
    defer {
      current.removeAll(keepingCapacity: true)
      next.removeAll(keepingCapacity: true)
      stepLists = (current, next)
    }
    if p == 0 { slots.removeAll(keepingCapacity: true) }
    let base = Int32(slots.count)
    for _ in 0..<slotCount { slots.append(-1) }
    next.append(Self.pack(0, base))
    var result: (Int, [Int])? = nil
    var pos = start
    while true {
      stamp += 1
      current.removeAll(keepingCapacity: true)
      for t in next { closure(p, code, Self.pc(t), Self.slotBase(t), pos, &current) }
      next.removeAll(keepingCapacity: true)
      for t in current {
        let pc = Self.pc(t)
        switch code[pc] {
        case .accept:
          if let exact {
            if pos == exact { return (pos, []) }
          } else if pos > start || p != 0 {
            if result == nil || (longest && pos > (result?.0 ?? 0)) {
              result = (pos, labels(Self.slotBase(t)))
            }
            if !longest { return result }
          }
        case .test(let k):
          if pos < limit, holds(test: k, pos) { next.append(Self.pack(pc + 1, Self.slotBase(t))) }
        case .any:
          if pos < limit { next.append(Self.pack(pc + 1, Self.slotBase(t))) }
        default: break
        }
      }
      if next.isEmpty { return result }
      pos += 1
    }
  }

  private func labels(_ base: Int32) -> [Int] {
    (0..<slotCount).map { Int(slots[Int(base) + $0]) }
  }

  @inline(__always) private static func pack(_ pc: Int, _ base: Int32) -> Int64 {
    Int64(pc) << 32 | Int64(UInt32(bitPattern: base))
  }
  @inline(__always) private static func pc(_ t: Int64) -> Int { Int(t >> 32) }
  @inline(__always) private static func slotBase(_ t: Int64) -> Int32 {
    Int32(bitPattern: UInt32(truncatingIfNeeded: t))
  }

  /// Follows the steps that take no token from `pc` at token `pos`, adding the threads that
  /// wait for a token (or accept) to `list`, each program counter once per position.
  private func closure(
    _ p: Int, _ code: [Inst], _ pc: Int, _ base: Int32, _ pos: Int, _ list: inout [Int64]
  ) {
    let mark = markBase[p] + pc
    if marks[mark] == stamp { return }
    marks[mark] = stamp
    switch code[pc] {
    case .jump(let a): closure(p, code, a, base, pos, &list)
    case .split(let a, let b):
      closure(p, code, a, base, pos, &list)
      closure(p, code, b, base, pos, &list)
    case .save(let k):
      let copy = Int32(slots.count)
      for j in 0..<slotCount { slots.append(slots[Int(base) + j]) }
      slots[Int(copy) + k] = Int32(pos)
      closure(p, code, pc + 1, copy, pos, &list)
    case .open(let k):
      if structureData[k].startsAt[pos] != nil { closure(p, code, pc + 1, base, pos, &list) }
    case .close(let k):
      if structureData[k].endsAt.contains(pos) { closure(p, code, pc + 1, base, pos, &list) }
    default:
      list.append(Self.pack(pc, base))
    }
  }
}

/// Whether a value matches a query's `"regex"%flags` as a whole.
struct ValueMatcher {
  private let regex: RegularExpression?
  private let literal: String?
  let flags: CQLFlags
  /// The value when it matches only itself (no pattern characters, no %d): bytes decide.
  let plain: String?

  init(_ value: String, _ flags: CQLFlags, what: String) throws(QueryFailure) {
    self.flags = flags
    let special = Set("\\.^$|?*+()[]{}")
    plain =
      flags.ignoreDiacritics || (!flags.literal && value.contains(where: special.contains))
      ? nil : value
    let v = flags.ignoreDiacritics ? Self.strip(value) : value
    if flags.literal {
      literal = flags.ignoreCase ? TextCase.fold(v) : v
      regex = nil
    } else {
      literal = nil
      do {
        regex = try RegularExpression("\\A(?:\(v))\\z", flags: flags.ignoreCase ? "i" : "")
      } catch {
        // The value alone gives the error at the user's own byte offsets.
        var why = error.message
        do { _ = try RegularExpression(v) } catch { why = error.message }
        throw QueryFailure("\(what)\"\(value)\" is not a regular expression: \(why)")
      }
    }
  }

  static func strip(_ s: String) -> String {
    s.folding(options: [.diacriticInsensitive], locale: nil)
  }

  func matches(_ value: String) -> Bool {
    var v = flags.ignoreDiacritics ? Self.strip(value) : value
    if let literal { return (flags.ignoreCase ? TextCase.fold(v) : v) == literal }
    guard let regex else { return false }
    return v.withUTF8 { b in
      (try? regex.match(b, from: 0, trusted: true)) != nil
    }
  }
}

/// A global constraint, with its regular expressions compiled.
struct CompiledConstraint {
  private indirect enum Node {
    case compare(CQLOperand, Bool, CQLOperand, ValueMatcher?)
    case not(Node)
    case and([Node])
    case or([Node])
  }
  private let root: Node
  private let labels: [String]
  /// Token attributes it reads.
  let attributes: [String]

  init(_ c: CQLConstraint, labels: [String]) throws(QueryFailure) {
    self.labels = labels
    var attributes: [String] = []
    func build(_ c: CQLConstraint) throws(QueryFailure) -> Node {
      switch c {
      case .not(let x): return .not(try build(x))
      case .and(let l): return .and(try l.map { (x) throws(QueryFailure) in try build(x) })
      case .or(let l): return .or(try l.map { (x) throws(QueryFailure) in try build(x) })
      case .compare(let a, let negated, let b):
        for o in [a, b] { if case .label(_, let attr) = o { attributes.append(attr) } }
        var matcher: ValueMatcher? = nil
        if case .string(let v, let f) = b {
          matcher = try ValueMatcher(v, f, what: "")
        } else if case .string(let v, let f) = a {
          matcher = try ValueMatcher(v, f, what: "")
        }
        return .compare(a, negated, b, matcher)
      }
    }
    root = try build(c)
    self.attributes = attributes
  }

  /// Whether the constraint holds for `hit` (nil: before matching, for constraints on
  /// metadata only); `meta` gives the document's metadata fields.
  func holds(meta: (String) -> String?, hit: QueryHit?, program: QueryProgram) -> Bool {
    func value(_ o: CQLOperand) -> String? {
      switch o {
      case .string: return nil
      case .meta(let field): return meta(field)
      case .label(let name, let attribute):
        guard let hit else { return nil }
        let at: Int
        if name == "match" {
          at = hit.start
        } else if name == "matchend" {
          at = hit.end - 1
        } else if let k = labels.firstIndex(of: name), k < hit.labels.count {
          at = hit.labels[k]
        } else {
          return nil
        }
        return at < 0 ? nil : program.value(attribute, at: at)
      }
    }
    func eval(_ n: Node) -> Bool {
      switch n {
      case .not(let x): return !eval(x)
      case .and(let l): return l.allSatisfy(eval)
      case .or(let l): return l.contains(where: eval)
      case .compare(let a, let negated, let b, let matcher):
        let result: Bool
        if let matcher {
          let side: CQLOperand
          if case .string = b { side = a } else { side = b }
          guard let v = value(side) else { return false }
          result = matcher.matches(v)
        } else {
          guard let x = value(a), let y = value(b) else { return false }
          result = x == y
        }
        return result != negated
      }
    }
    return eval(root)
  }
}
