import FolioCore
import LuaRuntime

/// Reads the table a report's `finish` returns.
///
/// The table: `{title = "...", columns = {"word", "count"}, rows = {{"the", 10}, ...}}`; rows
/// may also be tables keyed by column name. `svg = "<svg ...>"` or
/// `html = "<!DOCTYPE html>..."` add a page the report drew itself (rows may then be left out).
enum ReportReader {
  struct Failure: Error {
    var message: String
  }

  static func read(_ L: LuaState, _ index: Int32, title: String) throws(Failure) -> ReportTable {
    let t = L.absolute(index)
    guard L.type(at: t) == .table else {
      throw Failure(message: "finish returned \(L.typeName(at: t)), not a table")
    }
    var title = title
    if L.rawGet(t, "title") == .string, let s = L.string(at: -1) { title = s }
    L.pop()
    var columns: [String] = []
    if L.rawGet(t, "columns") == .table {
      for i in 1...max(1, L.rawLength(-1)) where i <= L.rawLength(-1) {
        L.rawGet(-1, i)
        columns.append(L.string(at: -1) ?? "")
        L.pop()
      }
    }
    L.pop()
    var page: String?
    var pageKind: String?
    if L.rawGet(t, "svg") == .string { (page, pageKind) = (L.string(at: -1), "svg") }
    L.pop()
    if L.rawGet(t, "html") == .string { (page, pageKind) = (L.string(at: -1), "html") }
    L.pop()
    let hasRows = L.rawGet(t, "rows") == .table
    L.pop()
    if page != nil && !hasRows {
      var table = ReportTable(title: title, columns: columns, rows: [])
      (table.page, table.pageKind) = (page, pageKind)
      return table
    }
    guard L.rawGet(t, "rows") == .table else {
      L.pop()
      throw Failure(message: "the table finish returned has no 'rows' list")
    }
    defer { L.pop() }
    let rowsIndex = L.top
    var rows: [[MetaValue?]] = []
    let n = L.rawLength(rowsIndex)
    for r in 0..<n {
      guard L.rawGet(rowsIndex, r + 1) == .table else {
        let got = L.typeName(at: -1)
        L.pop()
        throw Failure(message: "row \(r + 1) is a \(got), not a table - while reading field 'rows'")
      }
      let row = L.top
      var cells: [MetaValue?] = []
      if L.rawLength(row) > 0 || columns.isEmpty {
        for c in 0..<L.rawLength(row) {
          L.rawGet(row, c + 1)
          cells.append(FolioLua.metaValue(L, -1))
          L.pop()
        }
      } else {
        for name in columns {
          L.rawGet(row, name)
          cells.append(FolioLua.metaValue(L, -1))
          L.pop()
        }
      }
      L.pop()
      rows.append(cells)
    }
    if columns.isEmpty {
      let width = rows.map(\.count).max() ?? 0
      columns = (0..<width).map { "c\($0 + 1)" }
    }
    var table = ReportTable(title: title, columns: columns, rows: rows)
    (table.page, table.pageKind) = (page, pageKind)
    return table
  }

  /// The `provenance` table of the report table at `index` (strings, numbers, booleans, lists,
  /// and tables of them as dotted keys), keys sorted.
  static func provenance(_ L: LuaState, _ index: Int32) throws(Failure) -> Metadata {
    let t = L.absolute(index)
    var out = Metadata()
    guard L.type(at: t) == .table, L.rawGet(t, "provenance") == .table else {
      L.pop()
      return out
    }
    defer { L.pop() }
    var entries: [(String, MetaValue)] = []
    func collect(_ prefix: String, depth: Int) throws(Failure) {
      var failure: Failure?
      L.forEach(-1) {
        guard failure == nil else { return }
        guard L.type(at: -2) == .string, let key = L.string(at: -2) else {
          failure = Failure(message: "provenance keys must be strings, got a \(L.typeName(at: -2))")
          return
        }
        let name = prefix.isEmpty ? key : prefix + "." + key
        if L.type(at: -1) == .table && L.rawLength(-1) == 0 && depth < 4 {
          do throws(Failure) { try collect(name, depth: depth + 1) } catch { failure = error }
        } else if let value = FolioLua.metaValue(L, -1) {
          entries.append((name, value))
        } else {
          failure = Failure(
            message:
              "provenance '\(name)' is a \(L.typeName(at: -1)); use strings, numbers, booleans or lists"
          )
        }
      }
      if let failure { throw failure }
    }
    try collect("", depth: 0)
    for (key, value) in entries.sorted(by: { $0.0 < $1.0 }) { out[key] = value }
    return out
  }
}
