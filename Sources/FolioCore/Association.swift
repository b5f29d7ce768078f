#if canImport(Glibc)
  import Glibc
#endif

/// Association measures over a 2×2 contingency table (`folio.stats`), in one place for Lua
/// and for `Counter.associations`.
///
/// For a pair (w1, w2): o11 = pair count, r1 = count of w1, c1 = count of w2, n = tokens;
/// o12 = r1 − o11, o21 = c1 − o11, o22 = n − r1 − c1 + o11, and e_ij = row_i × col_j / n.
public enum Association: String, CaseIterable, Sendable {
  case pmi
  case tScore = "t_score"
  case logLikelihood = "log_likelihood"
  case chi2
  case logDice = "log_dice"

  /// The formula, for reports' provenance (`folio.stats.formulas`).
  public var formula: String {
    switch self {
    case .pmi: "log2(o11 / e11), e11 = r1 * c1 / n"
    case .tScore: "(o11 - e11) / sqrt(o11)"
    case .logLikelihood:
      "G2 = 2 * sum(o_ij * ln(o_ij / e_ij)) over the 2x2 table, negative when o11 < e11"
    case .chi2: "n * (o11 * o22 - o12 * o21)^2 / (r1 * r2 * c1 * c2), negative when o11 < e11"
    case .logDice: "14 + log2(2 * o11 / (r1 + c1))"
    }
  }

  /// The formula of the log ratio (`logRatio`).
  public static let logRatioFormula = "log2((a / na) / (b / nb)), zero counts taken as 0.5"

  /// The score of a pair.
  ///
  /// Every measure but log-Dice carries the direction of the association: G² and chi², unsigned by their formulas, are negative when the pair occurs less often than
  /// chance would have it (o11 < e11), as AntConc and Sketch Engine report them, so that a pair
  /// such as "the the" (8 seen, 3,268 expected) never ranks as a strong collocation.
  public func score(o11: Double, r1: Double, c1: Double, n: Double) -> Double {
    let below = o11 * n < r1 * c1  // o11 < e11
    switch self {
    // Pointwise mutual information, in bits.
    case .pmi:
      return log2(o11 * n / (r1 * c1))
    // How sure it is that the pair occurs more often than by chance.
    case .tScore:
      return (o11 - r1 * c1 / n) / o11.squareRoot()
    // Dunning 1993.
    case .logLikelihood:
      let (a, b, c, d) = (o11, r1 - o11, c1 - o11, n - r1 - c1 + o11)
      let (r2, c2) = (n - r1, n - c1)
      func term(_ o: Double, _ e: Double) -> Double { o <= 0 || e <= 0 ? 0 : o * log(o / e) }
      let g2 =
        2
        * (term(a, r1 * c1 / n) + term(b, r1 * c2 / n) + term(c, r2 * c1 / n)
          + term(d, r2 * c2 / n))
      return below ? -g2 : g2
    case .chi2:
      let (a, b, c, d) = (o11, r1 - o11, c1 - o11, n - r1 - c1 + o11)
      let den = r1 * (n - r1) * c1 * (n - c1)
      if den == 0 { return 0 }
      let x = a * d - b * c
      return (below ? -1 : 1) * n * (x * x) / den
    // Rychlý 2008: at most 14, independent of corpus size.
    case .logDice:
      return 14 + log2(2 * o11 / (r1 + c1))
    }
  }

  /// The formula of `pValue`.
  public static let pValueFormula =
    "erfc(sqrt(|x| / 2)), the chi-square upper tail with 1 degree of freedom"

  /// The probability of a G² or chi² of a 2×2 table at least as large as `x` (of either sign)
  /// by chance: the upper tail of the chi-square distribution with 1 degree of freedom.
  ///
  /// 3.84 gives 0.05, 6.63 gives 0.01, 10.83 gives 0.001; NaN gives NaN.
  public static func pValue(_ x: Double) -> Double {
    erfc((abs(x) / 2).squareRoot())
  }

  /// Log ratio (Hardie 2014) of `a` in `na` against `b` in `nb`, for keyness.
  public static func logRatio(_ a: Double, _ na: Double, _ b: Double, _ nb: Double) -> Double {
    log2(((a == 0 ? 0.5 : a) / na) / ((b == 0 ? 0.5 : b) / nb))
  }
}

/// A pair scored by `Counter.associations`.
public struct PairScore: Sendable {
  /// The pair's key index in the counter of pairs.
  public var index: Int
  public var count: Int
  /// The counts of the first and second word.
  public var first: Int
  public var second: Int
  public var score: Double
}

extension Counter {
  /// Scores each pair "a b" counted at least `minimum` times by `measure`, with o11 = its
  /// count, r1 and c1 = the counts of a and b in `words`, and `n`; the `limit` best (≤ 0:
  /// all), by score (NaN last), then key (bytes).
  ///
  /// A key that is not two words joined by one space is left out, and with `negative` false so
  /// is a pair seen less often than chance would have it (o11 < e11).
  ///
  /// `stop` is asked every 4,096 pairs (the deadline, Ctrl-C): then the pairs scored so far.
  public func associations(
    words: Counter, measure: Association, minimum: Int, n: Double, limit: Int,
    negative: Bool = true, stop: () -> Bool = { false }
  ) -> [PairScore] {
    var scored: [PairScore] = []
    var split: (Int) -> (first: Int, second: Int)? = { _ in nil }
    if let table = pairTable {
      // Each word of the dictionary is looked up in `words` once.
      var counts = [Int](repeating: -1, count: table.words.count)
      func wordCount(_ w: Int) -> Int {
        if counts[w] < 0 {
          counts[w] = table.words.withKey(w) { k in
            k.baseAddress.map { words.count(of: $0, k.count) } ?? 0
          }
        }
        return counts[w]
      }
      split = { k in
        let (a, b) = table.words(at: k)
        return (wordCount(a), wordCount(b))
      }
    } else {
      split = { k in
        self.withKey(k) { key -> (Int, Int)? in
          guard let p = key.baseAddress, let space = key.firstIndex(of: 0x20), space > 0,
            space < key.count - 1, key[(space + 1)...].firstIndex(of: 0x20) == nil
          else { return nil }
          return (words.count(of: p, space), words.count(of: p + space + 1, key.count - space - 1))
        }
      }
    }
    for k in 0..<count {
      if k % 4096 == 4095 && stop() { break }
      let o11 = count(at: k)
      guard o11 >= minimum, let (r1, c1) = split(k) else { continue }
      if !negative && Double(o11) * n < Double(r1) * Double(c1) { continue }
      let s = measure.score(o11: Double(o11), r1: Double(r1), c1: Double(c1), n: n)
      scored.append(PairScore(index: k, count: o11, first: r1, second: c1, score: s))
    }
    var x: [UInt8] = []
    var y: [UInt8] = []
    func before(_ a: PairScore, _ b: PairScore) -> Bool {
      if a.score.isNaN != b.score.isNaN { return b.score.isNaN }
      if a.score != b.score && !a.score.isNaN { return a.score > b.score }
      x.removeAll(keepingCapacity: true)
      y.removeAll(keepingCapacity: true)
      withKey(a.index) { x.append(contentsOf: $0) }
      withKey(b.index) { y.append(contentsOf: $0) }
      return x.lexicographicallyPrecedes(y)
    }
    return scored.top(limit <= 0 ? scored.count : limit, by: before)
  }
}
