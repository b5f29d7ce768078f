/// A document as the index builder takes it.
///
/// Made on a worker thread from a `Document`, read in corpus order by `IndexBuilder.add`: a
/// compact byte string, so that it travels between threads like any other output record.
///
/// Layout (varints; a string is a varint length then its bytes): id, metadata count and
/// key/value strings, token count, the document's distinct words (count, each length, then
/// their bytes end to end) and a word number per token (32 bits, little-endian), the distinct
/// runs of white space before a token and a number per token likewise, a kind byte per token, the bytes after the last
/// token; attribute count and per attribute its name, its distinct values (count, strings) and
/// a code per token; then layer count and per layer its name and spans (count, then first
/// token, token count, label string (a NUL when it has none), then its attributes: count and
/// key/value strings, each).
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
    // Each distinct word and white space is numbered here, on the worker, so that the builder
    // looks up each once per document rather than once per token.
    let words = Counter(capacity: 1 << 10)
    let spaces = Counter(capacity: 1 << 4)
    var wordCodes: [Int] = []
    var spaceCodes: [Int] = []
    var kinds: [UInt8] = []
    wordCodes.reserveCapacity(tokens.count)
    spaceCodes.reserveCapacity(tokens.count)
    kinds.reserveCapacity(tokens.count)
    var wrote = false
    text.withUTF8 { b in
      guard let base = b.baseAddress else { return }
      wrote = true
      var previous = 0
      for t in tokens {
        let start = Int(t.start)
        let gap = max(0, start - previous)
        spaceCodes.append(spaces.intern(base + previous, gap, readable: b.count - previous))
        wordCodes.append(words.intern(base + start, Int(t.end) - start, readable: b.count - start))
        kinds.append(t.kind.rawValue)
        previous = Int(t.end)
      }
      out.varint(tokens.count)
      lexicon(words, &out)
      out.u32(wordCodes)
      lexicon(spaces, &out)
      out.u32(spaceCodes)
      out.bytes.append(contentsOf: kinds)
      // The bytes after the last token (white space), so that the text comes back whole.
      out.varint(b.count - previous)
      out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[previous..<b.count]))
    }
    if !wrote {  // an empty text
      out.varint(0)
      lexicon(words, &out)
      lexicon(spaces, &out)
      out.varint(0)
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
        out.string(span.label ?? IndexRecord.missing)
        out.varint(span.attributes.count)
        for (key, value) in span.attributes {
          out.string(key)
          out.string(value.description)
        }
      }
    }
    return out.bytes
  }

  /// A span's label or attribute that is not there (a NUL: no text holds one).
  public static let missing = "\u{0}"

  /// The distinct strings of `counter` in number order: their count, lengths, then bytes.
  private static func lexicon(_ counter: Counter, _ out: inout ByteWriter) {
    out.varint(counter.count)
    for i in 0..<counter.count { counter.withKey(i) { out.varint($0.count) } }
    for i in 0..<counter.count { counter.withKey(i) { out.bytes.append(contentsOf: $0) } }
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

  /// Distinct strings end to end, with where each ends; 8 bytes of padding follow the last
  /// (a key is read 8 bytes at a time).
  struct Lexicon {
    var blob: [UInt8] = []
    var ends: [Int] = []
    var count: Int { ends.count }
  }

  /// A decoded record.
  struct Decoded {
    var id = ""
    var meta: [(String, String)] = []
    /// The document's distinct words and the number of each token's word.
    var words = Lexicon()
    var wordCodes: [Int32] = []
    /// The distinct runs of white space before a token, and the number of each token's.
    var spaces = Lexicon()
    var spaceCodes: [Int32] = []
    var kinds: [UInt8] = []
    var tail: [UInt8] = []
    var columns: [(name: String, values: [String], codes: [Int])] = []
    var layers: [(name: String, spans: [Span])] = []

    /// A span of a layer: its tokens, label and attributes (as strings).
    struct Span {
      var start: Int
      var count: Int
      var label: String
      var attributes: [(String, String)]
    }
    var tokenCount: Int { kinds.count }
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
    guard let n = r.varint(), n <= bytes.count else { return nil }
    func lexicon() -> Lexicon? {
      guard let m = r.varint(), m <= bytes.count else { return nil }
      var lexicon = Lexicon()
      lexicon.ends.reserveCapacity(m)
      var end = 0
      for _ in 0..<m {
        guard let l = r.varint() else { return nil }
        end += l
        lexicon.ends.append(end)
      }
      guard let blob = r.take(end) else { return nil }
      lexicon.blob = blob + [UInt8](repeating: 0, count: 8)
      return lexicon
    }
    func codes(below m: Int) -> [Int32]? {
      guard let codes = r.u32(n), codes.allSatisfy({ $0 >= 0 && Int($0) < m }) else { return nil }
      return codes
    }
    guard let words = lexicon(), let wordCodes = codes(below: words.count),
      let spaces = lexicon(), let spaceCodes = codes(below: spaces.count),
      let kinds = r.take(n), kinds.allSatisfy({ Int($0) < TokenKind.allCases.count })
    else { return nil }
    (d.words, d.wordCodes, d.spaces, d.spaceCodes, d.kinds) = (
      words, wordCodes, spaces, spaceCodes, kinds
    )
    guard let tailCount = r.varint(), let tail = r.take(tailCount) else { return nil }
    d.tail = tail
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
      var spans: [Decoded.Span] = []
      for _ in 0..<sc {
        guard let s = r.varint(), let c = r.varint(), let l = r.string(), s + c <= n,
          let ac = r.varint()
        else {
          return nil
        }
        var attributes: [(String, String)] = []
        for _ in 0..<ac {
          guard let k = r.string(), let v = r.string() else { return nil }
          attributes.append((k, v))
        }
        spans.append(Decoded.Span(start: s, count: c, label: l, attributes: attributes))
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

  /// Numbers of up to 32 bits, 4 little-endian bytes each.
  mutating func u32(_ values: [Int]) {
    let at = bytes.count
    bytes.append(contentsOf: repeatElement(0, count: values.count * 4))
    bytes.withUnsafeMutableBytes { raw in
      for (i, v) in values.enumerated() {
        raw.storeBytes(
          of: UInt32(truncatingIfNeeded: v).littleEndian, toByteOffset: at + i * 4, as: UInt32.self)
      }
    }
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

  /// `n` numbers written by `ByteWriter.u32`.
  mutating func u32(_ n: Int) -> [Int32]? {
    guard n >= 0, n <= (bytes.count - at) / 4 else { return nil }
    let start = at
    at += n * 4
    return bytes.withUnsafeBytes { raw in
      (0..<n).map {
        Int32(
          bitPattern: UInt32(
            littleEndian: raw.loadUnaligned(fromByteOffset: start + $0 * 4, as: UInt32.self)))
      }
    }
  }
}
