import FolioCore
import LuaRuntime

enum RowsKey {
  final class Key {}
  static var pointer: UnsafeRawPointer {
    unsafeBitCast(Key.self as AnyClass, to: UnsafeRawPointer.self)
  }
}

enum ListKey {
  final class Key {}
  static var pointer: UnsafeRawPointer {
    unsafeBitCast(Key.self as AnyClass, to: UnsafeRawPointer.self)
  }
}

/// Installs Folio's Lua API in a VM: the `folio` module, the host types and `List`.
public enum FolioLua {
  /// The API version plugins declare a range against (`folio = ">=0.1"`).
  public static let apiVersion = "0.1.0"

  static let listSource = String(decoding: PackageResources.list_lua, as: UTF8.self)

  /// Installs the API.
  ///
  /// Throws only when the VM runs out of memory.
  public static func install(in vm: LuaVM, context: FolioLuaContext) throws(LuaError) {
    let L = vm.state
    try vm.run(listSource, chunkname: "=folio.List", results: 1)
    L.pushValue(-1)
    L.rawSetRegistry(ListKey.pointer)
    let listIndex = L.top

    installSpanMethods(vm, context)
    installTokenViews(vm, context)
    installTokenColumns(vm)
    try vm.register(documentType(context: context))
    context.metaNext = vm.register("next", metaNext)
    try vm.register(metaType(context: context))

    L.newTable()
    L.pushString(apiVersion)
    L.rawSet(-2, "version")
    L.pushValue(listIndex)
    L.rawSet(-2, "List")
    setFunctions(vm, functions(in: "folio"), context)
    L.newTable(hash: 6)
    setFunctions(vm, functions(in: "folio.text"), context)
    L.rawSet(-2, "text")
    L.newTable(hash: 2)
    setFunctions(vm, functions(in: "folio.json"), context)
    L.rawSet(-2, "json")
    L.newTable(hash: 8)
    setFunctions(vm, functions(in: "folio.stats"), context)
    pushFormulas(L)
    L.rawSet(-2, "stats")
    try vm.run(tableSource, chunkname: "=folio.table", results: 2)
    try vm.load(tableMethodsSource, chunkname: "=folio.table")
    L.pushValue(-2)  // the metatable, as the chunk's argument
    try vm.call(arguments: 1, results: 0)
    L.pop()  // the metatable
    L.rawSet(-2, "table")
    try vm.register(counterType(context: context))
    try vm.register(gazetteerType(context: context))
    try vm.register(taggerType(context: context))
    L.newTable(hash: 1)
    setFunctions(vm, functions(in: "folio.tagger"), context)
    L.rawSet(-2, "tagger")
    try vm.register(regexType(context: context))
    try vm.register(corpusType(context: context))
    try vm.load(regexModuleSource, chunkname: "=folio.re")
    L.newTable(hash: 1)  // folio.re.compile, as the chunk's argument
    setFunctions(vm, functions(in: "folio.re"), context)
    L.rawGet(-1, "compile")
    L.remove(-2)
    try vm.call(arguments: 1, results: 1)
    L.rawSet(-2, "re")
    L.setGlobal("folio")
    L.pop()  // List
  }

  /// `folio.log(...)`: its arguments to stderr, tab-separated, after the plugin's name.
  static func log(_ L: LuaState, _ context: FolioLuaContext) throws(LuaHostError) -> Int32 {
    var parts: [String] = []
    for i in 1...max(1, L.top) where i <= L.top {
      parts.append(
        L.string(at: i)
          ?? (L.type(at: i) == .number ? (try? L.checkString(i)) ?? "" : L.typeName(at: i)))
    }
    FolioLog.write("plugin '\(context.pluginName)': " + parts.joined(separator: "\t"))
    return 0
  }

  /// `folio.top(t, n)`: the `n` entries of `t` with the largest numeric values, as a List of `{key, value}` pairs, ties broken by key (byte order) so the result is deterministic.
  ///
  /// Runs in Swift: a partial sort instead of `table.sort` with a Lua comparator.
  static func top(_ L: LuaState) throws(LuaHostError) -> Int32 {
    try L.checkTable(1)
    let n = try L.checkInteger(2)
    var items: [(key: [UInt8], value: Double, slot: Int)] = []
    var failure: LuaHostError?
    L.newTable()  // the keys and values by slot: 2·slot−1 → key, 2·slot → value
    let keep = L.top
    var slot = 0
    L.forEach(1) {
      guard failure == nil else { return }
      guard let v = L.number(at: -1) else {
        failure = .argument(1, "values must be numbers, got \(L.typeName(at: -1))")
        return
      }
      let key: [UInt8]
      switch L.type(at: -2) {
      case .string: key = L.bytes(at: -2) ?? []
      case .number: key = Array(((try? L.checkString(-2)) ?? "").utf8)
      default: key = Array(L.typeName(at: -2).utf8)
      }
      slot += 1
      L.pushValue(-2)
      L.rawSet(keep, 2 * slot - 1)
      L.pushValue(-1)
      L.rawSet(keep, 2 * slot)
      items.append((key, v, slot))
    }
    if let failure { throw failure }
    let limit = n <= 0 ? items.count : min(n, items.count)
    func before(
      _ a: (key: [UInt8], value: Double, slot: Int), _ b: (key: [UInt8], value: Double, slot: Int)
    ) -> Bool {
      a.value != b.value ? a.value > b.value : a.key.lexicographicallyPrecedes(b.key)
    }
    let best = items.top(limit, by: before)
    L.newTable(array: Int32(best.count))
    for (i, item) in best.enumerated() {
      L.newTable(array: 2)
      L.rawGet(keep, 2 * item.slot - 1)
      L.rawSet(-2, 1)
      L.rawGet(keep, 2 * item.slot)
      L.rawSet(-2, 2)
      L.rawSet(-2, i + 1)
    }
    makeList(L)
    return 1
  }

  /// Pushes a new List from the table on top (sets its metatable). Stack: [-0, +0, -]
  static func makeList(_ L: LuaState) {
    L.rawGetRegistry(ListKey.pointer)
    L.setMetatable(-2)
  }

  /// Makes the table on top a List of rows: its metatable, shared by all rows lists with the same columns, also says which fields to show as columns, in order, and which to align right (the REPL's table display). Stack: [-0, +0, m]
  public static func makeRows(_ L: LuaState, columns: [String], rightAligned: Set<String>) {
    let key = columns.map { rightAligned.contains($0) ? ">" + $0 : $0 }.joined(separator: ",")
    if L.rawGetRegistry(RowsKey.pointer) != .table {
      L.pop()
      L.newTable()
      L.pushValue(-1)
      L.rawSetRegistry(RowsKey.pointer)
    }
    if L.rawGet(-1, key) != .table {
      L.pop()
      L.newTable(hash: 6)
      L.rawGetRegistry(ListKey.pointer)
      L.pushValue(-1)
      L.rawSet(-3, "__index")
      L.rawGet(-1, "__tostring")
      L.rawSet(-3, "__tostring")
      L.pop()
      L.pushString("List")
      L.rawSet(-2, "__name")
      L.newTable(array: Int32(columns.count))
      for (i, c) in columns.enumerated() {
        L.pushString(c)
        L.rawSet(-2, i + 1)
      }
      L.rawSet(-2, "__columns")
      L.newTable(hash: Int32(rightAligned.count))
      for c in rightAligned {
        L.pushBool(true)
        L.rawSet(-2, c)
      }
      L.rawSet(-2, "__right")
      L.pushValue(-1)
      L.rawSet(-3, key)
    }
    L.remove(-2)
    L.setMetatable(-2)
  }
}
