import CLua
import CLuaShim

/// Argument checks for host functions, with Lua's own wording
/// (`bad argument #2 to 'add' (number expected, got nil)`).
extension LuaState {
  /// The largest magnitude of an integer a host function takes: 2^53.
  ///
  /// Lua's integers and floats agree up to there. Checked before any arithmetic, so that no
  /// value from Lua (`math.mininteger`, `math.maxinteger`) can make Swift trap on overflow.
  public static let integerLimit = 1 << 53

  public func checkInteger(_ arg: Int32) throws(LuaHostError) -> Int {
    if let v = integer(at: arg) {
      guard v.magnitude <= LuaState.integerLimit else {
        throw .argument(arg, "number out of range (-2^53 to 2^53)")
      }
      return v
    }
    if type(at: arg) == .number { throw .argument(arg, "number has no integer representation") }
    throw .type(arg, expected: "number")
  }

  /// The integer field `key` of the table at `arg` within `range`, or `fallback` when the field
  /// is absent: `bad argument #2 to 'kwic' ('width' must be an integer from 0 to 100000, got
  /// -1)`.
  public func integerField(
    _ arg: Int32, _ key: String, _ fallback: Int, in range: ClosedRange<Int>
  ) throws(LuaHostError) -> Int {
    guard rawGet(arg, key) != .nil else {
      pop()
      return fallback
    }
    defer { pop() }
    guard let v = integer(at: -1), range.contains(v) else {
      let got =
        type(at: -1) == .number
        ? (isInteger(at: -1) ? String(integer(at: -1) ?? 0) : luaNumberString(number(at: -1) ?? 0))
        : typeName(at: -1)
      throw .argument(
        arg,
        "'\(key)' must be an integer from \(range.lowerBound) to \(range.upperBound), got \(got)")
    }
    return v
  }

  public func optInteger(_ arg: Int32, _ fallback: Int) throws(LuaHostError) -> Int {
    isNoneOrNil(arg) ? fallback : try checkInteger(arg)
  }

  /// Whether the running call passed its deadline or was interrupted (or, under a budget, used
  /// its instructions): a long loop in a host function asks, and returns early when it has;
  /// the trampoline then raises the limit's error.
  public var limitsTripped: Bool { folio_poll(L) != 0 }

  public func checkNumber(_ arg: Int32) throws(LuaHostError) -> Double {
    guard let v = number(at: arg) else { throw .type(arg, expected: "number") }
    return v
  }

  /// A string argument; numbers are accepted and formatted as Lua does.
  public func checkString(_ arg: Int32) throws(LuaHostError) -> String {
    switch type(at: arg) {
    case .string: return string(at: arg) ?? ""
    case .number:
      if let i = integer(at: arg), isInteger(at: arg) { return String(i) }
      return luaNumberString(number(at: arg) ?? 0)
    default: throw .type(arg, expected: "string")
    }
  }

  public func optString(_ arg: Int32) throws(LuaHostError) -> String? {
    isNoneOrNil(arg) ? nil : try checkString(arg)
  }

  public func checkTable(_ arg: Int32) throws(LuaHostError) {
    if type(at: arg) != .table { throw .type(arg, expected: "table") }
  }

  public func checkFunction(_ arg: Int32) throws(LuaHostError) {
    if type(at: arg) != .function { throw .type(arg, expected: "function") }
  }
}

/// Formats a float as Lua's `%.14g` does (`1e+15`, `0.5`, `3.0`).
public func luaNumberString(_ value: Double) -> String {
  if value.isNaN { return value.sign == .minus ? "-nan" : "nan" }
  if value.isInfinite { return value < 0 ? "-inf" : "inf" }
  var buffer = [CChar](repeating: 0, count: 64)
  let n = buffer.withUnsafeMutableBufferPointer { p in
    withVaList([value]) { vsnprintf(p.baseAddress, 64, "%.14g", $0) }
  }
  var s = String(decoding: buffer[0..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  if !s.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) { s += ".0" }
  return s
}
