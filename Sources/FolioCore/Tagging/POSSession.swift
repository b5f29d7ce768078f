/// What tagging on one thread remembers from one sentence to the next.
///
/// Each word type seen has an entry: its record (`POSFeatures`) and, per direction, the summed
/// weights of the features that depend on that word alone — as the word being tagged and as
/// each of its four neighbours — so that a word seen before costs 16 lookups a direction
/// instead of 39. Lemmas are remembered by form and tags. The tags are the same with or without
/// it; it only saves work. Confined to one thread: a tagger object in one Lua state, one
/// evaluation.
public final class POSSession {
  public let model: POSModel
  /// Exact form hash → entry - 2 (entries 0 and 1 are sentence start and end).
  private var index: FeatureTable
  /// Per entry: its record (`POSFeatures.stride` hashes).
  private var records: [UInt64] = []
  /// Per entry, per direction: the sums for the word itself, as the word before, after, two
  /// before and two after (`width` each).
  private var vectors: [Int16] = []
  private let width: Int
  /// The entries kept before they are forgotten all at once (between sentences: a sentence
  /// with more words than this is still tagged whole).
  let capacity: Int
  /// The sentence's entries, two of start before and two of end after (scratch).
  private var entries: [Int32] = []
  /// The exact form hash of each word of the last sentence.
  private(set) var formKeys: [UInt64] = []
  private var scalars: [UInt32] = []
  /// Lemmas and features by (form hash, UPOS, XPOS).
  private(set) var lemmas = Memo()
  private(set) var feats = Memo()

  /// Strings remembered by (form, tags): each once, numbered.
  struct Memo {
    var index: [UInt64: Int32] = [:]
    var values: [String] = []

    /// The number of the value for `key`, made by `make` the first time.
    mutating func number(_ key: UInt64, _ make: () -> String) -> Int32 {
      if let known = index[key] { return known }
      let i = Int32(values.count)
      values.append(make())
      index[key] = i
      return i
    }

    mutating func clear() {
      index.removeAll(keepingCapacity: true)
      values.removeAll(keepingCapacity: true)
    }
  }

  /// Words tagged as one piece at most: a text without sentence ends is tagged this many
  /// words at a time (no sentence is this long).
  static let longest = 1000

  public init(_ model: POSModel, capacity: Int = 1 << 15) {
    self.model = model
    self.capacity = capacity
    width = model.forward.width
    index = FeatureTable(capacity: 1024)
    reset()
  }

  /// Forgets every word (keeping sentence start and end).
  private func reset() {
    index = FeatureTable(capacity: 1024)
    records.removeAll(keepingCapacity: true)
    vectors.removeAll(keepingCapacity: true)
    for mark in [POSFeatures.start, POSFeatures.end] {
      var r = [UInt64](repeating: 0, count: POSFeatures.stride)
      for k in 0..<4 { r[k] = mark }
      add(record: r)
    }
  }

  /// The hash of a form's bytes (with its length: never one of a mark's).
  @inline(__always) static func formKey(_ form: UnsafeBufferPointer<UInt8>) -> UInt64 {
    POSFeatures.mix(60, POSFeatures.hash(form), UInt64(form.count))
  }

  /// Appends an entry for `r` with its sums.
  private func add(record r: [UInt64]) {
    records += r
    let directions = [model.forward] + (model.backward.map { [$0] } ?? [])
    let mix = POSFeatures.mix
    // Which features of the word alone go in which sum (see `POSFeatures.fill`); the own
    // feature at 15 depends on the word's place and is looked up.
    let own = (4..<POSFeatures.stride).filter { $0 != 15 }.map { r[$0] }
    let sums: [[UInt64]] = [
      own + [mix(40, r[3], 0), mix(45, r[3], r[0])],
      [mix(11, r[0], 0), mix(15, r[1], 0)],
      [mix(12, r[0], 0), mix(16, r[1], 0), mix(41, r[3], 0)],
      [mix(13, r[0], 0)],
      [mix(14, r[0], 0)],
    ]
    var a = [Int32](repeating: 0, count: width)
    for d in 0..<2 {
      for (kind, features) in sums.enumerated() {
        for c in a.indices { a[c] = 0 }
        // Marks are never tagged: they have no features of their own.
        if d < directions.count && (kind > 0 || r[4] != 0) {
          a.withUnsafeMutableBufferPointer { p in
            for h in features { directions[d].add(h, to: p.baseAddress.unsafelyUnwrapped) }
          }
        }
        vectors += a.lazy.map { Int16(clamping: $0) }
      }
    }
  }

  /// The entry of each word at `ranges` of `bytes`, added when new; fills `formKeys`.
  private func lookUp(_ bytes: UnsafeBufferPointer<UInt8>, _ ranges: ArraySlice<Range<Int>>) {
    entries.removeAll(keepingCapacity: true)
    formKeys.removeAll(keepingCapacity: true)
    entries += [0, 0]
    var r = [UInt64](repeating: 0, count: POSFeatures.stride)
    for range in ranges {
      let form = UnsafeBufferPointer(rebasing: bytes[range])
      let key = Self.formKey(form)
      formKeys.append(key)
      let known = index.count
      let row = index.insert(key)
      if row == known {
        r.withUnsafeMutableBufferPointer { p in
          POSFeatures.record(
            form, first: false, into: p.baseAddress.unsafelyUnwrapped, scalars: &scalars)
        }
        r[3] = model.classes[r[0]] ?? TagLexicon.unknown
        add(record: r)
      }
      entries.append(Int32(row + 2))
    }
    entries += [1, 1]
  }

  /// The UPOS and XPOS label numbers of the words at `ranges` of `bytes` (one sentence).
  public func decide(bytes: UnsafeBufferPointer<UInt8>, ranges: [Range<Int>]) -> (
    upos: [Int], xpos: [Int]
  ) {
    var upos: [Int] = []
    var xpos: [Int] = []
    upos.reserveCapacity(ranges.count)
    xpos.reserveCapacity(ranges.count)
    var keys: [UInt64] = []
    for start in stride(from: 0, to: ranges.count, by: Self.longest) {
      let piece = ranges[start..<min(ranges.count, start + Self.longest)]
      let (u, x) = decide(bytes: bytes, piece: piece)
      upos += u
      xpos += x
      keys += formKeys
    }
    formKeys = keys
    return (upos, xpos)
  }

  private func decide(bytes: UnsafeBufferPointer<UInt8>, piece: ArraySlice<Range<Int>>) -> (
    upos: [Int], xpos: [Int]
  ) {
    if index.count + piece.count > capacity { reset() }
    lookUp(bytes, piece)
    let count = piece.count
    let forward = model.forward
    let n = forward.labels
    let nu = forward.uposCount
    var f = [Float](repeating: 0, count: count * n)
    var b = [Float](repeating: 0, count: model.backward == nil ? 0 : count * n)
    records.withUnsafeBufferPointer { records in
      vectors.withUnsafeBufferPointer { vectors in
        entries.withUnsafeBufferPointer { e in
          f.withUnsafeMutableBufferPointer { o in
            forward.scores(
              count: count, entries: e.baseAddress.unsafelyUnwrapped, first: 0,
              records: records.baseAddress.unsafelyUnwrapped,
              vectors: vectors.baseAddress.unsafelyUnwrapped, direction: 0,
              into: o.baseAddress.unsafelyUnwrapped)
          }
        }
        guard let backward = model.backward else { return }
        // The same sentence last word first: marks of start before, of end after.
        let reversed = [0, 0] + entries[2..<(count + 2)].reversed() + [1, 1]
        reversed.withUnsafeBufferPointer { e in
          b.withUnsafeMutableBufferPointer { o in
            backward.scores(
              count: count, entries: e.baseAddress.unsafelyUnwrapped, first: count - 1,
              records: records.baseAddress.unsafelyUnwrapped,
              vectors: vectors.baseAddress.unsafelyUnwrapped, direction: 1,
              into: o.baseAddress.unsafelyUnwrapped)
          }
        }
      }
    }
    // Each pair's score is its UPOS's and its XPOS's in both directions.
    var upos = [Int](repeating: 0, count: count)
    var xpos = [Int](repeating: 0, count: count)
    let hasBackward = !b.isEmpty
    model.pairs.withUnsafeBufferPointer { pairs in
      f.withUnsafeMutableBufferPointer { f in
        b.withUnsafeBufferPointer { b in
          for i in 0..<count {
            let s = f.baseAddress.unsafelyUnwrapped + i * n
            if hasBackward {
              let t = b.baseAddress.unsafelyUnwrapped + (count - 1 - i) * n
              for c in 0..<n { s[c] += t[c] }
            }
            var top = -Float.infinity
            for (u, x) in pairs {
              let v = s[u] + s[nu + x]
              if v > top {
                top = v
                upos[i] = u
                xpos[i] = x
              }
            }
          }
        }
      }
    }
    return (upos, xpos)
  }

  /// The number in `lemmas` of the lemma of word `form` (its `formKey` `key`) with label
  /// numbers `upos` and `xpos`.
  func lemma(_ form: UnsafeBufferPointer<UInt8>, key: UInt64, upos: Int, xpos: Int) -> Int32 {
    lemmas.number(POSFeatures.mix(61, key, UInt64(upos) << 16 | UInt64(xpos))) {
      model.lemmatizer?.lemma(
        String(decoding: form, as: UTF8.self), upos: model.labels[0][upos],
        xpos: model.labels[1][xpos]) ?? "_"
    }
  }

  /// The number in `feats` of the features of word `form`, as `lemma`.
  func features(_ form: UnsafeBufferPointer<UInt8>, key: UInt64, upos: Int, xpos: Int) -> Int32 {
    feats.number(POSFeatures.mix(62, key, UInt64(upos) << 16 | UInt64(xpos))) {
      model.feats?.feats(
        String(decoding: form, as: UTF8.self), upos: model.labels[0][upos],
        xpos: model.labels[1][xpos]) ?? "_"
    }
  }

  /// Forgets the lemmas and features when there are more than the capacity (between
  /// documents: a document's codes stay valid while it is tagged).
  func trimMemos() {
    if lemmas.values.count > capacity { lemmas.clear() }
    if feats.values.count > capacity { feats.clear() }
  }

}
