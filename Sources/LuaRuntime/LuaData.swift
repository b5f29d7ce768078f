import CLua
import CLuaShim

#if canImport(Glibc)
  import Glibc
#endif

/// A Lua value copied out of a VM as plain data (nil, booleans, numbers, strings and tables of them), ready to be pushed into another VM: report states across workers and shards (DESIGN.md §5).
///
/// The copy runs in C under one protected call.
public struct LuaData: Sendable, Equatable {
  /// The serialised value (Folio's own compact format; see CLuaShim's `folio_serialize`).
  public var bytes: [UInt8]
  /// The host objects handed over with the value (for the merging VM of the same process),
  /// which its tickets stand for.
  public var handoff: LuaHandoff?

  public init(bytes: [UInt8], handoff: LuaHandoff? = nil) {
    self.bytes = bytes
    self.handoff = handoff
  }
}

/// Why a value could not be copied, such as `["counts"]["x"]: a function (...)`.
public struct LuaDataError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}

extension LuaState {
  /// Copies the value at `index` as plain data, reading tables raw.
  public func copyData(at index: Int32) throws(LuaDataError) -> LuaData {
    var blob = FolioBlob(data: nil, length: 0, capacity: 0)
    defer { free(blob.data) }
    let status = folio_serialize(L, index, &blob)
    if status != LUA_OK {
      let message = string(at: -1) ?? "the value could not be copied"
      pop()
      throw LuaDataError(message: message)
    }
    guard let data = blob.data else { return LuaData(bytes: []) }
    return LuaData(bytes: Array(UnsafeBufferPointer(start: data, count: blob.length)))
  }

  /// Pushes a copied value. Stack: [-0, +1, m]
  public func push(_ data: LuaData) throws(LuaDataError) {
    let status = data.bytes.withUnsafeBufferPointer { b in
      folio_deserialize(L, b.baseAddress, b.count)
    }
    if status != LUA_OK {
      let message = string(at: -1) ?? "the value could not be restored"
      pop()
      throw LuaDataError(message: message)
    }
  }
}
