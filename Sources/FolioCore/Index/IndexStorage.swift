import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A file of the index mapped into memory, read-only.
final class MappedFile: @unchecked Sendable {
  let base: UnsafeRawPointer
  let count: Int
  private let mapped: Bool

  /// Maps `path`; an empty file maps to a small zeroed buffer.
  init(_ path: String) throws(IndexError) {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
      throw IndexError("cannot open \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw IndexError("cannot read \(path)") }
    count = Int(st.st_size)
    if count == 0 {
      base = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 8))
      mapped = false
      return
    }
    guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
      throw IndexError("cannot map \(path): \(String(cString: strerror(errno)))")
    }
    base = UnsafeRawPointer(p)
    mapped = true
  }

  deinit {
    if mapped {
      munmap(UnsafeMutableRawPointer(mutating: base), count)
    } else {
      UnsafeMutableRawPointer(mutating: base).deallocate()
    }
  }

  /// The little-endian UInt64 at index `i` (8-byte units).
  @inline(__always) func u64(_ i: Int) -> Int {
    Int(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))
  }
}

/// Something wrong with an index: missing, damaged, or of another format.
public struct IndexError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Unsigned integers of `width` bits each, packed end to end (CWB stores its streams as whole
/// integers; a part-of-speech takes 5 bits here instead of 32).
///
/// A plain value (a pointer into the mapped file, which the index keeps open): copying it in
/// a per-token loop costs no reference counting.
struct PackedInts {
  let base: UnsafeRawPointer
  let width: Int
  private let mask: UInt64

  init(_ file: MappedFile, width: Int) {
    base = file.base
    self.width = width
    mask = width >= 64 ? .max : (1 << UInt64(width)) - 1
  }

  @inline(__always) subscript(i: Int) -> Int {
    let bit = i &* width
    let word = base.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self)
    return Int((UInt64(littleEndian: word) >> UInt64(bit & 7)) & mask)
  }

  /// The bits needed for values up to `maximum`.
  static func width(for maximum: Int) -> Int {
    max(1, Int.bitWidth - max(0, maximum).leadingZeroBitCount)
  }

  /// `values` packed at `width` bits, plus 8 bytes so that the last value reads as one word.
  static func pack<T: BinaryInteger>(_ values: [T], width: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: (values.count * width + 7) / 8 + 8)
    out.withUnsafeMutableBytes { raw in
      let base = raw.baseAddress.unsafelyUnwrapped
      for (i, v) in values.enumerated() {
        // A value of up to 32 bits shifted by up to 7 fits the 64-bit word at its first byte.
        let bit = i &* width
        let p = base + (bit >> 3)
        let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        p.storeBytes(of: (word | UInt64(v) << UInt64(bit & 7)).littleEndian, as: UInt64.self)
      }
    }
    return out
  }
}

/// Strings stored end to end with an offset table (`.idx`: UInt64 × (count + 1)); a sorted
/// lexicon is searched by binary search without reading the rest.
struct StringTable {
  let blob: MappedFile
  let offsets: MappedFile
  let count: Int

  init(blob: MappedFile, offsets: MappedFile) {
    self.blob = blob
    self.offsets = offsets
    count = max(0, offsets.count / 8 - 1)
  }

  func bytes(_ i: Int) -> UnsafeRawBufferPointer {
    let a = offsets.u64(i)
    return UnsafeRawBufferPointer(start: blob.base + a, count: offsets.u64(i + 1) - a)
  }

  func string(_ i: Int) -> String {
    String(decoding: bytes(i), as: UTF8.self)
  }

  /// The number of `value` in a table sorted by bytes, or nil.
  func find(_ value: String) -> Int? {
    let key = Array(value.utf8)
    var lo = 0
    var hi = count
    while lo < hi {
      let mid = (lo + hi) / 2
      let b = bytes(mid)
      if b.lexicographicallyPrecedes(key) { lo = mid + 1 } else { hi = mid }
    }
    guard lo < count, bytes(lo).elementsEqual(key) else { return nil }
    return lo
  }

  static func build(_ strings: [String]) -> Built {
    var blob: [UInt8] = []
    var offsets = ByteBuffer()
    offsets.u64(0)
    for s in strings {
      blob.append(contentsOf: s.utf8)
      offsets.u64(blob.count)
    }
    return Built(blob: blob, offsets: offsets.bytes)
  }

  /// A table as `build` makes it, before it is written.
  struct Built {
    let blob: [UInt8]
    let offsets: [UInt8]

    /// The strings' numbers in byte order of the strings (a shorter prefix first).
    func sortedOrder() -> [Int] {
      blob.withUnsafeBufferPointer { b in
        offsets.withUnsafeBytes { o in
          let base = b.baseAddress ?? UnsafePointer(bitPattern: 1).unsafelyUnwrapped
          let count = o.count / 8 - 1
          func bounds(_ i: Int) -> (Int, Int) {
            (
              Int(UInt64(littleEndian: o.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))),
              Int(UInt64(littleEndian: o.loadUnaligned(fromByteOffset: i * 8 + 8, as: UInt64.self)))
            )
          }
          return (0..<count).sorted { x, y in
            let (a0, a1) = bounds(x)
            let (b0, b1) = bounds(y)
            let c = memcmp(base + a0, base + b0, min(a1 - a0, b1 - b0))
            return c != 0 ? c < 0 : a1 - a0 < b1 - b0
          }
        }
      }
    }
  }
}

/// Strings numbered in the order they first come: value numbers of a column, labels, groups.
public struct ValueNumbers: Sendable {
  public private(set) var values: [String]
  private var numbers: [String: Int] = [:]

  /// Numbering that starts with `values` (0, 1, ...).
  public init(_ values: [String] = []) {
    self.values = values
    for (k, v) in values.enumerated() where numbers[v] == nil { numbers[v] = k }
  }

  /// The number of `value`, given it when new.
  public mutating func number(_ value: String) -> Int {
    if let n = numbers[value] { return n }
    values.append(value)
    numbers[value] = values.count - 1
    return values.count - 1
  }
}

/// Little-endian fixed-width numbers into bytes.
struct ByteBuffer {
  var bytes: [UInt8] = []
  mutating func u64(_ v: Int) {
    withUnsafeBytes(of: UInt64(v).littleEndian) { bytes.append(contentsOf: $0) }
  }
}

/// Positions of each value: per value a run of varint gaps (`.post`), an offset table
/// (`.post.idx`, UInt64 × (values + 1)) and counts (`.post.n`, UInt64 × values).
struct Postings {
  let data: MappedFile
  let offsets: MappedFile
  let counts: MappedFile

  func count(_ id: Int) -> Int { counts.u64(id) }

  /// The positions of value `id`, in order.
  func positions(_ id: Int) -> [Int] {
    var out: [Int] = []
    var at = offsets.u64(id)
    let end = offsets.u64(id + 1)
    let p = data.base.assumingMemoryBound(to: UInt8.self)
    var position = -1
    while at < end {
      var v = 0
      var shift = 0
      while true {
        let b = Int(p[at])
        at += 1
        v |= (b & 0x7F) << shift
        if b < 0x80 { break }
        shift += 7
      }
      position += v + 1
      out.append(position)
    }
    return out
  }

  /// Postings of `ids` (per value, its positions in order).
  static func build(_ ids: [Int32], values: Int, most: Int = .max) -> (
    data: [UInt8], offsets: [UInt8], counts: [UInt8]
  ) {
    var starts = [Int](repeating: 0, count: values + 1)
    for id in ids { starts[Int(id) + 1] += 1 }
    for v in 0..<values { starts[v + 1] += starts[v] }
    // Each value's positions in order (a counting sort), then as varint gaps.
    var fill = starts
    var sorted = [UInt32](repeating: 0, count: ids.count)
    sorted.withUnsafeMutableBufferPointer { out in
      fill.withUnsafeMutableBufferPointer { next in
        for (position, id) in ids.enumerated() {
          out[next[Int(id)]] = UInt32(truncatingIfNeeded: position)
          next[Int(id)] += 1
        }
      }
    }
    // A gap of up to 32 bits takes at most 5 bytes.
    var data = [UInt8](repeating: 0, count: ids.count * 5)
    var offsets = [UInt64](repeating: 0, count: values + 1)
    var counts = [UInt64](repeating: 0, count: values)
    var written = 0
    data.withUnsafeMutableBufferPointer { out in
      sorted.withUnsafeBufferPointer { positions in
        for v in 0..<values {
          offsets[v] = UInt64(written).littleEndian
          counts[v] = UInt64(starts[v + 1] - starts[v]).littleEndian
          // A frequent value keeps its count only.
          guard starts[v + 1] - starts[v] <= most else { continue }
          var previous: Int = -1
          for k in starts[v]..<starts[v + 1] {
            let p = Int(positions[k])
            var gap = UInt64(p - previous - 1)
            previous = p
            while gap >= 0x80 {
              out[written] = UInt8(gap & 0x7F) | 0x80
              written += 1
              gap >>= 7
            }
            out[written] = UInt8(gap)
            written += 1
          }
        }
      }
    }
    offsets[values] = UInt64(written).littleEndian
    data.removeSubrange(written...)
    func bytes(_ numbers: [UInt64]) -> [UInt8] {
      numbers.withUnsafeBytes { Array($0) }
    }
    return (data, bytes(offsets), bytes(counts))
  }
}
