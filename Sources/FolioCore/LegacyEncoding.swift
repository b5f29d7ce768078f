import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Open iconv descriptors kept for reuse, by iconv name.
///
/// Opening one loads a gconv module (dlopen) and closing it unloads it again, which costs far
/// more than converting a small file; a corpus of many small files with invalid bytes (each
/// scored against a dozen encodings for the warning's hint) spent most of its time there.
/// A descriptor is used by one thread at a time: taken from the pool, reset, put back.
private final class IconvPool: Sendable {
  private struct Descriptor: @unchecked Sendable { let cd: iconv_t }
  private let free = Mutex<[String: [Descriptor]]>([:])

  static let shared = IconvPool()

  /// Runs `body` with a descriptor converting `name` to UTF-8, or returns nil when iconv does
  /// not know `name`.
  func with<R>(_ name: String, _ body: (iconv_t) -> R) -> R? {
    let cached = free.withLock { pool in pool[name]?.popLast() }
    let cd: iconv_t
    if let cached {
      cd = cached.cd
    } else {
      cd = iconv_open("UTF-8", name)
      if cd == iconv_t(bitPattern: -1) { return nil }
    }
    iconv(cd, nil, nil, nil, nil)
    let result = body(cd)
    free.withLock { pool in
      if pool[name, default: []].count < 8 {
        pool[name, default: []].append(Descriptor(cd: cd))
      } else {
        iconv_close(cd)
      }
    }
    return result
  }
}

/// Text encodings other than UTF-8: UTF-16 (by byte-order mark) and the legacy encodings glibc's
/// iconv knows (Shift_JIS, EUC-JP, EUC-KR, GB18030/GBK, Big5, ISO-8859-x, Windows-125x, ...),
/// plus HZ, which glibc lacks.
public enum LegacyEncoding {
  /// The iconv name for an encoding label as people and web pages write it
  /// (`shift_jis`, `Shift-JIS`, `x-sjis`, `latin1`, `gb2312`, ...), or nil for UTF-8.
  ///
  /// Labels follow the WHATWG Encoding Standard where it widens a label to a superset
  /// (`iso-8859-1` and `ascii` read as Windows-1252, `gb2312` as GBK).
  public static func iconvName(_ label: String) -> String? {
    let key = label.lowercased().replacingOccurrences(of: "_", with: "-")
      .trimmingCharacters(in: .whitespaces)
    switch key {
    case "utf-8", "utf8", "unicode-1-1-utf-8": return nil
    case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1", "ascii", "us-ascii", "cp1252",
      "windows-1252", "x-cp1252":
      return "WINDOWS-1252"
    case "shift-jis", "sjis", "x-sjis", "ms-kanji", "csshiftjis": return "SHIFT_JIS"
    case "cp932", "windows-31j", "ms932": return "CP932"
    case "shift-jisx0213": return "SHIFT_JISX0213"
    case "euc-jp", "eucjp", "x-euc-jp": return "EUC-JP"
    case "euc-jisx0213": return "EUC-JISX0213"
    case "euc-kr", "euckr", "ks-c-5601-1987", "ksc5601", "cp949", "windows-949", "uhc":
      return "CP949"
    case "gb2312", "euc-cn", "gbk", "cp936", "x-gbk", "chinese": return "GBK"
    case "gb18030": return "GB18030"
    case "big5", "x-x-big5", "cn-big5", "csbig5": return "BIG5"
    case "big5hkscs", "big5-hkscs": return "BIG5-HKSCS"
    case "iso2022-jp", "iso-2022-jp", "csiso2022jp": return "ISO-2022-JP"
    case "iso2022-kr", "iso-2022-kr", "csiso2022kr": return "ISO-2022-KR"
    case "koi8-r", "koi8r": return "KOI8-R"
    case "koi8-u": return "KOI8-U"
    case "hz", "hz-gb-2312": return "HZ"
    default:
      if key.hasPrefix("windows-") || key.hasPrefix("iso-8859-") || key.hasPrefix("cp") {
        return key.uppercased()
      }
      return key.uppercased()
    }
  }

  /// Whether iconv can read `label`.
  public static func isKnown(_ label: String) -> Bool {
    guard let name = iconvName(label) else { return true }
    if name == "HZ" { return true }
    return IconvPool.shared.with(name) { _ in true } ?? false
  }

  /// Converts `bytes` from `label` to UTF-8 bytes, replacing undecodable bytes with U+FFFD.
  ///
  /// Returns nil when iconv does not know the encoding.
  static func toUTF8(_ bytes: UnsafeRawBufferPointer, label: String)
    -> (bytes: [UInt8], invalid: Int, firstInvalid: Int?)?
  {
    guard let name = iconvName(label) else { return nil }
    if name == "HZ" {
      let (gb, invalid, first) = unwrapHZ(bytes)
      guard var out = gb.withUnsafeBytes({ toUTF8($0, label: "gbk") }) else { return nil }
      out.invalid += invalid
      out.firstInvalid = out.firstInvalid ?? first
      return out
    }
    guard
      var result = IconvPool.shared.with(name, { cd in convert(bytes, cd) })
    else { return nil }
    if name == "CP949" { result.bytes = composeJamo(result.bytes) }
    return result
  }

  /// Converts `bytes` with the open descriptor `cd`, one U+FFFD for each byte it cannot read.
  private static func convert(_ bytes: UnsafeRawBufferPointer, _ cd: iconv_t)
    -> (bytes: [UInt8], invalid: Int, firstInvalid: Int?)
  {
    var out = [UInt8](repeating: 0, count: bytes.count * 3 + 16)
    var invalid = 0
    var firstInvalid: Int?
    guard let base = bytes.baseAddress else { return ([], 0, nil) }
    var inPtr = UnsafeMutablePointer(
      mutating: base.assumingMemoryBound(to: CChar.self))
    var inLeft = bytes.count
    var written = 0
    while inLeft > 0 {
      if out.count - written < 64 { out += [UInt8](repeating: 0, count: out.count) }
      var outLeft = out.count - written
      let status = out.withUnsafeMutableBytes { buffer -> Int in
        var outPtr: UnsafeMutablePointer<CChar>? =
          buffer.baseAddress?.advanced(by: written).assumingMemoryBound(to: CChar.self)
        var inOpt: UnsafeMutablePointer<CChar>? = inPtr
        let r = iconv(cd, &inOpt, &inLeft, &outPtr, &outLeft)
        if let inOpt { inPtr = inOpt }
        return r
      }
      written = out.count - outLeft
      if status != -1 { break }
      switch errno {
      case E2BIG:
        continue
      default:
        // EILSEQ (an invalid sequence) or EINVAL (a truncated one at the end): one U+FFFD for
        // one byte, then go on.
        if firstInvalid == nil { firstInvalid = bytes.count - inLeft }
        invalid += 1
        if out.count - written < 3 { out += [UInt8](repeating: 0, count: 64) }
        out[written] = 0xEF
        out[written + 1] = 0xBF
        out[written + 2] = 0xBD
        written += 3
        inPtr += 1
        inLeft -= 1
        // Reset the shift state (ISO-2022-*) after an error.
        iconv(cd, nil, nil, nil, nil)
      }
    }
    out.removeSubrange(written...)
    return (out, invalid, firstInvalid)
  }

  /// Composes the eight-byte Hangul syllables of KS X 1001:1998 (annex 3).
  ///
  /// A syllable outside the 2,350 is spelt as the Hangul filler, then initial, medial and final jamo (the filler again for no final). iconv gives
  /// the four characters; this composes them into the syllable, as Python's `euc_kr` does.
  static func composeJamo(_ bytes: [UInt8]) -> [UInt8] {
    // The filler U+3164 is E3 85 A4 in UTF-8.
    guard bytes.count >= 12,
      bytes.indices.dropLast(2).contains(where: {
        bytes[$0] == 0xE3 && bytes[$0 + 1] == 0x85 && bytes[$0 + 2] == 0xA4
      })
    else { return bytes }
    let initials: [UInt32] = [
      0x3131, 0x3132, 0x3134, 0x3137, 0x3138, 0x3139, 0x3141, 0x3142, 0x3143, 0x3145, 0x3146,
      0x3147, 0x3148, 0x3149, 0x314A, 0x314B, 0x314C, 0x314D, 0x314E,
    ]
    let finals: [UInt32] = [
      0x3164, 0x3131, 0x3132, 0x3133, 0x3134, 0x3135, 0x3136, 0x3137, 0x3139, 0x313A, 0x313B,
      0x313C, 0x313D, 0x313E, 0x313F, 0x3140, 0x3141, 0x3142, 0x3144, 0x3145, 0x3146, 0x3147,
      0x3148, 0x314A, 0x314B, 0x314C, 0x314D, 0x314E,
    ]
    let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
    var out = String.UnicodeScalarView()
    var i = 0
    while i < scalars.count {
      if scalars[i].value == 0x3164, i + 3 < scalars.count,
        let l = initials.firstIndex(of: scalars[i + 1].value),
        (0x314F...0x3163).contains(scalars[i + 2].value),
        let t = finals.firstIndex(of: scalars[i + 3].value),
        let syllable = Unicode.Scalar(
          0xAC00 + (UInt32(l) * 21 + scalars[i + 2].value - 0x314F) * 28 + UInt32(t))
      {
        out.append(syllable)
        i += 4
        continue
      }
      out.append(scalars[i])
      i += 1
    }
    return Array(String(out).utf8)
  }

  /// HZ (RFC 1843) to GB2312 bytes.
  ///
  /// `~{` ... `~}` wraps 7-bit GB pairs, `~~` is a tilde and `~` before a newline joins lines.
  static func unwrapHZ(_ bytes: UnsafeRawBufferPointer) -> ([UInt8], Int, Int?) {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var gb = false
    var invalid = 0
    var first: Int?
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      if b == 0x7E, i + 1 < bytes.count {
        let next = bytes[i + 1]
        switch (next, gb) {
        case (0x7B, _): gb = true
        case (0x7D, _): gb = false
        case (0x7E, false): out.append(0x7E)
        case (0x0A, false): break
        default:
          invalid += 1
          first = first ?? i
        }
        i += 2
        continue
      }
      if gb, b >= 0x21, b <= 0x7E, i + 1 < bytes.count {
        out.append(b | 0x80)
        out.append(bytes[i + 1] | 0x80)
        i += 2
        continue
      }
      out.append(b)
      i += 1
    }
    return (out, invalid, first)
  }

  /// UTF-16 (after its byte-order mark) to UTF-8; unpaired surrogates become U+FFFD.
  static func fromUTF16(_ bytes: UnsafeRawBufferPointer, bigEndian: Bool)
    -> (bytes: [UInt8], invalid: Int, firstInvalid: Int?)
  {
    var units: [UInt16] = []
    units.reserveCapacity(bytes.count / 2)
    var i = 0
    while i + 1 < bytes.count {
      let a = UInt16(bytes[i])
      let b = UInt16(bytes[i + 1])
      units.append(bigEndian ? a << 8 | b : b << 8 | a)
      i += 2
    }
    var invalid = bytes.count % 2
    var first: Int? = invalid > 0 ? bytes.count - 1 : nil
    var out: [UInt8] = []
    out.reserveCapacity(units.count * 2)
    var parser = Unicode.UTF16.ForwardParser()
    var iterator = units.makeIterator()
    var position = 0
    loop: while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded):
        position += encoded.count
        out.append(contentsOf: String(Unicode.UTF16.decode(encoded)).utf8)
      case .error(let length):
        first = min(first ?? Int.max, position * 2)
        position += length
        invalid += 1
        out.append(contentsOf: [0xEF, 0xBF, 0xBD])
      case .emptyInput:
        break loop
      }
    }
    return (out, invalid, first)
  }

  /// The encoding a document declares near its start: `<meta charset=...>`,
  /// `<meta http-equiv="Content-Type" content="...; charset=...">` or `<?xml ... encoding="..."?>`.
  public static func declared(in bytes: UnsafeRawBufferPointer) -> String? {
    let head = Array(bytes.prefix(4096)).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    for key in ["charset", "encoding"] {
      let needle = Array(key.utf8)
      var i = 0
      while i + needle.count < head.count {
        guard head[i] == needle[0], Array(head[i..<i + needle.count]) == needle else {
          i += 1
          continue
        }
        var j = i + needle.count
        while j < head.count, head[j] == 0x20 { j += 1 }
        guard j < head.count, head[j] == 0x3D else {
          i = j
          continue
        }
        j += 1
        while j < head.count, head[j] == 0x20 || head[j] == 0x22 || head[j] == 0x27 { j += 1 }
        var name: [UInt8] = []
        while j < head.count, name.count < 40,
          (head[j] >= 0x61 && head[j] <= 0x7A) || (head[j] >= 0x30 && head[j] <= 0x39)
            || head[j] == 0x2D || head[j] == 0x5F || head[j] == 0x3A || head[j] == 0x2E
        {
          name.append(head[j])
          j += 1
        }
        if !name.isEmpty { return String(decoding: name, as: UTF8.self) }
        i = j
      }
    }
    return nil
  }

  /// For a file that is not valid UTF-8: the legacy encoding that reads it best, to suggest in
  /// the warning (never applied without being asked).
  ///
  /// Each encoding that reads the file without errors is scored on what it makes: kana, Hangul
  /// syllables and common CJK ideographs count for it; private-use, half-width katakana, rare
  /// ideographs and stray Latin-1 letters count against it. Lone high bytes between ASCII ones
  /// (a Latin-1 `£` in English text) put Windows-1252 first on a tie.
  static func guess(_ whole: UnsafeRawBufferPointer, around offset: Int = 0) -> String? {
    // 64 KB around the first bad byte tell as well as the whole file, at a fraction of ten
    // conversions' cost; a cut may split a character, so bytes near the edges do not count.
    let windowLower = max(0, min(offset, whole.count) - 32768)
    let windowUpper = min(whole.count, windowLower + 65536)
    var lower = windowLower
    var upper = windowUpper
    // Only bytes from the first to the last non-ASCII one (and a few either side, for the
    // trail bytes of Shift_JIS and Big5) score; English text with one stray byte converts
    // a few bytes, not 64 KB, per candidate. Edges moved into ASCII cut no character.
    if let first = whole[lower..<upper].firstIndex(where: { $0 >= 0x80 }),
      let last = whole[lower..<upper].lastIndex(where: { $0 >= 0x80 })
    {
      lower = max(lower, first - 8)
      upper = min(upper, last + 9)
    }
    let bytes = UnsafeRawBufferPointer(rebasing: whole[lower..<upper])
    let cut =
      (windowLower > 0 && lower == windowLower)
      || (windowUpper < whole.count && upper == windowUpper)
    var high = 0
    var lone = 0
    for i in bytes.indices where bytes[i] >= 0x80 {
      high += 1
      let before = i > 0 && bytes[i - 1] >= 0x80
      let after = i + 1 < bytes.count && bytes[i + 1] >= 0x80
      if !before && !after { lone += 1 }
    }
    let cjk = [
      "shift_jis", "euc-jp", "euc-kr", "gbk", "gb18030", "big5", "big5-hkscs", "johab",
      "shift_jisx0213", "euc-jisx0213",
    ]
    let order = lone * 2 > high ? ["windows-1252"] + cjk : cjk + ["windows-1252"]
    var best: (String, Int)?
    for label in order {
      guard let r = toUTF8(bytes, label: label),
        r.invalid == 0 || (cut && Self.onlyAtEdges(bytes, label: label))
      else { continue }
      var score = 0
      for s in String(decoding: r.bytes, as: UTF8.self).unicodeScalars where s.value >= 0x80 {
        switch s.value {
        case 0x3040...0x30FF, 0xAC00...0xD7AF: score += 2
        case 0x4E00...0x9FFF, 0x3000...0x303F, 0xFF01...0xFF5E: score += 1
        default: score -= 1
        }
      }
      if best == nil || score > best?.1 ?? 0 { best = (label, score) }
    }
    return best?.0
  }

  /// Whether `bytes` decode cleanly once up to 4 bytes at each edge (a character the sample
  /// cut in two) are left out.
  static func onlyAtEdges(_ bytes: UnsafeRawBufferPointer, label: String) -> Bool {
    guard bytes.count > 8 else { return false }
    for a in 0...4 {
      for b in 0...4 {
        let inner = UnsafeRawBufferPointer(rebasing: bytes[a..<(bytes.count - b)])
        if let r = toUTF8(inner, label: label), r.invalid == 0 { return true }
      }
    }
    return false
  }

  /// For valid UTF-8 that is 7-bit ISO-2022 or HZ (escape sequences that UTF-8 reads as junk):
  /// the encoding to suggest.
  static func sevenBit(_ bytes: UnsafeRawBufferPointer) -> String? {
    let n = min(bytes.count, 65536)
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
    // Only an ESC or a '~' can start a marker: jump between them with memchr.
    func scan(_ first: UInt8, _ second: UInt8) -> Int? {
      var i = 0
      while i + 3 < n, let hit = memchr(base + i, Int32(first), n - 3 - i) {
        let j = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        if base[j + 1] == second { return j }
        i = j + 1
      }
      return nil
    }
    let escape = scan(0x1B, 0x24)
    let tilde = scan(0x7E, 0x7B)
    if let e = escape, tilde.map({ e < $0 }) ?? true {
      return base[e + 2] == 0x29 && base[e + 3] == 0x43 ? "iso-2022-kr" : "iso-2022-jp"
    }
    return tilde != nil ? "hz" : nil
  }

}
