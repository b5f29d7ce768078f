import Foundation

/// Trains one direction of a `POSModel`.
///
/// The averaged perceptron, updated on each word whose UPOS or XPOS guess was wrong. Both outputs share one row of weights per feature (UPOS
/// labels then XPOS labels).
struct PerceptronTrainer: Sendable {
  let uposCount: Int
  let labels: Int
  var rows = FeatureTable()
  var weights: [Float] = []
  var totals: [Double] = []
  var stamps: [Int32] = []
  var time: Int32 = 0

  init(uposCount: Int, labels: Int) {
    self.uposCount = uposCount
    self.labels = labels
  }

  private mutating func row(_ h: UInt64) -> Int {
    let known = rows.count
    let r = rows.insert(h)
    guard r == known else { return r }
    weights += repeatElement(0, count: labels)
    totals += repeatElement(0, count: labels)
    stamps += repeatElement(0, count: labels)
    return r
  }

  private mutating func update(_ hashes: [UInt64], _ label: Int, _ delta: Float) {
    for h in hashes {
      let i = row(h) * labels + label
      totals[i] += Double(time - stamps[i]) * Double(weights[i])
      stamps[i] = time
      weights[i] += delta
    }
  }

  /// One pass over the sentences in `order` (their features made once; `gold[k]`: each
  /// word's UPOS and XPOS label numbers, in the features' order); returns the words whose
  /// UPOS was right.
  mutating func epoch(_ order: [Int], features all: [POSFeatures], gold: [[(Int, Int)]]) -> Int {
    var right = 0
    var hashes: [UInt64] = []
    var scores = [Float](repeating: 0, count: labels)
    for index in order {
      var features = all[index]
      for i in 0..<features.count {
        time += 1
        features.hashes(at: i, into: &hashes)
        scores.withUnsafeMutableBufferPointer { sc in
          for c in 0..<labels { sc[c] = 0 }
          weights.withUnsafeBufferPointer { w in
            for h in hashes {
              let row = rows.find(h)
              guard row >= 0 else { continue }
              let base = Int(row) * labels
              for c in 0..<labels { sc[c] += w[base + c] }
            }
          }
        }
        var u = 0
        for c in 1..<uposCount where scores[c] > scores[u] { u = c }
        var x = uposCount
        for c in uposCount..<labels where scores[c] > scores[x] { x = c }
        let (gu, gx) = gold[index][i]
        if u != gu {
          update(hashes, gu, 1)
          update(hashes, u, -1)
        } else {
          right += 1
        }
        if x != uposCount + gx {
          update(hashes, uposCount + gx, 1)
          update(hashes, x, -1)
        }
        // The history holds the guess, as it will when tagging.
        features.setTag(x - uposCount, at: i)
      }
    }
    return right
  }

  /// The averaged weights so far, those worth at least `minimum` kept.
  func model(minimum: Int) -> SparseWeights {
    var averaged = [Float](repeating: 0, count: weights.count)
    let t = Double(max(1, time))
    for i in 0..<averaged.count {
      let total = totals[i] + Double(time - stamps[i]) * Double(weights[i])
      averaged[i] = Float(total / t)
    }
    return SparseWeights(
      uposCount: uposCount, labels: labels, hashes: rows.hashesByRow(), weights: averaged,
      minimum: minimum)
  }
}

/// Trains a `POSModel`: both directions at once (one thread each), sentences shuffled with a
/// seed each iteration, the iteration that scores best on the development sentences kept.
public enum POSTrainer {
  public struct Sentence: Sendable {
    public var words: [String]
    public var upos: [String]
    public var xpos: [String]
    public var lemmas: [String]
    public var feats: [String]

    public init(
      words: [String], upos: [String], xpos: [String], lemmas: [String] = [], feats: [String] = []
    ) {
      self.words = words
      self.upos = upos
      self.xpos = xpos
      self.lemmas = lemmas
      self.feats = feats
    }
  }

  /// The smallest weight a model keeps, in steps of 1/127 of the largest: smaller ones change
  /// few decisions and would make the model many times larger.
  public static let minimumWeight = 4

  /// Trains for up to `iterations` passes, reporting each (`progress`: iteration, training
  /// accuracy, dev UPOS and XPOS accuracy); keeps the pass with the best mean of the two on
  /// `dev` (on training data without it), stopping after `patience` passes without a better one.
  public static func train(
    _ train: [Sentence], dev: [Sentence], iterations: Int = 10, patience: Int = 3,
    seed: UInt64 = 1, minimumWeight: Int = minimumWeight,
    progress: (Int, Double, Double, Double) -> Void = { _, _, _, _ in }
  ) -> POSModel {
    var upos = Set<String>()
    var xpos = Set<String>()
    for s in train {
      upos.formUnion(s.upos)
      xpos.formUnion(s.xpos)
    }
    let labels = [upos.sorted(), xpos.sorted()]
    let index = labels.map { l in
      Dictionary(uniqueKeysWithValues: l.enumerated().map { ($1, $0) })
    }
    let gold = train.map { s in
      s.upos.indices.map { (index[0][s.upos[$0]] ?? 0, index[1][s.xpos[$0]] ?? 0) }
    }
    var lexicon = TagLexicon(labels: labels[1].count)
    var forward = train.map { POSFeatures($0.words) }
    for (k, f) in forward.enumerated() {
      for i in 0..<f.count { lexicon.add(f.wordHash(i), gold[k][i].1) }
    }
    // Each word's class leaves its own occurrence out: a word seen once in training looks
    // as unknown as it will in new text.
    for k in forward.indices {
      let f = forward[k]
      forward[k].setClasses(
        (0..<f.count).map { lexicon.ambiguityClass(f.wordHash($0), minus: gold[k][$0].1) })
    }
    let features = [forward, forward.map { $0.reversed() }]
    let golds = [gold, gold.map { Array($0.reversed()) }]
    var pairSet = Set<Int>()
    for g in gold { for (u, x) in g { pairSet.insert(u << 16 | x) } }
    let pairs = pairSet.sorted().map { (upos: $0 >> 16, xpos: $0 & 0xffff) }
    let classes = lexicon.table()
    // Each word with its tags and one more column (lemma, FEATS), where the sentence has it.
    func words(_ column: KeyPath<Sentence, [String]>) -> [(String, String, String, String)] {
      train.flatMap { s in
        s.words.indices.compactMap { i in
          i < s[keyPath: column].count
            ? (s.words[i], s.upos[i], s.xpos[i], s[keyPath: column][i]) : nil
        }
      }
    }
    let hasLemmas = train.contains { !$0.lemmas.isEmpty }
    let lemmatizer = hasLemmas ? Lemmatizer.train(words(\.lemmas)) : nil
    // Features only where the treebank has some.
    let hasFeats = train.contains { $0.feats.contains { $0 != "_" } }
    let feats = hasFeats ? FeatsLexicon.train(words(\.feats)) : nil
    let n = labels[0].count + labels[1].count
    let trainers = Box([
      PerceptronTrainer(uposCount: labels[0].count, labels: n),
      PerceptronTrainer(uposCount: labels[0].count, labels: n),
    ])
    let right = Box([0, 0])
    let weights = Box<SparseWeights?>([nil, nil])
    func made() -> POSModel {
      let w = weights.value.compactMap { $0 }
      let none = SparseWeights(
        uposCount: labels[0].count, labels: n, hashes: [], weights: [], minimum: 1)
      return POSModel(
        labels: labels, forward: w.first ?? none, backward: w.last, classes: classes, pairs: pairs,
        lemmatizer: lemmatizer, feats: feats)
    }
    var order = Array(train.indices)
    var rng = SplitMix(seed: seed)
    var best: (accuracy: Double, model: POSModel)?
    var since = 0
    let words = max(1, train.reduce(0) { $0 + $1.words.count })
    for iteration in 1...max(1, iterations) {
      order.shuffle(using: &rng)
      let shown = order
      DispatchQueue.concurrentPerform(iterations: 2) { k in
        var t = trainers.take(k)
        right.set(k, t.epoch(shown, features: features[k], gold: golds[k]))
        weights.set(k, t.model(minimum: minimumWeight))
        trainers.set(k, t)
      }
      let model = made()
      let trained = Double(right.value[0]) / Double(words)
      let (upos, xpos, _, _) = dev.isEmpty ? (trained, trained, 0, 0) : model.accuracy(dev)
      progress(iteration, trained, upos, xpos)
      let accuracy = (upos + xpos) / 2
      if let kept = best, accuracy <= kept.accuracy {
        since += 1
        if since >= patience { break }
      } else {
        best = (accuracy, model)
        since = 0
      }
    }
    return best?.model ?? made()
  }
}

protocol Placeholder { init() }
extension Int: Placeholder {}
extension Optional: Placeholder { init() { self = nil } }
extension PerceptronTrainer: Placeholder { init() { self.init(uposCount: 0, labels: 0) } }

/// Values that concurrent workers each set one of (each its own index, never the same).
private final class Box<T>: @unchecked Sendable {
  private let lock = NSLock()
  private var items: [T]
  init(_ items: [T]) { self.items = items }
  var value: [T] { lock.withLock { items } }
  /// Item `k`, the box left with a placeholder (so that changing the item copies nothing).
  func take(_ k: Int) -> T where T: Placeholder {
    lock.withLock {
      let item = items[k]
      items[k] = T()
      return item
    }
  }
  func set(_ k: Int, _ item: T) { lock.withLock { items[k] = item } }
}

/// SplitMix64: a small seeded generator, the same sequence on every machine.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

extension POSTrainer.Sentence {
  /// The gold words and tags of CoNLL-U sentences.
  public static func from(_ sentences: [CoNLLU.Sentence]) -> [POSTrainer.Sentence] {
    sentences.map { s in
      POSTrainer.Sentence(
        words: s.words.map(\.form), upos: s.words.map(\.upos), xpos: s.words.map(\.xpos),
        lemmas: s.words.map(\.lemma), feats: s.words.map(\.feats))
    }
  }
}
