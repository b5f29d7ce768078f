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

  /// The scores of every label of every word (`out[i * labels + c]`, UPOS then XPOS),
  /// deciding greedily: each word's best XPOS is the history of the next.
  func scores(_ features: POSFeatures, into out: inout [Float]) {
    let count = features.count
    if out.count < count * labels { out = [Float](repeating: 0, count: count * labels) }
    let upos = uposCount
    let labels = labels
    let (su, sx) = (scales[0], scales[1])
    let m = mask
    // Tags so far after two of sentence start; the features' hashes; the first slot of each;
    // the scores: one allocation.
    let scratch = UnsafeMutableRawPointer.allocate(
      byteCount: (count + 2 + 2 * POSFeatures.maximum) * 8 + labels * 4, alignment: 8)
    defer { scratch.deallocate() }
    let tags = scratch.bindMemory(to: UInt64.self, capacity: count + 2 + 2 * POSFeatures.maximum)
    tags[0] = 0xFFFF
    tags[1] = 0xFFFF
    let hashes = tags + count + 2
    let firsts = hashes + POSFeatures.maximum
    let a = (scratch + (count + 2 + 2 * POSFeatures.maximum) * 8).bindMemory(
      to: Int32.self, capacity: labels)
    features.withRecords { d in
      slots.withUnsafeBufferPointer { slots in
        runs.withUnsafeBufferPointer { runs in
          out.withUnsafeMutableBufferPointer { o in
            for i in 0..<count {
              let n = POSFeatures.fill(hashes, d, tags, i)
              for c in 0..<labels { a[c] = 0 }
              // The first slot of every feature read before any is used: the loads overlap
              // instead of waiting for each other.
              for k in 0..<n { firsts[k] = slots[Int(truncatingIfNeeded: hashes[k]) & m] }
              for k in 0..<n { add(hashes[k], first: firsts[k], to: a, slots: slots, runs: runs) }
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

  init(
    labels: [[String]], forward: SparseWeights, backward: SparseWeights?,
    classes: [UInt64: UInt64], pairs: [(upos: Int, xpos: Int)], lemmatizer: Lemmatizer? = nil
  ) {
    self.lemmatizer = lemmatizer
    self.labels = labels
    self.forward = forward
    self.backward = backward
    self.classes = classes
    self.pairs = pairs
  }

  /// The number of features with weights, both directions.
  public var featureCount: Int { forward.count + (backward?.count ?? 0) }

  /// The features of `words`, their ambiguity classes set.
  func features(bytes: UnsafeBufferPointer<UInt8>, ranges: [Range<Int>]) -> POSFeatures {
    var f = POSFeatures(bytes: bytes, ranges: ranges)
    f.setClasses((0..<f.count).map { classes[f.wordHash($0)] ?? TagLexicon.unknown })
    return f
  }

  /// The UPOS and XPOS label numbers of the words at `ranges` of `bytes` (one sentence).
  func decide(bytes: UnsafeBufferPointer<UInt8>, ranges: [Range<Int>]) -> (
    upos: [Int], xpos: [Int]
  ) {
    let features = features(bytes: bytes, ranges: ranges)
    var f: [Float] = []
    forward.scores(features, into: &f)
    var b: [Float] = []
    if let backward { backward.scores(features.reversed(), into: &b) }
    let count = ranges.count
    let n = forward.labels
    let nu = forward.uposCount
    var upos = [Int](repeating: 0, count: count)
    var xpos = [Int](repeating: 0, count: count)
    for i in 0..<count {
      let fi = i * n
      let bi = (count - 1 - i) * n
      var top = -Float.infinity
      for (u, x) in pairs {
        var s = f[fi + u] + f[fi + nu + x]
        if !b.isEmpty { s += b[bi + u] + b[bi + nu + x] }
        if s > top {
          top = s
          upos[i] = u
          xpos[i] = x
        }
      }
    }
    return (upos, xpos)
  }

  /// The UPOS and XPOS tags and the lemmas of `words` (one sentence; no lemmas when the model
  /// has no lemmatiser).
  public func tag(_ words: [String]) -> (upos: [String], xpos: [String], lemmas: [String]) {
    let (bytes, ranges) = POSFeatures.concatenated(words)
    let (u, x) = bytes.withUnsafeBufferPointer { decide(bytes: $0, ranges: ranges) }
    let upos = u.map { labels[0][$0] }
    let xpos = x.map { labels[1][$0] }
    let lemmas =
      lemmatizer.map { l in words.indices.map { l.lemma(words[$0], upos: upos[$0], xpos: xpos[$0]) }
      }
      ?? []
    return (upos, xpos, lemmas)
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
    var chosen: [(upos: [Int], xpos: [Int])] = []
    chosen.reserveCapacity(sentences.count)
    let time = clock.measure {
      bytes.withUnsafeBufferPointer { b in
        for r in ranges { chosen.append(decide(bytes: b, ranges: r)) }
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
    var lemmatizer: Lemmatizer?
    if case .integer(let size)? = field("lemmatizer"), size > 0 {
      guard size <= bytes.count - offset,
        let text = String(validating: bytes[offset..<(offset + size)], as: UTF8.self),
        let l = Lemmatizer(lines: text.split(separator: "\n"))
      else { return nil }
      lemmatizer = l
      offset += size
    }
    guard ok, offset == bytes.count else { return nil }
    self.init(
      labels: labels, forward: directions[0], backward: directions.count > 1 ? directions[1] : nil,
      classes: classes, pairs: pairs, lemmatizer: lemmatizer)
  }
}

extension POSModel {
  /// Tags a document: its tokens become the words the model was trained on
  /// (`WordSegmenter`), each with `pos` (UPOS), `tag` (XPOS) and, when the model has a
  /// lemmatiser, `lemma`; each sentence is tagged on its own.
  public func tag(_ doc: Document) {
    var text = doc.text
    let sentences = doc.spans("sentence").map { $0.start..<$0.end }
    // Words a file gave (CoNLL-U) are kept as they are; other tokens are segmented.
    let given = !doc.tokenColumns.isEmpty
    var pos = TokenColumn()
    var tag = TokenColumn()
    var lemma = TokenColumn()
    var cache: [String: String] = [:]
    let words: [Token] = text.withUTF8 { b in
      let words = given ? doc.tokens : WordSegmenter.words(doc.tokens, in: b)
      var s = 0
      var first = 0
      func flush(_ end: Int) {
        guard end > first else { return }
        let ranges = words[first..<end].map { Int($0.start)..<Int($0.end) }
        let (u, x) = decide(bytes: b, ranges: ranges)
        for i in ranges.indices {
          let upos = labels[0][u[i]]
          let xpos = labels[1][x[i]]
          pos.append(upos)
          tag.append(xpos)
          if let lemmatizer {
            let form = String(decoding: UnsafeBufferPointer(rebasing: b[ranges[i]]), as: UTF8.self)
            let key = form + "\t" + upos + "\t" + xpos
            if let known = cache[key] {
              lemma.append(known)
            } else {
              let l = lemmatizer.lemma(form, upos: upos, xpos: xpos)
              cache[key] = l
              lemma.append(l)
            }
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
    if lemmatizer != nil { columns.append(("lemma", lemma)) }
    // Features the model does not predict are not left standing beside its tags.
    if doc.tokenColumns["feats"] != nil {
      columns.append(("feats", TokenColumn(repeatElement("_", count: words.count))))
    }
    doc.setWords(words, columns: columns)
  }
}
