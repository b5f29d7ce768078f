import Testing

@testable import FolioCore

/// Pairs of words ("a b") counted as pairs of numbers (`PairTable`) behave as the same pairs
/// counted as strings, one by one: keys, order, counts, totals, merges and bytes.
@Suite("pair counter") struct PairCounterTests {
  /// Words of many shapes (with Unicode case mapping now and then), enough distinct ones for
  /// the tables to grow; punctuation and numbers between them.
  static func document(seed: UInt64, words count: Int) -> Document {
    let shapes = ["the", "The", "Straße", "STRASSE", "naïve", "x", "encyclopaedias", "É", "of"]
    var state = seed
    func next(_ n: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(n))
    }
    var words: [String] = []
    for _ in 0..<count {
      let shape = shapes[next(shapes.count)]
      words.append(next(3) == 0 ? shape + String(next(300)) + "w" : shape)
      if next(10) == 0 { words.append(next(2) == 0 ? "," : "42") }
    }
    return Document(id: "d\(seed)", text: words.joined(separator: " ") + ", the end.")
  }

  /// The pairs of `doc` added one by one as strings to `counter`.
  static func addOneByOne(_ doc: Document, to counter: Counter, lower: Bool) {
    let bytes = Array(doc.text.utf8)
    let words = doc.tokens.filter { $0.kind == .word }.map {
      String(decoding: bytes[Int($0.start)..<Int($0.end)], as: UTF8.self)
    }
    for (a, b) in zip(words, words.dropFirst()) {
      var key = a + " " + b
      key.withUTF8 { b in b.baseAddress.map { counter.add($0, b.count, lower: lower) } }
    }
  }

  /// Every key and count, in the counter's order.
  static func listing(_ c: Counter) -> [String] {
    (0..<c.count).map { k in
      c.withKey(k) { String(decoding: $0, as: UTF8.self) } + "=\(c.count(at: k))"
    }
  }

  @Test("adjacent pairs: the keys, order, counts and ranking of adding them as strings")
  func pairsAsStrings() {
    let doc = Self.document(seed: 3, words: 40_000)
    for lower in [true, false] {
      let pairs = Counter()
      doc.addBigrams(to: pairs, lower: lower)
      #expect(pairs.pairTable != nil)
      let strings = Counter()
      Self.addOneByOne(doc, to: strings, lower: lower)
      #expect(pairs.count > 5_000)
      #expect(pairs.total == strings.total)
      #expect(Self.listing(pairs) == Self.listing(strings))
      let ranked = { (c: Counter) in
        c.ranked(limit: 50, minimum: 2).map { k in c.withKey(k) { Array($0) } }
      }
      #expect(ranked(pairs) == ranked(strings))
      for k in stride(from: 0, to: strings.count, by: 7) {
        strings.withKey(k) { key in
          #expect(pairs.count(of: key.baseAddress!, key.count) == strings.count(at: k))
        }
      }
      var absent = "the zebra"
      absent.withUTF8 { #expect(pairs.count(of: $0.baseAddress!, $0.count) == 0) }
      // Any other addition turns the pairs into ordinary keys, in the same order.
      var extra = "extra"
      extra.withUTF8 {
        pairs.add($0.baseAddress!, $0.count, count: 2)
        strings.add($0.baseAddress!, $0.count, count: 2)
      }
      #expect(pairs.pairTable == nil)
      #expect(pairs.encoded() == strings.encoded())
      #expect(pairs.total == strings.total)
    }
  }

  @Test("pairs merge and travel as bytes: into pairs, into strings, with themselves")
  func mergesAndBytes() {
    let one = Self.document(seed: 5, words: 8_000)
    let two = Self.document(seed: 6, words: 8_000)
    let a = Counter()
    one.addBigrams(to: a, lower: true)
    let b = Counter()
    two.addBigrams(to: b, lower: true)
    let expected = Counter()
    Self.addOneByOne(one, to: expected, lower: true)
    Self.addOneByOne(two, to: expected, lower: true)

    let merged = Counter()
    merged.merge(a)
    merged.merge(b)
    #expect(merged.pairTable != nil)
    #expect(Self.listing(merged) == Self.listing(expected))
    #expect(merged.total == expected.total)

    // As bytes: into an empty counter (pairs again) and into one with ordinary keys.
    let bytes = merged.encoded()
    #expect(bytes.starts(with: Array("FP1".utf8)))
    let decoded = Counter()
    bytes.withUnsafeBytes { #expect(decoded.merge(encoded: $0)) }
    #expect(decoded.pairTable != nil)
    #expect(Self.listing(decoded) == Self.listing(expected))
    #expect(decoded.total == expected.total)
    let strings = Counter()
    var word = "first"
    word.withUTF8 { strings.add($0.baseAddress!, $0.count, count: 1) }
    bytes.withUnsafeBytes { #expect(strings.merge(encoded: $0)) }
    #expect(Self.listing(strings) == ["first=1"] + Self.listing(expected))

    // Ordinary keys merged into pairs make them ordinary keys; pairs into ordinary keys too.
    let mixed = Counter()
    mixed.merge(a)
    mixed.merge(strings)
    let reference = Counter()
    Self.addOneByOne(one, to: reference, lower: true)
    reference.merge(strings)
    #expect(mixed.pairTable == nil)
    #expect(mixed.encoded() == reference.encoded())

    // With itself: every count doubles.
    let twice = Counter()
    twice.merge(a)
    twice.merge(twice)
    #expect(twice.total == 2 * a.total)
    #expect(twice.count(at: 0) == 2 * a.count(at: 0))
  }

  @Test("bytes that end early or name a word that is not there: what was read whole is added")
  func brokenBytes() {
    let doc = Self.document(seed: 9, words: 2_000)
    let c = Counter()
    doc.addBigrams(to: c, lower: true)
    let bytes = c.encoded()
    // Cut in the middle of the tenth record from the end.
    let cut = Array(bytes.dropLast(10 * 16 + 5))
    let partial = Counter()
    cut.withUnsafeBytes { #expect(!partial.merge(encoded: $0)) }
    #expect(partial.count == c.count - 11)
    // The last record's first word is made a number past the words.
    var bad = bytes
    let at = bad.count - 16 + 4
    bad.replaceSubrange(at..<at + 4, with: [0xFF, 0xFF, 0xFF, 0x7F])
    let rejected = Counter()
    bad.withUnsafeBytes { #expect(!rejected.merge(encoded: $0)) }
    #expect(rejected.count == c.count - 1)
    // Words cut short: nothing is added.
    let words = Counter()
    Array(bytes.prefix(12)).withUnsafeBytes { #expect(!words.merge(encoded: $0)) }
    #expect(words.count == 0)
  }

  @Test("distinct pairs count once per document, as strings do")
  func distinctPairs() {
    let docs = (20..<24).map { Self.document(seed: $0, words: 3_000) }
    let pairs = Counter()
    var expected: [String: Int] = [:]
    for doc in docs {
      doc.addBigrams(to: pairs, lower: false, distinct: true)
      let once = Counter()
      Self.addOneByOne(doc, to: once, lower: false)
      for line in Self.listing(once) {
        expected[String(line[..<line.lastIndex(of: "=")!]), default: 0] += 1
      }
    }
    var got: [String: Int] = [:]
    for k in 0..<pairs.count {
      got[pairs.withKey(k) { String(decoding: $0, as: UTF8.self) }] = pairs.count(at: k)
    }
    #expect(got == expected)
    #expect(pairs.total == expected.values.reduce(0, +))
  }

  @Test("associations: the same scores and order from pairs and from strings; PMI by hand")
  func associations() {
    let doc = Self.document(seed: 31, words: 20_000)
    let words = doc.countTokens(lower: true)
    let pairs = Counter()
    doc.addBigrams(to: pairs, lower: true)
    let strings = Counter()
    Self.addOneByOne(doc, to: strings, lower: true)
    let n = Double(words.total)
    for measure in Association.allCases {
      let rows = { (c: Counter) in
        c.associations(words: words, measure: measure, minimum: 3, n: n, limit: 40).map { r in
          c.withKey(r.index) { String(decoding: $0, as: UTF8.self) }
            + " \(r.count) \(r.first) \(r.second) \(r.score)"
        }
      }
      let fromPairs = rows(pairs)
      #expect(fromPairs.count == 40)
      #expect(fromPairs == rows(strings), "\(measure)")
    }
    // "a b" twice in 6 words: a 3 times, b twice: log2(2 * 6 / (3 * 2)) = 1.
    let tiny = Document(id: "t", text: "a b a b a c")
    let tinyWords = tiny.countTokens()
    let tinyPairs = Counter()
    tiny.addBigrams(to: tinyPairs)
    let best = tinyPairs.associations(
      words: tinyWords, measure: .pmi, minimum: 2, n: 6, limit: 0)
    #expect(best.count == 2)  // "a b" and "b a"
    #expect(best.map(\.score) == [1, 1])  // ties by key: "a b" first
    #expect(tinyPairs.withKey(best[0].index) { Array($0) } == Array("a b".utf8))
  }
}
