/// A document as the index builder takes it.
///
/// Made on a worker thread from a `Document`, read in corpus order by `IndexBuilder.add`: a
/// compact byte string, so that it travels between threads like any other output record.
///
/// Layout (little-endian; a string is a varint length then its bytes): id, metadata count and
/// key/value strings, token count, per token the bytes before it since the previous token
/// (a string: the white space), its length (varint) and its kind (a byte), the tokens' bytes, attribute count and per attribute its name, its distinct
/// values (count, strings) and a varint code per token, then layer count and per layer its name
/// and spans (count, then first token, token count and label string each).
public enum IndexRecord {
  /// The record of `doc`: its tokens (as a tagger left them), attributes, sentences and layers.
  public static func encode(_ doc: Document) -> [UInt8] {
    var out = ByteWriter()
    out.string(doc.id)
    let meta = doc.meta.entries
    out.varint(meta.count)
    for (key, value) in meta {
      out.string(key)
      out.string(value.description)
    }
    let tokens = doc.tokens
    var text = doc.text
    text.withUTF8 { b in
      out.varint(tokens.count)
      var previous = 0
      for t in tokens {
        let gap = max(0, Int(t.start) - previous)
        out.varint(gap)
        out.bytes.append(contentsOf: b[previous..<(previous + gap)])
        out.varint(Int(t.end - t.start))
        out.bytes.append(t.kind.rawValue)
        previous = Int(t.end)
      }
      // The bytes after the last token (white space), so that the text comes back whole.
      out.varint(b.count - previous)
      out.bytes.append(contentsOf: b[previous..<b.count])
      var body: [UInt8] = []
      body.reserveCapacity(b.count)
      for t in tokens { body.append(contentsOf: b[Int(t.start)..<Int(t.end)]) }
      out.varint(body.count)
      out.bytes.append(contentsOf: body)
    }
    let columns = doc.tokenColumnNames.compactMap { name in
      doc.tokenColumns[name].map { (name, $0) }
    }
    out.varint(columns.count)
    for (name, column) in columns {
      out.string(name)
      out.varint(column.values.count)
      for v in column.values { out.string(v) }
      for c in column.codes { out.varint(Int(c)) }
    }
    var layers = ["sentence"]
    for name in doc.layerNames where name != "sentence" { layers.append(name) }
    out.varint(layers.count)
    for name in layers {
      out.string(name)
      let spans = doc.spans(name)
      out.varint(spans.count)
      for span in spans {
        let r = tokenRange(tokens, span.start, span.end)
        out.varint(r.lowerBound)
        out.varint(r.count)
        out.string(span.label ?? "")
      }
    }
    return out.bytes
  }

  /// The tokens wholly inside bytes `start..<end` (as the query matcher counts them).
  static func tokenRange(_ tokens: [Token], _ start: Int, _ end: Int) -> Range<Int> {
    var lo = 0
    var hi = tokens.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if Int(tokens[mid].start) < start { lo = mid + 1 } else { hi = mid }
    }
    let first = lo
    hi = tokens.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if Int(tokens[mid].end) <= end { lo = mid + 1 } else { hi = mid }
    }
    return first..<max(first, lo)
  }

  /// A decoded record.
  struct Decoded {
    var id = ""
    var meta: [(String, String)] = []
    /// Per token: the bytes before it (white space: `gapLengths[k]` bytes of `gapBytes`), and
    /// its length in `text`.
    var gapBytes: [UInt8] = []
    var gapLengths: [Int] = []
    var lengths: [Int] = []
    var kinds: [Int] = []
    var text: [UInt8] = []
    var tail: [UInt8] = []
    var columns: [(name: String, values: [String], codes: [Int])] = []
    var layers: [(name: String, spans: [(start: Int, count: Int, label: String)])] = []
  }

  static func decode(_ bytes: [UInt8]) -> Decoded? {
    var r = ByteReader(bytes)
    var d = Decoded()
    guard let id = r.string(), let metaCount = r.varint() else { return nil }
    d.id = id
    for _ in 0..<metaCount {
      guard let k = r.string(), let v = r.string() else { return nil }
      d.meta.append((k, v))
    }
    guard let n = r.varint() else { return nil }
    d.gapLengths.reserveCapacity(n)
    d.lengths.reserveCapacity(n)
    for _ in 0..<n {
      guard let g = r.varint(), let space = r.range(g), let l = r.varint(), let k = r.byte(),
        Int(k) < TokenKind.allCases.count
      else { return nil }
      d.gapBytes.append(contentsOf: r.bytes[space])
      d.gapLengths.append(g)
      d.lengths.append(l)
      d.kinds.append(Int(k))
    }
    guard let tailCount = r.varint(), let tail = r.take(tailCount) else { return nil }
    d.tail = tail
    guard let bodyCount = r.varint(), bodyCount == d.lengths.reduce(0, +),
      let body = r.take(bodyCount)
    else { return nil }
    d.text = body
    guard let columnCount = r.varint() else { return nil }
    for _ in 0..<columnCount {
      guard let name = r.string(), let vc = r.varint() else { return nil }
      var values: [String] = []
      for _ in 0..<vc {
        guard let v = r.string() else { return nil }
        values.append(v)
      }
      var codes: [Int] = []
      codes.reserveCapacity(n)
      for _ in 0..<n {
        guard let c = r.varint(), c < vc else { return nil }
        codes.append(c)
      }
      d.columns.append((name, values, codes))
    }
    guard let layerCount = r.varint() else { return nil }
    for _ in 0..<layerCount {
      guard let name = r.string(), let sc = r.varint() else { return nil }
      var spans: [(Int, Int, String)] = []
      for _ in 0..<sc {
        guard let s = r.varint(), let c = r.varint(), let l = r.string(), s + c <= n else {
          return nil
        }
        spans.append((s, c, l))
      }
      d.layers.append((name, spans))
    }
    return d
  }
}

/// Appends varints and length-prefixed strings.
struct ByteWriter {
  var bytes: [UInt8] = []

  mutating func varint(_ value: Int) {
    var v = UInt64(max(0, value))
    while v >= 0x80 {
      bytes.append(UInt8(v & 0x7F) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  mutating func string(_ s: String) {
    varint(s.utf8.count)
    bytes.append(contentsOf: s.utf8)
  }
}

/// Reads what `ByteWriter` wrote; nil at a truncated or malformed place.
struct ByteReader {
  let bytes: [UInt8]
  var at = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  mutating func varint() -> Int? {
    var v: UInt64 = 0
    var shift: UInt64 = 0
    while at < bytes.count, shift < 64 {
      let b = bytes[at]
      at += 1
      v |= UInt64(b & 0x7F) << shift
      if b < 0x80 { return v > UInt64(Int.max) ? nil : Int(v) }
      shift += 7
    }
    return nil
  }

  /// The next `n` bytes' place, skipped.
  mutating func range(_ n: Int) -> Range<Int>? {
    guard n >= 0, at + n <= bytes.count else { return nil }
    defer { at += n }
    return at..<(at + n)
  }

  mutating func byte() -> UInt8? {
    guard at < bytes.count else { return nil }
    defer { at += 1 }
    return bytes[at]
  }

  mutating func take(_ n: Int) -> [UInt8]? {
    guard n >= 0, at + n <= bytes.count else { return nil }
    defer { at += n }
    return Array(bytes[at..<(at + n)])
  }

  mutating func string() -> String? {
    guard let n = varint(), let b = take(n) else { return nil }
    return String(decoding: b, as: UTF8.self)
  }
}
