import FolioCore
import LuaRuntime

enum SpanMethodsKey {
  final class Key {}
  static var pointer: UnsafeRawPointer {
    unsafeBitCast(Key.self as AnyClass, to: UnsafeRawPointer.self)
  }
}

enum TokenColumnsKey {
  final class Key {}
  static var pointer: UnsafeRawPointer {
    unsafeBitCast(Key.self as AnyClass, to: UnsafeRawPointer.self)
  }
}

/// Methods of the span and sentence tables Folio returns: `s:next()`, `s:prev()`,
/// `s:covering(layer)`, `s:within(layer)` (tokens are views with the same methods:
/// Token+Lua.swift).
///
/// The tables stay plain data (fields `first`, `last`, `text`, ...; they copy into report
/// states and JSON as such). Each call that makes them (`doc:spans`, `doc:sentences`, ...)
/// gives them one metatable holding the document, hidden from the plugin by `__metatable`; the
/// methods are shared host functions that read it.
extension FolioLua {
  /// Stores the span method table in the registry.
  static func installSpanMethods(_ vm: LuaVM, _ context: FolioLuaContext) {
    let L = vm.state
    L.newTable(hash: 5)
    setFunctions(vm, reference.filter { $0.receiver == "Span" }, context)
    vm.setFunction("__tostring") { (L) throws(LuaHostError) -> Int32 in
      L.pushString(describe(L, 1))
      return 1
    }
    L.rawSetRegistry(SpanMethodsKey.pointer)
  }

  /// Pushes a metatable for spans of the document at `docIndex`; returns its absolute index.
  /// Stack: [-0, +1, m]
  static func pushSpanMeta(_ L: LuaState, doc docIndex: Int32) -> Int32 {
    let doc = L.absolute(docIndex)
    L.newTable(hash: 5)
    let meta = L.top
    L.rawGetRegistry(SpanMethodsKey.pointer)
    L.rawGet(-1, "__tostring")
    L.rawSet(meta, "__tostring")
    L.rawSet(meta, "__index")
    L.pushValue(doc)
    L.rawSet(meta, "doc")
    L.pushString("Span")
    L.rawSet(meta, "__metatable")
    return meta
  }

  /// The document of the span at index 1 and the index of its metatable (left on the stack).
  private static func spanDocument(_ L: LuaState) throws(LuaHostError) -> (Document, Int32) {
    try L.checkTable(1)
    guard L.rawMetatable(1) else {
      throw .argument(1, "a span from doc:spans, doc:sentences or doc:tokens expected")
    }
    let meta = L.top
    L.rawGet(meta, "doc")
    defer { L.pop() }
    guard let doc = L.object(at: -1, as: Document.self) else {
      throw .message(
        "this span's Document is closed: spans can be followed only during the call that received their document"
      )
    }
    return (doc, meta)
  }

  /// The byte range that the `first` and `last` fields of the span at `index` give.
  private static func byteRange(_ L: LuaState, _ index: Int32, _ doc: Document) throws(LuaHostError)
    -> Range<Int>
  {
    L.rawGet(index, "first")
    L.rawGet(index, "last")
    defer { L.pop(2) }
    guard let first = L.integer(at: -2), let last = L.integer(at: -1), first >= 1,
      first <= doc.byteCount + 1, last >= first - 1, last <= doc.byteCount
    else {
      throw .argument(1, "a span with first and last inside its document expected")
    }
    return (first - 1)..<last
  }

  /// `span:next()` / `span:prev()`: the next or previous span of its layer, or nil.
  static func spanNeighbour(_ L: LuaState, offset: Int) throws(LuaHostError) -> Int32 {
    let (doc, meta) = try spanDocument(L)
    guard L.rawGet(1, "layer") == .string, let layer = L.string(at: -1) else {
      throw .argument(1, "a span with a layer expected")
    }
    L.pop()
    let range = try byteRange(L, 1, doc)
    guard
      let span = doc.neighbour(
        in: layer, start: range.lowerBound, end: range.upperBound, offset: offset)
    else {
      L.pushNil()
      return 1
    }
    pushSpans(of: doc, layer: layer, L, meta: meta) { $0 == span }
    L.rawGet(-1, 1)
    return 1
  }

  /// `span:covering(layer)` / `span:within(layer)`: the spans of `layer` that contain this
  /// span (its sentence) or lie inside it (the entities of a sentence), as a List.
  static func related(_ L: LuaState, covering: Bool) throws(LuaHostError) -> Int32 {
    let (doc, meta) = try spanDocument(L)
    let layer = try L.checkString(2)
    let range = try byteRange(L, 1, doc)
    L.rawGet(meta, "doc")
    pushRelated(of: doc, L, doc: L.top, layer: layer, covering: covering, range: range)
    return 1
  }

  /// Pushes the spans (or tokens) of `layer` that contain `range` or lie inside it, as a List;
  /// the document's userdata is at `docIndex`. Stack: [-0, +1, m]
  static func pushRelated(
    of doc: Document, _ L: LuaState, doc docIndex: Int32, layer: String, covering: Bool,
    range: Range<Int>
  ) {
    func keep(_ start: Int, _ end: Int) -> Bool {
      covering
        ? start <= range.lowerBound && end >= range.upperBound
        : start >= range.lowerBound && end <= range.upperBound
    }
    if layer == "token" {
      var indices: [UInt32] = []
      for (i, t) in doc.tokens.enumerated() where keep(Int(t.start), Int(t.end)) {
        indices.append(UInt32(i))
      }
      pushTokens(of: doc, L, doc: docIndex, indices: indices)
      return
    }
    let spanMeta = pushSpanMeta(L, doc: docIndex)
    pushSpans(of: doc, layer: layer, L, meta: spanMeta) { keep($0.start, $0.end) }
  }

  /// What `tostring(span)` shows: `Span(entity 11-21 PERSON "Kolokoltsev")`.
  static func describe(_ L: LuaState, _ index: Int32) -> String {
    func field(_ key: String) -> String? {
      defer { L.pop() }
      switch L.rawGet(index, key) {
      case .string: return L.string(at: -1)
      case .number: return L.integer(at: -1).map(String.init)
      default: return nil
      }
    }
    var parts: [String] = []
    if let layer = field("layer") { parts.append(layer) }
    parts.append("\(field("first") ?? "?")-\(field("last") ?? "?")")
    if let label = field("label") { parts.append(label) }
    return "Span(" + parts.joined(separator: " ") + " " + shortQuote(field("text") ?? "") + ")"
  }

  /// `text` in double quotes for `tostring` of spans and tokens: quotes and newlines escaped,
  /// cut to 40 characters.
  static func shortQuote(_ text: String) -> String {
    var text = text
    if text.unicodeScalars.count > 40 { text = String(text.unicodeScalars.prefix(37)) + "..." }
    var quoted = "\""
    for c in text {
      switch c {
      case "\"": quoted += "\\\""
      case "\n": quoted += "\\n"
      default: quoted.append(c)
      }
    }
    return quoted + "\""
  }
}

extension FolioLua {
  /// About the bytes a span holds in its layer, charged to the plugin's memory budget: the
  /// record three times (arrays grow by doubling, and a copy is made while they do) and its
  /// strings.
  static func hostBytes(of span: Span) -> Int {
    3 * MemoryLayout<Span>.stride + (span.label.map { heapBytes($0) } ?? 0)
      + span.attributes.reduce(0) { $0 + 32 + heapBytes($1.0) + hostBytes(of: $1.1) }
  }

  /// The bytes a Swift string takes on the heap: none up to 15 bytes (stored inline), else
  /// its bytes and the allocation's header.
  static func heapBytes(_ s: String) -> Int { s.utf8.count <= 15 ? 0 : s.utf8.count + 48 }

  /// About the bytes a metadata value holds.
  static func hostBytes(of value: MetaValue) -> Int {
    switch value {
    case .string(let s): 64 + heapBytes(s)
    case .list(let items): 16 + items.reduce(0) { $0 + hostBytes(of: $1) }
    default: 16
    }
  }
}
