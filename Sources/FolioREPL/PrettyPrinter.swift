import FolioCore
import FolioLua
import LuaRuntime

/// Shows Lua values the way a person wants to read them, reading them with raw access only: no metamethod ever runs.
///
/// Tables print as Lua literals with sorted keys (array part first), within depth and item
/// limits, cycles labelled; Folio objects print as one readable line; lists of rows (a
/// concordance, a frequency list, spans, documents) print as tables whose columns respect
/// display width, eliding the middle rows past `maxRows`.
public struct PrettyPrinter {
  public var maxDepth = 4
  public var maxItems = 60
  public var width = 100
  public var maxRows = 40
  public var mode: TableFormat = .table
  /// Column names above rows (`.headers on|off`) in table, TSV and CSV modes.
  public var headers = true
  /// Longest string shown whole inside a table.
  public var maxString = 240

  public init() {}

  indirect enum Node {
    case atom(String)
    case table(items: [(key: String?, value: Node)], more: Int)
  }

  // MARK: Top level

  /// Renders the value at `index`: strings raw, rows as a table, anything else as a literal.
  public func render(_ L: LuaState, _ index: Int32) -> String {
    let i = L.absolute(index)
    switch L.type(at: i) {
    case .string:
      return L.string(at: i) ?? ""
    case .userdata:
      if let corpus = L.object(at: i, as: Corpus.self) { return describe(corpus) }
    case .table:
      if let table = rows(L, i) { return renderRows(table.table, total: table.total) }
    default:
      break
    }
    var ancestors: [UnsafeRawPointer] = []
    return layout(node(L, i, depth: 0, ancestors: &ancestors), indent: 0)
  }

  func describe(_ corpus: Corpus) -> String {
    guard corpus.count > 0 else { return corpus.description }
    let table = ReportTable(
      title: "documents", columns: Self.documentColumns,
      rows: shown(corpus.count).map { documentRow(corpus.documents[$0], at: $0) })
    return corpus.description + "\n" + renderRows(table, total: corpus.count)
  }

  /// The positions of the rows shown out of `count`: all, or in table mode past `maxRows` the first and last halves (the middle is elided, as DuckDB does).
  func shown(_ count: Int) -> [Int] {
    guard mode == .table && count > maxRows else { return Array(0..<count) }
    let head = (maxRows + 1) / 2
    return Array(0..<head) + Array((count - (maxRows - head))..<count)
  }

  static let documentColumns = ["n", "id", "bytes", "text"]

  /// A document as one row of a table: position (1-based), id, size, the start of its text.
  func documentRow(_ d: Document, at i: Int) -> [MetaValue?] {
    [.integer(i + 1), .string(d.id), .integer(d.byteCount), .string(preview(d.text, 50))]
  }

  // MARK: Rows

  /// The rows of a List of row tables or documents, or nil when the value is something else.
  func rows(_ L: LuaState, _ t: Int32) -> (table: ReportTable, total: Int)? {
    let n = L.rawLength(t)
    var columns: [String]?
    var right: Set<String> = []
    if L.rawMetatable(t) {
      if L.rawGet(-1, "__columns") == .table {
        columns = (0..<L.rawLength(-1)).compactMap { k in
          L.rawGet(-1, k + 1)
          defer { L.pop() }
          return L.string(at: -1)
        }
      }
      L.pop()
      if L.rawGet(-1, "__right") == .table {
        L.forEach(-1) { if let s = L.string(at: -2) { right.insert(s) } }
      }
      L.pop(2)
    }
    guard n > 0 else { return nil }
    // Only a pure sequence qualifies.
    var keys = 0
    L.forEach(t) { keys += 1 }
    guard keys == n else { return nil }
    let picked = shown(n)
    // Documents: one line each.
    L.rawGet(t, 1)
    let firstIsDocument = L.object(at: -1, as: Document.self) != nil
    L.pop()
    if firstIsDocument {
      var cells: [[MetaValue?]] = []
      for k in picked {
        L.rawGet(t, k + 1)
        defer { L.pop() }
        guard let d = L.object(at: -1, as: Document.self) else { return nil }
        cells.append(documentRow(d, at: k))
      }
      return (ReportTable(title: "", columns: Self.documentColumns, rows: cells), n)
    }
    // Tokens: their fields.
    L.rawGet(t, 1)
    let firstIsToken = FolioLua.tokenFields(L, -1) != nil
    L.pop()
    if firstIsToken {
      var cells: [[MetaValue?]] = []
      for k in picked {
        L.rawGet(t, k + 1)
        defer { L.pop() }
        guard let f = FolioLua.tokenFields(L, -1) else { return nil }
        let text = mode == .table ? clip(flat(f.text), 60, fromStart: false) : f.text
        cells.append([.string(text), .integer(f.first), .integer(f.last), .string(f.kind)])
      }
      return (ReportTable(title: "", columns: ["text", "first", "last", "kind"], rows: cells), n)
    }
    // Tables keyed by strings.
    var seen: [String] = []
    var seenSet: Set<String> = []
    for k in picked.prefix(200) {
      guard L.rawGet(t, k + 1) == .table else {
        L.pop()
        return nil
      }
      var ok = true
      L.forEach(-1) {
        guard let key = L.type(at: -2) == .string ? L.string(at: -2) : nil else {
          ok = false
          return
        }
        if seenSet.insert(key).inserted { seen.append(key) }
      }
      L.pop()
      if !ok { return nil }
    }
    guard !seen.isEmpty else { return nil }
    let order =
      columns
      ?? Self.preferredColumns.filter(seenSet.contains)
      + seen.filter { !Self.preferredColumns.contains($0) }.sorted()
    var cells: [[MetaValue?]] = []
    for k in picked {
      L.rawGet(t, k + 1)
      cells.append(
        order.map { name in
          L.rawGet(-1, name)
          defer { L.pop() }
          return cell(L, -1, alignRight: right.contains(name))
        })
      L.pop()
    }
    var table = ReportTable(title: "", columns: order, rows: cells)
    table.rightAligned = right
    return (table, n)
  }

  static let preferredColumns = [
    "n", "rank", "doc", "id", "word", "key", "left", "match", "right", "text", "first", "last",
    "label", "layer", "kind", "count", "value",
  ]

  func cell(_ L: LuaState, _ index: Int32, alignRight: Bool) -> MetaValue? {
    switch L.type(at: index) {
    case .nil, .none: return nil
    case .boolean: return .bool(L.bool(at: index))
    case .number:
      if L.isInteger(at: index), let i = L.integer(at: index) { return .integer(i) }
      return L.number(at: index).map(MetaValue.number)
    case .string:
      let s = L.string(at: index) ?? ""
      return .string(mode == .table ? clip(flat(s), 60, fromStart: alignRight) : s)
    default:
      var ancestors: [UnsafeRawPointer] = []
      let text = compact(node(L, index, depth: 1, ancestors: &ancestors))
      return .string(mode == .table ? clip(text, 60, fromStart: false) : text)
    }
  }

  /// `table` in the current mode; with `titled`, its title above it (a plugin's report), else
  /// the rows alone (a value, a corpus).
  func renderRows(_ table: ReportTable, total: Int, titled: Bool = false) -> String {
    var table = table
    if !titled { table.title = "" }
    guard mode == .table else {
      let text = mode.render(table)
      guard !headers, mode == .csv || mode == .tsv, let end = text.firstIndex(of: "\n") else {
        return text
      }
      return String(text[text.index(after: end)...])
    }
    var text = mode.render(table)
    if !headers {
      // Below the title (and its blank line): the header and its rule.
      var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      let at = table.title.isEmpty ? 0 : 2
      if lines.count > at + 1 { lines.removeSubrange(at...(at + 1)) }
      text = lines.joined(separator: "\n")
    }
    if total > table.rows.count {
      var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      let head = (maxRows + 1) / 2
      // Below the title (and its blank line), the header and its rule.
      lines.insert("…", at: (headers ? 2 : 0) + head + (table.title.isEmpty ? 0 : 2))
      text = lines.joined(separator: "\n")
      text += "\(total) rows (\(table.rows.count) shown; .maxrows N to change)\n"
    } else {
      text += "\(total) row\(total == 1 ? "" : "s")\n"
    }
    return text
  }

  // MARK: Literals

  func node(_ L: LuaState, _ index: Int32, depth: Int, ancestors: inout [UnsafeRawPointer]) -> Node
  {
    let i = L.absolute(index)
    switch L.type(at: i) {
    case .nil, .none: return .atom("nil")
    case .boolean: return .atom(L.bool(at: i) ? "true" : "false")
    case .number:
      if L.isInteger(at: i), let v = L.integer(at: i) { return .atom(String(v)) }
      return .atom(luaNumberString(L.number(at: i) ?? 0))
    case .string: return .atom(quote(L.string(at: i) ?? "", limit: maxString))
    case .function: return .atom("<function>")
    case .thread: return .atom("<thread>")
    case .lightUserdata: return .atom(FolioLua.tokenDescription(L, i) ?? "<lightuserdata>")
    case .userdata: return .atom(describeObject(L, i))
    case .table: break
    }
    guard let p = L.pointer(at: i) else { return .atom("<table>") }
    if ancestors.contains(p) { return .atom("<cycle>") }
    guard depth < maxDepth else { return .atom("{…}") }
    ancestors.append(p)
    defer { ancestors.removeLast() }
    var items: [(key: String?, value: Node)] = []
    let n = L.rawLength(i)
    for k in 0..<min(n, maxItems) {
      L.rawGet(i, k + 1)
      items.append((nil, node(L, -1, depth: depth + 1, ancestors: &ancestors)))
      L.pop()
    }
    var more = max(0, n - maxItems)
    // The hash part: keys sorted (numbers, then strings, then the rest), values rendered after sorting.
    enum Key: Comparable {
      case number(Double)
      case string([UInt8])
      case boolean(Bool)
      static func < (a: Key, b: Key) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y
        case (.string(let x), .string(let y)): return x.lexicographicallyPrecedes(y)
        case (.boolean(let x), .boolean(let y)): return !x && y
        case (.number, _): return true
        case (.string, .boolean): return true
        default: return false
        }
      }
    }
    var keys: [Key] = []
    var odd: [(key: String?, value: Node)] = []
    L.forEach(i) {
      switch L.type(at: -2) {
      case .number:
        if L.isInteger(at: -2), let k = L.integer(at: -2), k >= 1, k <= n { return }
        keys.append(.number(L.number(at: -2) ?? 0))
      case .string: keys.append(.string(L.bytes(at: -2) ?? []))
      case .boolean: keys.append(.boolean(L.bool(at: -2)))
      default:
        if odd.count < maxItems {
          let key = compact(node(L, -2, depth: depth + 1, ancestors: &ancestors))
          odd.append(("[\(key)]", node(L, -1, depth: depth + 1, ancestors: &ancestors)))
        } else {
          more += 1
        }
      }
    }
    keys.sort()
    let room = max(0, maxItems - items.count)
    more += max(0, keys.count - room)
    for key in keys.prefix(room) {
      let label: String
      switch key {
      case .number(let d):
        let asInt = Int(exactly: d)
        if let asInt { L.pushInteger(asInt) } else { L.pushNumber(d) }
        label = "[" + (asInt.map(String.init) ?? luaNumberString(d)) + "]"
      case .string(let bytes):
        bytes.withUnsafeBytes { L.pushBytes($0) }
        let s = String(decoding: bytes, as: UTF8.self)
        label = Self.isIdentifier(s) ? s : "[" + quote(s, limit: 80) + "]"
      case .boolean(let b):
        L.pushBool(b)
        label = b ? "[true]" : "[false]"
      }
      L.pushValue(-1)
      L.rawGetTop(i)
      items.append((label, node(L, -1, depth: depth + 1, ancestors: &ancestors)))
      L.pop(2)
    }
    items += odd
    return .table(items: items, more: more)
  }

  /// One line for a host object, written in Swift (its `__tostring` is never called).
  func describeObject(_ L: LuaState, _ i: Int32) -> String {
    if let d = L.object(at: i, as: Document.self) { return d.description }
    if let c = L.object(at: i, as: Corpus.self) { return c.description }
    if let r = L.object(at: i, as: RegularExpression.self) {
      return "<Regex \(quote(r.pattern, limit: 80))>"
    }
    if let c = L.object(at: i, as: Counter.self) {
      return "<Counter \(c.count) keys, \(c.total) in all>"
    }
    if let g = L.object(at: i, as: Gazetteer.self) { return "<Gazetteer \(g.entries.count) names>" }
    if let name = FolioLua.metaDescription(L, i) { return name }
    if L.rawMetatable(i) {
      defer { L.pop(2) }
      if L.rawGet(-1, "__name") == .string, let name = L.string(at: -1) { return "<\(name)>" }
    }
    return "<userdata>"
  }

  func compact(_ node: Node) -> String {
    switch node {
    case .atom(let s): return s
    case .table(let items, let more):
      if items.isEmpty && more == 0 { return "{}" }
      var parts = items.map { ($0.key.map { $0 + " = " } ?? "") + compact($0.value) }
      if more > 0 { parts.append("… \(more) more") }
      return "{" + parts.joined(separator: ", ") + "}"
    }
  }

  func layout(_ node: Node, indent: Int) -> String {
    let one = compact(node)
    guard case .table(let items, let more) = node, indent + DisplayWidth.of(one) > width else {
      return one
    }
    let pad = String(repeating: " ", count: indent + 2)
    var lines = ["{"]
    for item in items {
      lines.append(
        pad + (item.key.map { $0 + " = " } ?? "") + layout(item.value, indent: indent + 2) + ",")
    }
    if more > 0 { lines.append(pad + "… \(more) more") }
    lines.append(String(repeating: " ", count: indent) + "}")
    return lines.joined(separator: "\n")
  }

  // MARK: Strings

  static func isIdentifier(_ s: String) -> Bool {
    guard let first = s.utf8.first, first == 0x5F || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A)
    else { return false }
    return s.utf8.allSatisfy {
      $0 == 0x5F || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
    }
      && !luaKeywords.contains(s)
  }

  static let luaKeywords: Set<String> = [
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
    "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
  ]

  /// A Lua string literal, UTF-8 kept, control characters escaped, cut after `limit` characters.
  func quote(_ s: String, limit: Int) -> String {
    var out = "\""
    var count = 0
    for scalar in s.unicodeScalars {
      if count == limit {
        out += "…"
        break
      }
      count += 1
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          out += "\\" + String(scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  func flat(_ s: String) -> String {
    String(s.map { $0.isNewline || $0 == "\t" ? " " : $0 })
  }

  func preview(_ s: String, _ n: Int) -> String {
    clip(flat(String(s.drop { $0.isWhitespace })), n, fromStart: false)
  }

  /// At most `n` display columns: the end kept (`fromStart`: the start cut) with `…`.
  func clip(_ s: String, _ n: Int, fromStart: Bool) -> String {
    guard DisplayWidth.of(s) > n else { return s }
    var out = ""
    var w = 0
    let chars = fromStart ? Array(s.reversed()) : Array(s)
    for c in chars {
      let cw = DisplayWidth.of(String(c))
      if w + cw > n - 1 { break }
      w += cw
      out.append(c)
    }
    return fromStart ? "…" + String(out.reversed()) : out + "…"
  }
}
