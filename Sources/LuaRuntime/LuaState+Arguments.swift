import CLua
import CLuaShim

/// Argument checks for host functions, with Lua's own wording
/// (`bad argument #2 to 'add' (number expected, got nil)`).
extension LuaState {
  public func checkInteger(_ arg: Int32) throws(LuaHostError) -> Int {
    if let v = integer(at: arg) { return v }
    if type(at: arg) == .number { throw .argument(arg, "number has no integer representation") }
    throw .type(arg, expected: "number")
  }

  public func optInteger(_ arg: Int32, _ fallback: Int) throws(LuaHostError) -> Int {
    isNoneOrNil(arg) ? fallback : try checkInteger(arg)
  }

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
