import CLua
import CLuaShim

/// How a Swift class appears in Lua: a userdata with a protected metatable (`__metatable` is the type name), methods, an optional property getter and metamethods.
///
/// Each userdata retains its object once; `__gc` releases it exactly once.
public struct LuaObjectType<T: AnyObject> {
  public var name: String
  public var methods: [(String, HostFunction)]
  /// Called as `getter(object, key)` for keys that are not methods.
  public var getter: HostFunction?
  /// Extra metamethods (`__tostring`, `__len`, `__newindex`, ...).
  public var metamethods: [(String, HostFunction)]
  /// Lua source of a chunk returning a table of more methods written in Lua (built on the
  /// host methods), or nil.
  public var luaMethods: String?

  public init(
    name: String, methods: [(String, HostFunction)] = [], getter: HostFunction? = nil,
    metamethods: [(String, HostFunction)] = [], luaMethods: String? = nil
  ) {
    self.name = name
    self.methods = methods
    self.getter = getter
    self.metamethods = metamethods
    self.luaMethods = luaMethods
  }

  /// The registry key of the metatable: the class's metadata pointer, unique per type.
  static var key: UnsafeRawPointer {
    unsafeBitCast(T.self as AnyClass, to: UnsafeRawPointer.self)
  }

  /// The type's key, for checks that do not know `T` (argument checks built from declarations).
  public static var objectKey: LuaObjectKey { LuaObjectKey(address: UInt(bitPattern: key)) }
}

/// Names a host object type without its Swift type: plain data, cheap to copy and compare.
public struct LuaObjectKey: Sendable, Hashable {
  let address: UInt
  var pointer: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: address) }
}

extension LuaState {
  /// Pushes `object` as a userdata of its registered type, with `userValues` user values.
  /// Stack: [-0, +1, m]
  public func pushObject<T: AnyObject>(_ object: T, userValues: Int32 = 0) {
    let retained = Unmanaged.passRetained(object as AnyObject).toOpaque()
    _ = folio_newobject(L, retained, LuaObjectType<T>.key, userValues)
  }

  /// The object at `index` if it is a userdata of type `T`.
  ///
  /// The metatable's key is `T`'s own, so the userdata holds a `T`: no dynamic cast is needed.
  public func object<T: AnyObject>(at index: Int32, as type: T.Type = T.self) -> T? {
    guard let p = folio_toobject(L, index, LuaObjectType<T>.key) else { return nil }
    return Unmanaged<T>.fromOpaque(p).takeUnretainedValue()
  }

  /// Whether the value at `index` is a live userdata of the type `key` names.
  public func isObject(at index: Int32, key: LuaObjectKey) -> Bool {
    folio_toobject(L, index, key.pointer) != nil
  }

  /// Raises the error `checkObject` raises when the value at `arg` is not a live userdata of
  /// the type `key` names (`Document expected, got nil`, or that it was closed).
  public func checkObject(_ arg: Int32, _ typeName: String, key: LuaObjectKey)
    throws(LuaHostError)
  {
    guard folio_toobject(L, arg, key.pointer) == nil else { return }
    if folio_isclosedobject(L, arg, key.pointer) != 0 {
      throw .argument(
        arg, "this \(typeName) is closed: it was valid only during the call that received it")
    }
    throw .type(arg, expected: typeName)
  }

  /// The object at argument `arg`, or a Lua type error naming `typeName` (or saying that the
  /// object was closed).
  public func checkObject<T: AnyObject>(_ arg: Int32, _ typeName: String, as type: T.Type = T.self)
    throws(LuaHostError) -> T
  {
    guard let o = object(at: arg, as: T.self) else {
      try checkObject(arg, typeName, key: LuaObjectType<T>.objectKey)
      throw .type(arg, expected: typeName)
    }
    return o
  }

  /// Releases the object of the userdata at `index` now and clears its user values; later use
  /// from Lua is an error that says so. Stack: [-0, +0, -]
  public func closeObject(at index: Int32, userValues: Int32 = 0) {
    folio_closeobject(L, index, userValues)
  }

  /// Pushes user value `n` of the userdata at `index`. Stack: [-0, +1, -]
  @discardableResult public func getUserValue(_ index: Int32, _ n: Int32) -> LuaType {
    LuaType(rawValue: lua_getiuservalue(L, index, n)) ?? .none
  }

  /// Pops a value into user value `n` of the userdata at `index`. Stack: [-1, +0, -]
  public func setUserValue(_ index: Int32, _ n: Int32) { lua_setiuservalue(L, index, n) }
}

extension LuaState {
  /// Pops a table and sets it as the metatable of the value at `index`. Stack: [-1, +0, -]
  public func setMetatable(_ index: Int32) { lua_setmetatable(L, index) }

  /// Pops the value on top into the registry under `key`. Stack: [-1, +0, m]
  public func rawSetRegistry(_ key: UnsafeRawPointer) { lua_rawsetp(L, folio_registryindex(), key) }
}
