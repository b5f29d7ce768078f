import CLuaShim

/// Limits for the code a VM runs (DESIGN.md §3).
///
/// Zero disables a limit.
public struct LuaLimits: Sendable, Equatable {
  /// The memory cap of the whole VM, in bytes.
  public var memory: Int
  /// The instruction budget of one call from Swift into Lua.
  public var instructions: UInt64
  /// The wall-clock budget of one call from Swift into Lua, in seconds.
  public var seconds: Double

  public init(memory: Int = 0, instructions: UInt64 = 0, seconds: Double = 0) {
    self.memory = memory
    self.instructions = instructions
    self.seconds = seconds
  }

  /// No limits: for code the program itself wrote and trusts (tests, the bridge check).
  public static let none = LuaLimits()
  /// The user's own code in the REPL and `folio script`: no deadline (Ctrl-C stops it), and
  /// 8 GiB of memory, far above any corpus Folio holds, so that a runaway allocation ends in
  /// Lua's memory error instead of swapping the machine.
  public static let session = LuaLimits(memory: 8 << 30)
  /// A plugin run from the REPL with `.run`: the session's caps, halved for the plugin's own VM.
  public static let sessionPlugin = LuaLimits(memory: 4 << 30)
  /// The defaults for plugins: 1 GiB and 60 s per call, no instruction budget.
  ///
  /// An instruction budget needs Lua's count hook on the main thread, and any count hook makes
  /// Lua 5.4 trace every instruction (about 15% of a token loop); the deadline needs no hook
  /// (the watchdog signals the call), so it is the default stop for runaway code.
  public static let plugin = LuaLimits(memory: 1 << 30, instructions: 0, seconds: 60)
}

/// Ctrl-C for every VM of the process: once an interrupt is requested the watchdog signals
/// every running call, whose limits hook stops it at its next Lua instruction.
public enum LuaInterrupt {
  /// Installs the SIGINT handler: the first Ctrl-C requests an interrupt, a second one ends
  /// the process at once.
  public static func installHandler() { folio_install_sigint() }
  public static var isRequested: Bool { folio_interrupted() != 0 }
  public static func request() { folio_interrupt() }
  public static func clear() { folio_clear_interrupt() }
}
