import FolioCore
import LuaRuntime

extension FolioLua {
  /// The document and the `norm` option of `doc:tokens` and `doc:token_columns`; leaves only
  /// the document on the stack.
  static func tokenArguments(_ L: LuaState) throws(LuaHostError) -> (Document, Bool) {
    let (doc, norm, _) = try tokenFilter(L)
    return (doc, norm)
  }

  /// The document, `norm`, and the tags asked for with `pos` (a string of comma-separated tags
  /// or a list) in the options table at 2.
  static func tokenFilter(_ L: LuaState) throws(LuaHostError) -> (
    Document, Bool, Set<String>?
  ) {
    let doc: Document = try L.checkObject(1, "Document")
    var norm = false
    var pos: Set<String>?
    if L.type(at: 2) == .table {
      norm = L.rawGet(2, "norm") == .boolean && L.bool(at: -1)
      L.pop()
      pos = try tagList(L, 2, "pos")
    }
    L.top = 1
    return (doc, norm, pos)
  }

  /// The tags of option `key` of the table at `index`: a string of comma-separated tags or a
  /// list of strings; nil when absent.
  static func tagList(_ L: LuaState, _ index: Int32, _ key: String) throws(LuaHostError)
    -> Set<String>?
  {
    defer { L.pop() }
    switch L.rawGet(index, key) {
    case .nil: return nil
    case .string:
      return Set(
        (L.string(at: -1) ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init))
    case .table:
      var out = Set<String>()
      let n = L.rawLength(-1)
      for i in 0..<n {
        L.rawGet(-1, i + 1)
        guard let s = L.string(at: -1) else {
          throw .message("option '\(key)': item \(i + 1) is a \(L.typeName(at: -1)), not a string")
        }
        out.insert(s)
        L.pop()
      }
      return out
    default:
      throw .message(
        "option '\(key)' must be a string or a list of strings, not a \(L.typeName(at: -1))")
    }
  }

  /// `doc:tokens([{pos = "NOUN,VERB"}])` → List of token views (with `pos`, only the tokens a
  /// tagger gave one of those parts of speech).
  static func tokens(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let (doc, _, pos) = try tokenFilter(L)
    guard let pos else {
      pushTokens(of: doc, L, doc: 1)
      return 1
    }
    guard let column = doc.tokenColumns["pos"] else {
      throw .message(
        "doc:tokens{pos = ...}: the document's tokens have no part of speech - run a tagger first (-p pos)"
      )
    }
    let codes = Set(pos.compactMap { column.code(of: $0) })
    var indices: [UInt32] = []
    for (i, c) in column.codes.enumerated() where codes.contains(c) { indices.append(UInt32(i)) }
    pushTokens(of: doc, L, doc: 1, indices: indices)
    return 1
  }

  /// `doc:token_columns([{norm = true}])` → `{text = {...}, first = {...}, last = {...},
  /// kind = {...} [, norm = {...}]}`: the tokens as parallel arrays, the fastest way to scan
  /// every token from Lua (no table per token).
  ///
  /// Each column is made the first time it is read (a scan of kinds makes no strings of
  /// texts); `pairs` makes them all. The columns can be read during the call that received the
  /// document, as spans can be followed.
  static func tokenColumns(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let (_, norm) = try tokenArguments(L)
    L.newTable(hash: 5)
    let out = L.top
    L.newTable(hash: 6)
    let meta = L.top
    L.rawGetRegistry(TokenColumnsKey.pointer)
    L.rawGet(-1, "__index")
    L.rawSet(meta, "__index")
    L.rawGet(-1, "__pairs")
    L.rawSet(meta, "__pairs")
    L.pop()
    L.pushValue(1)
    L.rawSet(meta, "doc")
    L.pushBool(norm)
    L.rawSet(meta, "norm")
    L.pushString("TokenColumns")
    L.rawSet(meta, "__metatable")
    L.setMetatable(out)
    return 1
  }

  /// The names of the columns `doc:token_columns` gives (`norm` only when asked).
  static let tokenColumnNames = ["text", "first", "last", "kind", "norm"]

  /// Stores the `__index` and `__pairs` of token-column tables in the registry.
  static func installTokenColumns(_ vm: LuaVM) {
    let L = vm.state
    L.newTable(hash: 2)
    vm.setFunction("__index") { (L) throws(LuaHostError) -> Int32 in
      guard L.type(at: 2) == .string, let name = L.string(at: 2) else { return 0 }
      try makeTokenColumn(L, name)
      return 1
    }
    vm.setFunction("__pairs") { (L) throws(LuaHostError) -> Int32 in
      var names = tokenColumnNames
      if L.rawMetatable(1) {
        L.rawGet(-1, "doc")
        names += L.object(at: -1, as: Document.self)?.tokenColumnNames ?? []
        L.pop(2)
      }
      for name in names where L.rawGet(1, name) == .nil {
        L.pop()
        try makeTokenColumn(L, name)
        L.pop()
      }
      L.rawGetRegistry(TokenColumnsKey.pointer)
      L.rawGet(-1, "next")
      L.replace(-2)
      L.pushValue(1)
      L.pushNil()
      return 3
    }
    L.getGlobal("next")  // the library's, before any plugin can replace it
    L.rawSet(-2, "next")
    L.rawSetRegistry(TokenColumnsKey.pointer)
  }

  /// Makes column `name` of the token-column table at index 1, stores it there and pushes it
  /// (nil for `norm` when it was not asked for). Stack: [-0, +1, m]
  static func makeTokenColumn(_ L: LuaState, _ name: String) throws(LuaHostError) {
    guard L.rawMetatable(1) else { throw .argument(1, "a table from doc:token_columns expected") }
    let meta = L.top
    L.rawGet(meta, "norm")
    let norm = L.bool(at: -1)
    L.pop()
    L.rawGet(meta, "doc")
    guard let doc = L.object(at: -1, as: Document.self) else {
      throw .message(
        "the Document of these token columns is closed: read its columns during the call that received the document"
      )
    }
    L.pop(2)
    if name == "norm" && !norm {
      L.pushNil()
      return
    }
    if !tokenColumnNames.contains(name) {
      // A token attribute a tagger set (`pos`, `lemma`), or nil.
      guard let values = doc.tokenColumns[name] else {
        L.pushNil()
        return
      }
      L.newTable(array: Int32(clamping: values.count))
      for i in 0..<values.count {
        L.pushString(values[i])
        L.rawSet(-2, i + 1)
      }
      L.pushValue(-1)
      L.rawSet(1, name)
      return
    }
    let tokens = doc.tokens
    L.checkStack(Int32(4 + TokenKind.allCases.count))
    let kinds = L.top + 1
    if name == "kind" { for kind in TokenKind.allCases { L.pushString(kind.name) } }
    L.newTable(array: Int32(clamping: tokens.count))
    let column = L.top
    var text = doc.text
    text.withUTF8 { buffer in
      guard let base = buffer.baseAddress else { return }
      switch name {
      case "text":
        for (i, t) in tokens.enumerated() {
          L.pushBytes(base + Int(t.start), Int(t.end - t.start))
          L.rawSet(column, i + 1)
        }
      case "first":
        for (i, t) in tokens.enumerated() {
          L.pushInteger(Int(t.start) + 1)
          L.rawSet(column, i + 1)
        }
      case "last":
        for (i, t) in tokens.enumerated() {
          L.pushInteger(Int(t.end))
          L.rawSet(column, i + 1)
        }
      case "kind":
        for (i, t) in tokens.enumerated() {
          L.pushValue(kinds + Int32(t.kind.rawValue))
          L.rawSet(column, i + 1)
        }
      default:
        for (i, t) in tokens.enumerated() {
          L.pushString(
            TextCase.norm(
              UnsafeBufferPointer(start: base + Int(t.start), count: Int(t.end - t.start))))
          L.rawSet(column, i + 1)
        }
      }
    }
    L.pushValue(column)
    L.rawSet(1, name)
    if name == "kind" {
      L.replace(kinds)
      L.top = kinds
    }
  }

}
