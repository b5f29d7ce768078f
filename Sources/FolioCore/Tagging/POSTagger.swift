/// A part-of-speech tagger: an averaged perceptron over rich word and context features,
/// greedy left to right, predicting UPOS and XPOS (two sets of weights over the same
/// features) for the words of a sentence.
///
/// Features are hashed to 64 bits; only features that took part in a training update get
/// weights, so the model stays the size of what it learned.
public struct POSModel: Sendable {
  /// The labels of each output: 0 UPOS, 1 XPOS.
  public var labels: [[String]]
  /// Feature hash → row.
  var rows: [UInt64: Int32]
  /// Per output, rows × labels weights, row-major.
  var weights: [[Float]]

  /// The number of features with weights.
  public var featureCount: Int { rows.count }

  init(labels: [[String]], rows: [UInt64: Int32], weights: [[Float]]) {
    self.labels = labels
    self.rows = rows
    self.weights = weights
  }

  /// The UPOS and XPOS tags of `words` (one sentence).
  public func tag(_ words: [String]) -> (upos: [String], xpos: [String]) {
    var features = POSFeatures(words)
    var upos: [String] = []
    var xpos: [String] = []
    upos.reserveCapacity(words.count)
    xpos.reserveCapacity(words.count)
    var scores = labels.map { [Float](repeating: 0, count: $0.count) }
    var hashes: [UInt64] = []
    for i in 0..<words.count {
      features.hashes(at: i, into: &hashes)
      var best = [0, 0]
      for head in 0..<labels.count {
        let n = labels[head].count
        for c in 0..<n { scores[head][c] = 0 }
        weights[head].withUnsafeBufferPointer { w in
          for h in hashes {
            guard let row = rows[h] else { continue }
            let base = Int(row) * n
            for c in 0..<n { scores[head][c] += w[base + c] }
          }
        }
        var b = 0
        for c in 1..<n where scores[head][c] > scores[head][b] { b = c }
        best[head] = b
      }
      upos.append(labels[0][best[0]])
      xpos.append(labels[1][best[1]])
      features.setTag(xpos[i], at: i)
    }
    return (upos, xpos)
  }
}

/// The features of one sentence's words, with the tags predicted so far.
struct POSFeatures {
  let words: [String]
  let lower: [String]
  var tags: [String]

  init(_ words: [String]) {
    self.words = words
    lower = words.map { $0.lowercased() }
    tags = Array(repeating: "", count: words.count)
  }

  mutating func setTag(_ tag: String, at i: Int) { tags[i] = tag }

  func word(_ i: Int) -> String {
    i < 0 ? "<s>" : i >= lower.count ? "</s>" : lower[i]
  }

  func tag(_ i: Int) -> String { i < 0 ? "<s>" : tags[i] }

  static func suffix(_ s: String, _ n: Int) -> Substring { s.suffix(n) }
  static func prefix(_ s: String, _ n: Int) -> Substring { s.prefix(n) }

  /// The word's shape: capitals X, lowercase x, digits d, others as they are; runs of the
  /// same class shortened to two ("Xxx", "dd.dd").
  static func shape(_ s: String) -> String {
    var out = ""
    var last: Character = " "
    var run = 0
    for ch in s {
      let c: Character = ch.isUppercase ? "X" : ch.isLowercase ? "x" : ch.isNumber ? "d" : ch
      if c == last {
        run += 1
        if run >= 2 { continue }
      } else {
        run = 0
      }
      out.append(c)
      last = c
    }
    return out
  }

  /// The hashes of the features of word `i`.
  func hashes(at i: Int, into out: inout [UInt64]) {
    out.removeAll(keepingCapacity: true)
    let w = lower[i]
    func add(_ template: UInt8, _ parts: Substring...) {
      var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(template)
      h = h &* 0x100_0000_01b3
      for (k, p) in parts.enumerated() {
        if k > 0 { h = (h ^ 0x1F) &* 0x100_0000_01b3 }
        for b in p.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
      }
      out.append(h)
    }
    func s(_ x: String) -> Substring { x[...] }
    add(0)
    add(1, s(w))
    add(2, s(words[i]))
    for n in 1...4 { add(2 + UInt8(n), Self.suffix(w, n)) }
    for n in 1...3 { add(6 + UInt8(n), Self.prefix(w, n)) }
    add(10, s(Self.shape(words[i])))
    add(11, s(word(i - 1)))
    add(12, s(word(i + 1)))
    add(13, s(word(i - 2)))
    add(14, s(word(i + 2)))
    add(15, Self.suffix(word(i - 1), 3))
    add(16, Self.suffix(word(i + 1), 3))
    add(17, s(tag(i - 1)))
    add(18, s(tag(i - 2)), s(tag(i - 1)))
    add(19, s(tag(i - 1)), s(w))
    add(20, s(word(i - 1)), s(w))
    add(21, s(w), s(word(i + 1)))
    add(22, s(tag(i - 1)), Self.suffix(w, 3))
    if i == 0 { add(23, s(Self.shape(words[i]))) }
    if w.contains("-") { add(24) }
    if w.contains(where: \.isNumber) { add(25) }

  }
}

/// Trains a `POSModel`: the averaged perceptron, sentences shuffled with a seed each
/// iteration, the iteration that scores best on the development sentences kept.
public struct POSTrainer {
  public struct Sentence: Sendable {
    public var words: [String]
    public var upos: [String]
    public var xpos: [String]

    public init(words: [String], upos: [String], xpos: [String]) {
      self.words = words
      self.upos = upos
      self.xpos = xpos
    }
  }

  var labels: [[String]]
  var labelIndex: [[String: Int]]
  var rows: [UInt64: Int32] = [:]
  var weights: [[Float]]
  var totals: [[Double]]
  var stamps: [[Int32]]
  var time: Int32 = 0

  public init(_ train: [Sentence]) {
    var upos = Set<String>()
    var xpos = Set<String>()
    for s in train {
      upos.formUnion(s.upos)
      xpos.formUnion(s.xpos)
    }
    labels = [upos.sorted(), xpos.sorted()]
    labelIndex = labels.map { Dictionary(uniqueKeysWithValues: $0.enumerated().map { ($1, $0) }) }
    weights = [[], []]
    totals = [[], []]
    stamps = [[], []]
  }

  private mutating func row(_ h: UInt64) -> Int {
    if let r = rows[h] { return Int(r) }
    let r = rows.count
    rows[h] = Int32(r)
    for head in 0..<labels.count {
      let n = labels[head].count
      weights[head] += repeatElement(0, count: n)
      totals[head] += repeatElement(0, count: n)
      stamps[head] += repeatElement(0, count: n)
    }
    return r
  }

  private mutating func update(_ head: Int, _ hashes: [UInt64], _ label: Int, _ delta: Float) {
    let n = labels[head].count
    for h in hashes {
      let i = row(h) * n + label
      totals[head][i] += Double(time - stamps[head][i]) * Double(weights[head][i])
      stamps[head][i] = time
      weights[head][i] += delta
    }
  }

  /// One pass over `sentences` in the order given; returns the words tagged right (UPOS).
  mutating func epoch(_ sentences: [Sentence]) -> Int {
    var right = 0
    var hashes: [UInt64] = []
    var scores = labels.map { [Float](repeating: 0, count: $0.count) }
    var guessed = [0, 0]
    for s in sentences {
      var features = POSFeatures(s.words)
      for i in 0..<s.words.count {
        time += 1
        features.hashes(at: i, into: &hashes)
        let gold = [labelIndex[0][s.upos[i]] ?? 0, labelIndex[1][s.xpos[i]] ?? 0]
        for head in 0..<labels.count {
          let n = labels[head].count
          for c in 0..<n { scores[head][c] = 0 }
          for h in hashes {
            guard let row = rows[h] else { continue }
            let base = Int(row) * n
            for c in 0..<n { scores[head][c] += weights[head][base + c] }
          }
          var b = 0
          for c in 1..<n where scores[head][c] > scores[head][b] { b = c }
          if b != gold[head] {
            update(head, hashes, gold[head], 1)
            update(head, hashes, b, -1)
          } else if head == 0 {
            right += 1
          }
          guessed[head] = b
        }
        // The history holds the guess, as it will when tagging.
        features.setTag(labels[1][guessed[1]], at: i)
      }
    }
    return right
  }

  /// The averaged weights so far, as a model.
  func model() -> POSModel {
    var averaged: [[Float]] = []
    for head in 0..<labels.count {
      var a = [Float](repeating: 0, count: weights[head].count)
      for i in 0..<a.count {
        let total = totals[head][i] + Double(time - stamps[head][i]) * Double(weights[head][i])
        a[i] = Float(total / Double(max(1, time)))
      }
      averaged.append(a)
    }
    return POSModel(labels: labels, rows: rows, weights: averaged)
  }

  /// Trains for up to `iterations` passes, reporting each (`progress`: iteration, training
  /// accuracy, dev accuracy); stops after `patience` passes without a better dev score and
  /// returns the best model.
  public static func train(
    _ train: [Sentence], dev: [Sentence], iterations: Int = 10, patience: Int = 3,
    seed: UInt64 = 1, progress: (Int, Double, Double) -> Void = { _, _, _ in }
  ) -> POSModel {
    var trainer = POSTrainer(train)
    var order = train
    var rng = SplitMix(seed: seed)
    var best: (accuracy: Double, model: POSModel)? = nil
    var since = 0
    let words = max(1, train.reduce(0) { $0 + $1.words.count })
    for iteration in 1...max(1, iterations) {
      order.shuffle(using: &rng)
      let right = trainer.epoch(order)
      let model = trainer.model()
      let accuracy = dev.isEmpty ? Double(right) / Double(words) : model.accuracy(dev).upos
      progress(iteration, Double(right) / Double(words), accuracy)
      if best == nil || accuracy > best?.accuracy ?? 0 {
        best = (accuracy, model)
        since = 0
      } else {
        since += 1
        if since >= patience { break }
      }
    }
    return best?.model ?? trainer.model()
  }
}

extension POSModel {
  /// UPOS and XPOS accuracy on gold-segmented sentences.
  public func accuracy(_ sentences: [POSTrainer.Sentence]) -> (upos: Double, xpos: Double) {
    var u = 0
    var x = 0
    var n = 0
    for s in sentences {
      let (upos, xpos) = tag(s.words)
      for i in 0..<s.words.count {
        if upos[i] == s.upos[i] { u += 1 }
        if xpos[i] == s.xpos[i] { x += 1 }
      }
      n += s.words.count
    }
    return (Double(u) / Double(max(1, n)), Double(x) / Double(max(1, n)))
  }
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

extension POSModel {
  static let magic = "FOLIO-POS 1\n"

  /// The model as bytes: a header line, a JSON line of the labels and sizes, then the feature
  /// hashes and each output's weights, little-endian.
  public func encoded() -> [UInt8] {
    var out = Array(Self.magic.utf8)
    var header = JSONWriter()
    header.open("{")
    header.key("labels")
    header.open("[")
    for (k, list) in labels.enumerated() {
      if k > 0 { header.comma() }
      header.open("[")
      for (i, l) in list.enumerated() {
        if i > 0 { header.comma() }
        header.string(l)
      }
      header.close("]")
    }
    header.close("]")
    header.comma()
    header.key("features")
    header.meta(.integer(rows.count))
    header.close("}")
    out += header.bytes
    out.append(0x0A)
    var hashes = [UInt64](repeating: 0, count: rows.count)
    for (h, r) in rows { hashes[Int(r)] = h }
    for h in hashes { withUnsafeBytes(of: h.littleEndian) { out += $0 } }
    for w in weights {
      for x in w { withUnsafeBytes(of: x.bitPattern.littleEndian) { out += $0 } }
    }
    return out
  }

  /// The model `encoded` wrote, or nil when `bytes` are not one.
  public init?(bytes: [UInt8]) {
    let magic = Array(Self.magic.utf8)
    guard bytes.starts(with: magic),
      let eol = bytes[magic.count...].firstIndex(of: 0x0A),
      case .object(let fields)? = try? JSONParser.parse(bytes[magic.count..<eol]),
      case .array(let lists)? = fields.first(where: { $0.0 == "labels" })?.1,
      case .integer(let n)? = fields.first(where: { $0.0 == "features" })?.1
    else { return nil }
    var labels: [[String]] = []
    for list in lists {
      guard case .array(let items) = list else { return nil }
      labels.append(items.compactMap { if case .string(let s) = $0 { s } else { nil } })
    }
    var offset = eol + 1
    let need = n * 8 + labels.reduce(0) { $0 + n * $1.count * 4 }
    guard n >= 0, bytes.count - offset == need else { return nil }
    var rows: [UInt64: Int32] = [:]
    rows.reserveCapacity(n)
    bytes.withUnsafeBytes { raw in
      for r in 0..<n {
        let h = UInt64(
          littleEndian: raw.loadUnaligned(fromByteOffset: offset + r * 8, as: UInt64.self))
        rows[h] = Int32(r)
      }
    }
    offset += n * 8
    var weights: [[Float]] = []
    for list in labels {
      let count = n * list.count
      var w = [Float](repeating: 0, count: count)
      bytes.withUnsafeBytes { raw in
        for i in 0..<count {
          w[i] = Float(
            bitPattern: UInt32(
              littleEndian: raw.loadUnaligned(fromByteOffset: offset + i * 4, as: UInt32.self)))
        }
      }
      offset += count * 4
      weights.append(w)
    }
    self.init(labels: labels, rows: rows, weights: weights)
  }
}

extension POSTrainer.Sentence {
  /// The gold words and tags of CoNLL-U sentences.
  public static func from(_ sentences: [CoNLLU.Sentence]) -> [POSTrainer.Sentence] {
    sentences.map { s in
      POSTrainer.Sentence(
        words: s.words.map(\.form), upos: s.words.map(\.upos), xpos: s.words.map(\.xpos))
    }
  }
}
