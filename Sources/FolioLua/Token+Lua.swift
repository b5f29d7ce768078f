import CFolioTokens
import FolioCore
import LuaRuntime

/// Tokens in Lua are views: light userdata naming a view of a document's tokens and an index
/// into it (DESIGN.md §2.7), read by a C `__index`.
///
/// Making one allocates nothing, which is what lets a Lua loop over every token of a corpus
/// run at tens of MB/s; a table per token costs Lua 5.4 a quarter of a microsecond or more
/// (measured in `Scripts/bench`). A view lives as long as its document is open: during the
/// call that received it in a plugin, for the session in scripts and the REPL (or until views
/// would hold more than 256 MiB: the oldest go first). A view is a snapshot: after `doc:cut`
/// its tokens still describe the text as it was (so cutting from the last token back works),
/// and `doc:tokens()` gives a new view. Reading a token of an ended view is an error that
/// says why.
extension FolioLua {
  /// The bytes (texts and records) a VM's token views may hold before the oldest views are
  /// released: 256 MiB.
  public static let tokenViewBudget = 256 << 20

  /// User value of a Document userdata holding its open token view (`view | revision << 32`).
  static let viewSlot: Int32 = 3

  /// The fields and the methods of a token (for the REPL's completion).
  public static let tokenFieldNames = [
    "text", "first", "last", "kind", "norm", "pos", "tag", "lemma",
  ]
  public static let tokenMethods = ["next", "prev", "covering", "within", "totable"]

  /// `t:totable()`: the token's fields as a plain table.
  static func tokenTable(_ L: LuaState) throws(LuaHostError) -> Int32 {
    pushTable(try tokenInfo(L, 1), L)
    return 1
  }

  /// Installs the token metatable shared by all light userdata.
  static func installTokenViews(_ vm: LuaVM, _ context: FolioLuaContext) {
    let L = vm.state
    L.newTable(hash: 4)
    vm.setFunction("__tostring") { (L) throws(LuaHostError) -> Int32 in
      let info = try tokenInfo(L, 1)
      L.pushString(describe(info))
      return 1
    }
    // How a token travels into a copied state or JSON: as its fields (while it is valid).
    vm.setFunction("__folio_plain", tokenTable)
    L.pushString("Token")
    L.rawSet(-2, "__metatable")
    L.pushString("Token")
    L.rawSet(-2, "__name")
    L.newTable(hash: 5)
    setFunctions(vm, reference.filter { $0.receiver == "Token" }, context)
    // `t.pos`, `t.lemma`: attributes a tagger set (the token's `__index` asks here for a name
    // that is not a field or a method).
    vm.setFunction("__attr") { (L) throws(LuaHostError) -> Int32 in
      let info = try tokenInfo(L, 1)
      guard let name = L.string(at: 2) else { return 0 }
      folio_tokens_pushdocument(L.L, info.view)
      let doc = L.object(at: -1, as: Document.self)
      L.pop()
      guard let doc, doc.tokens.count == Int(info.count),
        let value = doc.tokenAttribute(name, at: Int(info.index))
      else { return 0 }
      L.pushString(value)
      return 1
    }
    L.pushFunction(
      vm.register("norm") { (L) throws(LuaHostError) -> Int32 in
        let info = try tokenInfo(L, 1)
        L.pushString(TextCase.norm(bytes(info)))
        return 1
      })
    for kind in TokenKind.allCases { L.pushString(kind.name) }
    _ = folio_tokens_install(L.L, Int32(TokenKind.allCases.count))
    folio_tokens_set_budget(L.L, tokenViewBudget)
  }

  /// The fields of the token at `index`, or nil when it is not a live token (for tools: the
  /// REPL's tables).
  public static func tokenFields(_ L: LuaState, _ index: Int32)
    -> (text: String, first: Int, last: Int, kind: String)?
  {
    var info = FolioTokenInfo()
    guard folio_tokens_get(L.L, index, &info) == Int32(FOLIO_TOKEN_OK.rawValue) else {
      return nil
    }
    return (
      String(decoding: bytes(info), as: UTF8.self), Int(info.record.start) + 1,
      Int(info.record.end), kindName(info)
    )
  }

  /// What `tostring` shows for the token at `index`, or nil when it is not a token.
  public static func tokenDescription(_ L: LuaState, _ index: Int32) -> String? {
    var info = FolioTokenInfo()
    let status = folio_tokens_get(L.L, index, &info)
    if status == Int32(FOLIO_TOKEN_OK.rawValue) { return describe(info) }
    if status == Int32(FOLIO_TOKEN_NOT_TOKEN.rawValue) { return nil }
    return "<Token (stale)>"
  }

  /// The token at `arg`, or an error saying what it is instead (or why it is stale).
  static func tokenInfo(_ L: LuaState, _ arg: Int32) throws(LuaHostError) -> FolioTokenInfo {
    var info = FolioTokenInfo()
    let status = folio_tokens_get(L.L, arg, &info)
    if status == Int32(FOLIO_TOKEN_OK.rawValue) { return info }
    if status == Int32(FOLIO_TOKEN_NOT_TOKEN.rawValue) { throw .type(arg, expected: "Token") }
    throw .message(String(cString: folio_tokens_message(status)))
  }

  /// The token's text bytes.
  static func bytes(_ info: FolioTokenInfo) -> UnsafeBufferPointer<UInt8> {
    let start = UnsafeRawPointer(info.text).map { $0 + Int(info.record.start) }
    return UnsafeBufferPointer(
      start: start?.assumingMemoryBound(to: UInt8.self),
      count: Int(info.record.end - info.record.start))
  }

  /// `{text, first, last, kind}` of a token. Stack: [-0, +1, m]
  static func pushTable(_ info: FolioTokenInfo, _ L: LuaState) {
    L.newTable(hash: 4)
    L.pushBytes(UnsafeRawBufferPointer(bytes(info)))
    L.rawSet(-2, "text")
    L.pushInteger(Int(info.record.start) + 1)
    L.rawSet(-2, "first")
    L.pushInteger(Int(info.record.end))
    L.rawSet(-2, "last")
    L.pushString(kindName(info))
    L.rawSet(-2, "kind")
    for (name, value) in attributes(info, L) {
      L.pushString(value)
      L.rawSet(-2, name)
    }
  }

  /// `{text, first, last, kind}` of token `t` of `text` (valid UTF-8), with the attributes a
  /// tagger set when `doc` is given (`index`: the token's place in it). Stack: [-0, +1, m]
  public static func pushTokenTable(
    _ t: Token, in text: UnsafeBufferPointer<UInt8>, _ L: LuaState, doc: Document? = nil,
    index: Int = 0
  ) {
    L.newTable(hash: 4 + Int32(doc?.tokenColumnNames.count ?? 0))
    L.pushBytes(text.baseAddress.unsafelyUnwrapped + Int(t.start), Int(t.end - t.start))
    L.rawSet(-2, "text")
    L.pushInteger(Int(t.start) + 1)
    L.rawSet(-2, "first")
    L.pushInteger(Int(t.end))
    L.rawSet(-2, "last")
    L.pushString(t.kind.name)
    L.rawSet(-2, "kind")
    for name in doc?.tokenColumnNames ?? [] {
      if let v = doc?.tokenAttribute(name, at: index) {
        L.pushString(v)
        L.rawSet(-2, name)
      }
    }
  }

  /// The attributes a tagger set on the token (`pos`, `tag`, `lemma`), in the order set.
  static func attributes(_ info: FolioTokenInfo, _ L: LuaState) -> [(String, String)] {
    folio_tokens_pushdocument(L.L, info.view)
    let doc = L.object(at: -1, as: Document.self)
    L.pop()
    guard let doc, !doc.tokenColumnNames.isEmpty, doc.tokens.count == Int(info.count) else {
      return []
    }
    return doc.tokenColumnNames.compactMap { name in
      doc.tokenAttribute(name, at: Int(info.index)).map { (name, $0) }
    }
  }

  static func kindName(_ info: FolioTokenInfo) -> String {
    TokenKind(rawValue: UInt8(truncatingIfNeeded: info.record.kind))?.name ?? "word"
  }

  /// What `tostring(token)` shows: `Token(5-9 word "money")`.
  static func describe(_ info: FolioTokenInfo) -> String {
    let text = shortQuote(String(decoding: bytes(info), as: UTF8.self))
    return "Token(\(info.record.start + 1)-\(info.record.end) \(kindName(info)) \(text))"
  }

  /// The open view of the document userdata at `docIndex`, made now when it has none or its
  /// text changed since.
  static func tokenView(of doc: Document, _ L: LuaState, doc docIndex: Int32) -> UInt64? {
    let d = L.absolute(docIndex)
    let revision = UInt64(truncatingIfNeeded: doc.revision) & 0xffff_ffff
    if L.getUserValue(d, viewSlot) == .number, let stored = L.integer(at: -1) {
      let bits = UInt64(bitPattern: Int64(stored))
      let view = bits & 0xffff_ffff
      if bits >> 32 == revision, folio_tokens_alive(L.L, view) != 0 {
        L.pop()
        return view
      }
    }
    L.pop()
    let tokens = doc.tokens
    // The records index into this string: it must be the current text (a cached `doc.text`
    // of another length would let a token read past its end).
    if L.getUserValue(d, textSlot) != .string || L.rawLength(-1) != doc.byteCount {
      L.pop()
      L.pushString(doc.text)
      L.pushValue(-1)
      L.setUserValue(d, textSlot)
    }
    var view: UInt64 = 0
    guard
      let records = folio_tokens_open(L.L, d, -1, UInt32(clamping: tokens.count), &view)
    else {
      L.pop()
      return nil
    }
    L.pop()
    for (i, t) in tokens.enumerated() {
      records[i] = FolioTokenRecord(
        start: UInt32(truncatingIfNeeded: t.start), end: UInt32(truncatingIfNeeded: t.end),
        kind: UInt32(t.kind.rawValue))
    }
    L.pushInteger(Int(Int64(bitPattern: view | revision << 32)))
    L.setUserValue(d, viewSlot)
    return view
  }

  /// Ends the token views of the document userdata at `docIndex`: their tokens become stale.
  /// Stack: [-0, +0, -]
  static func closeTokenViews(_ L: LuaState, doc docIndex: Int32) {
    folio_tokens_close_document(L.L, docIndex)
  }

  /// Pushes the tokens of `doc` (all, or those at `indices`) as a List of token views; the
  /// document's userdata is at `docIndex`. Stack: [-0, +1, m]
  static func pushTokens(
    of doc: Document, _ L: LuaState, doc docIndex: Int32, indices: [UInt32]? = nil
  ) {
    guard let view = tokenView(of: doc, L, doc: docIndex) else {
      L.newTable()
      makeList(L)
      return
    }
    let pushed: Int32
    if let indices {
      pushed = indices.withUnsafeBufferPointer {
        folio_tokens_push(L.L, view, $0.baseAddress, UInt32(clamping: $0.count))
      }
    } else {
      pushed = folio_tokens_push(L.L, view, nil, 0)
    }
    if pushed == 0 { L.newTable() }
    makeList(L)
  }

  /// `token:next()` / `token:prev()`: the next or previous token of the document, or nil.
  static func tokenNeighbour(_ L: LuaState, offset: Int) throws(LuaHostError) -> Int32 {
    let info = try tokenInfo(L, 1)
    let index = Int(info.index) + offset
    guard index >= 0, index < Int(info.count),
      folio_tokens_push(L.L, info.view, [UInt32(index)], 1) != 0
    else {
      L.pushNil()
      return 1
    }
    L.rawGet(-1, 1)
    return 1
  }

  /// `token:covering(layer)` / `token:within(layer)`: the spans of `layer` that contain the
  /// token (its sentence) or lie inside it, as a List.
  static func tokenRelated(_ L: LuaState, covering: Bool) throws(LuaHostError) -> Int32 {
    let info = try tokenInfo(L, 1)
    let layer = try L.checkString(2)
    folio_tokens_pushdocument(L.L, info.view)
    let docIndex = L.top
    guard let doc = L.object(at: docIndex, as: Document.self) else {
      throw .message(String(cString: folio_tokens_message(Int32(FOLIO_TOKEN_CLOSED.rawValue))))
    }
    pushRelated(
      of: doc, L, doc: docIndex, layer: layer, covering: covering,
      range: Int(info.record.start)..<Int(info.record.end))
    return 1
  }
}
