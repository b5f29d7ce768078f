import FolioCore
import LuaRuntime

/// `folio.json`: JSON text to Lua values and back, in Swift.
///
/// Decoding gives tables for objects and Lists for arrays; `null` becomes `opts.null` (nil
/// unless given). Encoding reads the value raw (no metamethods) as plain data: tables whose keys
/// are exactly 1..n are arrays, an empty table is `[]`, other tables are objects with their keys
/// sorted (the same bytes every run); functions, userdata, NaN and infinities are errors.
extension FolioLua {
  static func jsonDecode(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let text = try L.checkString(1)
    let hasNull = L.type(at: 2) == .table && L.rawGet(2, "null") != .nil
    let nullSlot = L.top  // the null value (or whatever rawGet left)
    let value: JSONValue
    do { value = try JSONValue.parse(Array(text.utf8)) } catch {
      throw .argument(1, "not JSON: \(error)")
    }
    push(value, L, null: hasNull ? nullSlot : nil)
    return 1
  }

  /// Pushes a JSON value; nesting is at most 512 deep (the parser's limit).
  static func push(_ value: JSONValue, _ L: LuaState, null: Int32?) {
    L.checkStack(4)
    switch value {
    case .null:
      if let null { L.pushValue(null) } else { L.pushNil() }
    case .bool(let b): L.pushBool(b)
    case .integer(let i): L.pushInteger(i)
    case .number(let d): L.pushNumber(d)
    case .string(let s): L.pushString(s)
    case .array(let items):
      L.newTable(array: Int32(clamping: items.count))
      for (i, item) in items.enumerated() {
        push(item, L, null: null)
        L.rawSet(-2, i + 1)
      }
      makeList(L)
    case .object(let fields):
      L.newTable(hash: Int32(clamping: fields.count))
      for (key, item) in fields {
        push(item, L, null: null)
        L.rawSet(-2, key)
      }
    }
  }

  static func jsonEncode(_ L: LuaState) throws(LuaHostError) -> Int32 {
    guard L.top >= 1 else { throw .argument(1, "value expected") }
    var indent = 0
    if L.type(at: 2) == .table {
      if L.rawGet(2, "indent") == .number { indent = max(0, min(8, L.integer(at: -1) ?? 0)) }
      L.pop()
    }
    let data: LuaData
    do { data = try L.copyData(at: 1) } catch {
      // The copier's advice is about report states; the path and the culprit are what count.
      let message = error.message.components(separatedBy: " (states must be").first ?? error.message
      throw .argument(1, "cannot encode: \(message)")
    }
    var reader = PlainReader(bytes: data.bytes)
    var writer = JSONWriter(capacity: data.bytes.count + 16)
    do { try reader.json(into: &writer, indent: indent, depth: 0) } catch {
      throw .argument(1, "cannot encode: \(error.message)")
    }
    writer.bytes.withUnsafeBytes { L.pushBytes($0) }
    return 1
  }
}

/// Reads the plain-data format of `LuaData` (CLuaShim's `folio_serialize`) and writes JSON.
private struct PlainReader {
  struct Failure: Error { var message: String }

  let bytes: [UInt8]
  var i = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  /// One decoded value: a scalar, or a table as key/value pairs.
  indirect enum Value {
    case null, bool(Bool), integer(Int), number(Double), string([UInt8])
    case table([(Value, Value)])
  }

  mutating func take<T>(_: T.Type) throws(Failure) -> T {
    let n = MemoryLayout<T>.size
    guard i + n <= bytes.count else { throw Failure(message: "truncated data") }
    let v = bytes[i..<i + n].withUnsafeBytes { $0.loadUnaligned(as: T.self) }
    i += n
    return v
  }

  mutating func value() throws(Failure) -> Value {
    guard i < bytes.count else { throw Failure(message: "truncated data") }
    let tag = bytes[i]
    i += 1
    switch tag {
    case UInt8(ascii: "n"): return .null
    case UInt8(ascii: "t"): return .bool(true)
    case UInt8(ascii: "f"): return .bool(false)
    case UInt8(ascii: "i"): return .integer(Int(try take(Int64.self)))
    case UInt8(ascii: "d"): return .number(try take(Double.self))
    case UInt8(ascii: "s"):
      let n = Int(try take(UInt64.self))
      guard i + n <= bytes.count else { throw Failure(message: "truncated data") }
      defer { i += n }
      return .string(Array(bytes[i..<i + n]))
    case UInt8(ascii: "{"):
      _ = try take(UInt32.self)
      _ = try take(UInt32.self)
      var pairs: [(Value, Value)] = []
      while i < bytes.count, bytes[i] != UInt8(ascii: "}") {
        let k = try value()
        pairs.append((k, try value()))
      }
      i += 1
      return .table(pairs)
    default: throw Failure(message: "unknown data")
    }
  }

  mutating func json(into w: inout JSONWriter, indent: Int, depth: Int) throws(Failure) {
    try Self.write(try value(), into: &w, indent: indent, depth: depth)
  }

  static func keyText(_ k: Value) throws(Failure) -> [UInt8] {
    switch k {
    case .string(let s): return s
    case .integer(let n): return Array(String(n).utf8)
    case .number(let d): return Array(String(d).utf8)
    case .bool(let b): return Array((b ? "true" : "false").utf8)
    default: throw Failure(message: "a table key that is a table")
    }
  }

  static func newline(_ w: inout JSONWriter, _ indent: Int, _ depth: Int) {
    guard indent > 0 else { return }
    w.raw("\n")
    for _ in 0..<(indent * depth) { w.raw(" ") }
  }

  static func write(_ v: Value, into w: inout JSONWriter, indent: Int, depth: Int) throws(Failure) {
    switch v {
    case .null: w.raw("null")
    case .bool(let b): w.bool(b)
    case .integer(let n): w.integer(n)
    case .number(let d):
      guard d.isFinite else { throw Failure(message: "\(d) has no JSON form") }
      if d == d.rounded(), abs(d) < 1e15 { w.integer(Int(d)) } else { w.number(d) }
    case .string(let s):
      guard String(validating: s, as: UTF8.self) != nil else {
        throw Failure(message: "a string that is not UTF-8 (JSON text is UTF-8)")
      }
      s.withUnsafeBufferPointer { w.string(utf8: $0) }
    case .table(let pairs):
      // An array when the keys are exactly 1..n.
      var items: [Value?] = Array(repeating: nil, count: pairs.count)
      var isArray = true
      for (k, value) in pairs {
        guard case .integer(let n) = k, n >= 1, n <= pairs.count, items[n - 1] == nil else {
          isArray = false
          break
        }
        items[n - 1] = value
      }
      if isArray {
        w.open("[")
        for (k, item) in items.enumerated() {
          if k > 0 { w.comma() }
          newline(&w, indent, depth + 1)
          try write(item ?? .null, into: &w, indent: indent, depth: depth + 1)
        }
        if !items.isEmpty { newline(&w, indent, depth) }
        w.close("]")
        return
      }
      var keyed: [([UInt8], Value)] = []
      for (k, value) in pairs { keyed.append((try keyText(k), value)) }
      keyed.sort { $0.0.lexicographicallyPrecedes($1.0) }
      w.open("{")
      for (k, (key, value)) in keyed.enumerated() {
        if k > 0 { w.comma() }
        newline(&w, indent, depth + 1)
        key.withUnsafeBufferPointer { w.string(utf8: $0) }
        w.raw(":")
        if indent > 0 { w.raw(" ") }
        try write(value, into: &w, indent: indent, depth: depth + 1)
      }
      if !keyed.isEmpty { newline(&w, indent, depth) }
      w.close("}")
    }
  }
}
