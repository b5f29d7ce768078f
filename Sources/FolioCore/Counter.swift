import CFolioSupport

#if canImport(Glibc)
  import Glibc
#endif

/// Counts byte strings (token texts) fast: an open-addressing hash table over an arena of the distinct keys.
///
/// The bulk path behind `doc:counts()` (DESIGN.md §2: hot loops in Swift).
///
/// A class with raw storage so that the per-token path has no copy-on-write checks and no
/// allocations.
public final class Counter {
  private struct Entry {
    var offset: Int32
    var length: Int32
    var count: Int
  }

  /// One slot of the open-addressing table.
  ///
  /// It holds the key's first 8 bytes (lowered, zero-padded) and a meta word: hash tag (high
  /// 24 bits), length (8 bits, 255 for longer keys) and index + 1 (32 bits; 0: empty). A key
  /// of up to 8 bytes is found by one load of its slot, with no visit to the entries or keys.
  private struct Slot {
    var word: UInt64
    var meta: UInt64
  }

  // Raw growable buffers: the per-token path has no copy-on-write or bounds checks, no
  // closures and no allocations.
  private var keys: UnsafeMutablePointer<UInt8>
  private var keysCount = 0
  private var keysCapacity: Int
  private var entries: UnsafeMutablePointer<Entry>
  private var entryCount = 0
  private var entryCapacity: Int
  private var slots: UnsafeMutablePointer<Slot>
  private var slotCount: Int
  /// Everything added, distinct or not.
  public private(set) var total = 0
  /// The pairs of words, while the counter holds only pairs from `addPairs` (and merges of such
  /// counters).
  ///
  /// They are kept as pairs of numbers (see `PairTable`). Any other addition turns them into
  /// ordinary keys first (`materialize`); reading needs no change.
  private var pairs: PairTable?
  /// The pairs, while they are kept as numbers.
  var pairTable: PairTable? { pairs }

  /// Whoever answers for this counter's memory (a plugin's memory budget): kept as long as the
  /// counter, so that it hears when the counter goes.
  public var owner: AnyObject?

  /// The bytes the counter's storage takes now (its buffers' capacities).
  public var footprint: Int {
    keysCapacity + entryCapacity * MemoryLayout<Entry>.stride + slotCount
      * MemoryLayout<Slot>.stride + (pairs?.footprint ?? 0)
  }

  /// At most the bytes that adding one new key of `length` bytes adds to `footprint` (each
  /// buffer grows by doubling when full), counting the old buffer while the new one is filled.
  public func growth(forKey length: Int) -> Int {
    var bytes = 0
    if entryCount == entryCapacity { bytes += 2 * entryCapacity * MemoryLayout<Entry>.stride }
    if keysCount + length > keysCapacity { bytes += 2 * (keysCapacity + length) }
    if (entryCount + 1) * 2 > slotCount { bytes += 2 * slotCount * MemoryLayout<Slot>.stride }
    return bytes + (pairs?.footprint ?? 0)
  }

  public init(capacity: Int = 1024) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slotCount = size
    slots = .allocate(capacity: size)
    slots.initialize(repeating: Slot(word: 0, meta: 0), count: size)
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
  public var count: Int { pairs?.count ?? entryCount }

  /// How often key `i` was added.
  public func count(at i: Int) -> Int {
    precondition(i >= 0 && i < count, "no key \(i)")
    return pairs?.count(at: i) ?? entries[i].count
  }

  /// How often a key was added (0: never).
  public func count(of p: UnsafePointer<UInt8>, _ n: Int) -> Int {
    guard let pairs else { return index(of: p, n, lower: false).map { entries[$0].count } ?? 0 }
    // "first second": both words are in the dictionary, and then the pair in the table.
    guard let space = (0..<n).first(where: { p[$0] == 0x20 }),
      let a = pairs.words.index(of: p, space, lower: false),
      let b = pairs.words.index(of: p + space + 1, n - space - 1, lower: false)
    else { return 0 }
    return pairs.count(first: a, second: b)
  }

  private func key(_ k: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: keys + Int(entries[k].offset), count: Int(entries[k].length))
  }

  /// The indices of the keys counted at least `minimum` times, by count (descending) then key
  /// (bytes), at most `limit` of them.
  public func ranked(limit: Int, minimum: Int = 1) -> [Int] {
    if let pairs {
      var x: [UInt8] = []
      var y: [UInt8] = []
      func before(_ a: Int, _ b: Int) -> Bool {
        let ca = pairs.count(at: a)
        let cb = pairs.count(at: b)
        if ca != cb { return ca > cb }
        pairs.key(a, into: &x)
        pairs.key(b, into: &y)
        return x.lexicographicallyPrecedes(y)
      }
      return (0..<pairs.count).filter { pairs.count(at: $0) >= minimum }.top(limit, by: before)
    }
    func before(_ x: Int, _ y: Int) -> Bool {
      let cx = entries[x].count
      let cy = entries[y].count
      return cx != cy ? cx > cy : key(x).lexicographicallyPrecedes(key(y))
    }
    return (0..<entryCount).filter { self.entries[$0].count >= minimum }.top(limit, by: before)
  }

  /// Adds `n` occurrences of a key (no lowercasing).
  public func add(_ p: UnsafePointer<UInt8>, _ n: Int, count: Int, readable: Int = 0) {
    materialize()
    total &+= count  // wrapping: merged counts come from files too
    if let k = find(p, n, lower: false, insert: true, readable: readable) {
      entries[k].count &+= count &- 1
    }
  }

  /// Moves every key and count into a new counter, which it returns, and leaves this one
  /// empty: no key is copied.
  public func takeAll() -> Counter {
    let moved = Counter(capacity: 16)
    swapStorage(with: moved)
    return moved
  }

  /// Adds every key and count of `other`, which is used no more: when this counter is empty,
  /// it takes `other`'s storage instead of copying it.
  public func absorb(_ other: Counter) {
    guard other !== self else { return }
    if count == 0 && total == 0 {
      swapStorage(with: other)
    } else {
      merge(other)
    }
  }

  // Plain reads and writes, not `swap(&a, &b)`: an inout access to these properties anywhere
  // makes Swift check exclusivity at run time on every access (the counting loops too).
  private func swapStorage(with other: Counter) {
    (keys, other.keys) = (other.keys, keys)
    (keysCount, other.keysCount) = (other.keysCount, keysCount)
    (keysCapacity, other.keysCapacity) = (other.keysCapacity, keysCapacity)
    (entries, other.entries) = (other.entries, entries)
    (entryCount, other.entryCount) = (other.entryCount, entryCount)
    (entryCapacity, other.entryCapacity) = (other.entryCapacity, entryCapacity)
    (slots, other.slots) = (other.slots, slots)
    (slotCount, other.slotCount) = (other.slotCount, slotCount)
    (total, other.total) = (other.total, total)
    (pairs, other.pairs) = (other.pairs, pairs)
  }

  /// Adds every key and count of `other`; with `distinct`, each key once (document frequencies).
  public func merge(_ other: Counter, distinct: Bool = false) {
    if other === self {
      // The keys are read from the other counter's buffer while this one grows: not itself.
      let copy = Counter(capacity: entryCount)
      copy.merge(self)
      merge(copy, distinct: distinct)
      return
    }
    guard other.count > 0 else { return }
    if let theirs = other.pairs {
      if pairs == nil && entryCount == 0 { pairs = PairTable(capacity: theirs.count) }
      if let pairs {
        pairs.merge(theirs, distinct: distinct)
        total &+= distinct ? theirs.count : other.total
      } else {
        for k in 0..<theirs.count {
          let n = distinct ? 1 : theirs.count(at: k)
          other.withKey(k) { key in key.baseAddress.map { add($0, key.count, count: n) } }
        }
      }
      return
    }
    materialize()
    // The merged counter has at least as many keys as the larger of the two.
    reserve(keys: max(entryCount, other.entryCount))
    var ranges: [Range<Int>] = []
    var counts: [Int] = []
    ranges.reserveCapacity(other.entryCount)
    counts.reserveCapacity(other.entryCount)
    for k in 0..<other.entryCount {
      let e = other.entries[k]
      ranges.append(Int(e.offset)..<Int(e.offset) + Int(e.length))
      counts.append(distinct ? 1 : e.count)
    }
    add(
      ranges, in: UnsafeBufferPointer(start: other.keys, count: other.keysCount), lower: false,
      counts: counts)
  }

  /// The counter as bytes: `FC1`, then per key a little-endian u32 length, the key and an
  /// i64 count (see `init(encoded:)`).
  public func encoded() -> [UInt8] {
    if let pairs { return pairs.encoded() }
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
    if let encoded = PairTable.Encoded(bytes) {
      if pairs == nil && entryCount == 0 { pairs = PairTable(capacity: encoded.recordCount) }
      if let pairs {
        let (whole, added) = pairs.add(encoded)
        total &+= added
        return whole
      }
      var key: [UInt8] = []
      for r in 0..<encoded.recordCount {
        guard let (a, b, n) = encoded.record(r) else { return false }
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: encoded.words[a])
        key.append(0x20)
        key.append(contentsOf: encoded.words[b])
        key.withUnsafeBufferPointer { k in k.baseAddress.map { add($0, k.count, count: n) } }
      }
      return encoded.whole
    }
    materialize()
    guard bytes.count >= 3, bytes[0] == 0x46, bytes[1] == 0x43, bytes[2] == 0x31,
      let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
    else { return false }
    var i = 3
    var ranges: [Range<Int>] = []
    var counts: [Int] = []
    while i + 4 <= bytes.count {
      let length = Int(bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian)
      i += 4
      guard i + length + 8 <= bytes.count else { break }
      ranges.append(i..<i + length)
      counts.append(
        Int(bytes.loadUnaligned(fromByteOffset: i + length, as: Int64.self).littleEndian))
      i += length + 8
    }
    // What was read whole is added, as before, even when the bytes end early.
    reserve(keys: max(entryCount, ranges.count))
    add(
      ranges, in: UnsafeBufferPointer(start: base, count: bytes.count), lower: false, counts: counts
    )
    return i == bytes.count
  }

  /// The bytes of key `i`.
  public func withKey<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    precondition(i >= 0 && i < count, "no key \(i)")
    if let pairs {
      var key: [UInt8] = []
      pairs.key(i, into: &key)
      return key.withUnsafeBufferPointer(body)
    }
    return body(key(i))
  }

  /// Turns pairs kept as numbers into ordinary keys, in the same order, with the same counts.
  private func materialize() {
    guard let pairs else { return }
    self.pairs = nil
    var bytes: [UInt8] = []
    var ranges: [Range<Int>] = []
    var counts: [Int] = []
    var key: [UInt8] = []
    for k in 0..<pairs.count {
      pairs.key(k, into: &key)
      ranges.append(bytes.count..<bytes.count + key.count)
      bytes.append(contentsOf: key)
      counts.append(pairs.count(at: k))
    }
    let saved = total
    reserve(keys: pairs.count)
    bytes.withUnsafeBufferPointer { add(ranges, in: $0, lower: false, counts: counts) }
    total = saved
  }

  /// The number of a key (added when new, as one more occurrence); for a pair's words.
  func number(of key: UnsafeBufferPointer<UInt8>) -> Int {
    guard let base = key.baseAddress else {
      var zero: UInt8 = 0
      return withUnsafePointer(to: &zero) { find($0, 0, lower: false, insert: true, readable: 1) }
        ?? 0  // never nil: an inserted key without lowering always has a number
    }
    return find(base, key.count, lower: false, insert: true, readable: 0) ?? 0
  }

  /// Adds each pair of adjacent tokens whose kind is in `mask` (other tokens are skipped) as
  /// "first second", the texts lowered when `lower`; with `distinct`, each different pair once.
  ///
  /// An empty counter keeps them as pairs of numbers (see `PairTable`).
  public func addPairs(
    tokens: UnsafeBufferPointer<Token>, mask: UInt32, in buffer: UnsafeBufferPointer<UInt8>,
    lower: Bool, distinct: Bool = false
  ) {
    if pairs == nil && entryCount == 0 { pairs = PairTable() }
    guard let pairs else {
      addPairStrings(tokens: tokens, mask: mask, in: buffer, lower: lower, distinct: distinct)
      return
    }
    let numbers = pairs.words.addNumbering(tokens: tokens, mask: mask, in: buffer, lower: lower)
    guard numbers.count > 1 else { return }
    var keys: [UInt64] = []
    keys.reserveCapacity(numbers.count - 1)
    for i in 1..<numbers.count { keys.append(PairTable.key(numbers[i - 1], numbers[i])) }
    if distinct {
      var seen = Set<UInt64>(minimumCapacity: keys.count)
      keys = keys.filter { seen.insert($0).inserted }
    }
    keys.withUnsafeBufferPointer { pairs.add($0) }
    total += keys.count
  }

  /// `addPairs` into a counter of ordinary keys.
  private func addPairStrings(
    tokens: UnsafeBufferPointer<Token>, mask: UInt32, in buffer: UnsafeBufferPointer<UInt8>,
    lower: Bool, distinct: Bool
  ) {
    if distinct {
      let once = Counter(capacity: max(64, tokens.count))
      once.addPairs(tokens: tokens, mask: mask, in: buffer, lower: lower)
      merge(once, distinct: true)
      return
    }
    guard let base = buffer.baseAddress else { return }
    // Every pair "a b" is written into one buffer, then counted in a batch.
    var bytes: [UInt8] = []
    var ranges: [Range<Int>] = []
    bytes.reserveCapacity(buffer.count * 2)
    ranges.reserveCapacity(tokens.count)
    var previous: Token?
    for t in tokens where mask & (1 << t.kind.rawValue) != 0 {
      if let p = previous {
        let start = bytes.count
        bytes.append(
          contentsOf: UnsafeBufferPointer(start: base + Int(p.start), count: Int(p.end - p.start)))
        bytes.append(0x20)
        bytes.append(
          contentsOf: UnsafeBufferPointer(start: base + Int(t.start), count: Int(t.end - t.start)))
        ranges.append(start..<bytes.count)
      }
      previous = t
    }
    bytes.withUnsafeBufferPointer { add(ranges, in: $0, lower: lower) }
  }

  /// Adds one occurrence of `n` bytes at `p`, lowercased first when `lower` is set (ASCII
  /// in the same pass as hashing, other text with Unicode case mapping).
  ///
  /// `readable` is how many bytes may be read from `p` (to the end of its buffer): with 8 or
  /// more, a key of up to 8 bytes is loaded, lowered and hashed as one word, with no loop.
  public func add(_ p: UnsafePointer<UInt8>, _ n: Int, lower: Bool, readable: Int = 0) {
    materialize()
    total += 1
    _ = find(p, n, lower: lower, insert: true, readable: readable)
  }

  /// The index of the key, added (with no count) when new: a number for each distinct string.
  public func intern(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int = 0) -> Int {
    materialize()
    return find(p, n, lower: false, insert: true, readable: readable) ?? 0
  }

  /// The index of the key (lowercased when `lower`), or nil when it was never added.
  ///
  /// Pairs kept as numbers are made ordinary keys first: `count(of:_:)` looks them up as they are.
  public func index(of p: UnsafePointer<UInt8>, _ n: Int, lower: Bool, readable: Int = 0) -> Int? {
    materialize()
    return find(p, n, lower: lower, insert: false, readable: readable)
  }

  private static let highBits: UInt64 = 0x8080_8080_8080_8080

  /// Eight bytes at `p`, unaligned.
  @inline(__always) private static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
    UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
  }

  /// `word` with its ASCII capitals lowered.
  ///
  /// Per byte (all below 0x80: no carry crosses a byte): 'A' <= x <= 'Z' sets the high bit,
  /// which shifted down by 2 is the 0x20 that lowers it.
  @inline(__always) private static func lowered(_ word: UInt64) -> UInt64 {
    word | ((word &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(word &+ 0x2525_2525_2525_2525) & highBits) >> 2
  }

  /// Calls `body` with the tail words of a key of `n` > 8 bytes at `p`; false when `body` did.
  ///
  /// The words are bytes 8..<16, 16..<24, ... while a whole word is left before the end, then
  /// the key's last 8 bytes (which may overlap the word before). Every load lies inside the key.
  @inline(__always) private static func forEachTailWord(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ body: (UInt64) -> Bool
  ) -> Bool {
    var i = 8
    while i + 8 < n {
      guard body(load(p + i)) else { return false }
      i += 8
    }
    return body(load(p + n - 8))
  }

  /// The slot's meta word for a key: hash tag, length and index + 1.
  @inline(__always) private static func meta(hash: UInt64, length n: Int, index: Int) -> UInt64 {
    (hash & 0xFFFF_FF00_0000_0000) | UInt64(min(n, 255)) << 32 | UInt64(index + 1)
  }

  /// The key's word (its first 8 bytes, lowered when asked) and hash; nil for a lowered key
  /// with a non-ASCII byte, which goes through Unicode case mapping first.
  ///
  /// The hash mixes the first word with the length, then each tail word (`forEachTailWord`)
  /// with one multiplication: no loop over bytes, but for a key of fewer than 8 bytes within
  /// 8 bytes of the end of the buffer.
  @inline(__always) private static func wordAndHash(
    _ p: UnsafePointer<UInt8>, _ n: Int, lower: Bool, readable: Int
  ) -> (word: UInt64, hash: UInt64)? {
    var word: UInt64 = 0
    if n >= 8 {
      word = load(p)
    } else if readable >= 8 {
      word = load(p) & ((1 << (8 * UInt64(n))) &- 1)
    } else {
      for i in 0..<n { word |= UInt64(p[i]) << (8 * UInt64(i)) }
    }
    if lower {
      if word & highBits != 0 { return nil }
      word = lowered(word)
    }
    var x = (word &+ UInt64(truncatingIfNeeded: n)) &* 0x9E37_79B9_7F4A_7C15
    if n > 8 {
      let ascii = forEachTailWord(p, n) { tail in
        if lower && tail & highBits != 0 { return false }
        x = (x ^ (lower ? lowered(tail) : tail)) &* 0xFF51_AFD7_ED55_8CCD
        return true
      }
      if !ascii { return nil }
    }
    x ^= x >> 32
    x &*= 0xD6E8_FEB8_6659_FD93
    return (word, x ^ (x >> 29))
  }

  /// Adds each key of `ranges` in `buffer` once (lowered when `lower`), in order, as `add`
  /// does one by one, with each key's slot fetched a few keys ahead (see `Lookahead`).
  public func add(_ ranges: [Range<Int>], in buffer: UnsafeBufferPointer<UInt8>, lower: Bool) {
    add(ranges, in: buffer, lower: lower, counts: nil)
  }

  /// `add(_:in:lower:)`; with `counts`, key `i` is added `counts[i]` times.
  private func add(
    _ ranges: [Range<Int>], in buffer: UnsafeBufferPointer<UInt8>, lower: Bool, counts: [Int]?
  ) {
    materialize()
    guard let base = buffer.baseAddress else { return }
    // Summed here, added once: `total` changed inside the closure costs an exclusivity check
    // per key.
    var added = 0
    withLookahead(base, lower: lower) { ahead in
      for (i, r) in ranges.enumerated() {
        let count = counts?[i] ?? 1
        added &+= count
        ahead.push(r.lowerBound, r.count, count: count, readable: buffer.count - r.lowerBound)
      }
    }
    total &+= added
  }

  /// Adds the text of each token in `tokens` whose kind is in `mask` (bit `kind.rawValue`),
  /// lowered when `lower`, in token order, as `add(_:_:lower:readable:)` would one by one,
  /// with each key's slot fetched a few tokens ahead (see `Lookahead`).
  public func add(
    tokens: UnsafeBufferPointer<Token>, mask: UInt32, in buffer: UnsafeBufferPointer<UInt8>,
    lower: Bool
  ) {
    materialize()
    guard let base = buffer.baseAddress else { return }
    var added = 0
    withLookahead(base, lower: lower) { ahead in
      for t in tokens where mask & (1 << t.kind.rawValue) != 0 {
        added += 1
        let start = Int(t.start)
        ahead.push(start, Int(t.end) - start, count: 1, readable: buffer.count - start)
      }
    }
    total += added
  }

  /// Tokenises `text` (valid UTF-8) and adds the texts of the tokens whose kind is in `mask`,
  /// as `add(tokens:mask:in:lower:)` does with the tokens of `Tokenizer.tokenize`.
  ///
  /// The tokens go from the tokenizer straight into the lookahead ring: none is stored (for
  /// texts counted once, as by `Corpus.frequencies`). A text with '@' or '#', whose tokens
  /// may be joined afterwards, is tokenised first.
  public func add(text: UnsafeBufferPointer<UInt8>, mask: UInt32, lower: Bool) {
    materialize()
    guard let base = text.baseAddress else { return }
    struct Feed: Tokenizer.Sink {
      var ahead: Lookahead
      let mask: UInt32
      let n: Int
      var added = 0
      @inline(__always)
      mutating func add(_ start: Int, _ end: Int, _ kind: TokenKind) {
        guard mask & (1 << kind.rawValue) != 0 else { return }
        added += 1
        ahead.push(start, end - start, count: 1, readable: n - start)
      }
    }
    var added = 0
    var direct = false
    withLookahead(base, lower: lower) { ahead in
      var feed = Feed(ahead: ahead, mask: mask, n: text.count)
      direct = Tokenizer.scan(utf8: text, into: &feed)
      ahead = feed.ahead
      added = feed.added
    }
    total += added
    if !direct {
      Tokenizer.tokenize(utf8: text).withUnsafeBufferPointer {
        add(tokens: $0, mask: mask, in: text, lower: lower)
      }
    }
  }

  /// `add(tokens:mask:in:lower:)`, giving each token's key number, in token order.
  func addNumbering(
    tokens: UnsafeBufferPointer<Token>, mask: UInt32, in buffer: UnsafeBufferPointer<UInt8>,
    lower: Bool
  ) -> [Int] {
    materialize()
    guard let base = buffer.baseAddress else { return [] }
    var added = 0
    let numbers = [Int](unsafeUninitializedCapacity: tokens.count) { out, initialized in
      withLookahead(base, lower: lower) { ahead in
        ahead.numbers = out.baseAddress
        for t in tokens where mask & (1 << t.kind.rawValue) != 0 {
          added += 1
          let start = Int(t.start)
          ahead.push(start, Int(t.end) - start, count: 1, readable: buffer.count - start)
        }
        ahead.drain()
        initialized = ahead.numbered
      }
    }
    total += added
    return numbers
  }

  /// Keys waiting to be added while their memory is fetched.
  ///
  /// Once the table outgrows the cache, a lookup misses it once for the slot and once for
  /// the entry. Keys are therefore added in batches of 64, in three passes: hash each key and
  /// prefetch its slot; read the slots (fetched by now) and prefetch the entries they point
  /// to; then add the keys in order, with their hashes already known. The misses of a batch
  /// overlap instead of following one another, and each pass is a short loop with nothing to
  /// keep track of but its index. Keys are added in the order they came (Unicode keys too), so
  /// the keys' order is that of adding them one by one.
  private struct Lookahead {
    struct Key {
      var start: Int
      var length: Int
      var count: Int
      var readable: Int
      var word: UInt64 = 0
      var hash: UInt64 = 0
      var ascii = false
    }
    static let depth = 64
    let counter: Counter
    let base: UnsafePointer<UInt8>
    let lower: Bool
    let ring: UnsafeMutablePointer<Key>
    var waiting = 0
    /// Where each key's number goes, in the order the keys came, when asked.
    var numbers: UnsafeMutablePointer<Int>?
    var numbered = 0

    @inline(__always)
    mutating func push(_ start: Int, _ n: Int, count: Int, readable: Int) {
      (ring + waiting).initialize(
        to: Key(start: start, length: n, count: count, readable: readable))
      waiting += 1
      if waiting == Self.depth { drain() }
    }

    mutating func drain() {
      let n = waiting
      guard n > 0 else { return }
      waiting = 0
      let slots = counter.slots
      let mask = counter.slotCount - 1
      for i in 0..<n {
        let k = ring + i
        if let (word, h) = Counter.wordAndHash(
          base + k.pointee.start, k.pointee.length, lower: lower, readable: k.pointee.readable)
        {
          k.pointee.word = word
          k.pointee.hash = h
          k.pointee.ascii = true
          folio_prefetch(slots + (Int(truncatingIfNeeded: h) & mask))
        }
      }
      let entries = counter.entries
      for i in 0..<n where ring[i].ascii {
        let v = slots[Int(truncatingIfNeeded: ring[i].hash) & mask].meta
        if v != 0 { folio_prefetch(entries + Int(truncatingIfNeeded: v & 0xFFFF_FFFF) - 1) }
      }
      // Adding may grow the table: `table` and `tableMask` are read again after a slow add.
      var table = slots
      var tableMask = mask
      for i in 0..<n {
        let key = ring[i]
        let p = base + key.start
        let k: Int?
        let v = table[Int(truncatingIfNeeded: key.hash) & tableMask]
        // (An empty slot has meta 0, as the empty key's probe may be: it must not match.)
        if key.ascii && key.length <= 8 && v.meta != 0 && v.word == key.word
          && v.meta & 0xFFFF_FFFF_0000_0000
            == Counter.meta(hash: key.hash, length: key.length, index: -1)
        {
          // The common case, inline: a short key already counted, in its first slot.
          let found = Int(truncatingIfNeeded: v.meta & 0xFFFF_FFFF) - 1
          counter.entries[found].count &+= key.count
          k = found
        } else {
          k =
            key.ascii
            ? counter.find(
              p, key.length, word: key.word, hash: key.hash, lower: lower, insert: true)
            : counter.findUnicode(p, key.length, insert: true)
          if key.count != 1, let k { counter.entries[k].count &+= key.count &- 1 }
          table = counter.slots
          tableMask = counter.slotCount - 1
        }
        if let numbers {
          numbers[numbered] = k ?? 0  // never nil: an inserted key always has a number
          numbered += 1
        }
      }
    }
  }

  /// Runs `body` with an empty `Lookahead`, then adds what is left in it.
  @inline(__always)
  private func withLookahead(
    _ base: UnsafePointer<UInt8>, lower: Bool, _ body: (inout Lookahead) -> Void
  ) {
    withUnsafeTemporaryAllocation(of: Lookahead.Key.self, capacity: Lookahead.depth) { ring in
      guard let ring = ring.baseAddress else { return }
      var ahead = Lookahead(counter: self, base: base, lower: lower, ring: ring)
      body(&ahead)
      ahead.drain()
    }
  }

  /// Finds a key; with `insert`, counts one more occurrence (adding it if new).
  private func find(
    _ p: UnsafePointer<UInt8>, _ n: Int, lower: Bool, insert: Bool, readable: Int
  ) -> Int? {
    guard let (word, h) = Self.wordAndHash(p, n, lower: lower, readable: readable) else {
      return findUnicode(p, n, insert: insert)
    }
    return find(p, n, word: word, hash: h, lower: lower, insert: insert)
  }

  /// `find` with the key's word and hash already computed.
  @inline(__always)
  private func find(
    _ p: UnsafePointer<UInt8>, _ n: Int, word: UInt64, hash h: UInt64, lower: Bool, insert: Bool
  ) -> Int? {
    let probe = Self.meta(hash: h, length: n, index: -1)  // tag and length; index + 1 = 0
    let mask = slotCount - 1
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let v = slots[slot]
      if v.meta == 0 { break }
      if v.meta & 0xFFFF_FFFF_0000_0000 == probe && v.word == word {
        let k = Int(truncatingIfNeeded: v.meta & 0xFFFF_FFFF) - 1
        if n <= 8 || sameTail(k, p, n, lower: lower) {
          if insert { entries[k].count += 1 }
          return k
        }
      }
      slot = (slot + 1) & mask
    }
    guard insert else { return nil }
    return insertKey(p, n, lower: lower, word: word, hash: h, slot: slot)
  }

  /// A key with a non-ASCII byte, lowered by Unicode case mapping.
  private func findUnicode(_ p: UnsafePointer<UInt8>, _ n: Int, insert: Bool) -> Int? {
    var s = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self).lowercased()
    return s.withUTF8 { b in
      b.baseAddress.flatMap { find($0, b.count, lower: false, insert: insert, readable: b.count) }
    }
  }

  /// Whether key `k` (longer than 8 bytes, same first 8) equals the `n` bytes at `p` (ASCII
  /// when `lower`), compared a word at a time.
  private func sameTail(_ k: Int, _ p: UnsafePointer<UInt8>, _ n: Int, lower: Bool) -> Bool {
    guard Int(entries[k].length) == n else { return false }
    let q = keys + Int(entries[k].offset)
    var i = 8
    while i + 8 < n {
      let w = Self.load(p + i)
      guard Self.load(q + i) == (lower ? Self.lowered(w) : w) else { return false }
      i += 8
    }
    let w = Self.load(p + n - 8)
    return Self.load(q + n - 8) == (lower ? Self.lowered(w) : w)
  }

  /// Adds a new key (count 1) in the empty `slot` that its probe ended at.
  private func insertKey(
    _ p: UnsafePointer<UInt8>, _ n: Int, lower: Bool, word: UInt64, hash h: UInt64, slot: Int
  ) -> Int {
    let index = entryCount
    if entryCount == entryCapacity {
      (entries, entryCapacity) = doubled(entries, count: entryCount, capacity: entryCapacity)
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
    slots[slot] = Slot(word: word, meta: Self.meta(hash: h, length: n, index: index))
    let dst = keys + keysCount
    if lower {
      for i in 0..<n { dst[i] = Document.asciiLower(p[i]) }
    } else {
      dst.update(from: p, count: n)
    }
    keysCount += n
    if entryCount * 2 > slotCount { grow() }
    return index
  }

  /// Makes the table large enough for `keys` keys at once, so that adding them (a merge into
  /// an empty or small counter) does not rebuild it at every doubling on the way.
  private func reserve(keys: Int) {
    var size = slotCount
    while keys * 2 > size { size *= 2 }
    if size > slotCount { rebuild(slots: size) }
  }

  /// Doubles the table.
  private func grow() { rebuild(slots: slotCount * 2) }

  /// Places the keys again in a table of `size` slots.
  ///
  /// They go in the order they were added: the entries
  /// and the key bytes are then read front to back (their hashes computed again), not in the
  /// random order of the old slots, each a cache miss in a large table.
  private func rebuild(slots size: Int) {
    slots.deallocate()
    slotCount = size
    slots = .allocate(capacity: slotCount)
    slots.initialize(repeating: Slot(word: 0, meta: 0), count: slotCount)
    let mask = slotCount - 1
    for k in 0..<entryCount {
      let e = entries[k]
      let n = Int(e.length)
      let p = keys + Int(e.offset)
      guard
        let (word, h) = Self.wordAndHash(p, n, lower: false, readable: keysCount - Int(e.offset))
      else { continue }  // never: a key without lowering always hashes
      var slot = Int(truncatingIfNeeded: h) & mask
      while slots[slot].meta != 0 { slot = (slot + 1) & mask }
      slots[slot] = Slot(word: word, meta: Self.meta(hash: h, length: n, index: k))
    }
  }

}
