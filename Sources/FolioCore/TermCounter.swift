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
    var count: Int32
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
  public func count(at i: Int) -> Int { Int(entries[i].count) }

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
