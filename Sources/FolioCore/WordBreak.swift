/// A Unicode property looked up by code point: a direct table for the BMP, binary search above.
final class PropertyTable: Sendable {
  private let bmp: [UInt8]
  private let starts: [UInt32]
  private let ends: [UInt32]
  private let values: [UInt8]

  /// Builds the table from `first last NAME` lines; `names` gives each NAME its value, and
  /// `flags` (first last lines) are OR-ed in as `flag`.
  ///
  /// Every process that tokenises builds its tables once, so this parses bytes and sweeps
  /// sorted ranges: splitting strings and scanning the ranges for each point cost about 7 ms
  /// at each start.
  init(_ table: String, names: [String: UInt8], flags: String = "", flag: UInt8 = 0) {
    let ranges = Self.parse(table).map { ($0.first, $0.last, $0.name.flatMap { names[$0] } ?? 0) }
    let flagged = Self.parse(flags).map { ($0.first, $0.last) }.sorted { $0.0 < $1.0 }
    var bmp = [UInt8](repeating: 0, count: 0x10000)
    var high: [(UInt32, UInt32, UInt8)] = []
    bmp.withUnsafeMutableBufferPointer { bmp in
      for (a, b, v) in ranges {
        if a < 0x10000 {
          for c in a...min(b, 0xFFFF) { bmp[Int(c)] = v }
        }
        if b >= 0x10000 { high.append((max(a, 0x10000), b, v)) }
      }
      for (a, b) in flagged where a < 0x10000 {
        for c in a...min(b, 0xFFFF) { bmp[Int(c)] |= flag }
      }
    }
    high.sort { $0.0 < $1.0 }
    // Split the supplementary ranges where flags begin and end, so each piece has one value:
    // the points where anything begins or ends, swept in order with a cursor in each list.
    var cuts: [UInt32] = []
    for (a, b) in flagged where b >= 0x10000 { cuts += [max(a, 0x10000), b + 1] }
    for (a, b, _) in high { cuts += [a, b + 1] }
    cuts.sort()
    var starts: [UInt32] = []
    var ends: [UInt32] = []
    var values: [UInt8] = []
    var h = 0
    var f = 0
    for k in cuts.indices where k + 1 < cuts.count && cuts[k] != cuts[k + 1] {
      let p = cuts[k]
      while h < high.count && high[h].1 < p { h += 1 }
      while f < flagged.count && flagged[f].1 < p { f += 1 }
      let base = h < high.count && high[h].0 <= p ? high[h].2 : 0
      let flagHere = f < flagged.count && flagged[f].0 <= p ? flag : 0
      let v = base | flagHere
      if v != 0 {
        starts.append(p)
        ends.append(cuts[k + 1] - 1)
        values.append(v)
      }
    }
    self.bmp = bmp
    self.starts = starts
    self.ends = ends
    self.values = values
  }

  /// The `first last [NAME]` lines of a table (hex code points), read from its bytes.
  private static func parse(_ table: String) -> [(first: UInt32, last: UInt32, name: String?)] {
    var out: [(first: UInt32, last: UInt32, name: String?)] = []
    var table = table
    table.withUTF8 { b in
      var i = 0
      func skipSpaces() { while i < b.count && b[i] == 0x20 { i += 1 } }
      func hex() -> UInt32? {
        var v: UInt32 = 0
        let start = i
        while i < b.count {
          let c = b[i]
          let d: UInt8
          switch c {
          case 0x30...0x39: d = c - 0x30
          case 0x41...0x46: d = c - 0x37
          case 0x61...0x66: d = c - 0x57
          default: return i > start ? v : nil
          }
          v = v << 4 | UInt32(d)
          i += 1
        }
        return i > start ? v : nil
      }
      while i < b.count {
        let lineEnd = b[i...].firstIndex(of: 0x0A) ?? b.count
        defer { i = lineEnd + 1 }
        skipSpaces()
        guard let first = hex() else { continue }
        skipSpaces()
        guard let last = hex() else { continue }
        skipSpaces()
        var end = i
        while end < lineEnd && b[end] != 0x20 { end += 1 }
        out.append((first, last, end > i ? String(decoding: b[i..<end], as: UTF8.self) : nil))
      }
    }
    return out
  }

  @inline(__always)
  func value(_ c: UInt32) -> UInt8 {
    if c < 0x10000 { return bmp[Int(c)] }
    var lo = 0
    var hi = starts.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if ends[mid] < c { lo = mid + 1 } else { hi = mid }
    }
    return lo < starts.count && starts[lo] <= c ? values[lo] : 0
  }
}

/// Word boundaries after Unicode UAX #29 (Unicode 15.0 tables), rules WB1–WB999.
///
/// `WordBreakTest.txt` passes in full.
public enum WordBreak {
  // Word_Break values; `pictographic` is OR-ed in for Extended_Pictographic.
  static let other: UInt8 = 0
  static let cr: UInt8 = 1
  static let lf: UInt8 = 2
  static let newline: UInt8 = 3
  static let extend: UInt8 = 4
  static let zwj: UInt8 = 5
  static let regional: UInt8 = 6
  static let format: UInt8 = 7
  static let katakana: UInt8 = 8
  static let hebrew: UInt8 = 9
  static let aletter: UInt8 = 10
  static let singleQuote: UInt8 = 11
  static let doubleQuote: UInt8 = 12
  static let midNumLet: UInt8 = 13
  static let midLetter: UInt8 = 14
  static let midNum: UInt8 = 15
  static let numeric: UInt8 = 16
  static let extendNumLet: UInt8 = 17
  static let space: UInt8 = 18
  static let pictographic: UInt8 = 0x80

  static let table = PropertyTable(
    wordBreakTable,
    names: [
      "CR": cr, "LF": lf, "Newline": newline, "Extend": extend, "ZWJ": zwj,
      "Regional_Indicator": regional, "Format": format, "Katakana": katakana,
      "Hebrew_Letter": hebrew, "ALetter": aletter, "Single_Quote": singleQuote,
      "Double_Quote": doubleQuote, "MidNumLet": midNumLet, "MidLetter": midLetter,
      "MidNum": midNum, "Numeric": numeric, "ExtendNumLet": extendNumLet, "WSegSpace": space,
    ], flags: extendedPictographicTable, flag: pictographic)

  /// The Word_Break value of each ASCII byte.
  static let ascii: [UInt8] = (0..<128).map { table.value(UInt32($0)) }

  /// The property of the scalar at byte `i` and its length.
  @inline(__always)
  static func property(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ ascii: UnsafePointer<UInt8>)
    -> (UInt8, Int)
  {
    let c = b[i]
    if c < 0x80 { return (ascii[Int(c)], 1) }
    let (v, n) = Sentences.scalar(b, i)
    return (table.value(v), n)
  }

  @inline(__always) static func isAH(_ p: UInt8) -> Bool { p == aletter || p == hebrew }
  @inline(__always) static func isMidNumLetQ(_ p: UInt8) -> Bool {
    p == midNumLet || p == singleQuote
  }
  @inline(__always) static func isIgnored(_ p: UInt8) -> Bool {
    p == extend || p == format || p == zwj
  }

  /// The property of the next scalar at or after `i` that WB4 does not skip (255 at the end).
  @inline(__always)
  static func peek(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ ascii: UnsafePointer<UInt8>)
    -> UInt8
  {
    var j = i
    while j < b.count {
      let (p, w) = property(b, j, ascii)
      if !isIgnored(p & 0x7F) { return p & 0x7F }
      j += w
    }
    return 255
  }

  /// The end of the segment that starts at byte `start`.
  public static func segmentEnd(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    ascii.withUnsafeBufferPointer {
      segmentEnd(b, from: start, ascii: $0.baseAddress.unsafelyUnwrapped)
    }
  }

  /// `segmentEnd` with the ASCII table at hand (a static array read in a loop costs a
  /// `swift_once` call each time).
  static func segmentEnd(
    _ b: UnsafeBufferPointer<UInt8>, from start: Int, ascii: UnsafePointer<UInt8>
  ) -> Int {
    let n = b.count
    guard start < n else { return n }
    var (first, i) = property(b, start, ascii)
    i += start
    var raw = first  // the scalar just before, flags included
    var x = first & 0x7F  // the last scalar WB4 does not skip
    var before: UInt8 = 255  // the one before x
    var regionals = x == regional ? 1 : 0
    first = 0
    while i < n {
      let byte = b[i]
      // The common case first: ASCII letters and digits after a letter or digit (WB5, WB8-10).
      if byte < 0x80 {
        let p = ascii[Int(byte)]
        if (p == aletter || p == numeric) && (x == aletter || x == numeric || x == hebrew) {
          before = x
          x = p
          raw = p
          regionals = 0
          i += 1
          continue
        }
      }
      let (c, w) = property(b, i, ascii)
      let p = c & 0x7F
      let prev = raw & 0x7F
      var joins: Bool
      if prev == cr && p == lf {
        joins = true  // WB3
      } else if prev == cr || prev == lf || prev == newline {
        joins = false  // WB3a
      } else if p == cr || p == lf || p == newline {
        joins = false  // WB3b
      } else if prev == zwj && c & pictographic != 0 {
        joins = true  // WB3c
      } else if prev == space && p == space {
        joins = true  // WB3d
      } else if isIgnored(p) {
        // WB4: Extend, Format and ZWJ attach to what precedes and are then transparent.
        raw = c
        i += w
        continue
      } else if isAH(x) && isAH(p) {
        joins = true  // WB5
      } else if isAH(x) && (p == midLetter || isMidNumLetQ(p)) && isAH(peek(b, i + w, ascii)) {
        joins = true  // WB6
      } else if isAH(before) && (x == midLetter || isMidNumLetQ(x)) && isAH(p) {
        joins = true  // WB7
      } else if x == hebrew && p == singleQuote {
        joins = true  // WB7a
      } else if x == hebrew && p == doubleQuote && peek(b, i + w, ascii) == hebrew {
        joins = true  // WB7b
      } else if before == hebrew && x == doubleQuote && p == hebrew {
        joins = true  // WB7c
      } else if (x == numeric || isAH(x)) && (p == numeric || isAH(p)) {
        joins = true  // WB8, WB9, WB10
      } else if before == numeric && (x == midNum || isMidNumLetQ(x)) && p == numeric {
        joins = true  // WB11
      } else if x == numeric && (p == midNum || isMidNumLetQ(p)) && peek(b, i + w, ascii) == numeric
      {
        joins = true  // WB12
      } else if x == katakana && p == katakana {
        joins = true  // WB13
      } else if p == extendNumLet
        && (isAH(x) || x == numeric || x == katakana || x == extendNumLet)
      {
        joins = true  // WB13a
      } else if x == extendNumLet && (isAH(p) || p == numeric || p == katakana) {
        joins = true  // WB13b
      } else if x == regional && p == regional {
        joins = regionals % 2 == 1  // WB15, WB16
      } else {
        joins = false  // WB999
      }
      guard joins else { break }
      // A joined mid character ends the segment if the rule that allowed it was WB6/WB12 and
      // the next scalar is not what that rule promised: peek made sure it is.
      before = x
      x = p
      raw = c
      regionals = p == regional ? regionals + 1 : 0
      i += w
    }
    return i
  }

  /// The boundaries of `text`: byte offsets, from 0 to the end.
  public static func boundaries(_ text: String) -> [Int] {
    var text = text
    return text.withUTF8 { b in
      var out = [0]
      var i = 0
      while i < b.count {
        i = segmentEnd(b, from: i)
        out.append(i)
      }
      return out
    }
  }
}
