import CLua
import CLuaShim

#if canImport(Glibc)
  import Glibc
#endif

/// A Swift function callable from Lua.
///
/// It reads its arguments from the state, pushes its results and returns how many it pushed; it
/// reports errors by throwing, never by raising.
public typealias HostFunction = (LuaState) throws(LuaHostError) -> Int32

/// A host function registered in one VM; push it only into that VM.
public struct LuaFunction: Sendable, Hashable {
  /// The address of the VM's `HostFunctionBox` (the trampoline's upvalue).
  let address: UInt
  public let name: String

  var handle: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: address) }
}

/// A registered host function, kept alive by its VM; Lua holds its address.
final class HostFunctionBox {
  let body: HostFunction

  init(_ body: @escaping HostFunction) { self.body = body }
}

/// One Lua 5.4 state with Folio's allocator, limits hook and host-function table.
///
/// A VM belongs to the thread that created it (DESIGN.md §2.5): it is not `Sendable`, and
/// every call into Lua checks the thread, in release builds too (as GRDB checks its queues).
public final class LuaVM {
  /// The main thread of this VM.
  public let state: LuaState
  /// Whether the sandboxed library set was opened.
  public let sandboxed: Bool
  let raw: UnsafeMutablePointer<FolioVMState>
  // Keeps every registered function alive as long as the VM (Lua refers to them by address).
  private var functions: [HostFunctionBox] = []
  private var registeredTypes: Set<ObjectIdentifier> = []
  private let owner: pthread_t
  private var closed = false

  /// Creates a VM with the full standard library, or the sandbox of DESIGN.md §3.
  public init(sandboxed: Bool, limits: LuaLimits = .none) throws(LuaError) {
    _ = hostInstalled
    raw = .allocate(capacity: 1)
    ledger = HostLedger(raw)
    guard let L = folio_newstate(raw) else {
      raw.deallocate()
      throw LuaError(kind: .memory, message: "not enough memory to create a Lua state")
    }
    state = LuaState(L)
    self.sandboxed = sandboxed
    owner = pthread_self()
    self.limits = limits
    raw.pointee.host = Unmanaged.passUnretained(self).toOpaque()
    // On failure deinit closes the state: self is fully initialised here.
    let status = sandboxed ? folio_open_sandbox(L) : folio_open_full(L)
    if status != LUA_OK { throw popError(status) }
    apply(limits)
  }

  deinit {
    close()
    raw.deallocate()
  }

  /// Closes the Lua state now: every object it holds is released.
  ///
  /// Idempotent.
  public func close() {
    guard !closed else { return }
    closed = true
    folio_closestate(state.L)
    ledger.close()
  }

  /// The host memory charged to this VM's budget.
  let ledger: HostLedger

  /// The limits applied to each call from Swift into Lua.
  public var limits: LuaLimits {
    didSet { apply(limits) }
  }

  private func apply(_ limits: LuaLimits) {
    folio_setlimits(
      state.L, limits.memory, limits.instructions, UInt64(max(0, limits.seconds) * 1e9))
  }

  /// Bytes the VM has allocated now.
  public var memoryUsed: Int { raw.pointee.used }
  /// Host objects pushed into Lua that Lua has not released yet.
  public var liveObjects: Int { raw.pointee.live_objects }
  /// Bytes the host holds for this VM (counters, spans, meta), charged to its memory limit.
  public var hostBytes: Int { raw.pointee.host_bytes }

  /// Gives back what was charged for the open document: its call has ended.
  public func releaseDocumentBytes() { folio_host_release_document(raw) }

  @inline(__always) func checkThread() {
    precondition(pthread_equal(owner, pthread_self()) != 0, "a LuaVM was used from another thread")
  }

  // MARK: Host functions

  /// Registers `body` under `name` (used in messages and docs).
  ///
  /// The function is pushed with `state.pushFunction(_:)`.
  @discardableResult
  public func register(_ name: String, _ body: @escaping HostFunction) -> LuaFunction {
    let box = HostFunctionBox(body)
    functions.append(box)
    return LuaFunction(
      address: UInt(bitPattern: Unmanaged.passUnretained(box).toOpaque()), name: name)
  }

  /// Registers `body` and stores it in the table on top of the stack under `name`.
  /// Stack: [-0, +0, m]
  public func setFunction(_ name: String, _ body: @escaping HostFunction) {
    let f = register(name, body)
    state.pushFunction(f)
    state.rawSet(-2, name)
  }

  /// Registers `body` as the global `name`.
  public func setGlobalFunction(_ name: String, _ body: @escaping HostFunction) {
    state.pushFunction(register(name, body))
    state.setGlobal(name)
  }

  // Runs one host function; a Swift error becomes a status for the trampoline to raise.
  fileprivate static func dispatch(_ L: OpaquePointer, _ function: HostFunctionBox) -> Int32 {
    let st = LuaState(L)
    do {
      return try function.body(st)
    } catch {
      switch error {
      case .message(let m):
        st.pushString(m)
        return FOLIO_HOST_RAISE_WHERE.rawValue
      case .raw(let m):
        st.pushString(m)
        return FOLIO_HOST_RAISE.rawValue
      case .argument(let n, let m):
        folio_state(L)?.pointee.err_arg = n
        st.pushString(m)
        return FOLIO_HOST_ARGERROR.rawValue
      case .type(let n, let expected):
        folio_state(L)?.pointee.err_arg = n
        st.pushString(expected)
        return FOLIO_HOST_TYPEERROR.rawValue
      case .noMemory:
        return FOLIO_HOST_NOMEMORY.rawValue
      }
    }
  }

  // MARK: Host objects

  /// Creates the metatable of `type` in this VM (once).
  ///
  /// Throws only if its Lua-written methods fail to load.
  public func register<T: AnyObject>(_ type: LuaObjectType<T>) throws(LuaError) {
    let id = ObjectIdentifier(T.self)
    guard !registeredTypes.contains(id) else { return }
    registeredTypes.insert(id)
    state.newTable(hash: Int32(type.methods.count))
    for (name, body) in type.methods { setFunction(name, body) }
    if let source = type.luaMethods {
      let methods = state.top
      try run(source, chunkname: "=\(type.name)", results: 1)
      if state.type(at: -1) == .table {
        state.forEach(-1) {
          state.pushValue(-2)
          state.pushValue(-2)
          lua_rawset(state.L, methods)
        }
      }
      state.pop()
    }
    if let getter = type.getter {
      state.pushFunction(register("__index", getter))
    } else {
      state.pushNil()
    }
    folio_newmetatable(state.L, LuaObjectType<T>.key, type.name)
    if !type.metamethods.isEmpty {
      state.rawGetRegistry(LuaObjectType<T>.key)
      for (name, body) in type.metamethods { setFunction(name, body) }
      state.pop()
    }
  }

  // MARK: Calls

  /// Loads a text chunk and pushes it as a function; binary chunks are refused.
  /// Stack: [-0, +1, -]
  public func load(_ source: String, chunkname: String) throws(LuaError) {
    checkThread()
    var source = source
    let status = source.withUTF8 { buffer in
      folio_load(
        state.L, UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self),
        buffer.count, chunkname)
    }
    if status != LUA_OK { throw popError(status) }
  }

  /// Calls the function below `arguments` values in protected mode.
  /// Stack: [-(arguments+1), +results, -]
  public func call(arguments: Int32 = 0, results: Int32 = 0) throws(LuaError) {
    checkThread()
    let status = folio_pcall(state.L, arguments, results)
    if status != LUA_OK { throw popError(status) }
  }

  /// Loads and runs `source`, leaving `results` values on the stack (LUA_MULTRET = -1).
  public func run(_ source: String, chunkname: String = "=(folio)", results: Int32 = 0)
    throws(LuaError)
  {
    try load(source, chunkname: chunkname)
    try call(results: results)
  }

  /// Pops the error message of a failed load or call and turns it into a `LuaError`.
  func popError(_ status: Int32) -> LuaError {
    let trip = raw.pointee.last_trip
    let text = state.string(at: -1) ?? "(error object is a \(state.type(at: -1).name) value)"
    state.pop()
    var message = text
    var traceback: String?
    if let range = text.firstRange(of: "\nstack traceback:") {
      message = String(text[..<range.lowerBound])
      traceback = String(text[text.index(after: range.lowerBound)...])
    }
    let kind: LuaError.Kind
    switch status {
    case LUA_ERRSYNTAX: kind = .syntax
    case LUA_ERRMEM: kind = .memory
    case LUA_ERRERR: kind = .handler
    default:
      switch trip {
      case Int32(FOLIO_TRIP_INSTRUCTIONS.rawValue): kind = .limit(.instructions)
      case Int32(FOLIO_TRIP_DEADLINE.rawValue): kind = .limit(.time)
      case Int32(FOLIO_TRIP_INTERRUPT.rawValue): kind = .limit(.interrupt)
      default: kind = .runtime
      }
    }
    return LuaError(kind: kind, message: message, traceback: traceback)
  }

  // MARK: References

  /// Pops the top value into the registry and returns its reference.
  public func ref() -> Int32 { luaL_ref(state.L, folio_registryindex()) }
  /// Pushes the value of a reference. Stack: [-0, +1, -]
  public func push(ref: Int32) { lua_rawgeti(state.L, folio_registryindex(), lua_Integer(ref)) }
  /// Frees a reference.
  public func unref(_ ref: Int32) { luaL_unref(state.L, folio_registryindex(), ref) }
}

// The trampoline's entry into Swift. A Swift error never escapes: `dispatch` catches it.
private let hostDispatch: folio_dispatch_fn = { L, function in
  guard let L, let function else { return 0 }
  // The VM keeps the box alive for as long as Lua can call it: borrow it, no retain/release.
  return Unmanaged<HostFunctionBox>.fromOpaque(function)._withUnsafeGuaranteedRef {
    LuaVM.dispatch(L, $0)
  }
}

private let hostRelease: folio_release_fn = { object in
  guard let object else { return }
  Unmanaged<AnyObject>.fromOpaque(object).release()
}

private let hostInstalled: Void = folio_install_host(hostDispatch, hostRelease)
