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
  ///
  /// Runs of bytes that need no escape are found eight at a time and copied whole.
  public mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
    bytes.append(0x22)
    guard let base = utf8.baseAddress else {
      bytes.append(0x22)
      return
    }
    bytes.reserveCapacity(bytes.count + utf8.count + 1)
    let n = utf8.count
    var start = 0
    var i = 0
    while i < n {
      if i + 8 <= n {
        let m = Self.escapes(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
        if m == 0 {
          i += 8
          continue
        }
        // The lowest flagged byte is exact (higher ones may be borrows): go straight to it.
        i += m.trailingZeroBitCount >> 3
      }
      let b = base[i]
      if b < 0x20 || b == 0x22 || b == 0x5C {
        bytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: i - start))
        escape(b)
        start = i + 1
      }
      i += 1
    }
    bytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: n - start))
    bytes.append(0x22)
  }

  /// The high bit of each of the 8 bytes of `w` (little-endian) that is below 0x20, a quote
  /// or a backslash: 0 when none is; when some are, the lowest set bit is the first of them
  /// (a byte above a flagged one may be flagged wrongly, by the borrow).
  @inline(__always) private static func escapes(_ w: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    // (x - n·ones) & ~x & high is non-zero exactly when a byte of x is below n (n <= 0x80);
    // for n = 1 that is a zero byte, which x ^ c has where x has the byte c.
    func below(_ x: UInt64, _ k: UInt64) -> UInt64 { (x &- k &* ones) & ~x & high }
    return below(w, 0x20) | below(w ^ (0x22 &* ones), 1) | below(w ^ (0x5C &* ones), 1)
  }

  /// Appends the escape of byte `b` (a control character, quote or backslash).
  private mutating func escape(_ b: UInt8) {
    bytes.append(0x5C)
    switch b {
    case 0x22, 0x5C: bytes.append(b)
    case 0x0A: bytes.append(0x6E)
    case 0x09: bytes.append(0x74)
    case 0x0D: bytes.append(0x72)
    default:
      func hex(_ d: UInt8) -> UInt8 { d < 10 ? 0x30 + d : 0x57 + d }
      bytes.append(0x75)
      bytes.append(0x30)
      bytes.append(0x30)
      bytes.append(hex(b >> 4))
      bytes.append(hex(b & 0xF))
    }
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

  /// A JSON array of strings.
  public mutating func strings(_ list: [String]) {
    open("[")
    for (i, s) in list.enumerated() {
      if i > 0 { comma() }
      string(s)
    }
    close("]")
  }

  /// A JSON object of metadata, in its order.
  public mutating func object(_ meta: Metadata) {
    open("{")
    for (i, (key, value)) in meta.entries.enumerated() {
      if i > 0 { comma() }
      self.key(key)
      self.meta(value)
    }
    close("}")
  }

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
  /// label, attrs}]}}` with 0-based, end-exclusive offsets in `unit`; when the tokens carry
  /// attributes (a tagger's, a CoNLL-U file's), also `"tokens": [{start, end, kind, pos, tag,
  /// lemma, ...}]`.
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
    let columns = tokenColumnNames.compactMap { n in tokenColumns[n].map { (n, $0) } }
    if unit == .codepoints, !layerNames.isEmpty || !columns.isEmpty {
      let table = codepointOffsets()
      convert = { table[$0] }
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
    if !columns.isEmpty {
      w.comma()
      w.key("tokens")
      w.open("[")
      for (i, t) in tokens.enumerated() {
        if i > 0 { w.comma() }
        w.open("{")
        w.key("start")
        w.integer(convert(Int(t.start)))
        w.comma()
        w.key("end")
        w.integer(convert(Int(t.end)))
        w.comma()
        w.key("kind")
        w.string(t.kind.name)
        for (name, column) in columns where i < column.count {
          w.comma()
          w.key(name)
          w.string(column[i])
        }
        w.close("}")
      }
      w.close("]")
    }
    w.close("}")
    return w.bytes
  }
}
