import FolioCore
import Testing

/// Long loops in Swift ask `stop` (a plugin's deadline, Ctrl-C) and end early (issue #19).
@Suite("long loops stop when asked") struct StopTests {
  static func makeCorpus() -> Corpus {
    Corpus(
      documents: (1...200).map { Document(id: "d\($0)", text: "the cat and the dog saw the UN") },
      sources: [])
  }

  @Test("kwic, search and frequencies stop at once; stopped frequencies are not kept")
  func corpusLoops() throws {
    let corpus = Self.makeCorpus()
    #expect(corpus.concordance(word: "the", stop: { true }).isEmpty)
    #expect(corpus.concordance(word: "the").count == 600)
    let re = try RegularExpression("the")
    #expect(try corpus.concordance(regex: re, stop: { true }).isEmpty)
    #expect(try corpus.search(re, stop: { true }).isEmpty)
    #expect(corpus.frequencies(stop: { true }).total == 0)
    // The partial count was not cached: the next call counts everything.
    #expect(corpus.frequencies().total == 200 * 8)
  }

  @Test("a regex search asks before each start position")
  func regex() throws {
    let re = try RegularExpression("[a-z]+!")
    var asked = 0
    let text = Array(String(repeating: "a ", count: 100).utf8)
    let found = try text.withUnsafeBufferPointer { b in
      try re.matches(
        b, trusted: true,
        stop: {
          asked += 1; return false
        })
    }
    #expect(found.isEmpty)
    #expect(asked == 100)
    #expect(throws: RegularExpression.Failure.self) {
      try text.withUnsafeBufferPointer { b in try re.matches(b, stop: { true }) }
    }
  }

  @Test("a pattern anchored at line starts is tried after each line feed, asking each time")
  func lineStarts() throws {
    let re = try RegularExpression("^b+", flags: "m")
    let text = Array("abc\nbbx\nzz\nb".utf8)
    var asked = 0
    let found = try text.withUnsafeBufferPointer { b in
      try re.matches(
        b, trusted: true,
        stop: {
          asked += 1; return false
        })
    }
    #expect(found.compactMap { $0[0] } == [4..<6, 11..<12])
    #expect(asked == 4)  // positions 0, 4, 8 and 11: the text's start and each line's
  }

  @Test("MinHash clustering and association scores stop when asked")
  func clustersAndScores() {
    let signatures = (0..<5000).map { i in (0..<64).map { k in k < 16 ? 1 : i * 64 + k } }
    var asked = 0
    let clusters = MinHashClusters.clusters(
      signatures, threshold: 0.9, bands: 4,
      stop: {
        asked += 1; return asked > 3
      })
    #expect(asked == 4)
    #expect(clusters.count == 5000)
    let pairs = Counter()
    for i in 0..<10_000 {
      Array("w\(i) v\(i)".utf8).withUnsafeBufferPointer { b in
        if let p = b.baseAddress { pairs.add(p, b.count, count: 1) }
      }
    }
    let scored = pairs.associations(
      words: Counter(), measure: .pmi, minimum: 1, n: 1, limit: 0, stop: { true })
    #expect(scored.count == 4095)
  }
}
