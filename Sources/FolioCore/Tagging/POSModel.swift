import Foundation

/// One direction of the part-of-speech tagger, as tagging reads it.
///
/// An averaged perceptron over rich word and context features (`POSFeatures`), greedy from
/// the first word to the last, scoring UPOS and XPOS labels together. The backward direction is the same kind of model
/// trained on sentences reversed.
///
/// Each feature has a short run of (label, weight) pairs; weights are steps of a per-output
/// scale that fit in a byte. Only weights that matter are kept, so the model is a few MB and
/// its table stays in the processor's cache.
struct SparseWeights: Sendable {
  /// UPOS labels then XPOS labels: `labels` scores per word.
  var uposCount: Int
  var labels: Int
  /// What one step of a weight is worth: UPOS, XPOS.
  var scales: [Float]
  /// The feature hashes by row (kept for encoding).
  var hashes: [UInt64]
  /// Row `r`'s pairs are `entries[starts[r]..<starts[r + 1]]`, each `label << 8 | weight`.
  var starts: [UInt32]
  var entries: [UInt16]
  /// Open addressing: slot → the hash's high half (0: empty) << 32 | the index in `runs` of
  /// the feature's run: its length, then its pairs.
  private var slots: [UInt64]
  private var runs: [UInt16]
  private var mask: Int
  /// The summed weights of the two features of the tag history (the last tag; the last two)
  /// for each pair of last tags (`(t2 * (xpos + 1) + t1) * width`, 0 for sentence start), or
  /// empty when the tag set is too large for the table to pay.
  private var history: [Int16] = []
  /// The scores of a word take this many values in `history` and in the vectors of a session.
  var width: Int { (labels + 7) & ~7 }

  init(
    uposCount: Int, labels: Int, scales: [Float], hashes: [UInt64], starts: [UInt32],
    entries: [UInt16]
  ) {
    self.uposCount = uposCount
    self.labels = labels
    self.scales = scales
    self.hashes = hashes
    self.starts = starts
    self.entries = entries
    var size = 16
    while size < hashes.count * 2 + 2 { size <<= 1 }
    slots = Array(repeating: 0, count: size)
    mask = size - 1
    runs = []
    runs.reserveCapacity(entries.count + hashes.count)
    for (r, h) in hashes.enumerated() {
      var i = Int(truncatingIfNeeded: h) & mask
      while slots[i] != 0 { i = (i + 1) & mask }
      slots[i] = UInt64(Self.check(h)) << 32 | UInt64(runs.count)
      runs.append(UInt16(starts[r + 1] - starts[r]))
      runs += entries[Int(starts[r])..<Int(starts[r + 1])]
    }
    let tags = labels - uposCount + 1
    guard tags * tags * width <= 1 << 21 else { return }
    var a = [Int32](repeating: 0, count: labels)
    for t2 in 0..<tags {
      for t1 in 0..<tags {
        for c in a.indices { a[c] = 0 }
        let (h2, h1) = (t2 == 0 ? 0xFFFF : UInt64(t2), t1 == 0 ? 0xFFFF : UInt64(t1))
        a.withUnsafeMutableBufferPointer { p in
          add(POSFeatures.mix(17, h1), to: p.baseAddress.unsafelyUnwrapped)
          add(POSFeatures.mix(18, h2, h1), to: p.baseAddress.unsafelyUnwrapped)
        }
        history += a.lazy.map { Int16(clamping: $0) }
        history += repeatElement(0, count: width - labels)
      }
    }
  }

  @inline(__always) static func check(_ h: UInt64) -> UInt32 {
    UInt32(truncatingIfNeeded: h >> 32) | 1
  }

  /// The weights of averaged perceptron rows (`rows` × `labels` floats, row-major), in steps
  /// of 1/127 of the largest, keeping those of at least `minimum` steps.
  init(uposCount: Int, labels: Int, hashes: [UInt64], weights: [Float], minimum: Int) {
    var top: [Float] = [0, 0]
    for (i, w) in weights.enumerated() {
      let head = i % labels < uposCount ? 0 : 1
      top[head] = max(top[head], abs(w))
    }
    let scales = top.map { max($0, 1e-6) / 127 }
    var keptHashes: [UInt64] = []
    var starts: [UInt32] = [0]
    var entries: [UInt16] = []
    for (r, h) in hashes.enumerated() {
      let before = entries.count
      for c in 0..<labels {
        let w = weights[r * labels + c]
        let q = Int((w / scales[c < uposCount ? 0 : 1]).rounded())
        guard q != 0, abs(q) >= minimum else { continue }
        entries.append(UInt16(c) << 8 | UInt16(UInt8(bitPattern: Int8(clamping: q))))
      }
      if entries.count > before {
        keptHashes.append(h)
        starts.append(UInt32(entries.count))
      }
    }
    self.init(
      uposCount: uposCount, labels: labels, scales: scales, hashes: keptHashes, starts: starts,
      entries: entries)
  }

  /// The number of features.
  var count: Int { hashes.count }

  /// Adds the weights of feature `h` to `scores` (`labels` accumulators).
  @inline(__always) func add(
    _ h: UInt64, first: UInt64, to scores: UnsafeMutablePointer<Int32>,
    slots: UnsafeBufferPointer<UInt64>, runs: UnsafeBufferPointer<UInt16>
  ) {
    let want = UInt64(Self.check(h))
    var i = Int(truncatingIfNeeded: h) & mask
    var v = first
    if v >> 32 == want {
      return addRun(Int(truncatingIfNeeded: v & 0xffff_ffff), scores, runs)
    }
    if v == 0 { return }
    i = (i + 1) & mask
    while true {
      v = slots[i]
      if v >> 32 == want { break }
      if v == 0 { return }
      i = (i + 1) & mask
    }
    addRun(Int(truncatingIfNeeded: v & 0xffff_ffff), scores, runs)
  }

  @inline(__always) private func addRun(
    _ start: Int, _ scores: UnsafeMutablePointer<Int32>, _ runs: UnsafeBufferPointer<UInt16>
  ) {
    let end = start + 1 + Int(runs[start])
    for k in (start + 1)..<end {
      let e = runs[k]
      scores[Int(e >> 8)] &+= Int32(Int8(truncatingIfNeeded: e))
    }
  }

  /// Adds the weights of feature `h` to `scores` (`labels` accumulators).
  func add(_ h: UInt64, to scores: UnsafeMutablePointer<Int32>) {
    slots.withUnsafeBufferPointer { slots in
      runs.withUnsafeBufferPointer { runs in
        add(
          h, first: slots[Int(truncatingIfNeeded: h) & mask], to: scores, slots: slots, runs: runs)
      }
    }
  }

  /// The scores of every label of every word of a sentence (`out[i * labels + c]`, UPOS then
  /// XPOS), deciding greedily in this direction's order: each word's best XPOS is the history
  /// of the next.
  ///
  /// `entries[i + 2]` is the `POSSession` entry of the `i`th word in this direction's order,
  /// with two of sentence start before and two of sentence end after; `first` is the position
  /// of the sentence's first word in that order. The weights of the features of a word alone
  /// come summed from the entries' `vectors` (this direction's); the rest are looked up.
  func scores(
    count: Int, entries: UnsafePointer<Int32>, first: Int, records: UnsafePointer<UInt64>,
    vectors: UnsafePointer<Int16>, direction: Int, into o: UnsafeMutablePointer<Float>
  ) {
    let upos = uposCount
    let labels = labels
    let (su, sx) = (scales[0], scales[1])
    let m = mask
    let stride = POSFeatures.stride
    // With the history table, its two features are not looked up.
    let lookups = history.isEmpty ? 16 : 14
    let tagCount = UInt64(labels - upos + 1)
    // Tags so far after two of sentence start; the looked-up features' hashes; the first slot
    // of each; the scores: one allocation.
    let scratch = UnsafeMutableRawPointer.allocate(
      byteCount: (count + 2 + 2 * lookups) * 8 + labels * 4, alignment: 8)
    defer { scratch.deallocate() }
    let tags = scratch.bindMemory(to: UInt64.self, capacity: count + 2 + 2 * lookups)
    tags[0] = 0xFFFF
    tags[1] = 0xFFFF
    let hashes = tags + count + 2
    let firsts = hashes + lookups
    let a = (scratch + (count + 2 + 2 * lookups) * 8).bindMemory(to: Int32.self, capacity: labels)
    var lengthStore = [UInt16](repeating: 0, count: lookups)
    @inline(__always) func vector(_ e: Int32, _ kind: Int) -> UnsafePointer<Int16> {
      vectors + ((Int(e) * 2 + direction) * 5 + kind) * width
    }
    let width = width
    lengthStore.withUnsafeMutableBufferPointer { lengths in
      history.withUnsafeBufferPointer { hist in
        let historyBase = hist.baseAddress
        slots.withUnsafeBufferPointer { slots in
          runs.withUnsafeBufferPointer { runs in
            for i in 0..<count {
              let r = records + Int(entries[i + 2]) * stride
              let p1 = records + Int(entries[i + 1]) * stride
              let n1 = records + Int(entries[i + 3]) * stride
              let n2 = records + Int(entries[i + 4]) * stride
              let me = r[0]
              let t1 = tags[i + 1]
              let t2 = tags[i]
              hashes[0] = i == first ? POSFeatures.mix(23, r[2]) : POSFeatures.mix(26)
              hashes[1] = POSFeatures.mix(19, t1, me)
              hashes[2] = POSFeatures.mix(20, p1[0], me)
              hashes[3] = POSFeatures.mix(21, me, n1[0])
              hashes[4] = POSFeatures.mix(22, t1, r[1])
              hashes[5] = POSFeatures.mix(27, p1[0], n1[0])
              hashes[6] = POSFeatures.mix(28, t1, n1[0])
              hashes[7] = POSFeatures.mix(29, n1[0], n2[0])
              hashes[8] = POSFeatures.mix(30, p1[2], n1[2])
              hashes[9] = POSFeatures.mix(42, r[3], n1[3])
              hashes[10] = POSFeatures.mix(43, n1[3], n2[3])
              hashes[11] = POSFeatures.mix(44, t1, r[3])
              hashes[12] = POSFeatures.mix(46, t1, n1[3])
              hashes[13] = POSFeatures.mix(47, p1[3], r[3])
              hashes[14] = POSFeatures.mix(17, t1)
              hashes[15] = POSFeatures.mix(18, t2, t1)
              // The first slot of every feature read before any is used: the loads overlap
              // instead of waiting for each other.
              for k in 0..<lookups { firsts[k] = slots[Int(truncatingIfNeeded: hashes[k]) & m] }
              let v0 = vector(entries[i + 2], 0)
              let v1 = vector(entries[i + 1], 1)
              let v2 = vector(entries[i + 3], 2)
              let v3 = vector(entries[i], 3)
              let v4 = vector(entries[i + 4], 4)
              // Then where each feature's run is, then each run's length: again all loads before
              // any is waited for.
              for k in 0..<lookups {
                firsts[k] = UInt64(bitPattern: Int64(run(hashes[k], firsts[k], slots)))
              }
              for k in 0..<lookups {
                let at = Int(Int64(bitPattern: firsts[k]))
                lengths[k] = at < 0 ? 0 : runs[at]
              }
              if let historyBase {
                let t2i = t2 == 0xFFFF ? 0 : t2
                let t1i = t1 == 0xFFFF ? 0 : t1
                let h = historyBase + Int(t2i * tagCount + t1i) * width
                for c in 0..<labels {
                  a[c] =
                    Int32(v0[c]) &+ Int32(v1[c]) &+ Int32(v2[c]) &+ Int32(v3[c]) &+ Int32(v4[c])
                    &+ Int32(h[c])
                }
              } else {
                for c in 0..<labels {
                  a[c] =
                    Int32(v0[c]) &+ Int32(v1[c]) &+ Int32(v2[c]) &+ Int32(v3[c]) &+ Int32(v4[c])
                }
              }
              for k in 0..<lookups {
                let at = Int(Int64(bitPattern: firsts[k]))
                for j in (at + 1)..<(at + 1 + Int(lengths[k])) {
                  let e = runs[j]
                  a[Int(e >> 8)] &+= Int32(Int8(truncatingIfNeeded: e))
                }
              }
              var best = upos
              for c in upos..<labels where a[c] > a[best] { best = c }
              let base = i * labels
              for c in 0..<upos { o[base + c] = Float(a[c]) * su }
              for c in upos..<labels { o[base + c] = Float(a[c]) * sx }
              tags[i + 2] = UInt64(best - upos + 1)
            }
          }
        }
      }
    }
  }

  /// Where feature `h`'s run is in `runs` (its first slot `first`), or -1.
  @inline(__always) func run(_ h: UInt64, _ first: UInt64, _ slots: UnsafeBufferPointer<UInt64>)
    -> Int
  {
    let want = UInt64(Self.check(h))
    var v = first
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      if v >> 32 == want { return Int(truncatingIfNeeded: v & 0xffff_ffff) }
      if v == 0 { return -1 }
      i = (i + 1) & mask
      v = slots[i]
    }
  }
}

/// A part-of-speech tagger and lemmatiser: the sum of a forward and a backward direction
/// (`SparseWeights`; each sees the tags it chose on its side) chooses each word's UPOS and
/// XPOS together, as a pair the training data has.
public struct POSModel: Sendable {
  /// The labels of each output: 0 UPOS, 1 XPOS.
  public let labels: [[String]]
  var forward: SparseWeights
  var backward: SparseWeights?
  /// Word hash → ambiguity class (`TagLexicon`).
  var classes: [UInt64: UInt64]
  /// The (UPOS, XPOS) pairs the training data has.
  var pairs: [(upos: Int, xpos: Int)]
  public var lemmatizer: Lemmatizer?
  /// Morphological features from the tags, when the training data had them.
  public var feats: FeatsLexicon?

  init(
    labels: [[String]], forward: SparseWeights, backward: SparseWeights?,
    classes: [UInt64: UInt64], pairs: [(upos: Int, xpos: Int)], lemmatizer: Lemmatizer? = nil,
    feats: FeatsLexicon? = nil
  ) {
    self.lemmatizer = lemmatizer
    self.feats = feats
    self.labels = labels
    self.forward = forward
    self.backward = backward
    self.classes = classes
    self.pairs = pairs
  }

  /// The number of features with weights, both directions.
  public var featureCount: Int { forward.count + (backward?.count ?? 0) }

  /// The UPOS and XPOS tags, the lemmas and the features of `words` (one sentence; no lemmas or
  /// features when the model has none).
  public func tag(_ words: [String]) -> (
    upos: [String], xpos: [String], lemmas: [String], feats: [String]
  ) {
    let (bytes, ranges) = POSFeatures.concatenated(words)
    let session = POSSession(self)
    let (u, x) = bytes.withUnsafeBufferPointer { session.decide(bytes: $0, ranges: ranges) }
    let upos = u.map { labels[0][$0] }
    let xpos = x.map { labels[1][$0] }
    let lemmas =
      lemmatizer.map { l in words.indices.map { l.lemma(words[$0], upos: upos[$0], xpos: xpos[$0]) }
      }
      ?? []
    let features =
      feats.map { f in words.indices.map { f.feats(words[$0], upos: upos[$0], xpos: xpos[$0]) } }
      ?? []
    return (upos, xpos, lemmas, features)
  }

  /// How many words get exactly their gold features (the whole FEATS, as CoNLL 2018's UFeats
  /// counts), with predicted tags; nil when the model or the gold data has no features.
  public func featsAccuracy(_ sentences: [POSTrainer.Sentence]) -> Double? {
    guard feats != nil, sentences.contains(where: { !$0.feats.isEmpty }) else { return nil }
    var right = 0
    var all = 0
    for s in sentences where s.feats.count == s.words.count {
      for (guess, gold) in zip(tag(s.words).feats, s.feats) where guess == gold { right += 1 }
      all += s.words.count
    }
    return Double(right) / Double(max(1, all))
  }

  /// UPOS and XPOS accuracy on gold-segmented sentences, and the seconds the tagging took
  /// (words already in memory as bytes, as a document's are).
  public func accuracy(_ sentences: [POSTrainer.Sentence]) -> (
    upos: Double, xpos: Double, lemma: Double, seconds: Double
  ) {
    var bytes: [UInt8] = []
    var ranges: [[Range<Int>]] = []
    for s in sentences {
      ranges.append(
        s.words.map { w in
          let start = bytes.count
          bytes += w.utf8
          return start..<bytes.count
        })
    }
    let clock = ContinuousClock()
    let session = POSSession(self)
    var chosen: [(upos: [Int], xpos: [Int])] = []
    chosen.reserveCapacity(sentences.count)
    let time = clock.measure {
      bytes.withUnsafeBufferPointer { b in
        for r in ranges { chosen.append(session.decide(bytes: b, ranges: r)) }
      }
    }
    let index = labels.map { l in Dictionary(uniqueKeysWithValues: l.enumerated().map { ($1, $0) })
    }
    var u = 0
    var x = 0
    var l = 0
    var n = 0
    for (s, c) in zip(sentences, chosen) {
      for i in 0..<s.words.count {
        if c.upos[i] == index[0][s.upos[i]] { u += 1 }
        if c.xpos[i] == index[1][s.xpos[i]] { x += 1 }
        if let lemmatizer, i < s.lemmas.count,
          lemmatizer.lemma(s.words[i], upos: labels[0][c.upos[i]], xpos: labels[1][c.xpos[i]])
            == s.lemmas[i]
        {
          l += 1
        }
      }
      n += s.words.count
    }
    let seconds = Double(time.components.seconds) + Double(time.components.attoseconds) * 1e-18
    let all = Double(max(1, n))
    return (Double(u) / all, Double(x) / all, Double(l) / all, seconds)
  }
}

extension POSModel {
  static let magic = "FOLIO-POS 3\n"

  /// The model as bytes: a header line, a JSON line (labels, pairs, sizes and scales), then
  /// little-endian binary: the word classes (word hash, class hash), and per direction its
  /// feature hashes, the number of pairs of each feature (a byte) and the pairs.
  public func encoded() -> [UInt8] {
    var out = Array(Self.magic.utf8)
    let directions = [forward] + (backward.map { [$0] } ?? [])
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
    header.key("pairs")
    header.open("[")
    for (k, p) in pairs.enumerated() {
      if k > 0 { header.comma() }
      header.meta(.integer(p.upos << 16 | p.xpos))
    }
    header.close("]")
    header.comma()
    header.key("classes")
    header.meta(.integer(classes.count))
    let lemmaBytes = Array((lemmatizer?.lines ?? []).map { $0 + "\n" }.joined().utf8)
    header.comma()
    header.key("lemmatizer")
    header.meta(.integer(lemmaBytes.count))
    let featsBytes = Array((feats?.lines ?? []).map { $0 + "\n" }.joined().utf8)
    if feats != nil {
      header.comma()
      header.key("feats")
      header.meta(.integer(featsBytes.count))
    }
    header.comma()
    header.key("directions")
    header.open("[")
    for (k, d) in directions.enumerated() {
      if k > 0 { header.comma() }
      header.open("{")
      header.key("features")
      header.meta(.integer(d.count))
      header.comma()
      header.key("pairs")
      header.meta(.integer(d.entries.count))
      header.comma()
      header.key("scales")
      header.open("[")
      header.meta(.integer(Int(d.scales[0].bitPattern)))
      header.comma()
      header.meta(.integer(Int(d.scales[1].bitPattern)))
      header.close("]")
      header.close("}")
    }
    header.close("]")
    header.close("}")
    out += header.bytes
    out.append(0x0A)
    func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
    for (w, c) in classes.sorted(by: { $0.key < $1.key }) {
      put(w)
      put(c)
    }
    for d in directions {
      for h in d.hashes { put(h) }
      for r in 0..<d.count { out.append(UInt8(d.starts[r + 1] - d.starts[r])) }
      for e in d.entries { put(e) }
    }
    out += lemmaBytes
    out += featsBytes
    return out
  }

  /// The model as stored: `encoded`, gzip-compressed (a third smaller).
  public func stored() throws(Gzip.Failure) -> [UInt8] { try Gzip.compress(encoded()) }

  /// The model `encoded` (or `stored`) wrote, or nil when `bytes` are not one.
  public init?(bytes input: [UInt8]) {
    var bytes = input
    if Gzip.isGzip(input) {
      guard let plain = try? Gzip.decompress(input, limit: 1 << 30) else { return nil }
      bytes = plain
    }
    let magic = Array(Self.magic.utf8)
    guard bytes.starts(with: magic),
      let eol = bytes[magic.count...].firstIndex(of: 0x0A),
      case .object(let fields)? = try? JSONParser.parse(bytes[magic.count..<eol])
    else { return nil }
    func field(_ name: String) -> JSONValue? { fields.first(where: { $0.0 == name })?.1 }
    guard case .array(let lists)? = field("labels"), case .array(let pairList)? = field("pairs"),
      case .integer(let classCount)? = field("classes"), classCount >= 0,
      case .array(let sizes)? = field("directions"), (1...2).contains(sizes.count)
    else { return nil }
    var labels: [[String]] = []
    for list in lists {
      guard case .array(let items) = list else { return nil }
      labels.append(items.compactMap { if case .string(let s) = $0 { s } else { nil } })
    }
    guard labels.count == 2, labels.allSatisfy({ !$0.isEmpty && $0.count < 128 }) else {
      return nil
    }
    var pairs: [(upos: Int, xpos: Int)] = []
    for item in pairList {
      guard case .integer(let v) = item, v >= 0, v >> 16 < labels[0].count,
        v & 0xffff < labels[1].count
      else { return nil }
      pairs.append((v >> 16, v & 0xffff))
    }
    guard !pairs.isEmpty else { return nil }
    var offset = eol + 1
    var ok = true
    func read<T: FixedWidthInteger>(_: T.Type) -> T {
      let size = MemoryLayout<T>.size
      guard offset + size <= bytes.count else {
        ok = false
        return 0
      }
      let v = bytes.withUnsafeBytes {
        T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self))
      }
      offset += size
      return v
    }
    guard bytes.count - offset >= classCount * 16 else { return nil }
    var classes: [UInt64: UInt64] = [:]
    classes.reserveCapacity(classCount)
    for _ in 0..<classCount {
      let w = read(UInt64.self)
      classes[w] = read(UInt64.self)
    }
    let n = labels[0].count + labels[1].count
    var directions: [SparseWeights] = []
    for size in sizes {
      guard case .object(let d) = size,
        case .integer(let features)? = d.first(where: { $0.0 == "features" })?.1,
        case .integer(let pairCount)? = d.first(where: { $0.0 == "pairs" })?.1,
        case .array(let scaleList)? = d.first(where: { $0.0 == "scales" })?.1,
        features >= 0, pairCount >= 0,
        bytes.count - offset >= features * 9 + pairCount * 2
      else { return nil }
      let scales: [Float] = scaleList.compactMap {
        if case .integer(let v) = $0, let bits = UInt32(exactly: v) {
          Float(bitPattern: bits)
        } else {
          nil
        }
      }
      guard scales.count == 2 else { return nil }
      var hashes: [UInt64] = []
      hashes.reserveCapacity(features)
      for _ in 0..<features { hashes.append(read(UInt64.self)) }
      var starts: [UInt32] = [0]
      starts.reserveCapacity(features + 1)
      for _ in 0..<features { starts.append(starts[starts.count - 1] + UInt32(read(UInt8.self))) }
      guard Int(starts[starts.count - 1]) == pairCount else { return nil }
      var entries: [UInt16] = []
      entries.reserveCapacity(pairCount)
      for _ in 0..<pairCount {
        let e = read(UInt16.self)
        if Int(e >> 8) >= n { ok = false }
        entries.append(e)
      }
      guard ok, Set(hashes).count == hashes.count else { return nil }
      directions.append(
        SparseWeights(
          uposCount: labels[0].count, labels: n, scales: scales, hashes: hashes, starts: starts,
          entries: entries))
    }
    // The text sections after the weights, in order: the lemmatiser's lines, the features'.
    func section(_ name: String) -> [Substring]? {
      guard case .integer(let size)? = field(name), size > 0 else { return nil }
      guard size <= bytes.count - offset,
        let text = String(validating: bytes[offset..<(offset + size)], as: UTF8.self)
      else {
        ok = false
        return nil
      }
      offset += size
      return text.split(separator: "\n")
    }
    let lemmaLines = section("lemmatizer")
    let featsLines = section("feats")
    let lemmatizer = lemmaLines.flatMap { Lemmatizer(lines: $0) }
    let feats = featsLines.flatMap { FeatsLexicon(lines: $0) }
    guard (lemmaLines == nil) == (lemmatizer == nil), (featsLines == nil) == (feats == nil) else {
      return nil
    }
    guard ok, offset == bytes.count else { return nil }
    self.init(
      labels: labels, forward: directions[0], backward: directions.count > 1 ? directions[1] : nil,
      classes: classes, pairs: pairs, lemmatizer: lemmatizer, feats: feats)
  }
}

extension POSModel {
  /// Tags a document (`POSSession.tag`).
  public func tag(_ doc: Document) { POSSession(self).tag(doc) }
}

extension POSSession {
  /// Tags a document: its tokens become the words the model was trained on
  /// (`WordSegmenter`), each with `pos` (UPOS), `tag` (XPOS) and, when the model has them,
  /// `lemma` and `feats`; each sentence is tagged on its own.
  public func tag(_ doc: Document) {
    trimMemos()
    var text = doc.text
    let sentences = doc.spans("sentence").map { $0.start..<$0.end }
    // Words a file gave (CoNLL-U) are kept as they are; other tokens are segmented.
    let given = !doc.tokenColumns.isEmpty
    let labels = model.labels
    let lemmas = model.lemmatizer != nil
    var pos = TokenColumn()
    var tag = TokenColumn()
    var lemma = TokenColumn()
    // Each label's and lemma's code in this document's columns (-1: not used yet).
    var posCodes = [Int32](repeating: -1, count: labels[0].count)
    var tagCodes = [Int32](repeating: -1, count: labels[1].count)
    var lemmaCodes: [Int32] = []
    var feats = TokenColumn()
    var featsCodes: [Int32] = []
    // Appends remembered value `n` of `values` to a column.
    func put(
      _ n: Int32, _ values: [String], _ column: inout TokenColumn, _ codes: inout [Int32]
    ) {
      if codes.count <= Int(n) { codes += repeatElement(-1, count: values.count - codes.count) }
      column.append(Int(n), of: values, codes: &codes)
    }
    let words: [Token] = text.withUTF8 { b in
      let words = given ? doc.tokens : WordSegmenter.words(doc.tokens, in: b)
      var s = 0
      var first = 0
      func flush(_ end: Int) {
        guard end > first else { return }
        let ranges = words[first..<end].map { Int($0.start)..<Int($0.end) }
        let (u, x) = decide(bytes: b, ranges: ranges)
        for i in ranges.indices {
          pos.append(u[i], of: labels[0], codes: &posCodes)
          tag.append(x[i], of: labels[1], codes: &tagCodes)
          let b = UnsafeBufferPointer(rebasing: b[ranges[i]])
          if lemmas {
            let l = self.lemma(b, key: formKeys[i], upos: u[i], xpos: x[i])
            put(l, self.lemmas.values, &lemma, &lemmaCodes)
          }
          if model.feats != nil {
            let f = self.features(b, key: formKeys[i], upos: u[i], xpos: x[i])
            put(f, self.feats.values, &feats, &featsCodes)
          }
        }
        first = end
      }
      for (k, w) in words.enumerated() {
        var ended = false
        while s < sentences.count && sentences[s].upperBound <= Int(w.start) {
          s += 1
          ended = true
        }
        if ended { flush(k) }
      }
      flush(words.count)
      return words
    }
    var columns: [(name: String, column: TokenColumn)] = [("pos", pos), ("tag", tag)]
    if lemmas { columns.append(("lemma", lemma)) }
    if model.feats != nil {
      columns.append(("feats", feats))
    } else if doc.tokenColumns["feats"] != nil {
      // Features the model does not predict are not left standing beside its tags.
      columns.append(("feats", TokenColumn(repeatElement("_", count: words.count))))
    }
    doc.setWords(words, columns: columns)
  }
}
