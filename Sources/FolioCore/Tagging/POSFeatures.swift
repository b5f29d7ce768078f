/// The features of one sentence's words, with the tags predicted so far.
///
/// Each word is a record of `stride` hashes — its lowercase form, last three letters, shape,
/// ambiguity class, then the features of the word alone — with two records of sentence start
/// before the words and two of sentence end after them, so that the context features of any
/// word read records without a bounds test.
struct POSFeatures: Sendable {
  static let ownCount = 15
  static let stride = 4 + ownCount
  /// The most features a word has (`fill`).
  static let maximum = ownCount + 24
  private var data: [UInt64]
  /// The tags so far, as label numbers + 1, after two of sentence start.
  private var tags: [UInt64]
  /// The number of words.
  let count: Int

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
    let (bytes, ranges) = Self.concatenated(words)
    self = bytes.withUnsafeBufferPointer { POSFeatures(bytes: $0, ranges: ranges) }
  }

  /// The words' UTF-8 one after another, and where each is.
  static func concatenated(_ words: [String]) -> (bytes: [UInt8], ranges: [Range<Int>]) {
    var bytes: [UInt8] = []
    var ranges: [Range<Int>] = []
    for w in words {
      let start = bytes.count
      bytes += w.utf8
      ranges.append(start..<bytes.count)
    }
    return (bytes, ranges)
  }

  /// The features of the words at `ranges` of `bytes` (valid UTF-8).
  init(bytes: UnsafeBufferPointer<UInt8>, ranges: [Range<Int>]) {
    count = ranges.count
    let stride = Self.stride
    tags = Array(repeating: 0, count: count + 2)
    tags[0] = 0xFFFF
    tags[1] = 0xFFFF
    data = Array(repeating: 0, count: (count + 4) * stride)
    var scalars: [UInt32] = []
    scalars.reserveCapacity(64)
    data.withUnsafeMutableBufferPointer { d in
      for p in [0, 1, count + 2, count + 3] {
        let mark = p < 2 ? Self.start : Self.end
        for k in 0..<4 { d[p * stride + k] = mark }
      }
      for (i, range) in ranges.enumerated() {
        Self.record(
          UnsafeBufferPointer(rebasing: bytes[range]), first: i == 0,
          into: d.baseAddress.unsafelyUnwrapped + (i + 2) * stride, scalars: &scalars)
      }
    }
  }

  /// Writes the record of word `form` (valid UTF-8) to `r`.
  ///
  /// The record is `stride` hashes, the class unknown; `first` when the word begins its
  /// sentence. `scalars` is scratch space.
  static func record(
    _ form: UnsafeBufferPointer<UInt8>, first: Bool, into r: UnsafeMutablePointer<UInt64>,
    scalars: inout [UInt32]
  ) {
    var ascii = true
    for b in form where b >= 0x80 {
      ascii = false
      break
    }
    // The lowercase form's scalars (for ASCII, its bytes: the hashes are the same).
    scalars.removeAll(keepingCapacity: true)
    var formHash: UInt64
    var shape: UInt64
    var digit: UInt64
    if ascii {
      formHash = Self.hash(form)
      for b in form { scalars.append(UInt32(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)) }
      (shape, digit) = Self.shape(asciiBytes: form)
    } else {
      let s = String(decoding: form, as: UTF8.self)
      formHash = Self.hash(s.utf8)
      for u in s.lowercased().unicodeScalars { scalars.append(u.value) }
      (shape, digit) = Self.shape(s)
    }
    let n = scalars.count
    let hyphen: UInt64 = scalars.contains(0x2D) ? 1 : 0
    let w = Self.hash(scalars: scalars[...])
    func suffix(_ k: Int) -> UInt64 { Self.hash(scalars: scalars[max(0, n - k)...]) }
    func prefix(_ k: Int) -> UInt64 { Self.hash(scalars: scalars[..<min(n, k)]) }
    let s3 = suffix(3)
    r[0] = w
    r[1] = s3
    r[2] = shape
    r[3] = TagLexicon.unknown
    r[4] = Self.mix(0)
    r[5] = Self.mix(1, w)
    r[6] = Self.mix(2, formHash)
    r[7] = Self.mix(3, suffix(1))
    r[8] = Self.mix(4, suffix(2))
    r[9] = Self.mix(5, s3)
    r[10] = Self.mix(6, suffix(4))
    r[11] = Self.mix(7, prefix(1))
    r[12] = Self.mix(8, prefix(2))
    r[13] = Self.mix(9, prefix(3))
    r[14] = Self.mix(10, shape)
    r[15] = first ? Self.mix(23, shape) : Self.mix(26)
    r[16] = Self.mix(24, hyphen, digit)
    r[17] = Self.mix(31, suffix(5))
    r[18] = Self.mix(32, prefix(4))
  }

  /// `shape` of an ASCII word.
  static func shape(asciiBytes s: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
    shape(classes: s.lazy.map { asciiClass(UInt32($0)) })
  }

  /// An ASCII character's shape class: X, x, d, or itself.
  @inline(__always) static func asciiClass(_ v: UInt32) -> UInt32 {
    v >= 0x41 && v <= 0x5A
      ? 0x58 : v >= 0x61 && v <= 0x7A ? 0x78 : v >= 0x30 && v <= 0x39 ? 0x64 : v
  }

  /// The shape hash of a word's character classes (runs shortened to two) and whether one is
  /// a digit.
  @inline(__always) static func shape(classes: some Sequence<UInt32>) -> (UInt64, UInt64) {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    var last: UInt32 = 0
    var run = 0
    var digit: UInt64 = 0
    for c in classes {
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

  static func hash(scalars: ArraySlice<UInt32>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for v in scalars { h = (h ^ UInt64(v)) &* 0x100_0000_01b3 }
    return h
  }

  @inline(__always) mutating func setTag(_ label: Int, at i: Int) {
    tags[i + 2] = UInt64(label + 1)
  }

  /// The hash of word `i`'s lowercase form.
  func wordHash(_ i: Int) -> UInt64 { data[(i + 2) * Self.stride] }

  /// Sets the words' ambiguity classes (`TagLexicon`).
  mutating func setClasses(_ c: [UInt64]) {
    for (i, v) in c.enumerated() { data[(i + 2) * Self.stride + 3] = v }
  }

  /// The same words last to first (for the backward direction), with no tags yet.
  func reversed() -> POSFeatures {
    var r = self
    let stride = Self.stride
    let records = count + 4
    r.data.withUnsafeMutableBufferPointer { out in
      data.withUnsafeBufferPointer { d in
        for p in 0..<records {
          let q = records - 1 - p
          for k in 0..<4 { out[p * stride + k] = d[q * stride + k] }
          // The start and end marks swap with the records; the own features stay the word's.
          if p < 2 || p >= count + 2 {
            let mark = p < 2 ? Self.start : Self.end
            for k in 0..<4 { out[p * stride + k] = mark }
          }
          for k in 4..<stride { out[p * stride + k] = d[q * stride + k] }
        }
      }
    }
    r.tags = Array(repeating: 0, count: count + 2)
    r.tags[0] = 0xFFFF
    r.tags[1] = 0xFFFF
    return r
  }

  /// The hash of the word's shape (capitals X, lowercase x, digits d, others as they are;
  /// runs of one class shortened to two: "Xxx", "dd.dd") and whether it has a digit (1 or 0).
  static func shape(_ s: String) -> (UInt64, UInt64) {
    shape(
      classes: s.unicodeScalars.lazy.map { u in
        guard u.value >= 0x80 else { return asciiClass(u.value) }
        let p = u.properties
        return p.isUppercase ? 0x58 : p.isLowercase ? 0x78 : p.numericType != nil ? 0x64 : u.value
      })
  }

  /// The hashes of the features of word `i`.
  func hashes(at i: Int, into out: inout [UInt64]) {
    if out.count < Self.maximum { out = Array(repeating: 0, count: Self.maximum) }
    let n = out.withUnsafeMutableBufferPointer { o in
      withPointers { d, t in Self.fill(o.baseAddress.unsafelyUnwrapped, d, t, i) }
    }
    out.removeLast(out.count - n)
  }

  /// Calls `body` with the records.
  @inline(__always) func withRecords<R>(_ body: (UnsafePointer<UInt64>) -> R) -> R {
    data.withUnsafeBufferPointer { body($0.baseAddress.unsafelyUnwrapped) }
  }

  /// Calls `body` with the records and the tags.
  @inline(__always) func withPointers<R>(
    _ body: (UnsafePointer<UInt64>, UnsafePointer<UInt64>) -> R
  ) -> R {
    data.withUnsafeBufferPointer { d in
      tags.withUnsafeBufferPointer { t in
        body(d.baseAddress.unsafelyUnwrapped, t.baseAddress.unsafelyUnwrapped)
      }
    }
  }

  /// Writes the hashes of the features of word `i` to `out` (room for `maximum`) from the
  /// records `d` and tags `t`; returns how many.
  @inline(__always) static func fill(
    _ out: UnsafeMutablePointer<UInt64>, _ d: UnsafePointer<UInt64>, _ t: UnsafePointer<UInt64>,
    _ i: Int
  ) -> Int {
    let s = stride
    let r = d + (i + 2) * s
    for k in 0..<ownCount { out[k] = r[4 + k] }
    let me = r[0]
    let p1 = r - s
    let p2 = r - 2 * s
    let n1 = r + s
    let n2 = r + 2 * s
    let t1 = t[i + 1]
    let t2 = t[i]
    var k = ownCount
    @inline(__always) func put(_ v: UInt64) {
      out[k] = v
      k += 1
    }
    put(mix(11, p1[0]))
    put(mix(12, n1[0]))
    put(mix(13, p2[0]))
    put(mix(14, n2[0]))
    put(mix(15, p1[1]))
    put(mix(16, n1[1]))
    put(mix(17, t1))
    put(mix(18, t2, t1))
    put(mix(19, t1, me))
    put(mix(20, p1[0], me))
    put(mix(21, me, n1[0]))
    put(mix(22, t1, r[1]))
    put(mix(27, p1[0], n1[0]))
    put(mix(28, t1, n1[0]))
    put(mix(29, n1[0], n2[0]))
    put(mix(30, p1[2], n1[2]))
    put(mix(40, r[3]))
    put(mix(41, n1[3]))
    put(mix(42, r[3], n1[3]))
    put(mix(43, n1[3], n2[3]))
    put(mix(44, t1, r[3]))
    put(mix(45, r[3], me))
    put(mix(46, t1, n1[3]))
    put(mix(47, p1[3], r[3]))
    return k
  }
}

/// The tags the training data gave each word (lowercase form): its ambiguity class, a
/// feature of the word and its neighbours (what tags the next word can take is the right
/// context a left-to-right tagger lacks).
struct TagLexicon: Sendable {
  /// Word hash → count per XPOS label.
  var counts: [UInt64: [Int32]] = [:]
  var labels: Int

  init(labels: Int) { self.labels = labels }

  mutating func add(_ word: UInt64, _ label: Int) {
    counts[word, default: [Int32](repeating: 0, count: labels)][label] += 1
  }

  static let unknown: UInt64 = 0x5

  /// Every word's class.
  func table() -> [UInt64: UInt64] { counts.mapValues { Self.ambiguityClass($0, minus: -1) } }

  /// The class of `word`: the hash of the labels that make 5% or more of its occurrences
  /// (leaving out one occurrence of `minus`, as training does, so that a word seen once looks
  /// as unknown as it will in new text) with its frequency band; 0x5 for an unknown word.
  func ambiguityClass(_ word: UInt64, minus: Int = -1) -> UInt64 {
    guard let c = counts[word] else { return Self.unknown }
    return Self.ambiguityClass(c, minus: minus)
  }

  static func ambiguityClass(_ counts: [Int32], minus: Int) -> UInt64 {
    var c = counts
    if minus >= 0 { c[minus] -= 1 }
    let total = c.reduce(0, +)
    guard total > 0 else { return Self.unknown }
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for (k, n) in c.enumerated() where n > 0 && n * 20 >= total {
      h = (h ^ UInt64(k + 1)) &* 0x100_0000_01b3
    }
    let band: UInt64 = total < 3 ? 1 : total < 10 ? 2 : total < 100 ? 3 : 4
    return POSFeatures.mix(50, h, band)
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
