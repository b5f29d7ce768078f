import FolioCore
import LuaRuntime

/// Metadata of one document as seen from Lua: `doc.meta.key`, `doc.meta.key = v`, `pairs`.
final class MetaProxy {
  let document: Document
  init(_ document: Document) { self.document = document }
}

extension FolioLua {
  /// `<Meta {key = value, ...}>` when the value at `index` is a document's metadata, else nil.
  public static func metaDescription(_ L: LuaState, _ index: Int32) -> String? {
    guard let proxy = L.object(at: index, as: MetaProxy.self) else { return nil }
    let items = proxy.document.meta.entries.map { "\($0.key) = \($0.value.literal)" }
    return "<Meta {" + items.joined(separator: ", ") + "}>"
  }

  /// The metadata keys when the value at `index` is a document's metadata, else nil.
  public static func metaKeys(_ L: LuaState, _ index: Int32) -> [String]? {
    L.object(at: index, as: MetaProxy.self)?.document.meta.keys
  }

  /// Pushes a `Meta` proxy of `doc` (for tools; plugins reach it as `doc.meta`). Stack: [-0, +1, m]
  public static func pushMeta(of doc: Document, _ L: LuaState) {
    L.pushObject(MetaProxy(doc))
  }

  static let textSlot: Int32 = 1
  static let metaSlot: Int32 = 2

  /// Pushes a document as a `Document` userdata. Stack: [-0, +1, m]
  public static func push(_ document: Document, _ L: LuaState) {
    L.pushObject(document, userValues: 3)
  }

  static func documentType(context: FolioLuaContext) -> LuaObjectType<Document> {
    LuaObjectType<Document>(
      name: "Document",
      methods: methods(of: "Document", context),
      getter: { (L) throws(LuaHostError) -> Int32 in
        let doc: Document = try L.checkObject(1, "Document")
        switch L.string(at: 2) {
        case "id":
          L.pushString(doc.id)
        case "text":
          if L.getUserValue(1, textSlot) != .string {
            L.pop()
            L.pushString(doc.text)
            L.pushValue(-1)
            L.setUserValue(1, textSlot)
          }
        case "meta":
          if L.getUserValue(1, metaSlot) != .userdata {
            L.pop()
            L.pushObject(MetaProxy(doc))
            L.pushValue(-1)
            L.setUserValue(1, metaSlot)
          }
        default:
          L.pushNil()
        }
        return 1
      },
      metamethods: [
        (
          "__tostring",
          { (L) throws(LuaHostError) -> Int32 in
            let doc: Document = try L.checkObject(1, "Document")
            L.pushString(doc.description)
            return 1
          }
        ),
        (
          "__newindex",
          { (L) throws(LuaHostError) -> Int32 in
            let key = L.string(at: 2) ?? L.typeName(at: 2)
            throw .message(
              "cannot set field '\(key)' of a Document (use doc.meta.\(key) for metadata)")
          }
        ),
      ])
  }

  /// The document and the `norm` option of `doc:tokens` and `doc:token_columns`; leaves only
  /// the document on the stack.
  private static func tokenArguments(_ L: LuaState) throws(LuaHostError) -> (Document, Bool) {
    let (doc, norm, _) = try tokenFilter(L)
    return (doc, norm)
  }

  /// The document, `norm`, and the tags asked for with `pos` (a string of comma-separated tags
  /// or a list) in the options table at 2.
  private static func tokenFilter(_ L: LuaState) throws(LuaHostError) -> (
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
  private static let tokenColumnNames = ["text", "first", "last", "kind", "norm"]

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
  private static func makeTokenColumn(_ L: LuaState, _ name: String) throws(LuaHostError) {
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

  /// `doc:counts([{lower = false, kinds = {"word"}, ngram = 1, breaks}])` → `{[text] = count}`,
  /// total: token texts (or with `ngram = n` sequences "a b c") counted in Swift; only the
  /// distinct texts cross into Lua.
  static func counts(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    let options = try countOptions(L, 2)
    let counter: Counter
    if options.ngram > 2 || (options.ngram == 2 && options.breaks != nil) {
      counter = Counter(capacity: max(64, doc.tokens.count))
      doc.addNgrams(
        to: counter, n: options.ngram, kinds: options.kinds, breaks: options.breaks ?? [],
        sentences: options.sentences, lower: options.lower)
    } else if options.ngram == 2 {
      counter = doc.countBigrams(kinds: options.kinds, lower: options.lower)
    } else {
      counter = doc.countTokens(kinds: options.kinds, lower: options.lower)
    }
    L.newTable(hash: Int32(clamping: counter.count))
    let t = L.top
    for i in 0..<counter.count {
      counter.withKey(i) { key in
        if let base = key.baseAddress { L.pushBytes(base, key.count) } else { L.pushString("") }
      }
      L.pushInteger(counter.count(at: i))
      L.rawSetTop(t)
    }
    L.pushInteger(counter.total)
    return 2
  }

  /// Reads `{lower = false, kinds = {"word"}, ngram = 1}` at `arg` (absent: the defaults).
  static func countOptions(_ L: LuaState, _ arg: Int32) throws(LuaHostError) -> CountOptions {
    var o = CountOptions()
    guard !L.isNoneOrNil(arg) else { return o }
    try L.checkTable(arg)
    if L.rawGet(arg, "lower") != .nil { o.lower = L.bool(at: -1) }
    L.pop()
    if L.rawGet(arg, "ngram") != .nil {
      guard let n = L.integer(at: -1), (1...6).contains(n) else {
        L.pop()
        throw .argument(arg, "'ngram' must be 1 to 6")
      }
      o.ngram = n
    }
    L.pop()
    o.kinds = try kindList(L, arg, "kinds")?.kinds ?? o.kinds
    // What ends a run of n-grams: token kinds, and "sentence" for sentence ends.
    if let breaks = try kindList(L, arg, "breaks", extra: "sentence") {
      o.breaks = breaks.kinds
      o.sentences = breaks.extra
    }
    return o
  }

  /// What `countOptions` reads.
  struct CountOptions {
    var lower = false
    var kinds: Set<TokenKind> = [.word]
    var ngram = 1
    /// Nil: n-grams of adjacent counted tokens, whatever lies between (as before `breaks`).
    var breaks: Set<TokenKind>?
    var sentences = false
  }

  /// The token kinds listed in field `key` of the table at `arg` (nil when absent), and
  /// whether it holds `extra`, one more name the list may hold that is not a kind.
  private static func kindList(_ L: LuaState, _ arg: Int32, _ key: String, extra: String? = nil)
    throws(LuaHostError) -> (kinds: Set<TokenKind>, extra: Bool)?
  {
    let type = L.rawGet(arg, key)
    defer { L.pop() }
    if type == .nil { return nil }
    guard type == .table else { throw .argument(arg, "'\(key)' must be a list of token kinds") }
    var kinds: Set<TokenKind> = []
    var sawExtra = false
    for i in 0..<L.rawLength(-1) {
      L.rawGet(-1, i + 1)
      defer { L.pop() }
      guard let name = L.string(at: -1) else {
        throw .argument(arg, "'\(key)' must be a list of token kinds")
      }
      if name == extra {
        sawExtra = true
        continue
      }
      guard let kind = TokenKind.allCases.first(where: { $0.name == name }) else {
        var names = TokenKind.allCases.map(\.name)
        if let extra { names.append(extra) }
        throw .argument(
          arg, "unknown token kind in '\(key)' (kinds: \(names.joined(separator: ", ")))")
      }
      kinds.insert(kind)
    }
    return (kinds, sawExtra)
  }

  /// `doc:find_tokens(word [, {ignore_case = false, possessive = false}])` → List of the
  /// tokens `{text, first, last, kind}` equal to `word`, found in Swift.
  static func findTokens(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    let word = try L.checkString(2)
    var ignoreCase = false
    var possessive = false
    if !L.isNoneOrNil(3) {
      try L.checkTable(3)
      if L.rawGet(3, "ignore_case") != .nil { ignoreCase = L.bool(at: -1) }
      L.pop()
      if L.rawGet(3, "possessive") != .nil { possessive = L.bool(at: -1) }
      L.pop()
    }
    let found = doc.findTokens(word, ignoreCase: ignoreCase, possessive: possessive)
    L.newTable(array: Int32(clamping: found.count))
    var text = doc.text
    text.withUTF8 { buffer in
      for (i, t) in found.enumerated() {
        pushTokenTable(t, in: buffer, L)
        L.rawSet(-2, i + 1)
      }
    }
    makeList(L)
    return 1
  }

  /// `doc:add(layer, first, last [, label [, attrs]])`: positions as `string.find` gives them.
  static func add(_ L: LuaState, _ context: FolioLuaContext) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    let layer = try L.checkString(2)
    let first = try L.checkInteger(3)
    let last = try L.checkInteger(4)
    let label = try L.optString(5)
    var attributes: [(String, MetaValue)] = []
    if !L.isNoneOrNil(6) {
      try L.checkTable(6)
      var failure: LuaHostError?
      L.forEach(6) {
        guard let key = L.string(at: -2), L.type(at: -2) == .string else {
          failure = .argument(6, "attribute names must be strings")
          return
        }
        if let value = metaValue(L, -1) {
          attributes.append((key, value))
        } else {
          failure = .argument(
            6, "attribute '\(key)' has an unsupported type (\(L.typeName(at: -1)))")
        }
      }
      if let failure { throw failure }
      attributes.sort { $0.0 < $1.0 }
    }
    try checkWritable(layer, context, arg: 2)
    let count = doc.byteCount
    guard first >= 1, first <= count + 1 else {
      throw .argument(3, "position \(first) is outside the text (1 to \(count))")
    }
    guard last >= first - 1, last <= count else {
      throw .argument(4, "position \(last) is outside the text (\(first - 1) to \(count))")
    }
    let span = Span(start: first - 1, end: last, label: label, attributes: attributes)
    try L.chargeDocument(hostBytes(of: span))
    doc.add(span, to: layer)
    return 0
  }

  /// `doc:spans(layer [, {label, within = {first, last}, covering = {first, last}}])` → List of `{first, last, text, label, layer, attrs}` in text order.
  ///
  /// `within` keeps the spans inside a range (the entities of a sentence), `covering` those
  /// that contain it (the sentence of an entity).
  static func spans(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    let name = try L.checkString(2)
    var label: String?
    var within: Range<Int>?
    var covering: Range<Int>?
    if !L.isNoneOrNil(3) {
      try L.checkTable(3)
      if L.rawGet(3, "label") == .string { label = L.string(at: -1) }
      L.pop()
      within = try range(L, 3, "within")
      covering = try range(L, 3, "covering")
    }
    if name == "token" {
      // Tokens: `label` picks a kind.
      L.top = 2
      guard label != nil || within != nil || covering != nil else {
        pushTokens(of: doc, L, doc: 1)
        return 1
      }
      var indices: [UInt32] = []
      for (i, t) in doc.tokens.enumerated() {
        let start = Int(t.start)
        let end = Int(t.end)
        if (label == nil || t.kind.name == label)
          && (within.map { start >= $0.lowerBound && end <= $0.upperBound } ?? true)
          && (covering.map { start <= $0.lowerBound && end >= $0.upperBound } ?? true)
        {
          indices.append(UInt32(i))
        }
      }
      pushTokens(of: doc, L, doc: 1, indices: indices)
      return 1
    }
    let meta = pushSpanMeta(L, doc: 1)
    pushSpans(of: doc, layer: name, L, meta: meta) { span in
      (label == nil || span.label == label)
        && (within.map { span.start >= $0.lowerBound && span.end <= $0.upperBound } ?? true)
        && (covering.map { span.start <= $0.lowerBound && span.end >= $0.upperBound } ?? true)
    }
    return 1
  }

  /// `doc:next(span)` / `doc:prev(span)`: the span after or before `span` in its layer, or nil.
  static func neighbour(_ L: LuaState, offset: Int) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    try L.checkTable(2)
    guard L.rawGet(2, "layer") == .string, let layer = L.string(at: -1) else {
      throw .argument(2, "a span from doc:spans (with first, last and layer) expected")
    }
    L.pop()
    L.rawGet(2, "first")
    L.rawGet(2, "last")
    guard let first = L.integer(at: -2), let last = L.integer(at: -1), first >= 1,
      first <= doc.byteCount + 1, last >= first - 1, last <= doc.byteCount
    else {
      throw .argument(2, "a span from doc:spans (with first, last and layer) expected")
    }
    L.pop(2)
    guard let span = doc.neighbour(in: layer, start: first - 1, end: last, offset: offset) else {
      L.pushNil()
      return 1
    }
    let meta = pushSpanMeta(L, doc: 1)
    pushSpans(of: doc, layer: layer, L, meta: meta) { $0 == span }
    L.rawGet(-1, 1)
    return 1
  }

  /// `doc:original(first, last)` → the positions of first..last in the text as read, before
  /// any `cut`.
  static func original(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    let first = try L.checkInteger(2)
    let last = L.isNoneOrNil(3) ? first : try L.checkInteger(3)
    let count = doc.byteCount
    guard first >= 1, first <= count + 1 else {
      throw .argument(2, "position \(first) is outside the text (1 to \(count))")
    }
    guard last >= first - 1, last <= count else {
      throw .argument(3, "position \(last) is outside the text (\(first - 1) to \(count))")
    }
    L.pushInteger(doc.originalOffset(first - 1, start: true) + 1)
    L.pushInteger(doc.originalOffset(last, start: false))
    return 2
  }

  /// `doc:sentences()` → List of `{first, last, text, layer}`: the `sentence` layer.
  static func sentences(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    let meta = pushSpanMeta(L, doc: 1)
    pushSpans(of: doc, layer: "sentence", L, meta: meta)
    return 1
  }

  /// Reads `{first, last}` (string.find positions) from field `key` of the table at `arg` as a byte range, or nil.
  static func range(_ L: LuaState, _ arg: Int32, _ key: String) throws(LuaHostError) -> Range<Int>?
  {
    guard L.rawGet(arg, key) != .nil else {
      L.pop()
      return nil
    }
    defer { L.pop() }
    guard L.type(at: -1) == .table else { throw .argument(arg, "'\(key)' must be {first, last}") }
    L.rawGet(-1, 1)
    L.rawGet(-2, 2)
    defer { L.pop(2) }
    guard let first = L.integer(at: -2), let last = L.integer(at: -1), first >= 1, last >= first - 1
    else {
      throw .argument(arg, "'\(key)' must be {first, last} with 1 <= first <= last + 1")
    }
    return (first - 1)..<last
  }

  /// `doc:remove(layer [, first, last])`: the whole layer, or its spans inside first..last; returns how many spans went.
  static func remove(_ L: LuaState, _ context: FolioLuaContext) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    let layer = try L.checkString(2)
    try checkWritable(layer, context, arg: 2)
    if L.isNoneOrNil(3) {
      let n = doc.layer(layer)?.spans.count ?? 0
      doc.removeLayer(layer)
      L.pushInteger(n)
      return 1
    }
    let first = try L.checkInteger(3) - 1
    let last = try L.checkInteger(4)
    L.pushInteger(doc.removeSpans(from: layer) { $0.start >= first && $0.end <= last })
    return 1
  }

  /// Pushes the spans of `layer` that pass `keep` as a List of `{first, last, text, label, layer, attrs}`
  /// (positions as `string.find` gives them). Stack: [-0, +1, m]
  public static func pushSpans(
    of doc: Document, layer name: String, _ L: LuaState, meta: Int32? = nil,
    keep: (Span) -> Bool = { _ in true }
  ) {
    let spans = doc.spans(name).filter(keep)
    L.newTable(array: Int32(clamping: spans.count))
    var text = doc.text
    text.withUTF8 { buffer in
      for (i, span) in spans.enumerated() {
        L.newTable(hash: 6)
        L.pushInteger(span.start + 1)
        L.rawSet(-2, "first")
        L.pushInteger(span.end)
        L.rawSet(-2, "last")
        if let base = buffer.baseAddress, span.end <= buffer.count {
          L.pushBytes(base + span.start, span.end - span.start)
          L.rawSet(-2, "text")
        }
        if let label = span.label {
          L.pushString(label)
          L.rawSet(-2, "label")
        }
        L.pushString(name)
        L.rawSet(-2, "layer")
        L.newTable(hash: Int32(span.attributes.count))
        for (key, value) in span.attributes {
          push(value, L)
          L.rawSet(-2, key)
        }
        L.rawSet(-2, "attrs")
        if let meta {
          L.pushValue(meta)
          L.setMetatable(-2)
        }
        L.rawSet(-2, i + 1)
      }
    }
    makeList(L)
  }

  /// `doc:layers()` → List of layer names.
  static func layers(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    L.newTable(array: Int32(doc.layerNames.count))
    for (i, name) in doc.layerNames.enumerated() {
      L.pushString(name)
      L.rawSet(-2, i + 1)
    }
    makeList(L)
    return 1
  }

  /// `doc:cut(first, last)`: removes bytes first..last (inclusive) from the text.
  static func cut(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    let first = try L.checkInteger(2)
    let last = try L.checkInteger(3)
    let count = doc.byteCount
    guard first >= 1, first <= count + 1 else {
      throw .argument(2, "position \(first) is outside the text (1 to \(count))")
    }
    guard last >= first - 1, last <= count else {
      throw .argument(3, "position \(last) is outside the text (\(first - 1) to \(count))")
    }
    doc.cut((first - 1)..<last)
    // The cached text string is stale now.
    L.pushNil()
    L.setUserValue(1, textSlot)
    return 0
  }

  /// `doc:minhash([{shingle = 5, size = 64}])` → List of `size` integers (53-bit, so they compare and hash exactly in Lua).
  static func minhash(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    var shingle = 5
    var size = 64
    if !L.isNoneOrNil(2) {
      try L.checkTable(2)
      shingle = try L.integerField(2, "shingle", shingle, in: 1...64)
      size = try L.integerField(2, "size", size, in: 1...1024)
    }
    guard (1...64).contains(shingle), (1...1024).contains(size) else {
      throw .argument(2, "'shingle' must be 1 to 64 and 'size' 1 to 1024")
    }
    let signature = doc.minhash(shingle: shingle, size: size)
    L.newTable(array: Int32(size))
    for (i, v) in signature.enumerated() {
      L.pushInteger(Int(v >> 11))
      L.rawSet(-2, i + 1)
    }
    makeList(L)
    return 1
  }

  /// `doc:text_of(first, last)`: the text between two positions (like `doc.text:sub`).
  static func textOf(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    let count = doc.byteCount
    let first = max(1, try L.checkInteger(2))
    let last = min(count, try L.optInteger(3, count))
    var text = doc.text
    text.withUTF8 { buffer in
      if first <= last, let base = buffer.baseAddress {
        L.pushBytes(base + first - 1, last - first + 1)
      } else {
        L.pushString("")
      }
    }
    return 1
  }

  static func metaType(context: FolioLuaContext) -> LuaObjectType<MetaProxy> {
    LuaObjectType<MetaProxy>(
      name: "Meta",
      getter: { (L) throws(LuaHostError) -> Int32 in
        let proxy: MetaProxy = try L.checkObject(1, "Meta")
        guard let key = L.string(at: 2), let value = proxy.document.meta[key] else {
          L.pushNil()
          return 1
        }
        push(value, L)
        return 1
      },
      metamethods: [
        (
          "__newindex",
          { (L) throws(LuaHostError) -> Int32 in
            let proxy: MetaProxy = try L.checkObject(1, "Meta")
            guard L.type(at: 2) == .string, let key = L.string(at: 2) else {
              throw .message("metadata keys must be strings, got \(L.typeName(at: 2))")
            }
            // Room for the copy first, before it is made.
            try L.reserveHost(2 * (key.utf8.count + L.rawLength(3)) + 64)
            if L.isNoneOrNil(3) {
              proxy.document.meta[key] = nil
            } else if let value = metaValue(L, 3) {
              try L.chargeDocument(key.utf8.count + hostBytes(of: value))
              proxy.document.meta[key] = value
            } else {
              throw .message(
                "metadata values must be strings, numbers, booleans or lists of them, got \(L.typeName(at: 3)) for '\(key)'"
              )
            }
            return 0
          }
        ),
        (
          "__pairs",
          { (L) throws(LuaHostError) -> Int32 in
            _ = try L.checkObject(1, "Meta", as: MetaProxy.self)
            guard let next = context.metaNext else {
              throw .message("Folio's Lua API is not installed")
            }
            L.pushFunction(next)
            L.pushValue(1)
            L.pushNil()
            return 3
          }
        ),
        (
          "__len",
          { (L) throws(LuaHostError) -> Int32 in
            let proxy: MetaProxy = try L.checkObject(1, "Meta")
            L.pushInteger(proxy.document.meta.count)
            return 1
          }
        ),
        (
          "__tostring",
          { (L) throws(LuaHostError) -> Int32 in
            let proxy: MetaProxy = try L.checkObject(1, "Meta")
            let items = proxy.document.meta.entries.map { "\($0.key)=\($0.value)" }
            L.pushString("Meta{" + items.joined(separator: ", ") + "}")
            return 1
          }
        ),
      ])
  }

  static func metaNext(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let proxy: MetaProxy = try L.checkObject(1, "Meta")
    let meta = proxy.document.meta
    var index = 0
    if let key = L.string(at: 2), let i = meta.position(of: key) { index = i + 1 }
    guard let (key, value) = meta.entry(at: index) else {
      L.pushNil()
      return 1
    }
    L.pushString(key)
    push(value, L)
    return 2
  }

  /// Pushes a metadata value. Stack: [-0, +1, m]
  public static func push(_ value: MetaValue, _ L: LuaState) {
    switch value {
    case .string(let s): L.pushString(s)
    case .integer(let i): L.pushInteger(i)
    case .number(let d): L.pushNumber(d)
    case .bool(let b): L.pushBool(b)
    case .list(let items):
      L.newTable(array: Int32(items.count))
      for (i, item) in items.enumerated() {
        push(item, L)
        L.rawSet(-2, i + 1)
      }
    }
  }

  /// Reads a metadata value (string, number, boolean or a list of them), raw.
  public static func metaValue(_ L: LuaState, _ index: Int32, depth: Int = 0) -> MetaValue? {
    switch L.type(at: index) {
    case .string: return L.string(at: index).map(MetaValue.string)
    case .number:
      if L.isInteger(at: index), let i = L.integer(at: index) { return .integer(i) }
      return L.number(at: index).map(MetaValue.number)
    case .boolean: return .bool(L.bool(at: index))
    case .table where depth < 8:
      let t = L.absolute(index)
      let n = L.rawLength(t)
      var items: [MetaValue] = []
      for i in 0..<n {
        L.rawGet(t, i + 1)
        defer { L.pop() }
        guard let v = metaValue(L, -1, depth: depth + 1) else { return nil }
        items.append(v)
      }
      return .list(items)
    default: return nil
    }
  }
}
