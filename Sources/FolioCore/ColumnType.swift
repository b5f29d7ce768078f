/// The type of a CSV/TSV column's values in `meta`, inferred from the values (as DuckDB's CSV
/// reader does) or named with `--types`.
public enum ColumnType: String, Sendable, CaseIterable, Codable {
  case string, integer, number, boolean, date

  /// "an integer", "a number".
  public var article: String { self == .integer ? "an" : "a" }

  /// The narrowest type every non-empty value fits, else string.
  ///
  /// The order: integer, number, boolean, date (ISO `YYYY-MM-DD`, with a time or not). Empty
  /// values fit any type; a column with no values is a string column.
  ///
  /// A number written with a leading zero (`007`, a postcode or an id) keeps its column text:
  /// reading it as 7 would lose what was written.
  public static func infer(_ values: some Sequence<String>) -> ColumnType {
    var candidates: [ColumnType] = [.integer, .number, .boolean, .date]
    var any = false
    for value in values where !value.isEmpty {
      any = true
      candidates.removeAll { $0.value(value) == nil }
      if candidates.isEmpty { return .string }
    }
    return any ? candidates[0] : .string
  }

  /// The value of `text` as this type, or nil when it is not one.
  public func value(_ text: String) -> MetaValue? {
    switch self {
    case .string: return .string(text)
    case .integer:
      guard Self.plainNumber(text, fraction: false), let i = Int(text) else { return nil }
      return .integer(i)
    case .number:
      guard Self.plainNumber(text, fraction: true), let d = Double(text), d.isFinite else {
        return nil
      }
      return .number(d)
    case .boolean:
      switch text.lowercased() {
      case "true": return .bool(true)
      case "false": return .bool(false)
      default: return nil
      }
    case .date:
      return Self.isISODate(text) ? .string(text) : nil
    }
  }

  /// Digits with an optional sign (and with `fraction`, a decimal point and an exponent),
  /// without a leading zero before another digit: not `inf`, `0x1F`, `1,000` or `007`.
  static func plainNumber(_ text: String, fraction: Bool) -> Bool {
    var text = text
    return text.withUTF8 { plainNumber($0, fraction: fraction) }
  }

  private static func plainNumber(_ b: UnsafeBufferPointer<UInt8>, fraction: Bool) -> Bool {
    var i = 0
    if i < b.count, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
    let start = i
    while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
    let digits = i - start
    if digits > 1 && b[start] == 0x30 { return false }
    if !fraction { return digits > 0 && i == b.count }
    var after = 0
    if i < b.count, b[i] == 0x2E {
      i += 1
      let f = i
      while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
      after = i - f
    }
    guard digits + after > 0 else { return false }
    if i < b.count, b[i] == 0x65 || b[i] == 0x45 {
      i += 1
      if i < b.count, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
      let e = i
      while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
      if i == e { return false }
    }
    return i == b.count
  }

  /// `YYYY-MM-DD`, optionally followed by `T` or a space and a time `HH:MM[:SS[.fff]]` with an
  /// optional `Z` or offset; month 01–12 and a day the month has.
  static func isISODate(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { isISODate($0) }
  }

  private static func isISODate(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    func digits(_ at: Int, _ n: Int) -> Int? {
      guard at + n <= b.count else { return nil }
      var v = 0
      for k in at..<(at + n) {
        guard b[k] >= 0x30, b[k] <= 0x39 else { return nil }
        v = v * 10 + Int(b[k] - 0x30)
      }
      return v
    }
    guard b.count >= 10, let y = digits(0, 4), b[4] == 0x2D, let m = digits(5, 2), b[7] == 0x2D,
      let d = digits(8, 2), (1...12).contains(m), d >= 1
    else { return false }
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
    let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    guard d <= days else { return false }
    if b.count == 10 { return true }
    guard b[10] == 0x54 || b[10] == 0x20, let h = digits(11, 2), h < 24, b.count >= 16,
      b[13] == 0x3A, let mi = digits(14, 2), mi < 60
    else { return false }
    // The rest: seconds, a fraction, a zone; checked loosely (digits, : . + - Z).
    return b[16...].allSatisfy {
      ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x3A || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D
        || $0 == 0x5A
    }
  }
}
