/// An error that reached Swift from Lua: a failed load or a failed protected call.
public struct LuaError: Error, CustomStringConvertible, Sendable, Equatable {
  /// What kind of failure Lua reported.
  public enum Kind: Sendable, Equatable {
    case syntax
    case runtime
    case memory
    case handler
    case limit(LuaLimitKind)
  }

  public var kind: Kind
  /// The message without the traceback, such as `init.lua:3: attempt to call a nil value`.
  public var message: String
  /// The Lua traceback (`stack traceback:` and its lines), when there was one.
  public var traceback: String?

  public init(kind: Kind, message: String, traceback: String? = nil) {
    self.kind = kind
    self.message = message
    self.traceback = traceback
  }

  public var description: String { message }
}

/// The limit that stopped a call.
public enum LuaLimitKind: Sendable, Equatable {
  case instructions
  case time
  case interrupt
}

/// An error thrown by a Swift host function; the trampoline raises it in Lua once the Swift
/// frame has returned.
public enum LuaHostError: Error, Sendable {
  /// `msg` with the caller's position prepended, like `luaL_error`.
  case message(String)
  /// `bad argument #n to 'f' (msg)`, like `luaL_argerror`.
  case argument(Int32, String)
  /// `bad argument #n to 'f' (T expected, got U)`, like `luaL_typeerror`.
  case type(Int32, expected: String)
  /// Raised as it is, without position.
  case raw(String)
  /// Lua's own memory error (LUA_ERRMEM): what the host would hold passes the memory limit.
  case noMemory
}
