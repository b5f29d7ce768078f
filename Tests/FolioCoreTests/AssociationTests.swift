import FolioCore
import Testing

@Suite("association measures") struct AssociationTests {
  /// "the the" on bbc at window 1 is seen 8 times and expected about 3,268 times.
  ///
  /// "the" occurs 52,634 times in about 848,000 words. It ranked 4th by G² when G² was unsigned.
  @Test("every directional measure is negative for a pair seen less often than chance")
  func direction() {
    let (o11, r1, n) = (8.0, 52_634.0, 847_775.0)
    for measure in [Association.pmi, .tScore, .logLikelihood, .chi2] {
      #expect(measure.score(o11: o11, r1: r1, c1: r1, n: n) < 0, "\(measure)")
      // The same table the other way round (seen 3,268 times, expected 3,268): about 0.
      #expect(abs(measure.score(o11: r1 * r1 / n, r1: r1, c1: r1, n: n)) < 1e-6, "\(measure)")
    }
    // Seen more often than chance: positive, and G² has the same size either way.
    let up = Association.logLikelihood.score(o11: 5053, r1: 17_725, c1: 52_634, n: n)
    #expect(up > 8850 && up < 8860)
    #expect(Association.logDice.score(o11: o11, r1: r1, c1: r1, n: n) > 0)
  }

  @Test("associations leave out pairs below chance when asked")
  func leaveOut() {
    let pairs = Counter()
    let words = Counter()
    func add(_ c: Counter, _ key: String, _ n: Int) {
      Array(key.utf8).withUnsafeBufferPointer { b in
        if let p = b.baseAddress { c.add(p, b.count, count: n) }
      }
    }
    add(pairs, "the the", 8)
    add(pairs, "in the", 5053)
    add(words, "the", 52_634)
    add(words, "in", 17_725)
    let all = pairs.associations(
      words: words, measure: .logLikelihood, minimum: 1, n: 847_775, limit: 0)
    #expect(all.count == 2)
    #expect(all.last?.score ?? 0 < 0)
    let positive = pairs.associations(
      words: words, measure: .logLikelihood, minimum: 1, n: 847_775, limit: 0, negative: false)
    #expect(positive.map(\.count) == [5053])
  }
}
