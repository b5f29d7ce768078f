import CLua
import CLuaShim

/// A Lua value as plain Swift data, for copying between VMs (report states across workers and shards, DESIGN.md §5).
///
/// Tables keep their entries in Lua's traversal order; `==` compares them as Lua would see them
/// (order-insensitive).
public indirect enum LuaValue: Sendable, Hashable {
  case `nil`
  case bool(Bool)
  case integer(Int)
  case number(Double)
  case string([UInt8])
  case table([Entry])

  /// One key-value pair of a table.
  public struct Entry: Sendable, Hashable {
    public var key: LuaValue
    public var value: LuaValue

    public init(_ key: LuaValue, _ value: LuaValue) {
      self.key = key
      self.value = value
    }
  }

  /// Why a value could not be copied.
  public struct CopyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Where in the value, like `state.counts["x"]`.
    public var path: String
    public var description: String { "\(message) at \(path)" }
  }
}

extension LuaState {
  /// Copies the value at `index` into plain Swift data, reading tables raw.
  ///
  /// Functions, userdata, threads and cycles are refused with the path where they were found.
  public func copyValue(at index: Int32, path: String = "state") throws(LuaValue.CopyError)
    -> LuaValue
  {
    var visiting = Set<UnsafeRawPointer>()
    do {
      return try copy(absolute(index), &visiting, depth: 0)
    } catch {
      var error = error
      error.path = path + error.path
      throw error
    }
  }

  // Errors carry the path below the failing value (`["counts"]["x"]`); it is built only when
  // an error propagates, never for values that copy fine.
  private func copy(_ index: Int32, _ visiting: inout Set<UnsafeRawPointer>, depth: Int)
    throws(LuaValue.CopyError) -> LuaValue
  {
    switch type(at: index) {
    case .nil, .none: return .nil
    case .boolean: return .bool(bool(at: index))
    case .number:
      if isInteger(at: index), let i = integer(at: index) { return .integer(i) }
      return .number(number(at: index) ?? 0)
    case .string: return .string(bytes(at: index) ?? [])
    case .table:
      guard let p = lua_topointer(L, index) else { return .table([]) }
      guard depth < 100 else {
        throw LuaValue.CopyError(message: "tables nested more than 100 deep", path: "")
      }
      guard visiting.insert(p).inserted else {
        throw LuaValue.CopyError(message: "a table that contains itself (a cycle)", path: "")
      }
      defer { visiting.remove(p) }
      var entries: [LuaValue.Entry] = []
      entries.reserveCapacity(rawLength(index))
      var failure: LuaValue.CopyError?
      checkStack(4)
      let ok = forEach(index) {
        guard failure == nil else { return }
        var key = LuaValue.nil
        do throws(LuaValue.CopyError) {
          key = try copy(absolute(-2), &visiting, depth: depth + 1)
          let value = try copy(absolute(-1), &visiting, depth: depth + 1)
          entries.append(LuaValue.Entry(key, value))
        } catch {
          var error = error
          error.path = "[" + key.shortDescription + "]" + error.path
          failure = error
        }
      }
      if let failure { throw failure }
      if !ok {
        throw LuaValue.CopyError(message: "the table changed while it was copied", path: "")
      }
      return .table(entries)
    default:
      throw LuaValue.CopyError(
        message:
          "a \(typeName(at: index)) (states must be plain data: tables, strings, numbers, booleans)",
        path: "")
    }
  }

  /// Pushes a copied value. Stack: [-0, +1, m]
  public func push(_ value: LuaValue) {
    switch value {
    case .nil: pushNil()
    case .bool(let b): pushBool(b)
    case .integer(let i): pushInteger(i)
    case .number(let d): pushNumber(d)
    case .string(let s): s.withUnsafeBytes { pushBytes($0) }
    case .table(let entries):
      checkStack(3)
      var arrayCount: Int32 = 0
      for e in entries {
        if case .integer = e.key { arrayCount += 1 }
      }
      newTable(array: arrayCount, hash: Int32(clamping: entries.count) - arrayCount)
      let t = top
      for e in entries {
        if case .nil = e.key { continue }
        if case .number(let d) = e.key, d.isNaN { continue }
        push(e.key)
        push(e.value)
        lua_rawset(L, t)
      }
    }
  }
}

extension LuaValue {
  /// A short, Lua-like rendering of a key for paths in messages.
  public var shortDescription: String {
    switch self {
    case .nil: "nil"
    case .bool(let b): b ? "true" : "false"
    case .integer(let i): String(i)
    case .number(let d): luaNumberString(d)
    case .string(let s): "\"" + String(decoding: s.prefix(40), as: UTF8.self) + "\""
    case .table: "{...}"
    }
  }
}
