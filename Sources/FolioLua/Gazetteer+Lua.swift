import FolioCore
import LuaRuntime

/// `folio.gazetteer(entries [, opts])`: entries are a list of names, a table of name → label,
/// or text with one `name` or `name<TAB>label` a line; opts: `ignore_case`, `label` (for
/// entries without one).
extension FolioLua {
  static func gazetteerType(context: FolioLuaContext) -> LuaObjectType<Gazetteer> {
    LuaObjectType<Gazetteer>(
      name: "Gazetteer",
      methods: methods(of: "Gazetteer", context),
      metamethods: [
        (
          "__len",
          { (L) throws(LuaHostError) -> Int32 in
            let g: Gazetteer = try L.checkObject(1, "Gazetteer")
            L.pushInteger(g.entries.count)
            return 1
          }
        ),
        (
          "__tostring",
          { (L) throws(LuaHostError) -> Int32 in
            let g: Gazetteer = try L.checkObject(1, "Gazetteer")
            L.pushString("Gazetteer(\(g.entries.count) names\(g.ignoreCase ? ", any case" : ""))")
            return 1
          }
        ),
      ])
  }

  static func gazetteerNew(_ L: LuaState) throws(LuaHostError) -> Int32 {
    var ignoreCase = false
    var defaultLabel: String?
    if !L.isNoneOrNil(2) {
      try L.checkTable(2)
      if L.rawGet(2, "ignore_case") != .nil { ignoreCase = L.bool(at: -1) }
      L.pop()
      if L.rawGet(2, "label") == .string { defaultLabel = L.string(at: -1) }
      L.pop()
    }
    var entries: [Gazetteer.Entry] = []
    switch L.type(at: 1) {
    case .string:
      for line in (L.string(at: 1) ?? "").split(whereSeparator: \.isNewline) {
        let parts = line.split(separator: "\t", maxSplits: 1)
        guard let name = parts.first.map({ $0.trimmingSpaces() }), !name.isEmpty,
          !name.hasPrefix("#")
        else { continue }
        entries.append(
          .init(name: name, label: parts.count > 1 ? parts[1].trimmingSpaces() : defaultLabel))
      }
    case .table:
      var bad: LuaHostError?
      let n = L.rawLength(1)
      if n > 0 {
        for i in 0..<n {
          L.rawGet(1, i + 1)
          if let s = L.string(at: -1) {
            entries.append(.init(name: s, label: defaultLabel))
          } else {
            bad = .argument(1, "entry \(i + 1) is a \(L.typeName(at: -1)), not a string")
          }
          L.pop()
        }
      } else {
        L.forEach(1) {
          guard let name = L.string(at: -2), L.type(at: -2) == .string else {
            bad = .argument(1, "names must be strings")
            return
          }
          entries.append(.init(name: name, label: L.string(at: -1) ?? defaultLabel))
        }
        // Tables have no order: sort so that results never depend on traversal order.
        entries.sort { $0.name < $1.name }
      }
      if let bad { throw bad }
    default:
      throw .type(1, expected: "table or string")
    }
    L.pushObject(Gazetteer(entries: entries, ignoreCase: ignoreCase))
    return 1
  }

  /// `g:find(doc)` → List of `{first, last, text, label, entry}`.
  static func gazetteerFind(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let g: Gazetteer = try L.checkObject(1, "Gazetteer")
    let doc: Document = try L.checkObject(2, "Document")
    let found = g.matches(in: doc)
    L.newTable(array: Int32(clamping: found.count))
    var text = doc.text
    text.withUTF8 { b in
      guard let base = b.baseAddress else { return }
      for (i, m) in found.enumerated() {
        L.newTable(hash: 5)
        L.pushInteger(m.start + 1)
        L.rawSet(-2, "first")
        L.pushInteger(m.end)
        L.rawSet(-2, "last")
        L.pushBytes(base + m.start, m.end - m.start)
        L.rawSet(-2, "text")
        if let label = g.entries[m.entry].label {
          L.pushString(label)
          L.rawSet(-2, "label")
        }
        L.pushString(g.entries[m.entry].name)
        L.rawSet(-2, "entry")
        L.rawSet(-2, i + 1)
      }
    }
    makeList(L)
    return 1
  }

  /// `g:tag(doc, layer)` → the number of spans added (label from the entry, attrs
  /// `{entry = name, source = "gazetteer"}`).
  static func gazetteerTag(_ L: LuaState, _ context: FolioLuaContext) throws(LuaHostError) -> Int32
  {
    let g: Gazetteer = try L.checkObject(1, "Gazetteer")
    let doc: Document = try L.checkObject(2, "Document")
    let layer = try L.checkString(3)
    try checkWritable(layer, context, arg: 3)
    let found = g.matches(in: doc)
    let each = hostBytes(
      of: Span(start: 0, end: 0, label: "", attributes: [("entry", .string(""))]))
    try L.chargeDocument(found.reduce(0) { $0 + each + g.entries[$1.entry].name.utf8.count })
    for m in found {
      let entry = g.entries[m.entry]
      doc.add(
        Span(
          start: m.start, end: m.end, label: entry.label,
          attributes: [("entry", .string(entry.name)), ("source", .string("gazetteer"))]),
        to: layer)
    }
    L.pushInteger(found.count)
    return 1
  }
}

extension Substring {
  func trimmingSpaces() -> String {
    String(
      drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed().drop(while: {
        $0 == " " || $0 == "\t" || $0 == "\r"
      }).reversed())
  }
}
