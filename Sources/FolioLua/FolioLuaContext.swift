import FolioCore
import LuaRuntime

/// The per-VM state of Folio's Lua API: what the running plugin may write, for run-time
/// checks of its declaration.
public final class FolioLuaContext {
  /// The plugin running now (for messages).
  public var pluginName = "?"
  /// Layers the running plugin may write; nil = any.
  public var allowedWrites: Set<String>?
  /// The permissions the plugin's manifest asks for, and those the user granted.
  public var asked: Set<Permission> = []
  public var grants = Grants()
  /// The plugin's folder (for `folio.read_file`), when it has one.
  public var pluginFolder: String?
  /// Set while a worker's report state is copied for the merging VM: counters in it are
  /// handed over instead of copied (see `LuaHandoff`).
  public var handoff: LuaHandoff?
  var metaNext: LuaFunction?
  /// Compiled queries by strategy and text (`doc:query`): a VM belongs to one thread.
  var queries: [String: QueryProgram] = [:]
  public init() {}
}
