import CLua
import CLuaShim

/// A Lua type tag, as `lua_type` returns it.
public enum LuaType: Int32, Sendable {
  case none = -1
  case `nil` = 0
  case boolean = 1
  case lightUserdata = 2
  case number = 3
  case string = 4
  case table = 5
  case function = 6
  case userdata = 7
  case thread = 8

  /// The name Lua uses in messages (`lua_typename`).
  public var name: String {
    switch self {
    case .none: "no value"
    case .nil: "nil"
    case .boolean: "boolean"
    case .lightUserdata, .userdata: "userdata"
    case .number: "number"
    case .string: "string"
    case .table: "table"
    case .function: "function"
    case .thread: "thread"
    }
  }
}

/// A borrowed `lua_State*` with the stack operations Swift may use: none of them raises
/// except for memory, and the allocator never refuses memory while a Swift frame is live.
///
/// Not `Sendable`: a state belongs to the thread that created its VM.
public struct LuaState {
  /// The raw state, for this package's own C (FolioLua's token views) and tests; code outside
  /// the package goes through the operations here.
  @usableFromInline package let L: OpaquePointer

  @inlinable public init(_ L: OpaquePointer) { self.L = L }

  /// The VM that owns this state (every state Folio creates has one).
  public var vm: LuaVM {
    guard let host = folio_state(L)?.pointee.host else {
      preconditionFailure("a lua_State without a LuaVM")
    }
    return Unmanaged<LuaVM>.fromOpaque(host).takeUnretainedValue()
  }

  // MARK: Stack

  /// Stack: [-0, +0, -].
  @inlinable public var top: Int32 {
    get { lua_gettop(L) }
    nonmutating set { lua_settop(L, newValue) }
  }

  /// Stack: [-n, +0, -].
  @inlinable public func pop(_ n: Int32 = 1) {
    // Popping more than the frame holds corrupts the Lua stack: fail loudly in debug builds.
    assert(n >= 0 && n <= top, "popping \(n) values from a stack of \(top)")
    lua_settop(L, -n - 1)
  }

  @inlinable public func absolute(_ index: Int32) -> Int32 { lua_absindex(L, index) }

  @inlinable public func type(at index: Int32) -> LuaType {
    LuaType(rawValue: lua_type(L, index)) ?? .none
  }

  /// Lua's name for the type at `index`, using `__name` of host objects (as luaL_typeerror).
  public func typeName(at index: Int32) -> String {
    let t = type(at: index)
    if t == .userdata, lua_getmetatable(L, index) != 0 {
      pushString("__name")
      let isString = lua_rawget(L, -2) == LUA_TSTRING
      let name = isString ? string(at: -1) : nil
      pop(2)
      if let name { return name }
    }
    return t.name
  }

  /// The type name a value's metatable gives: `Document`, `Span`, `List`.
  ///
  /// Its `__name`, or a string `__metatable`; nil for a value without one. Raw reads only:
  /// no metamethod runs.
  public func metaName(at index: Int32) -> String? {
    guard lua_getmetatable(L, index) != 0 else { return nil }
    defer { pop(1) }
    for key in ["__name", "__metatable"] {
      pushString(key)
      let isString = lua_rawget(L, -2) == LUA_TSTRING
      let name = isString ? string(at: -1) : nil
      pop(1)
      if let name { return name }
    }
    return nil
  }

  @inlinable public func isNoneOrNil(_ index: Int32) -> Bool { lua_type(L, index) <= 0 }

  /// Stack: [-0, +1, -].
  @inlinable public func pushValue(_ index: Int32) { lua_pushvalue(L, index) }
  /// Stack: [-1, +0, -].
  @inlinable public func remove(_ index: Int32) { folio_remove(L, index) }
  /// Stack: [-1, +1, -].
  @inlinable public func insert(_ index: Int32) { folio_insert(L, index) }
  /// Pops the top value into slot `index`.
  ///
  /// Stack: [-1, +0, -].
  @inlinable public func replace(_ index: Int32) { folio_replace(L, index) }

  /// Ensures room for `n` more values. Stack: [-0, +0, m]
  @discardableResult @inlinable public func checkStack(_ n: Int32) -> Bool {
    lua_checkstack(L, n) != 0
  }

  // MARK: Push (Stack: [-0, +1, m])

  @inlinable public func pushNil() { lua_pushnil(L) }
  @inlinable public func pushBool(_ value: Bool) { lua_pushboolean(L, value ? 1 : 0) }
  @inlinable public func pushInteger(_ value: Int) { lua_pushinteger(L, lua_Integer(value)) }
  @inlinable public func pushNumber(_ value: Double) { lua_pushnumber(L, value) }

  /// Pushes the UTF-8 bytes of `value`, NULs included.
  @inlinable public func pushString(_ value: String) {
    var value = value
    value.withUTF8 { buffer in
      _ = lua_pushlstring(
        L, UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self), buffer.count)
    }
  }

  /// Pushes raw bytes as a Lua string.
  @inlinable public func pushBytes(_ bytes: UnsafeRawBufferPointer) {
    _ = lua_pushlstring(L, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
  }

  /// Pushes `bytes[range]` of a contiguous buffer.
  @inlinable public func pushBytes(_ base: UnsafePointer<UInt8>, _ count: Int) {
    _ = lua_pushlstring(L, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), count)
  }

  /// Pushes a new table with room for `array` and `hash` items.
  @inlinable public func newTable(array: Int32 = 0, hash: Int32 = 0) {
    lua_createtable(L, array, hash)
  }

  /// Pushes a registered host function.
  public func pushFunction(_ function: LuaFunction) {
    folio_pushhostfunction(L, function.handle)
  }

  // MARK: Read

  /// The bytes of the string at `index` (only values whose type is string; numbers are not
  /// converted).
  public func bytes(at index: Int32) -> [UInt8]? {
    var length = 0
    guard let p = folio_tolstring(L, index, &length) else { return nil }
    return [UInt8](UnsafeRawBufferPointer(start: p, count: length))
  }

  /// The string at `index` decoded as UTF-8 (invalid bytes repaired), if it is a string.
  public func string(at index: Int32) -> String? {
    var length = 0
    guard let p = folio_tolstring(L, index, &length) else { return nil }
    return String(
      decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
  }

  /// Calls `body` with the bytes of the string at `index`, without copying.
  @inlinable public func withBytes<R>(at index: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R?
  {
    var length = 0
    guard let p = folio_tolstring(L, index, &length) else { return nil }
    return body(UnsafeRawBufferPointer(start: p, count: length))
  }

  public func integer(at index: Int32) -> Int? {
    var ok: Int32 = 0
    let v = lua_tointegerx(L, index, &ok)
    return ok != 0 ? Int(v) : nil
  }

  public func number(at index: Int32) -> Double? {
    guard lua_type(L, index) == LUA_TNUMBER else { return nil }
    return lua_tonumberx(L, index, nil)
  }

  public func bool(at index: Int32) -> Bool { lua_toboolean(L, index) != 0 }

  public func isInteger(at index: Int32) -> Bool { lua_isinteger(L, index) != 0 }

  // MARK: Raw table access (never runs a metamethod)

  /// Pushes `t[key]` of the table at `index`, raw. Stack: [-0, +1, -]
  @discardableResult public func rawGet(_ index: Int32, _ key: String) -> LuaType {
    let t = absolute(index)
    pushString(key)
    return LuaType(rawValue: lua_rawget(L, t)) ?? .none
  }

  /// Pushes `t[i]` of the table at `index`, raw. Stack: [-0, +1, -]
  @discardableResult public func rawGet(_ index: Int32, _ i: Int) -> LuaType {
    LuaType(rawValue: lua_rawgeti(L, index, lua_Integer(i))) ?? .none
  }

  /// `t[key] = v` for the table at `index` and the value on top, raw. Stack: [-1, +0, m]
  public func rawSet(_ index: Int32, _ key: String) {
    let t = absolute(index)
    pushString(key)
    insert(-2)
    lua_rawset(L, t)
  }

  /// `t[k] = v` for the table at `index`, the key at `keyIndex` and the value on top, raw.
  ///
  /// For hot loops: push the key strings once and refer to them by index. Both indices must
  /// be absolute. Stack: [-1, +0, m]
  @inlinable public func rawSet(_ index: Int32, keyAt keyIndex: Int32) {
    lua_pushvalue(L, keyIndex)
    folio_insert(L, -2)
    lua_rawset(L, index)
  }

  /// `t[k] = v` for the table at `index` with the key and value on top, raw.
  ///
  /// The key must not be nil or NaN. Stack: [-2, +0, m]
  @inlinable public func rawSetTop(_ index: Int32) { lua_rawset(L, index) }

  /// `t[i] = v` for the table at `index` and the value on top, raw. Stack: [-1, +0, m]
  public func rawSet(_ index: Int32, _ i: Int) { lua_rawseti(L, index, lua_Integer(i)) }

  /// The raw length of the table or string at `index`.
  public func rawLength(_ index: Int32) -> Int { Int(lua_rawlen(L, index)) }

  /// Iterates the table at `index` in protected mode.
  ///
  /// `body` sees the key at -2 and the value at -1 and must leave the stack as it found it.
  /// Returns false when the traversal failed.
  @discardableResult
  public func forEach(_ index: Int32, _ body: () throws -> Void) rethrows -> Bool {
    let t = absolute(index)
    pushNil()
    while true {
      let r = folio_next(L, t)
      if r == 0 { return true }
      if r < 0 {
        pop()
        return false
      }
      do { try body() } catch {
        pop(2)
        throw error
      }
      pop()  // the value; the key stays for the next step
    }
  }

  /// Pushes the registry value stored under `key`. Stack: [-0, +1, -]
  @discardableResult public func rawGetRegistry(_ key: UnsafeRawPointer) -> LuaType {
    LuaType(rawValue: lua_rawgetp(L, folio_registryindex(), key)) ?? .none
  }

  /// Pops a key and pushes `t[key]` of the table at `index`, raw. Stack: [-1, +1, -]
  public func rawGetTop(_ index: Int32) { lua_rawget(L, index) }

  /// Pushes upvalue `n` of the function at `index` and returns true, or pushes nothing and returns false. Stack: [-0, +(0|1), -]
  public func upvalue(_ index: Int32, _ n: Int32) -> Bool { lua_getupvalue(L, index, n) != nil }

  /// Pushes the metatable of the value at `index`, raw (`__metatable` is not consulted), and
  /// returns true; pushes nothing and returns false when it has none. Stack: [-0, +(0|1), -]
  public func rawMetatable(_ index: Int32) -> Bool { lua_getmetatable(L, index) != 0 }

  /// The identity of a table, function, userdata or thread at `index` (for cycle checks).
  public func pointer(at index: Int32) -> UnsafeRawPointer? { lua_topointer(L, index) }

  /// Pushes the global table. Stack: [-0, +1, -]
  public func pushGlobals() { folio_pushglobaltable(L) }

  /// Sets the global `name` to the value on top, raw. Stack: [-1, +0, m]
  public func setGlobal(_ name: String) {
    pushGlobals()
    insert(-2)
    rawSet(-2, name)
    pop()
  }

  /// Pushes the global `name`, raw. Stack: [-0, +1, -]
  @discardableResult public func getGlobal(_ name: String) -> LuaType {
    pushGlobals()
    let t = rawGet(-1, name)
    remove(-2)
    return t
  }
}
