#if canImport(Glibc)
  import Glibc
#endif

/// Decodes HTML/SGML character references: `&amp;`, `&#233;`, `&#xE9;`, and the HTML named
/// references (all 2,231, with the legacy ones that may lack `;`).
///
/// Numeric references follow HTML: 0x80–0x9F mean their Windows-1252 characters, NUL and
/// surrogates become U+FFFD, and control characters other than tab and newline (SGML
/// collections such as Reuters write `&#3;` at the end of each story) are dropped.
enum CharacterReferences {
  static let named: [String: String] = {
    var table: [String: String] = [:]
    table.reserveCapacity(2300)
    for line in namedCharacterReferenceTable.split(separator: "\n") {
      let parts = line.split(separator: " ")
      guard let name = parts.first else { continue }
      var value = ""
      for hex in parts.dropFirst() {
        if let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) {
          value.unicodeScalars.append(s)
        }
      }
      table[String(name)] = value
    }
    return table
  }()

  /// Windows-1252's characters for the C1 range, as HTML reads `&#128;`–`&#159;`.
  static let windows1252: [UInt32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
    0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
  ]

  static func decode(_ text: String) -> String {
    var text = text
    let hasReference = text.withUTF8 { b in
      b.baseAddress.map { memchr($0, 0x26, b.count) != nil } ?? false
    }
    guard hasReference else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    text.withUTF8 { decode($0, into: &out) }
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends `b` to `out` with its references decoded.
  static func decode(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
    guard let base = b.baseAddress else { return }
    var i = 0
    var plain = 0
    while i < b.count {
      // The next '&', found by memchr: text between references is copied as it is.
      guard let amp = memchr(base + i, 0x26, b.count - i) else { break }
      i = UnsafeRawPointer(amp) - UnsafeRawPointer(base)
      if let (byte, length) = common(b, at: i) {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[plain..<i]))
        if let byte { out.append(byte) }
        i += length
        plain = i
      } else if let (value, length) = reference(b, at: i) {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[plain..<i]))
        out.append(contentsOf: value.utf8)
        i += length
        plain = i
      } else {
        i += 1
      }
    }
    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[plain..<b.count]))
  }

  /// The byte the common reference at `at` stands for (nil when it is dropped) and its length.
  ///
  /// `&lt;`, `&gt;`, `&amp;` and decimal references below 128 (`&#3;`, dropped, ends every
  /// Reuters story) are read without building strings.
  @inline(__always)
  private static func common(_ b: UnsafeBufferPointer<UInt8>, at: Int) -> (UInt8?, Int)? {
    let n = b.count - at
    guard n >= 4 else { return nil }
    let c1 = b[at + 1]
    let c2 = b[at + 2]
    let c3 = b[at + 3]
    if c1 == 0x23 {  // &#d; &#dd; &#ddd;
      var value = 0
      var j = at + 2
      while j < b.count, j < at + 5, b[j] >= 0x30 && b[j] <= 0x39 {
        value = value * 10 + Int(b[j] - 0x30)
        j += 1
      }
      guard j > at + 2, j < b.count, b[j] == 0x3B, value < 0x80, value != 0 else { return nil }
      let v = UInt8(value)
      let kept = v == 0x09 || v == 0x0A || v == 0x0D || (v >= 0x20 && v != 0x7F)
      return (kept ? (v == 0x0D ? 0x0A : v) : nil, j + 1 - at)
    }
    if c3 == 0x3B {
      if c1 == 0x6C && c2 == 0x74 { return (0x3C, 4) }  // &lt;
      if c1 == 0x67 && c2 == 0x74 { return (0x3E, 4) }  // &gt;
    }
    if n >= 5, c1 == 0x61, c2 == 0x6D, c3 == 0x70, b[at + 4] == 0x3B { return (0x26, 5) }  // &amp;
    return nil
  }

  /// The replacement text and length of the reference at `at` (which holds `&`).
  private static func reference(_ b: UnsafeBufferPointer<UInt8>, at: Int) -> (String, Int)? {
    var j = at + 1
    guard j < b.count else { return nil }
    if b[j] == 0x23 {  // &#
      j += 1
      var hex = false
      if j < b.count, b[j] | 0x20 == 0x78 {
        hex = true
        j += 1
      }
      let start = j
      var value: UInt32 = 0
      while j < b.count, j - start < 8 {
        let c = b[j]
        let digit: UInt32
        switch c {
        case 0x30...0x39: digit = UInt32(c - 0x30)
        case 0x61...0x66 where hex: digit = UInt32(c - 0x61 + 10)
        case 0x41...0x46 where hex: digit = UInt32(c - 0x41 + 10)
        default: digit = 99
        }
        if digit == 99 { break }
        value = value * (hex ? 16 : 10) + digit
        j += 1
      }
      guard j > start else { return nil }
      if j < b.count, b[j] == 0x3B { j += 1 }
      return (character(value), j - at)
    }
    let start = j
    while j < b.count, j - start < 32,
      (b[j] >= 0x30 && b[j] <= 0x39) || ((b[j] | 0x20) >= 0x61 && (b[j] | 0x20) <= 0x7A)
    {
      j += 1
    }
    guard j > start else { return nil }
    let name = String(decoding: UnsafeBufferPointer(rebasing: b[start..<j]), as: UTF8.self)
    if j < b.count, b[j] == 0x3B, let v = named[name + ";"] { return (v, j + 1 - at) }
    if let v = named[name] { return (v, j - at) }
    return nil
  }

  static func character(_ value: UInt32) -> String {
    switch value {
    case 0x09, 0x0A: return String(Unicode.Scalar(UInt8(value)))
    case 0x0D: return "\n"
    case 0: return "\u{FFFD}"
    case 0x01...0x1F, 0x7F: return ""
    case 0x80...0x9F: return Unicode.Scalar(windows1252[Int(value - 0x80)]).map { String($0) } ?? ""
    default: return Unicode.Scalar(value).map { String($0) } ?? "\u{FFFD}"
    }
  }
}
