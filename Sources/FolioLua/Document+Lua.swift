import FolioCore
import LuaRuntime

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
}
