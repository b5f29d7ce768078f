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
    var out = ""
    out.reserveCapacity(text.utf8.count)
    let bytes = Array(text.utf8)
    var i = 0
    var plain = 0
    func flush(_ end: Int) {
      if end > plain { out += String(decoding: bytes[plain..<end], as: UTF8.self) }
    }
    while i < bytes.count {
      guard bytes[i] == 0x26 else {
        i += 1
        continue
      }
      if let (value, length) = reference(bytes, at: i) {
        flush(i)
        out += value
        i += length
        plain = i
      } else {
        i += 1
      }
    }
    flush(bytes.count)
    return out
  }

  /// The replacement text and length of the reference at `at` (which holds `&`).
  private static func reference(_ b: [UInt8], at: Int) -> (String, Int)? {
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
    let name = String(decoding: b[start..<j], as: UTF8.self)
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
