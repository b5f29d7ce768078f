#if canImport(Glibc)
  import Glibc
#endif

/// Turns file bytes into document text (DESIGN.md §4): UTF-8 with the BOM removed, CRLF and CR
/// normalised to LF, invalid bytes replaced by U+FFFD and counted.
public enum TextDecoder {
  /// The result of decoding one file.
  public struct Decoded: Sendable {
    public var text: String
    /// Invalid UTF-8 sequences replaced by U+FFFD.
    public var invalidSequences: Int
    /// The byte offset of the first invalid sequence in the input, if any.
    public var firstInvalidOffset: Int?
    /// The encoding read: `utf-8`, `utf-16le`, `utf-16be` or a legacy label.
    public var encoding: String = "utf-8"
    /// The encoding the document declared (HTML `<meta charset>`, `<?xml encoding?>`), if any.
    public var declared: String?
    /// For invalid UTF-8 read as UTF-8: a legacy encoding that reads the file cleanly; for
    /// valid UTF-8 with ISO-2022 escapes or HZ shifts: that encoding.
    public var suggestion: String?
  }

  /// Decodes `raw`: a byte-order mark decides first (UTF-8, UTF-16LE/BE); then `encoding` when
  /// given; then, with `sniff`, the encoding the document declares, unless the bytes are valid
  /// UTF-8 (pages that declare gb2312 but are stored as UTF-8 exist); then UTF-8.
  public static func decode(_ raw: UnsafeRawBufferPointer, encoding: String?, sniff: Bool)
    -> Decoded
  {
    if raw.starts(with: [0xFF, 0xFE]) || raw.starts(with: [0xFE, 0xFF]) {
      let big = raw[0] == 0xFE
      let r = LegacyEncoding.fromUTF16(UnsafeRawBufferPointer(rebasing: raw[2...]), bigEndian: big)
      var d = r.bytes.withUnsafeBytes { decode($0) }
      d.invalidSequences += r.invalid
      d.firstInvalidOffset = r.firstInvalid.map { $0 + 2 }
      d.encoding = big ? "utf-16be" : "utf-16le"
      return d
    }
    if raw.starts(with: [0xEF, 0xBB, 0xBF]) { return decode(raw) }
    let declared = sniff ? LegacyEncoding.declared(in: raw) : nil
    var label = encoding
    if label == nil, let declared, LegacyEncoding.iconvName(declared) != nil,
      String(validating: raw, as: UTF8.self) == nil
    {
      label = declared
    }
    if let label, LegacyEncoding.iconvName(label) != nil,
      let r = LegacyEncoding.toUTF8(raw, label: label)
    {
      var d = r.bytes.withUnsafeBytes { decode($0) }
      d.invalidSequences = r.invalid
      d.firstInvalidOffset = r.firstInvalid
      d.encoding = label.lowercased()
      d.declared = declared
      return d
    }
    var d = decode(raw)
    d.declared = declared
    if d.invalidSequences > 0 {
      d.suggestion = LegacyEncoding.guess(raw, around: d.firstInvalidOffset ?? 0)
    } else if encoding == nil, let seven = LegacyEncoding.sevenBit(raw) {
      d.suggestion = seven
    }
    return d
  }

  /// What a file in a known binary format is, from its first bytes, with what to do about it
  /// (`nil` for anything else): a gzip stream in a `.txt`, a ZIP archive (also `.docx`,
  /// `.xlsx`, `.epub`), a PDF, other compressed streams, images.
  public static func binaryKind(_ bytes: UnsafeRawBufferPointer, name: String) -> String? {
    func starts(_ magic: [UInt8]) -> Bool { bytes.starts(with: magic) }
    if starts([0x1F, 0x8B]) {
      let file = name.split(separator: "/").last.map(String.init) ?? name
      return "holds gzip-compressed data, not text (name it \(file).gz and Folio unpacks it)"
    }
    if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
      return "is a ZIP archive (or a .docx, .xlsx, .epub), not text (unpack it or save it as text)"
    }
    if starts(Array("%PDF-".utf8)) {
      return "is a PDF document, not text (extract its text first, e.g. with pdftotext)"
    }
    if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) || starts([0x28, 0xB5, 0x2F, 0xFD])
      || (starts(Array("BZh".utf8)) && bytes.count > 9
        && bytes[4...9].elementsEqual(Array("1AY&SY".utf8)))
    {
      return "holds xz, zstd or bzip2-compressed data, not text (unpack it first)"
    }
    if starts([0x89, 0x50, 0x4E, 0x47]) || starts([0xFF, 0xD8, 0xFF])
      || starts(Array("GIF8".utf8))
    {
      return "is an image, not text"
    }
    return nil
  }

  /// Whether `bytes` looks like a binary file (NUL bytes and many control bytes near the start).
  public static func looksBinary(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let head = UnsafeRawBufferPointer(rebasing: bytes.prefix(8192))
    guard let base = head.baseAddress, memchr(base, 0, head.count) != nil else { return false }
    if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) { return false }
    let control = head.reduce(0) { $0 + ($1 < 0x09 || ($1 > 0x0D && $1 < 0x20) ? 1 : 0) }
    return control * 20 > head.count || head.filter { $0 == 0 }.count * 100 > head.count
  }

  public static func decode(_ bytes: [UInt8]) -> Decoded {
    bytes.withUnsafeBytes { decode($0) }
  }

  public static func decode(_ raw: UnsafeRawBufferPointer) -> Decoded {
    var bytes = raw
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
      bytes = UnsafeRawBufferPointer(rebasing: bytes[3...])
    }
    if let base = bytes.baseAddress, memchr(base, 0x0D, bytes.count) != nil {
      if let text = convertingCR(bytes, base) {
        return Decoded(text: text, invalidSequences: 0, firstInvalidOffset: nil)
      }
    } else if let base = bytes.baseAddress {
      let p = base.assumingMemoryBound(to: UInt8.self)
      if let text = validated(assembled(p, bytes.count), p, bytes.count) {
        return Decoded(text: text, invalidSequences: 0, firstInvalidOffset: nil)
      }
    } else {
      return Decoded(text: "", invalidSequences: 0, firstInvalidOffset: nil)
    }
    // Invalid bytes: valid runs are copied whole (CR handled as above) and each ill-formed
    // sequence becomes one U+FFFD, as long as Swift's UTF-8 parser says it is.
    // Not empty: empty bytes are valid.
    guard let base = bytes.baseAddress else {
      return Decoded(text: "", invalidSequences: 0, firstInvalidOffset: nil)
    }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + 16)
    var invalid = 0
    var firstInvalid: Int?
    let skipped = raw.count - bytes.count
    var i = 0
    var previousCR = false
    while i < bytes.count {
      let bad = firstIllFormed(bytes, from: i)
      // The valid run, copied between CRs as above (a file with one stray byte is not copied
      // byte by byte).
      var k = i
      while k < bad {
        if previousCR && bytes[k] == 0x0A {
          k += 1
          previousCR = false
          continue
        }
        let end = memchr(base + k, 0x0D, bad - k).map { UnsafeRawPointer($0) - base } ?? bad
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[k..<end]))
        previousCR = false
        k = end
        if k < bad {
          out.append(0x0A)
          previousCR = true
          k += 1
        }
      }
      guard bad < bytes.count else { break }
      var parser = Unicode.UTF8.ForwardParser()
      var iterator = UnsafeRawBufferPointer(rebasing: bytes[bad...]).makeIterator()
      var length = 1
      if case .error(let n) = parser.parseScalar(from: &iterator) { length = n }
      if firstInvalid == nil { firstInvalid = skipped + bad }
      invalid += 1
      previousCR = false
      out.append(0xEF)
      out.append(0xBF)
      out.append(0xBD)
      i = bad + length
    }
    return Decoded(
      text: String(decoding: out, as: UTF8.self), invalidSequences: invalid,
      firstInvalidOffset: firstInvalid)
  }

  /// Valid UTF-8 with CR line ends (every novels100 file) as a String with LF for CR and CRLF,
  /// or nil when `bytes` is not valid UTF-8.
  ///
  /// The runs between CRs are copied with memcpy. Swift validates (and repairs) the bytes as
  /// it makes the String, so instead of validating them once more beforehand the String's bytes
  /// are compared with the copy: a repair always changes them (U+FFFD is never ill-formed).
  static func convertingCR(_ bytes: UnsafeRawBufferPointer, _ base: UnsafeRawPointer) -> String? {
    let count = bytes.count
    let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
    defer { copy.deallocate() }
    var n = 0
    var i = 0
    while i < count {
      let rest = count - i
      let found = memchr(base + i, 0x0D, rest)
      let run = found.map { UnsafeRawPointer($0) - (base + i) } ?? rest
      memcpy(copy + n, base + i, run)
      n += run
      i += run
      guard i < count else { break }
      copy[n] = 0x0A
      n += 1
      i += 1
      if i < count, bytes[i] == 0x0A { i += 1 }
    }
    return validated(assembled(copy, n), copy, n)
  }

  /// `text` when its bytes are the `n` bytes at `p` (so Swift made it without a repair: U+FFFD
  /// is never ill-formed), else nil.
  static func validated(_ text: String, _ p: UnsafePointer<UInt8>, _ n: Int) -> String? {
    var text = text
    let same = text.withUTF8 { utf8 in
      guard let out = utf8.baseAddress else { return n == 0 }
      return utf8.count == n && memcmp(out, p, n) == 0
    }
    return same ? text : nil
  }

  /// `String(decoding:as: UTF8.self)` of the `n` bytes at `p`, made of its ASCII runs and the
  /// bytes between them.
  ///
  /// Swift checks a buffer with no byte over 0x7F a word at a time, but any other buffer byte
  /// by byte: a book with a few curly quotes is checked about four times faster in pieces. The
  /// pieces meet at ASCII bytes, which end every ill-formed sequence, so the repairs are those
  /// of the whole. Text with many non-ASCII runs is made in one piece.
  static func assembled(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
    var text = ""
    text.reserveCapacity(n)
    var s = 0
    var pieces = 0
    while s < n {
      let a = nextNonASCII(p, from: s, n)
      if a > s {
        text.append(
          String(decoding: UnsafeBufferPointer(start: p + s, count: a - s), as: UTF8.self))
      }
      guard a < n else { break }
      var b = a + 1
      while b < n && p[b] >= 0x80 { b += 1 }
      text.append(String(decoding: UnsafeBufferPointer(start: p + a, count: b - a), as: UTF8.self))
      s = b
      pieces += 1
      if pieces >= 64 && pieces * 1024 > s {
        text.append(
          String(decoding: UnsafeBufferPointer(start: p + s, count: n - s), as: UTF8.self))
        break
      }
    }
    return text
  }

  /// The index of the first byte over 0x7F at or after `from`, or `n`.
  static func nextNonASCII(_ p: UnsafePointer<UInt8>, from: Int, _ n: Int) -> Int {
    var i = from
    while i + 8 <= n {
      let high = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080
      if high != 0 { return i + high.trailingZeroBitCount / 8 }
      i += 8
    }
    while i < n, p[i] < 0x80 { i += 1 }
    return i
  }

  /// The index of the first byte at or after `from` that starts no well-formed UTF-8 sequence,
  /// or the end.
  static func firstIllFormed(_ b: UnsafeRawBufferPointer, from: Int) -> Int {
    var i = from
    let n = b.count
    while i < n {
      let c = b[i]
      if c < 0x80 {
        i += 1
        continue
      }
      func trail(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
        i + k < n && b[i + k] >= lo && b[i + k] <= hi
      }
      switch c {
      case 0xC2...0xDF:
        guard trail(1) else { return i }
        i += 2
      case 0xE0:
        guard trail(1, 0xA0), trail(2) else { return i }
        i += 3
      case 0xED:
        guard trail(1, 0x80, 0x9F), trail(2) else { return i }
        i += 3
      case 0xE1...0xEF:
        guard trail(1), trail(2) else { return i }
        i += 3
      case 0xF0:
        guard trail(1, 0x90), trail(2), trail(3) else { return i }
        i += 4
      case 0xF1...0xF3:
        guard trail(1), trail(2), trail(3) else { return i }
        i += 4
      case 0xF4:
        guard trail(1, 0x80, 0x8F), trail(2), trail(3) else { return i }
        i += 4
      default:
        return i
      }
    }
    return n
  }
}
