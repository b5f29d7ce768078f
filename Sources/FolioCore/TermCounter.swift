#if canImport(Glibc)
  import Glibc
#endif

/// Counts byte strings (token texts) fast: an open-addressing hash table over an arena of the distinct keys.
///
/// The bulk path behind `doc:counts()` (DESIGN.md §2: hot loops in Swift).
///
/// A class with raw storage so that the per-token path has no copy-on-write checks and no
/// allocations.
public final class TermCounter {
  private struct Entry {
    var offset: Int32
    var length: Int32
    var count: Int
  }

  // Raw growable buffers: the per-token path has no copy-on-write or bounds checks, no
  // closures and no allocations. A slot holds the key's hash in its high 32 bits and its index
  // + 1 in the low ones (0: empty), so a probe compares hashes without touching the entries.
  private var keys: UnsafeMutablePointer<UInt8>
  private var keysCount = 0
  private var keysCapacity: Int
  private var entries: UnsafeMutablePointer<Entry>
  private var entryCount = 0
  private var entryCapacity: Int
  private var slots: UnsafeMutablePointer<UInt64>
  private var slotCount: Int
  /// Everything added, distinct or not.
  public private(set) var total = 0

  public init(capacity: Int = 1024) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slotCount = size
    slots = .allocate(capacity: size)
    slots.initialize(repeating: 0, count: size)
    entryCapacity = max(16, capacity)
    entries = .allocate(capacity: entryCapacity)
    keysCapacity = max(64, capacity * 8)
    keys = .allocate(capacity: keysCapacity)
  }

  deinit {
    slots.deallocate()
    entries.deallocate()
    keys.deallocate()
  }

  /// Distinct keys so far.
  public var count: Int { entryCount }

  /// How often key `i` was added.
  public func count(at i: Int) -> Int {
    precondition(i >= 0 && i < entryCount, "no key \(i)")
    return entries[i].count
  }

  private func key(_ k: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: keys + Int(entries[k].offset), count: Int(entries[k].length))
  }

  /// The indices of the keys counted at least `minimum` times, by count (descending) then key
  /// (bytes), at most `limit` of them.
  public func ranked(limit: Int, minimum: Int = 1) -> [Int] {
    func before(_ x: Int, _ y: Int) -> Bool {
      let cx = entries[x].count
      let cy = entries[y].count
      return cx != cy ? cx > cy : key(x).lexicographicallyPrecedes(key(y))
    }
    return (0..<entryCount).filter { self.entries[$0].count >= minimum }.top(limit, by: before)
  }

  /// Adds `n` occurrences of a key (no lowercasing).
  public func add(_ p: UnsafePointer<UInt8>, _ n: Int, count: Int) {
    total += count
    if let k = find(p, n, lower: false, insert: true) { entries[k].count += count - 1 }
  }

  /// Adds every key and count of `other`; with `distinct`, each key once (document frequencies).
  public func merge(_ other: TermCounter, distinct: Bool = false) {
    for k in 0..<other.entryCount {
      let e = other.entries[k]
      add(other.keys + Int(e.offset), Int(e.length), count: distinct ? 1 : e.count)
    }
  }

  /// The counter as bytes: `FC1`, then per key a little-endian u32 length, the key and an
  /// i64 count (see `init(encoded:)`).
  public func encoded() -> [UInt8] {
    var out: [UInt8] = Array("FC1".utf8)
    out.reserveCapacity(keysCount + entryCount * 12 + 3)
    for k in 0..<entryCount {
      let e = entries[k]
      withUnsafeBytes(of: UInt32(e.length).littleEndian) { out.append(contentsOf: $0) }
      out.append(contentsOf: key(k))
      withUnsafeBytes(of: Int64(e.count).littleEndian) { out.append(contentsOf: $0) }
    }
    return out
  }

  /// Adds the keys and counts of bytes made by `encoded()`; false when they are not such bytes.
  @discardableResult
  public func merge(encoded bytes: UnsafeRawBufferPointer) -> Bool {
    guard bytes.count >= 3, bytes[0] == 0x46, bytes[1] == 0x43, bytes[2] == 0x31,
      let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
    else { return false }
    var i = 3
    while i + 4 <= bytes.count {
      let length = Int(bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian)
      i += 4
      guard i + length + 8 <= bytes.count else { return false }
      let count = Int(bytes.loadUnaligned(fromByteOffset: i + length, as: Int64.self).littleEndian)
      add(base + i, length, count: count)
      i += length + 8
    }
    return i == bytes.count
  }

  /// The bytes of key `i`.
  public func withKey<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    precondition(i >= 0 && i < entryCount, "no key \(i)")
    return body(key(i))
  }

  /// Adds one occurrence of `n` bytes at `p`, lowercased first when `lower` is set (ASCII
  /// in the same pass as hashing, other text with Unicode case mapping).
  public func add(_ p: UnsafePointer<UInt8>, _ n: Int, lower: Bool) {
    total += 1
    _ = find(p, n, lower: lower, insert: true)
  }

  /// The index of the key (lowercased when `lower`), or nil when it was never added.
  public func index(of p: UnsafePointer<UInt8>, _ n: Int, lower: Bool) -> Int? {
    find(p, n, lower: lower, insert: false)
  }

  /// Finds a key; with `insert`, counts one more occurrence (adding it if new).
  private func find(_ p: UnsafePointer<UInt8>, _ n: Int, lower: Bool, insert: Bool) -> Int? {
    var h: UInt32 = 2_166_136_261
    if lower {
      for i in 0..<n {
        let b = p[i]
        if b >= 0x80 {
          var s = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
            .lowercased()
          return s.withUTF8 { b in
            b.baseAddress.flatMap { find($0, b.count, lower: false, insert: insert) }
          }
        }
        h = (h ^ UInt32(b &- 0x41 < 26 ? b | 0x20 : b)) &* 16_777_619
      }
    } else {
      for i in 0..<n { h = (h ^ UInt32(p[i])) &* 16_777_619 }
    }
    let tag = UInt64(h) << 32
    let mask = slotCount - 1
    var slot = Int(h) & mask
    while true {
      let v = slots[slot]
      if v == 0 { break }
      if v & 0xFFFF_FFFF_0000_0000 == tag {
        let k = Int(v & 0xFFFF_FFFF) - 1
        let e = entries[k]
        if Int(e.length) == n {
          let q = keys + Int(e.offset)
          var same = true
          if lower {
            for i in 0..<n {
              let b = p[i]
              if q[i] != (b &- 0x41 < 26 ? b | 0x20 : b) {
                same = false
                break
              }
            }
          } else {
            same = memcmp(q, p, n) == 0
          }
          if same {
            if insert { entries[k].count += 1 }
            return k
          }
        }
      }
      slot = (slot + 1) & mask
    }
    guard insert else { return nil }
    let index = entryCount
    if entryCount == entryCapacity {
      let bigger = UnsafeMutablePointer<Entry>.allocate(capacity: entryCapacity * 2)
      bigger.moveInitialize(from: entries, count: entryCount)
      entries.deallocate()
      entries = bigger
      entryCapacity *= 2
    }
    if keysCount + n > keysCapacity {
      var capacity = keysCapacity * 2
      while keysCount + n > capacity { capacity *= 2 }
      let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
      bigger.moveInitialize(from: keys, count: keysCount)
      keys.deallocate()
      keys = bigger
      keysCapacity = capacity
    }
    (entries + index).initialize(to: Entry(offset: Int32(keysCount), length: Int32(n), count: 1))
    entryCount += 1
    slots[slot] = tag | UInt64(index + 1)
    let dst = keys + keysCount
    if lower {
      for i in 0..<n {
        let b = p[i]
        dst[i] = b &- 0x41 < 26 ? b | 0x20 : b
      }
    } else {
      dst.update(from: p, count: n)
    }
    keysCount += n
    if entryCount * 2 > slotCount { grow() }
    return index
  }

  private func grow() {
    let old = slots
    let oldCount = slotCount
    slotCount *= 2
    slots = .allocate(capacity: slotCount)
    slots.initialize(repeating: 0, count: slotCount)
    let mask = slotCount - 1
    for i in 0..<oldCount where old[i] != 0 {
      var slot = Int(old[i] >> 32) & mask
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = old[i]
    }
    old.deallocate()
  }
}
