import CFolioSupport

#if canImport(Glibc)
  import Glibc
#endif

/// How a `Counter` holds pairs of words ("a b"): each word once in a dictionary, each
/// pair as the two words' numbers in one 64-bit key.
///
/// Pairs of adjacent tokens (collocations) are the largest counters reports keep: millions
/// of distinct keys. As strings, a pair is copied, hashed byte by byte and found through a
/// slot, an entry and its bytes: three cache misses in a large table. As two numbers, it is
/// hashed in three multiplications and found in one slot that also holds its count, in a
/// table a quarter of the size.
final class PairTable {
  /// A pair's key (`(first << 32 | second) + 1`; 0: empty) and count.
  struct Slot {
    var key: UInt64
    var count: Int
  }

  /// The words, numbered in the order they came (`Counter` indices).
  let words = Counter(capacity: 1 << 12)
  private(set) var slots: UnsafeMutablePointer<Slot>
  private(set) var slotCount: Int
  /// The slot of pair `k`, pairs numbered in the order they were first added.
  private var order: UnsafeMutablePointer<UInt32>
  private var orderCapacity: Int
  /// Distinct pairs.
  private(set) var count = 0

  init(capacity: Int = 1024) {
    var size = 64
    while size * 3 < capacity * 4 { size <<= 1 }
    slotCount = size
    slots = .allocate(capacity: size)
    slots.initialize(repeating: Slot(key: 0, count: 0), count: size)
    orderCapacity = max(64, capacity)
    order = .allocate(capacity: orderCapacity)
  }

  deinit {
    slots.deallocate()
    order.deallocate()
  }

  @inline(__always) static func key(_ first: Int, _ second: Int) -> UInt64 {
    (UInt64(truncatingIfNeeded: first) << 32 | UInt64(truncatingIfNeeded: second)) &+ 1
  }

  @inline(__always) static func hash(_ key: UInt64) -> UInt64 {
    var x = key ^ (key >> 33)
    x &*= 0xFF51_AFD7_ED55_8CCD
    x ^= x >> 33
    x &*= 0xC4CE_B9FE_1A85_EC53
    return x ^ (x >> 33)
  }

  /// The bytes the table's storage takes now (slots, order, and the words' counter).
  var footprint: Int {
    slotCount * MemoryLayout<Slot>.stride + orderCapacity * MemoryLayout<UInt32>.stride
      + words.footprint
  }

  /// The numbers of the two words of pair `k`.
  func words(at k: Int) -> (first: Int, second: Int) {
    let key = slots[Int(order[k])].key &- 1
    return (Int(key >> 32), Int(key & 0xFFFF_FFFF))
  }

  func count(at k: Int) -> Int { slots[Int(order[k])].count }

  /// Writes the bytes of pair `k` ("first second") into `buffer`.
  func key(_ k: Int, into buffer: inout [UInt8]) {
    let (a, b) = words(at: k)
    buffer.removeAll(keepingCapacity: true)
    words.withKey(a) { buffer.append(contentsOf: $0) }
    buffer.append(0x20)
    words.withKey(b) { buffer.append(contentsOf: $0) }
  }

  /// The count of the pair of words `first` and `second` (0 when never added).
  func count(first: Int, second: Int) -> Int {
    let key = Self.key(first, second)
    let mask = slotCount - 1
    var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
    while slots[slot].key != 0 {
      if slots[slot].key == key { return slots[slot].count }
      slot = (slot + 1) & mask
    }
    return 0
  }

  /// Adds `n` occurrences of the pair with `key`, whose hash is `h`.
  @inline(__always) func add(_ key: UInt64, hash h: UInt64, count n: Int) {
    let mask = slotCount - 1
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let k = slots[slot].key
      if k == key {
        slots[slot].count &+= n
        return
      }
      if k == 0 { break }
      slot = (slot + 1) & mask
    }
    if count == orderCapacity {
      (order, orderCapacity) = doubled(order, count: count, capacity: orderCapacity)
    }
    slots[slot] = Slot(key: key, count: n)
    order[count] = UInt32(truncatingIfNeeded: slot)
    count += 1
    if count * 4 > slotCount * 3 { rebuild(slots: slotCount * 2) }
  }

  /// Adds one occurrence of each key of `keys`, in order, each key's slot fetched a few keys
  /// ahead so that the cache misses of a large table overlap.
  func add(_ keys: UnsafeBufferPointer<UInt64>) {
    let ahead = 8
    let n = keys.count
    let mask = slotCount - 1
    var i = 0
    while i < n {
      if i + ahead < n {
        let h = Self.hash(keys[i + ahead])
        folio_prefetch(slots + (Int(truncatingIfNeeded: h) & mask))
      }
      // A rebuild in `add` changes the mask: prefetches after it are only less useful.
      add(keys[i], hash: Self.hash(keys[i]), count: 1)
      i += 1
    }
  }

  /// Makes the table large enough for `pairs` pairs at once.
  func reserve(pairs: Int) {
    var size = slotCount
    while pairs * 4 > size * 3 { size *= 2 }
    if size > slotCount { rebuild(slots: size) }
  }

  /// Places the pairs again in a table of `size` slots, in the order they were added.
  ///
  /// That order visits the old slots at random: each old slot is fetched 16 pairs ahead and
  /// its new slot 8 pairs ahead, so that the misses overlap.
  private func rebuild(slots size: Int) {
    let old = slots
    slots = .allocate(capacity: size)
    slots.initialize(repeating: Slot(key: 0, count: 0), count: size)
    slotCount = size
    let mask = size - 1
    for k in 0..<count {
      if k + 16 < count { folio_prefetch(old + Int(order[k + 16])) }
      if k + 8 < count {
        let h = Self.hash(old[Int(order[k + 8])].key)
        folio_prefetch(slots + (Int(truncatingIfNeeded: h) & mask))
      }
      let s = old[Int(order[k])]
      var slot = Int(truncatingIfNeeded: Self.hash(s.key)) & mask
      while slots[slot].key != 0 { slot = (slot + 1) & mask }
      slots[slot] = s
      order[k] = UInt32(truncatingIfNeeded: slot)
    }
    old.deallocate()
  }

  /// The numbers in this table's dictionary of the words of `other`'s dictionary.
  private func numbers(of other: Counter) -> [Int] {
    (0..<other.count).map { k in
      other.withKey(k) { key in
        words.number(of: key)
      }
    }
  }

  /// Adds every pair and count of `other`, each pair once with `distinct`.
  ///
  /// `other`'s pairs are read in the order they came, which visits its slots at random: each
  /// is fetched 16 pairs ahead, and its slot here 8 pairs ahead.
  func merge(_ other: PairTable, distinct: Bool) {
    let map = numbers(of: other.words)
    func key(_ s: Slot) -> UInt64 {
      let ab = s.key &- 1
      return Self.key(map[Int(ab >> 32)], map[Int(ab & 0xFFFF_FFFF)])
    }
    reserve(pairs: max(count, other.count))
    let n = other.count
    for k in 0..<n {
      if k + 16 < n { folio_prefetch(other.slots + Int(other.order[k + 16])) }
      if k + 8 < n {
        let h = Self.hash(key(other.slots[Int(other.order[k + 8])]))
        folio_prefetch(slots + (Int(truncatingIfNeeded: h) & (slotCount - 1)))
      }
      let s = other.slots[Int(other.order[k])]
      let mine = key(s)
      add(mine, hash: Self.hash(mine), count: distinct ? 1 : s.count)
    }
  }

  /// The table as bytes: `FP1`, the number of words (u32), each word as a u32 length and its
  /// bytes, then per pair the two words' numbers as one u64 (`first << 32 | second`) and
  /// the count (i64), all little-endian.
  func encoded() -> [UInt8] {
    var size = 7 + count * 16
    for w in 0..<words.count { size += 4 + words.withKey(w) { $0.count } }
    return [UInt8](unsafeUninitializedCapacity: size) { out, initialized in
      guard let base = out.baseAddress else { return }
      var at = 0
      func put<T: FixedWidthInteger>(_ x: T) {
        UnsafeMutableRawPointer(base + at).storeBytes(of: x.littleEndian, as: T.self)
        at += MemoryLayout<T>.size
      }
      for b in "FP1".utf8 { put(b) }
      put(UInt32(truncatingIfNeeded: words.count))
      for w in 0..<words.count {
        words.withKey(w) { key in
          put(UInt32(truncatingIfNeeded: key.count))
          if let p = key.baseAddress { (base + at).update(from: p, count: key.count) }
          at += key.count
        }
      }
      // In the order the pairs came, which visits the slots at random: fetched ahead.
      for k in 0..<count {
        if k + 8 < count { folio_prefetch(slots + Int(order[k + 8])) }
        let s = slots[Int(order[k])]
        put(s.key &- 1)
        put(Int64(s.count))
      }
      initialized = at
    }
  }

  /// Bytes made by `encoded()`, read in place: the words, and the pairs' records (16 bytes
  /// each) that follow them.
  struct Encoded {
    var words: [UnsafeBufferPointer<UInt8>] = []
    var records: UnsafeRawPointer?
    var recordCount = 0
    /// Whether the bytes end where the last record ends.
    var whole = false

    /// Nil when the bytes are not such bytes.
    init?(_ bytes: UnsafeRawBufferPointer) {
      guard bytes.count >= 7, bytes[0] == 0x46, bytes[1] == 0x50, bytes[2] == 0x31,
        let base = bytes.baseAddress
      else { return nil }
      let wordCount = Int(bytes.loadUnaligned(fromByteOffset: 3, as: UInt32.self).littleEndian)
      var i = 7
      while words.count < wordCount, i + 4 <= bytes.count {
        let length = Int(bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian)
        guard i + 4 + length <= bytes.count else { return }
        words.append(
          UnsafeBufferPointer(
            start: (base + i + 4).assumingMemoryBound(to: UInt8.self), count: length))
        i += 4 + length
      }
      guard words.count == wordCount else { return }
      records = base + i
      recordCount = (bytes.count - i) / 16
      whole = (bytes.count - i) % 16 == 0
    }

    /// Record `r`: its two words' numbers and its count, or nil when a number names no word.
    @inline(__always) func record(_ r: Int) -> (first: Int, second: Int, count: Int)? {
      guard let records else { return nil }
      let ab = records.loadUnaligned(fromByteOffset: r * 16, as: UInt64.self).littleEndian
      let (a, b) = (Int(ab >> 32), Int(ab & 0xFFFF_FFFF))
      guard a < words.count, b < words.count else { return nil }
      let n = records.loadUnaligned(fromByteOffset: r * 16 + 8, as: Int64.self).littleEndian
      return (a, b, Int(truncatingIfNeeded: n))
    }
  }

  /// Adds the pairs of `encoded`, read in place, and returns whether they were whole and the
  /// sum of the counts added.
  ///
  /// A record that names a word that is not there ends the reading (the records before it
  /// are added) and makes `whole` false.
  func add(_ encoded: Encoded) -> (whole: Bool, added: Int) {
    let map = encoded.words.map { words.number(of: $0) }
    reserve(pairs: max(count, encoded.recordCount))
    let ahead = 8
    var added = 0
    for r in 0..<encoded.recordCount {
      if r + ahead < encoded.recordCount, let (a, b, _) = encoded.record(r + ahead) {
        let h = Self.hash(Self.key(map[a], map[b]))
        folio_prefetch(slots + (Int(truncatingIfNeeded: h) & (slotCount - 1)))
      }
      guard let (a, b, n) = encoded.record(r) else { return (false, added) }
      let key = Self.key(map[a], map[b])
      add(key, hash: Self.hash(key), count: n)
      added &+= n
    }
    return (encoded.whole, added)
  }
}

/// A buffer of twice `capacity` holding the first `count` elements of `buffer` (moved),
/// which is freed; and its capacity.
func doubled<T>(_ buffer: UnsafeMutablePointer<T>, count: Int, capacity: Int) -> (
  UnsafeMutablePointer<T>, Int
) {
  let bigger = UnsafeMutablePointer<T>.allocate(capacity: capacity * 2)
  bigger.moveInitialize(from: buffer, count: count)
  buffer.deallocate()
  return (bigger, capacity * 2)
}
