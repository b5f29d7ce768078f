/// Counts byte strings (token texts) fast: an open-addressing hash table over an arena of the distinct keys.
///
/// The bulk path behind `doc:counts()` (DESIGN.md §2: hot loops in Swift).
///
/// A class with raw storage so that the per-token path has no copy-on-write checks and no
/// allocations.
public final class TermCounter {
  private struct Entry {
    var hash: UInt32
    var offset: Int32
    var length: Int32
    var count: Int
  }

  // Private state touched once or more per token, never reentrantly: the dynamic exclusivity
  // checks of class properties would cost more than the counting.
  @exclusivity(unchecked) private var arena: [UInt8] = []
  @exclusivity(unchecked) private var entries: [Entry] = []
  @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Int32>
  @exclusivity(unchecked) private var slotCount: Int
  /// Everything added, distinct or not.
  @exclusivity(unchecked) public private(set) var total = 0

  public init(capacity: Int = 1024) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slotCount = size
    slots = .allocate(capacity: size)
    slots.initialize(repeating: -1, count: size)
  }

  deinit {
    slots.deallocate()
  }

  /// Distinct keys so far.
  public var count: Int { entries.count }

  /// How often key `i` was added.
  public func count(at i: Int) -> Int { entries[i].count }

  /// The indices of the keys counted at least `minimum` times, by count (descending) then key
  /// (bytes), at most `limit` of them.
  public func ranked(limit: Int, minimum: Int = 1) -> [Int] {
    arena.withUnsafeBufferPointer { a -> [Int] in
      guard let base = a.baseAddress else { return [] }
      func key(_ k: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + Int(entries[k].offset), count: Int(entries[k].length))
      }
      func before(_ x: Int, _ y: Int) -> Bool {
        let cx = entries[x].count
        let cy = entries[y].count
        return cx != cy ? cx > cy : key(x).lexicographicallyPrecedes(key(y))
      }
      return entries.indices.filter { self.entries[$0].count >= minimum }.top(limit, by: before)
    }
  }

  /// Adds `n` occurrences of a key (no lowercasing).
  public func add(_ p: UnsafePointer<UInt8>, _ n: Int, count: Int) {
    total += count
    if let k = find(p, n, lower: false, insert: true) { entries[k].count += count - 1 }
  }

  /// Adds every key and count of `other`; with `distinct`, each key once (document frequencies).
  public func merge(_ other: TermCounter, distinct: Bool = false) {
    other.arena.withUnsafeBufferPointer { a in
      guard let base = a.baseAddress else { return }
      for e in other.entries {
        add(base + Int(e.offset), Int(e.length), count: distinct ? 1 : e.count)
      }
    }
  }

  /// The counter as bytes: `FC1`, then per key a little-endian u32 length, the key and an
  /// i64 count (see `init(encoded:)`).
  public func encoded() -> [UInt8] {
    var out: [UInt8] = Array("FC1".utf8)
    out.reserveCapacity(arena.count + entries.count * 12 + 3)
    arena.withUnsafeBufferPointer { a in
      guard let base = a.baseAddress else { return }
      for e in entries {
        withUnsafeBytes(of: UInt32(e.length).littleEndian) { out.append(contentsOf: $0) }
        out.append(
          contentsOf: UnsafeBufferPointer(start: base + Int(e.offset), count: Int(e.length)))
        withUnsafeBytes(of: Int64(e.count).littleEndian) { out.append(contentsOf: $0) }
      }
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
    let e = entries[i]
    return arena.withUnsafeBufferPointer {
      body(UnsafeBufferPointer(rebasing: $0[Int(e.offset)..<Int(e.offset + e.length)]))
    }
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
    let mask = slotCount - 1
    var slot = Int(h) & mask
    while true {
      let k = Int(slots[slot])
      if k < 0 { break }
      let e = entries[k]
      if e.hash == h, Int(e.length) == n {
        let same = arena.withUnsafeBufferPointer { a -> Bool in
          guard let base = a.baseAddress else { return n == 0 }
          let q = base + Int(e.offset)
          if lower {
            for i in 0..<n {
              let b = p[i]
              if q[i] != (b &- 0x41 < 26 ? b | 0x20 : b) { return false }
            }
          } else {
            for i in 0..<n where q[i] != p[i] { return false }
          }
          return true
        }
        if same {
          if insert { entries[k].count += 1 }
          return k
        }
      }
      slot = (slot + 1) & mask
    }
    guard insert else { return nil }
    let index = entries.count
    slots[slot] = Int32(entries.count)
    entries.append(Entry(hash: h, offset: Int32(arena.count), length: Int32(n), count: 1))
    if lower {
      for i in 0..<n {
        let b = p[i]
        arena.append(b &- 0x41 < 26 ? b | 0x20 : b)
      }
    } else {
      arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
    }
    if entries.count * 2 > slotCount { grow() }
    return index
  }

  private func grow() {
    slots.deallocate()
    slotCount *= 2
    slots = .allocate(capacity: slotCount)
    slots.initialize(repeating: -1, count: slotCount)
    let mask = slotCount - 1
    for (k, e) in entries.enumerated() {
      var slot = Int(e.hash) & mask
      while slots[slot] >= 0 { slot = (slot + 1) & mask }
      slots[slot] = Int32(k)
    }
  }
}
