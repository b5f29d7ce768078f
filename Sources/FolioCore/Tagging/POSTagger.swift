/// A part-of-speech tagger: an averaged perceptron over rich word and context features,
/// greedy left to right, predicting UPOS and XPOS (two sets of weights over the same
/// features) for the words of a sentence.
///
/// Features are 64-bit hashes: each word's own (its lowercase form, affixes, shape) are
/// hashed once per sentence, context features mix those hashes with integers. Only features
/// that took part in a training update get weights, so the model stays the size of what it
/// learned.
public struct POSModel: Sendable {
  /// The labels of each output: 0 UPOS, 1 XPOS.
  public var labels: [[String]]
  /// Feature hash → row.
  var rows: FeatureTable
  /// Per output, rows × labels weights, row-major.
  var weights: [[Float]]

  /// The number of features with weights.
  public var featureCount: Int { rows.count }

  init(labels: [[String]], rows: FeatureTable, weights: [[Float]]) {
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
    let heads = labels.count
    var found: [Int32] = []
    var scores = [Float](repeating: 0, count: labels.map(\.count).max() ?? 1)
    var hashes: [UInt64] = []
    var best = [0, 0]
    for i in 0..<words.count {
      features.hashes(at: i, into: &hashes)
      found.removeAll(keepingCapacity: true)
      for h in hashes {
        let r = rows.find(h)
        if r >= 0 { found.append(r) }
      }
      for head in 0..<heads {
        let n = labels[head].count
        scores.withUnsafeMutableBufferPointer { sc in
          for c in 0..<n { sc[c] = 0 }
          weights[head].withUnsafeBufferPointer { w in
            for r in found {
              let base = Int(r) * n
              for c in 0..<n { sc[c] += w[base + c] }
            }
          }
          var b = 0
          for c in 1..<n where sc[c] > sc[b] { b = c }
          best[head] = b
        }
      }
      upos.append(labels[0][best[0]])
      xpos.append(labels[1][best[1]])
      features.setTag(best[1], at: i)
    }
    return (upos, xpos)
  }
}

/// Feature hash → row: open addressing with linear probing (0 marks an empty slot; hashes are
/// never 0).
struct FeatureTable: Sendable {
  private(set) var keys: [UInt64]
  private(set) var values: [Int32]
  private(set) var count = 0
  private var mask: Int

  init(capacity: Int = 1 << 16) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    keys = Array(repeating: 0, count: size)
    values = Array(repeating: -1, count: size)
    mask = size - 1
  }

  @inline(__always) private func slot(_ h: UInt64) -> Int {
    Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
  }

  /// The row of `h`, or -1.
  @inline(__always) func find(_ h: UInt64) -> Int32 {
    var i = slot(h)
    while true {
      let k = keys[i]
      if k == h { return values[i] }
      if k == 0 { return -1 }
      i = (i + 1) & mask
    }
  }

  /// The row of `h`, added as the next row when new.
  mutating func insert(_ h: UInt64) -> Int {
    var i = slot(h)
    while keys[i] != 0 {
      if keys[i] == h { return Int(values[i]) }
      i = (i + 1) & mask
    }
    keys[i] = h
    values[i] = Int32(count)
    count += 1
    if count * 2 > keys.count { grow() }
    return count - 1
  }

  private mutating func grow() {
    let old = zip(keys, values).filter { $0.0 != 0 }
    keys = Array(repeating: 0, count: keys.count * 2)
    values = Array(repeating: -1, count: keys.count)
    mask = keys.count - 1
    for (k, v) in old {
      var i = slot(k)
      while keys[i] != 0 { i = (i + 1) & mask }
      keys[i] = k
      values[i] = v
    }
  }

  /// The hashes in row order.
  func hashesByRow() -> [UInt64] {
    var out = [UInt64](repeating: 0, count: count)
    for (k, v) in zip(keys, values) where k != 0 { out[Int(v)] = k }
    return out
  }
}

/// The features of one sentence's words, with the tags predicted so far.
struct POSFeatures {
  /// Per word: the hash of its lowercase form, of its last three letters, and its own
  /// features (stride `own`).
  private var word: [UInt64] = []
  private var suffix3: [UInt64] = []
  private var shapes: [UInt64] = []
  private var own: [UInt64] = []
  static let ownCount = 13
  /// The tags so far, as label numbers + 1 (0: none yet).
  private var tags: [UInt64]

  static func hash(_ s: some Sequence<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
  }

  /// Mixes a template number with up to two values into a feature hash (never 0).
  @inline(__always) static func mix(_ template: UInt64, _ a: UInt64 = 0, _ b: UInt64 = 0) -> UInt64
  {
    var z =
      template &* 0x9E37_79B9_7F4A_7C15 ^ a &* 0xBF58_476D_1CE4_E5B9 ^ (b &+ 0x632B_E59B_D9B4_E019)
      &* 0x94D0_49BB_1331_11EB
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return (z ^ (z >> 31)) | 1
  }

  static let start = hash("<s>".utf8)
  static let end = hash("</s>".utf8)

  init(_ words: [String]) {
    tags = Array(repeating: 0, count: words.count)
    word.reserveCapacity(words.count)
    suffix3.reserveCapacity(words.count)
    own.reserveCapacity(words.count * Self.ownCount)
    var scalars: [UInt32] = []
    for (i, form) in words.enumerated() {
      let lower = form.lowercased()
      scalars.removeAll(keepingCapacity: true)
      var hyphen: UInt64 = 0
      for u in lower.unicodeScalars {
        scalars.append(u.value)
        if u == "-" { hyphen = 1 }
      }
      let w = Self.hash(lower.utf8)
      word.append(w)
      let n = scalars.count
      func suffix(_ k: Int) -> UInt64 { Self.hash(scalars: scalars[max(0, n - k)...]) }
      func prefix(_ k: Int) -> UInt64 { Self.hash(scalars: scalars[..<min(n, k)]) }
      let s3 = suffix(3)
      suffix3.append(s3)
      let (shape, digit) = Self.shape(form)
      shapes.append(shape)
      own += [
        Self.mix(0), Self.mix(1, w), Self.mix(2, Self.hash(form.utf8)), Self.mix(3, suffix(1)),
        Self.mix(4, suffix(2)), Self.mix(5, s3), Self.mix(6, suffix(4)), Self.mix(7, prefix(1)),
        Self.mix(8, prefix(2)), Self.mix(9, prefix(3)), Self.mix(10, shape),
        i == 0 ? Self.mix(23, shape) : Self.mix(26), Self.mix(24, hyphen, digit),
      ]
    }
  }

  static func hash(scalars: ArraySlice<UInt32>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for v in scalars { h = (h ^ UInt64(v)) &* 0x100_0000_01b3 }
    return h
  }

  mutating func setTag(_ label: Int, at i: Int) { tags[i] = UInt64(label + 1) }

  @inline(__always) private func w(_ i: Int) -> UInt64 {
    i < 0 ? Self.start : i >= word.count ? Self.end : word[i]
  }

  @inline(__always) private func s3(_ i: Int) -> UInt64 {
    i < 0 ? Self.start : i >= suffix3.count ? Self.end : suffix3[i]
  }

  @inline(__always) private func t(_ i: Int) -> UInt64 { i < 0 ? 0xFFFF : tags[i] }

  /// The hash of the word's shape (capitals X, lowercase x, digits d, others as they are;
  /// runs of one class shortened to two: "Xxx", "dd.dd") and whether it has a digit (1 or 0).
  static func shape(_ s: String) -> (UInt64, UInt64) {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    var last: UInt32 = 0
    var run = 0
    var digit: UInt64 = 0
    for u in s.unicodeScalars {
      let v = u.value
      let c: UInt32
      if v < 0x80 {
        c =
          v >= 0x41 && v <= 0x5A
          ? 0x58 : v >= 0x61 && v <= 0x7A ? 0x78 : v >= 0x30 && v <= 0x39 ? 0x64 : v
      } else {
        let p = u.properties
        c = p.isUppercase ? 0x58 : p.isLowercase ? 0x78 : p.numericType != nil ? 0x64 : v
      }
      if c == 0x64 { digit = 1 }
      if c == last {
        run += 1
        if run >= 2 { continue }
      } else {
        run = 0
      }
      h = (h ^ UInt64(c)) &* 0x100_0000_01b3
      last = c
    }
    return (h, digit)
  }

  /// The hashes of the features of word `i`.
  func hashes(at i: Int, into out: inout [UInt64]) {
    out.removeAll(keepingCapacity: true)
    let base = i * Self.ownCount
    out += own[base..<(base + Self.ownCount)]
    let me = word[i]
    out.append(Self.mix(11, w(i - 1)))
    out.append(Self.mix(12, w(i + 1)))
    out.append(Self.mix(13, w(i - 2)))
    out.append(Self.mix(14, w(i + 2)))
    out.append(Self.mix(15, s3(i - 1)))
    out.append(Self.mix(16, s3(i + 1)))
    out.append(Self.mix(17, t(i - 1)))
    out.append(Self.mix(18, t(i - 2), t(i - 1)))
    out.append(Self.mix(19, t(i - 1), me))
    out.append(Self.mix(20, w(i - 1), me))
    out.append(Self.mix(21, me, w(i + 1)))
    out.append(Self.mix(22, t(i - 1), suffix3[i]))
    out.append(Self.mix(27, w(i - 1), w(i + 1)))
    out.append(Self.mix(28, t(i - 1), w(i + 1)))
    out.append(Self.mix(29, w(i + 1), w(i + 2)))
    out.append(Self.mix(30, shapeOf(i - 1), shapeOf(i + 1)))
  }

  @inline(__always) private func shapeOf(_ i: Int) -> UInt64 {
    i < 0 ? Self.start : i >= word.count ? Self.end : shapes[i]
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
  var rows = FeatureTable()
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
    let known = rows.count
    let r = rows.insert(h)
    guard r == known else { return r }
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
    var gold = [0, 0]
    for s in sentences {
      var features = POSFeatures(s.words)
      for i in 0..<s.words.count {
        time += 1
        features.hashes(at: i, into: &hashes)
        gold[0] = labelIndex[0][s.upos[i]] ?? 0
        gold[1] = labelIndex[1][s.xpos[i]] ?? 0
        for head in 0..<labels.count {
          let n = labels[head].count
          for c in 0..<n { scores[head][c] = 0 }
          for h in hashes {
            let row = rows.find(h)
            guard row >= 0 else { continue }
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
        features.setTag(guessed[1], at: i)
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
  /// accuracy, dev UPOS and XPOS accuracy); keeps the pass with the best mean of the two on
  /// `dev` (on training data without it), stopping after `patience` passes without a better one.
  public static func train(
    _ train: [Sentence], dev: [Sentence], iterations: Int = 10, patience: Int = 3,
    seed: UInt64 = 1, progress: (Int, Double, Double, Double) -> Void = { _, _, _, _ in }
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
      let trained = Double(right) / Double(words)
      let (upos, xpos) = dev.isEmpty ? (trained, trained) : model.accuracy(dev)
      progress(iteration, trained, upos, xpos)
      let accuracy = (upos + xpos) / 2
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
      header.strings(list)
    }
    header.close("]")
    header.comma()
    header.key("features")
    header.meta(.integer(rows.count))
    header.close("}")
    out += header.bytes
    out.append(0x0A)
    for h in rows.hashesByRow() { withUnsafeBytes(of: h.littleEndian) { out += $0 } }
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
    var rows = FeatureTable(capacity: n)
    var ok = true
    bytes.withUnsafeBytes { raw in
      for r in 0..<n {
        let h = UInt64(
          littleEndian: raw.loadUnaligned(fromByteOffset: offset + r * 8, as: UInt64.self))
        if h == 0 || rows.insert(h) != r { ok = false }
      }
    }
    guard ok else { return nil }
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
