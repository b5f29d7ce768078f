import FolioCore
import LuaRuntime

/// Metadata of one document as seen from Lua: `doc.meta.key`, `doc.meta.key = v`, `pairs`.
final class MetaProxy {
  let document: Document
  init(_ document: Document) { self.document = document }
}

extension FolioLua {
  static func metaType(context: FolioLuaContext) -> LuaObjectType<MetaProxy> {
    LuaObjectType<MetaProxy>(
      name: "Meta",
      getter: { (L) throws(LuaHostError) -> Int32 in
        let proxy: MetaProxy = try L.checkObject(1, "Meta")
        guard let key = L.string(at: 2), let value = proxy.document.meta[key] else {
          L.pushNil()
          return 1
        }
        push(value, L)
        return 1
      },
      metamethods: [
        (
          "__newindex",
          { (L) throws(LuaHostError) -> Int32 in
            let proxy: MetaProxy = try L.checkObject(1, "Meta")
            guard L.type(at: 2) == .string, let key = L.string(at: 2) else {
              throw .message("metadata keys must be strings, got \(L.typeName(at: 2))")
            }
            // Room for the copy first, before it is made.
            try L.reserveHost(2 * (key.utf8.count + L.rawLength(3)) + 64)
            if L.isNoneOrNil(3) {
              proxy.document.meta[key] = nil
            } else if let value = metaValue(L, 3) {
              try L.chargeDocument(key.utf8.count + hostBytes(of: value))
              proxy.document.meta[key] = value
            } else {
              throw .message(
                "metadata values must be strings, numbers, booleans or lists of them, got \(L.typeName(at: 3)) for '\(key)'"
              )
            }
            return 0
          }
        ),
        (
          "__pairs",
          { (L) throws(LuaHostError) -> Int32 in
            _ = try L.checkObject(1, "Meta", as: MetaProxy.self)
            guard let next = context.metaNext else {
              throw .message("Folio's Lua API is not installed")
            }
            L.pushFunction(next)
            L.pushValue(1)
            L.pushNil()
            return 3
          }
        ),
        (
          "__len",
          { (L) throws(LuaHostError) -> Int32 in
            let proxy: MetaProxy = try L.checkObject(1, "Meta")
            L.pushInteger(proxy.document.meta.count)
            return 1
          }
        ),
        (
          "__tostring",
          { (L) throws(LuaHostError) -> Int32 in
            let proxy: MetaProxy = try L.checkObject(1, "Meta")
            let items = proxy.document.meta.entries.map { "\($0.key)=\($0.value)" }
            L.pushString("Meta{" + items.joined(separator: ", ") + "}")
            return 1
          }
        ),
      ])
  }

  static func metaNext(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let proxy: MetaProxy = try L.checkObject(1, "Meta")
    let meta = proxy.document.meta
    var index = 0
    if let key = L.string(at: 2), let i = meta.position(of: key) { index = i + 1 }
    guard let (key, value) = meta.entry(at: index) else {
      L.pushNil()
      return 1
    }
    L.pushString(key)
    push(value, L)
    return 2
  }

  /// Pushes a metadata value. Stack: [-0, +1, m]
  public static func push(_ value: MetaValue, _ L: LuaState) {
    switch value {
    case .string(let s): L.pushString(s)
    case .integer(let i): L.pushInteger(i)
    case .number(let d): L.pushNumber(d)
    case .bool(let b): L.pushBool(b)
    case .list(let items):
      L.newTable(array: Int32(items.count))
      for (i, item) in items.enumerated() {
        push(item, L)
        L.rawSet(-2, i + 1)
      }
    }
  }

  /// Reads a metadata value (string, number, boolean or a list of them), raw.
  public static func metaValue(_ L: LuaState, _ index: Int32, depth: Int = 0) -> MetaValue? {
    switch L.type(at: index) {
    case .string: return L.string(at: index).map(MetaValue.string)
    case .number:
      if L.isInteger(at: index), let i = L.integer(at: index) { return .integer(i) }
      return L.number(at: index).map(MetaValue.number)
    case .boolean: return .bool(L.bool(at: index))
    case .table where depth < 8:
      let t = L.absolute(index)
      let n = L.rawLength(t)
      var items: [MetaValue] = []
      for i in 0..<n {
        L.rawGet(t, i + 1)
        defer { L.pop() }
        guard let v = metaValue(L, -1, depth: depth + 1) else { return nil }
        items.append(v)
      }
      return .list(items)
    default: return nil
    }
  }
}
