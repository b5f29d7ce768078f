/// Appends JSON to a byte buffer: compact, keys in the order written, UTF-8 kept as it is.
public struct JSONWriter {
  public private(set) var bytes: [UInt8] = []

  public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

  public mutating func raw(_ s: StaticString) {
    s.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  public mutating func string(_ s: String) {
    var s = s
    s.withUTF8 { string(utf8: $0) }
  }

  /// A JSON string from UTF-8 bytes (valid UTF-8 expected; documents are repaired on input).
  public mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
    bytes.append(0x22)
    var start = 0
    for (i, b) in utf8.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
      switch b {
      case 0x22: bytes += [0x5C, 0x22]
      case 0x5C: bytes += [0x5C, 0x5C]
      case 0x0A: bytes += [0x5C, 0x6E]
      case 0x09: bytes += [0x5C, 0x74]
      case 0x0D: bytes += [0x5C, 0x72]
      default:
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        bytes += [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]]
      }
      start = i + 1
    }
    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
    bytes.append(0x22)
  }

  public mutating func integer(_ i: Int) { bytes.append(contentsOf: String(i).utf8) }

  public mutating func number(_ d: Double) {
    if !d.isFinite {
      raw("null")
    } else if d == d.rounded(), abs(d) < 1e15 {
      bytes.append(contentsOf: String(Int(d)).utf8)
      raw(".0")
    } else {
      bytes.append(contentsOf: d.description.utf8)
    }
  }

  public mutating func bool(_ b: Bool) { b ? raw("true") : raw("false") }

  public mutating func meta(_ value: MetaValue?) {
    guard let value else {
      raw("null")
      return
    }
    switch value {
    case .string(let s): string(s)
    case .integer(let i): integer(i)
    case .number(let d): number(d)
    case .bool(let b): bool(b)
    case .list(let items):
      bytes.append(0x5B)
      for (i, item) in items.enumerated() {
        if i > 0 { bytes.append(0x2C) }
        meta(item)
      }
      bytes.append(0x5D)
    }
  }

  /// An object of metadata-typed values, in the order given.
  public mutating func object(_ entries: [(String, MetaValue)]) {
    open("{")
    for (i, (k, v)) in entries.enumerated() {
      if i > 0 { comma() }
      key(k)
      meta(v)
    }
    close("}")
  }

  /// Writes `"key":`.
  public mutating func key(_ k: String) {
    string(k)
    bytes.append(0x3A)
  }

  public mutating func comma() { bytes.append(0x2C) }
  public mutating func open(_ c: Character) { bytes.append(c == "{" ? 0x7B : 0x5B) }
  public mutating func close(_ c: Character) { bytes.append(c == "}" ? 0x7D : 0x5D) }
}

/// Offsets in exported documents (DESIGN.md §4): code points by default (what Python and spaCy
/// use), or UTF-8 bytes.
public enum OffsetUnit: String, Sendable, CaseIterable {
  case codepoints, bytes
}

extension Document {
  /// One JSONL record: `{"id", "meta", "text", "offsets", "layers": {name: [{start, end,
  /// label, attrs}]}}` with 0-based, end-exclusive offsets in `unit`.
  public func jsonRecord(offsets unit: OffsetUnit = .codepoints) -> [UInt8] {
    var w = JSONWriter(capacity: byteCount + 256)
    w.open("{")
    w.key("id")
    w.string(id)
    w.comma()
    w.key("meta")
    w.object(meta.entries.map { ($0.key, $0.value) })
    w.comma()
    w.key("text")
    w.string(text)
    w.comma()
    w.key("offsets")
    w.string(unit.rawValue)
    w.comma()
    w.key("layers")
    w.open("{")
    var convert: (Int) -> Int = { $0 }
    if unit == .codepoints, !layerNames.isEmpty {
      // Code points before each byte offset: one pass over the text.
      var table = [Int32](repeating: 0, count: byteCount + 1)
      var n: Int32 = 0
      for (i, b) in text.utf8.enumerated() {
        table[i] = n
        if b & 0xC0 != 0x80 { n += 1 }
      }
      table[byteCount] = n
      convert = { Int(table[$0]) }
    }
    for (li, name) in layerNames.enumerated() {
      if li > 0 { w.comma() }
      w.key(name)
      w.open("[")
      for (si, span) in (layer(name)?.spans ?? []).enumerated() {
        if si > 0 { w.comma() }
        w.open("{")
        w.key("start")
        w.integer(convert(span.start))
        w.comma()
        w.key("end")
        w.integer(convert(span.end))
        if let label = span.label {
          w.comma()
          w.key("label")
          w.string(label)
        }
        if !span.attributes.isEmpty {
          w.comma()
          w.key("attrs")
          w.object(span.attributes)
        }
        w.close("}")
      }
      w.close("]")
    }
    w.close("}")
    w.close("}")
    return w.bytes
  }
}
