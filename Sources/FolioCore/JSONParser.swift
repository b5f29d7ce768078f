/// A strict JSON parser (RFC 8259) that keeps object keys in file order and integers apart from
/// floats; several times faster than `JSONDecoder` on Linux for JSONL corpora.
public struct JSONParser {
  /// Why a text is not JSON, with the byte offset.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "\(reason) at byte \(offset + 1)" }
  }

  private let b: UnsafeBufferPointer<UInt8>
  private var i = 0
  private var depth = 0

  private init(_ bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

  /// Parses one JSON value filling all of `bytes` (surrounding whitespace allowed).
  static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
    let array = Array(bytes)
    return try array.withUnsafeBufferPointer { (buffer) throws(Failure) -> JSONValue in
      var parser = JSONParser(buffer)
      parser.skipSpace()
      let value = try parser.value()
      parser.skipSpace()
      guard parser.i == buffer.count else { throw parser.fail("unexpected text after the value") }
      return value
    }
  }

  private func fail(_ reason: String) -> Failure { Failure(offset: i, reason: reason) }

  private mutating func skipSpace() {
    while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
  }

  private mutating func expect(_ word: StaticString, _ value: JSONValue) throws(Failure)
    -> JSONValue
  {
    let n = word.utf8CodeUnitCount
    guard i + n <= b.count else { throw fail("unexpected end of input") }
    for k in 0..<n where b[i + k] != word.utf8Start[k] { throw fail("expected a JSON value") }
    i += n
    return value
  }

  private mutating func value() throws(Failure) -> JSONValue {
    guard i < b.count else { throw fail("unexpected end of input") }
    switch b[i] {
    case 0x7B: return try object()
    case 0x5B: return try array()
    case 0x22: return .string(try string())
    case 0x74: return try expect("true", .bool(true))
    case 0x66: return try expect("false", .bool(false))
    case 0x6E: return try expect("null", .null)
    case 0x2D, 0x30...0x39: return try number()
    default: throw fail("expected a JSON value")
    }
  }

  private mutating func nest() throws(Failure) {
    depth += 1
    if depth > 512 { throw fail("nested more than 512 deep") }
  }

  private mutating func object() throws(Failure) -> JSONValue {
    try nest()
    i += 1
    var fields: [(String, JSONValue)] = []
    skipSpace()
    if i < b.count, b[i] == 0x7D {
      i += 1
      depth -= 1
      return .object(fields)
    }
    while true {
      skipSpace()
      guard i < b.count, b[i] == 0x22 else { throw fail("expected a quoted key") }
      let key = try string()
      skipSpace()
      guard i < b.count, b[i] == 0x3A else { throw fail("expected ':'") }
      i += 1
      skipSpace()
      fields.append((key, try value()))
      skipSpace()
      guard i < b.count else { throw fail("unexpected end of input") }
      if b[i] == 0x2C {
        i += 1
        continue
      }
      guard b[i] == 0x7D else { throw fail("expected ',' or '}'") }
      i += 1
      depth -= 1
      return .object(fields)
    }
  }

  private mutating func array() throws(Failure) -> JSONValue {
    try nest()
    i += 1
    var items: [JSONValue] = []
    skipSpace()
    if i < b.count, b[i] == 0x5D {
      i += 1
      depth -= 1
      return .array(items)
    }
    while true {
      skipSpace()
      items.append(try value())
      skipSpace()
      guard i < b.count else { throw fail("unexpected end of input") }
      if b[i] == 0x2C {
        i += 1
        continue
      }
      guard b[i] == 0x5D else { throw fail("expected ',' or ']'") }
      i += 1
      depth -= 1
      return .array(items)
    }
  }

  private mutating func number() throws(Failure) -> JSONValue {
    let start = i
    var float = false
    if b[i] == 0x2D { i += 1 }
    guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { throw fail("invalid number") }
    if b[i] == 0x30 {
      i += 1
    } else {
      while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
    }
    if i < b.count, b[i] == 0x2E {
      float = true
      i += 1
      guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { throw fail("invalid number") }
      while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
    }
    if i < b.count, b[i] | 0x20 == 0x65 {
      float = true
      i += 1
      if i < b.count, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
      guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { throw fail("invalid number") }
      while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
    if !float, let n = Int(text) { return .integer(n) }
    return .number(Double(text) ?? 0)
  }

  private mutating func hex4() throws(Failure) -> UInt32 {
    guard i + 4 <= b.count else { throw fail("unexpected end of input") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = b[i]
      let d: UInt32
      switch c {
      case 0x30...0x39: d = UInt32(c - 0x30)
      case 0x41...0x46: d = UInt32(c - 0x41 + 10)
      case 0x61...0x66: d = UInt32(c - 0x61 + 10)
      default: throw fail("invalid \\u escape")
      }
      v = v << 4 | d
      i += 1
    }
    return v
  }

  private mutating func string() throws(Failure) -> String {
    i += 1
    let start = i
    // Fast path: no escapes.
    while i < b.count, b[i] != 0x22, b[i] != 0x5C, b[i] >= 0x20 { i += 1 }
    if i < b.count, b[i] == 0x22 {
      let s = UnsafeBufferPointer(rebasing: b[start..<i])
      i += 1
      return String(validating: s, as: UTF8.self) ?? String(decoding: s, as: UTF8.self)
    }
    var out = Array(b[start..<i])
    while true {
      guard i < b.count else { throw fail("unterminated string") }
      let c = b[i]
      if c == 0x22 {
        i += 1
        return String(decoding: out, as: UTF8.self)
      }
      if c < 0x20 { throw fail("control character in a string") }
      if c != 0x5C {
        out.append(c)
        i += 1
        continue
      }
      i += 1
      guard i < b.count else { throw fail("unterminated string") }
      let e = b[i]
      i += 1
      switch e {
      case 0x22, 0x5C, 0x2F: out.append(e)
      case 0x62: out.append(0x08)
      case 0x66: out.append(0x0C)
      case 0x6E: out.append(0x0A)
      case 0x72: out.append(0x0D)
      case 0x74: out.append(0x09)
      case 0x75:
        var scalar = try hex4()
        if scalar >= 0xD800, scalar < 0xDC00, i + 6 <= b.count, b[i] == 0x5C, b[i + 1] == 0x75 {
          let save = i
          i += 2
          let low = try hex4()
          if low >= 0xDC00, low < 0xE000 {
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else {
            i = save
          }
        }
        let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        out.append(contentsOf: String(s).utf8)
      default: throw fail("invalid escape")
      }
    }
  }
}
