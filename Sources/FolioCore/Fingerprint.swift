/// A 128-bit fingerprint of a set of documents, for reports' provenance: the same documents
/// (ids and texts, as read) give the same fingerprint, in any order, at any `-j` and over any
/// split into shards.
///
/// Each document's 128 bits come from two 64-bit multiply-rotate lanes over its id and text,
/// eight bytes at a time (several GB/s: reading the corpus costs far more); the set's
/// fingerprint is their sum modulo 2^128, so that shards add up. It tells corpora apart; it is
/// not a cryptographic hash and does not resist a forger.
public struct Fingerprint: Sendable, Equatable, Hashable {
  public var high: UInt64 = 0
  public var low: UInt64 = 0

  public init() {}

  public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// The fingerprint of one document.
  public static func document(id: String, text: String) -> Fingerprint {
    var h = Lanes()
    var id = id
    id.withUTF8 { h.absorb($0) }
    h.separate()
    var text = text
    text.withUTF8 { h.absorb($0) }
    return h.finish()
  }

  /// Adds `other` (another document or set) to this set.
  public mutating func add(_ other: Fingerprint) {
    let (sum, carry) = low.addingReportingOverflow(other.low)
    low = sum
    high = high &+ other.high &+ (carry ? 1 : 0)
  }

  /// `fp128:` and 32 hex digits.
  public var text: String {
    func hex(_ v: UInt64) -> String {
      let s = String(v, radix: 16)
      return String(repeating: "0", count: 16 - s.count) + s
    }
    return "fp128:" + hex(high) + hex(low)
  }

  /// The fingerprint `text` spells, or nil.
  public init?(text: String) {
    guard text.hasPrefix("fp128:"), text.utf8.count == 38 else { return nil }
    let digits = text.dropFirst(6)
    guard let h = UInt64(digits.prefix(16), radix: 16), let l = UInt64(digits.suffix(16), radix: 16)
    else { return nil }
    self.init(high: h, low: l)
  }

  private struct Lanes {
    var a: UInt64 = 0x243F_6A88_85A3_08D3
    var b: UInt64 = 0x1319_8A2E_0370_7344
    var length: UInt64 = 0
    static let p1: UInt64 = 0x9E37_79B9_7F4A_7C15
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    @inline(__always)
    mutating func mix(_ w: UInt64) {
      a = ((a ^ w) &* Self.p1).rotated(27)
      b = ((b ^ (w &+ 0x5851_F42D_4C95_7F2D)) &* Self.p2).rotated(31)
    }

    mutating func absorb(_ bytes: UnsafeBufferPointer<UInt8>) {
      length &+= UInt64(bytes.count)
      guard let base = bytes.baseAddress else { return }
      let raw = UnsafeRawPointer(base)
      var i = 0
      while i + 8 <= bytes.count {
        mix(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
        i += 8
      }
      if i < bytes.count {
        var last: UInt64 = 0
        for k in i..<bytes.count { last |= UInt64(bytes[k]) << (8 * UInt64(k - i)) }
        mix(last ^ (UInt64(bytes.count - i) << 59))
      }
    }

    mutating func separate() { mix(0xFFFF_FFFF_FFFF_FFFF ^ length) }

    func finish() -> Fingerprint {
      // MurmurHash3's finaliser on each lane, crossed with the other and the length.
      func fmix(_ x: UInt64) -> UInt64 {
        var k = x
        k ^= k >> 33
        k = k &* 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k = k &* 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
      }
      let x = fmix(a ^ length)
      let y = fmix(b &+ x)
      return Fingerprint(high: fmix(x &+ y), low: y)
    }
  }
}

extension UInt64 {
  @inline(__always)
  fileprivate func rotated(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}
