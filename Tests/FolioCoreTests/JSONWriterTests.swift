import FolioCore
import Testing

@Suite("JSON writer")
struct JSONWriterTests {
  /// The escaping rule written the plain way, one byte at a time.
  static func reference(_ s: String) -> String {
    var out: [UInt8] = [0x22]
    for b in s.utf8 {
      switch b {
      case 0x22: out += Array("\\\"".utf8)
      case 0x5C: out += Array("\\\\".utf8)
      case 0x0A: out += Array("\\n".utf8)
      case 0x09: out += Array("\\t".utf8)
      case 0x0D: out += Array("\\r".utf8)
      case 0..<0x20: out += Array(("\\u00" + (b < 0x10 ? "0" : "") + String(b, radix: 16)).utf8)
      default: out.append(b)
      }
    }
    return String(decoding: out + [0x22], as: UTF8.self)
  }

  static func written(_ s: String) -> String {
    var w = JSONWriter()
    w.string(s)
    return String(decoding: w.bytes, as: UTF8.self)
  }

  @Test("strings are escaped as byte-by-byte escaping does, wherever the escapes fall")
  func escapes() {
    #expect(Self.written("") == "\"\"")
    #expect(Self.written("a\"b\\c\nd\u{1}\u{1F}é") == "\"a\\\"b\\\\c\\nd\\u0001\\u001fé\"")
    // Escapes at every position of an 8-byte word, next to multi-byte characters (bytes with
    // the high bit set must not look like control characters).
    let pieces = [
      "a", "\"", "\\", "\n", "\t", "\r", "\u{0}", "\u{1B}", "é", "€", "😀", " ", "~", "\u{7F}",
    ]
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
      let n = Int.random(in: 0...40, using: &generator)
      let s = (0..<n).map { _ in pieces.randomElement(using: &generator)! }.joined()
      #expect(Self.written(s) == Self.reference(s), "\(Array(s.utf8))")
    }
  }
}
