#if canImport(Glibc)
  import Glibc
#endif

/// A report's result: named columns and rows of typed cells.
public struct ReportTable: Sendable, Equatable {
  public var title: String
  public var columns: [String]
  public var rows: [[MetaValue?]]
  /// Columns the terminal table aligns right even though they hold text (a concordance's left context).
  public var rightAligned: Set<String> = []
  /// A complete page the report made itself (an SVG chart, an HTML view), written as is by
  /// `-o FILE.svg` / `-o FILE.html` when its kind matches.
  public var page: String?
  /// `svg` or `html`.
  public var pageKind: String?
  /// Where the report came from, as ordered key-value pairs.
  ///
  /// The plugin, its version and options, Folio's version, and what the plugin adds (the
  /// formula of a measure, the reference corpus). JSON, Markdown and HTML outputs carry it;
  /// the plain tables (terminal, TSV, CSV, JSONL) hold data only.
  public var provenance = Metadata()

  public init(title: String, columns: [String], rows: [[MetaValue?]]) {
    self.title = title
    self.columns = columns
    self.rows = rows
  }
}

/// How a report table is written.
public enum TableFormat: String, Sendable, CaseIterable {
  case table, tsv, csv, json, jsonl, markdown, html, svg

  /// The format a file name's extension asks for (`.tsv`, `.csv`, `.json`, `.jsonl`, `.md`,
  /// `.html`), if any.
  public static func forExtension(_ ext: String) -> TableFormat? {
    switch ext.lowercased() {
    case "tsv", "tab": .tsv
    case "csv": .csv
    case "json": .json
    case "jsonl", "ndjson": .jsonl
    case "md", "markdown": .markdown
    case "html", "htm": .html
    case "svg": .svg
    case "txt": .table
    default: nil
    }
  }

  /// Renders `report`.
  ///
  /// `table` aligns columns by display width; numbers align right.
  public func render(_ report: ReportTable) -> String {
    switch self {
    case .csv:
      var lines = [report.columns.map(Self.csvEscape).joined(separator: ",")]
      for row in report.rows {
        lines.append(row.map { Self.csvEscape(Self.cellText($0)) }.joined(separator: ","))
      }
      return lines.joined(separator: "\r\n") + "\r\n"
    case .json:
      var w = JSONWriter()
      w.open("{")
      w.key("title")
      w.string(report.title)
      w.comma()
      if report.provenance.count > 0 {
        w.key("provenance")
        w.object(report.provenance)
        w.comma()
      }
      w.key("columns")
      w.strings(report.columns)
      w.comma()
      w.key("rows")
      w.open("[")
      for (r, row) in report.rows.enumerated() {
        if r > 0 { w.comma() }
        w.open("[")
        for (i, cell) in row.enumerated() {
          if i > 0 { w.comma() }
          w.meta(cell)
        }
        w.close("]")
      }
      w.close("]")
      w.close("}")
      return String(decoding: w.bytes, as: UTF8.self) + "\n"
    case .jsonl:
      var out = ""
      for row in report.rows {
        var w = JSONWriter()
        w.open("{")
        for (i, name) in report.columns.enumerated() {
          if i > 0 { w.comma() }
          w.key(name)
          w.meta(i < row.count ? row[i] : nil)
        }
        w.close("}")
        out += String(decoding: w.bytes, as: UTF8.self) + "\n"
      }
      return out
    case .markdown:
      func cell(_ s: String) -> String {
        s.replacingAll("|", with: "\\|").replacingAll("\n", with: " ")
      }
      var lines = report.title.isEmpty ? [] : ["## " + cell(report.title), ""]
      lines.append("| " + report.columns.map(cell).joined(separator: " | ") + " |")
      lines.append("|" + report.columns.map { _ in "---" }.joined(separator: "|") + "|")
      for row in report.rows {
        lines.append("| " + row.map { cell(Self.cellText($0)) }.joined(separator: " | ") + " |")
      }
      if report.provenance.count > 0 {
        lines.append("")
        for (key, value) in report.provenance.entries {
          lines.append("- \(cell(key)): \(cell(value.description))")
        }
      }
      return lines.joined(separator: "\n") + "\n"
    case .html:
      if let page = report.page, report.pageKind == "html" {
        // A page the plugin drew: the provenance goes at the end of its body.
        let provenance = Self.htmlProvenance(report)
        guard !provenance.isEmpty, let end = page.range(of: "</body>", options: .backwards)
        else { return page }
        return page.replacingCharacters(in: end.lowerBound..<end.lowerBound, with: provenance)
      }
      var body = ""
      if let page = report.page, report.pageKind == "svg" { body += page + "\n" }
      body += Self.htmlTable(report)
      body += Self.htmlProvenance(report)
      return Self.htmlPage(title: report.title, body: body)
    case .svg:
      if let page = report.page, report.pageKind == "svg" { return page }
      return Self.barChart(report)
    case .tsv:
      var lines = [report.columns.map(Self.tsvEscape).joined(separator: "\t")]
      for row in report.rows {
        lines.append(row.map { Self.tsvEscape(Self.cellText($0)) }.joined(separator: "\t"))
      }
      return lines.joined(separator: "\n") + "\n"
    case .table:
      let cells = report.rows.map { $0.map(Self.cellText) }
      var widths = report.columns.map(DisplayWidth.of)
      for row in cells {
        for (i, cell) in row.enumerated() where i < widths.count {
          widths[i] = max(widths[i], DisplayWidth.of(cell))
        }
      }
      let numeric = report.columns.indices.map { i in
        !report.rows.isEmpty
          && report.rows.allSatisfy { row in
            guard i < row.count, let v = row[i] else { return true }
            switch v {
            case .integer, .number: return true
            default: return false
            }
          }
      }
      let right = report.columns.map { report.rightAligned.contains($0) }
      func line(_ values: [String]) -> String {
        var out = ""
        for (i, value) in values.enumerated() where i < widths.count {
          let pad = String(repeating: " ", count: max(0, widths[i] - DisplayWidth.of(value)))
          if i > 0 { out += "  " }
          out +=
            numeric[i] || right[i] ? pad + value : (i == values.count - 1 ? value : value + pad)
        }
        return out
      }
      // The title first: it carries what the columns cannot (a measure, a cut-off, the parts).
      var lines = report.title.isEmpty ? [] : [report.title, ""]
      lines.append(line(report.columns))
      lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
      for row in cells {
        lines.append(line(row + Array(repeating: "", count: max(0, widths.count - row.count))))
      }
      return lines.joined(separator: "\n") + "\n"
    }
  }

  /// The reports' titles and provenance as JSON, for the sidecar file beside a CSV, TSV or
  /// JSONL report (`report.csv.provenance.json`): those formats have no place for them.
  public static func provenanceJSON(_ reports: [ReportTable]) -> String {
    var w = JSONWriter()
    w.open("[")
    for (r, report) in reports.enumerated() {
      if r > 0 { w.comma() }
      w.open("{")
      w.key("title")
      w.string(report.title)
      w.comma()
      w.key("columns")
      w.strings(report.columns)
      w.comma()
      w.key("rows")
      w.meta(.integer(report.rows.count))
      w.comma()
      w.key("provenance")
      w.object(report.provenance)
      w.close("}")
    }
    w.close("]")
    return String(decoding: w.bytes, as: UTF8.self) + "\n"
  }

  /// Escapes text for HTML and XML.
  public static func escapeXML(_ s: String) -> String {
    s.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(
      ">", with: "&gt;"
    )
    .replacingAll("\"", with: "&quot;")
  }

  public static func htmlTable(_ report: ReportTable) -> String {
    let esc = escapeXML
    var out = "<table>\n<caption>\(esc(report.title))</caption>\n<thead><tr>"
    out += report.columns.map { "<th>\(esc($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
    for row in report.rows {
      out += "<tr>" + row.map { "<td>\(esc(Self.cellText($0)))</td>" }.joined() + "</tr>\n"
    }
    return out + "</tbody>\n</table>\n"
  }

  /// The report's provenance as a definition list, or "" when it has none.
  public static func htmlProvenance(_ report: ReportTable) -> String {
    guard report.provenance.count > 0 else { return "" }
    var out = "<dl class=\"provenance\">\n"
    for (key, value) in report.provenance.entries {
      out += "<dt>\(escapeXML(key))</dt><dd>\(escapeXML(value.description))</dd>\n"
    }
    return out + "</dl>\n"
  }

  /// A self-contained HTML page (no network), also well-formed XML.
  public static func htmlPage(title: String, body: String, style: String = "") -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8"/>
    <title>\(escapeXML(title))</title>
    <style>
    body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
    table { border-collapse: collapse; margin: 1em 0; }
    caption { font-weight: bold; text-align: left; padding: 0.3em 0; }
    th, td { border-bottom: 1px solid #ddd; padding: 0.2em 0.8em; text-align: left; vertical-align: top; }
    th { background: #f4f4f4; }
    dl.provenance { color: #666; font-size: 0.85em; display: grid; grid-template-columns: max-content auto; gap: 0 1em; }
    dl.provenance dd { margin: 0; }
    \(style)</style>
    </head>
    <body>
    \(body)</body>
    </html>

    """
  }

  /// A horizontal bar chart of the table's last numeric column against its first text column (at most 40 bars), for `-o FILE.svg` of a report that draws nothing itself.
  static func barChart(_ report: ReportTable) -> String {
    func number(_ v: MetaValue?) -> Double? {
      switch v {
      case .integer(let i): return Double(i)
      case .number(let d): return d
      default: return nil
      }
    }
    let numeric = report.columns.indices.last { i in
      report.rows.contains { i < $0.count && number($0[i]) != nil }
    }
    let labelIndex =
      report.columns.indices.first { i in
        report.rows.contains { row in
          if i < row.count, case .string = row[i] { return true }
          return false
        }
      } ?? 0
    let rows = Array(report.rows.prefix(40))
    func value(_ row: [MetaValue?]) -> Double {
      guard let numeric, numeric < row.count else { return 0 }
      return number(row[numeric]) ?? 0
    }
    let top = max(1, rows.map(value).max() ?? 1)
    let height = 44 + rows.count * 22
    var out =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"13\">\n"
    out += "<title>\(escapeXML(report.title))</title>\n"
    out += "<text x=\"10\" y=\"22\" font-weight=\"bold\">\(escapeXML(report.title))</text>\n"
    for (i, row) in rows.enumerated() {
      let y = 36 + i * 22
      let label = labelIndex < row.count ? cellText(row[labelIndex]) : ""
      let w = Int((value(row) / top * 440).rounded())
      let shown = numeric.flatMap { $0 < row.count ? row[$0] : nil }
      out +=
        "<text x=\"190\" y=\"\(y + 14)\" text-anchor=\"end\">\(escapeXML(String(label.prefix(28))))</text>"
      out += "<rect x=\"200\" y=\"\(y)\" width=\"\(w)\" height=\"18\" fill=\"#4a7ab5\"/>"
      out += "<text x=\"\(206 + w)\" y=\"\(y + 14)\">\(escapeXML(cellText(shown)))</text>\n"
    }
    return out + "</svg>\n"
  }

  static func cellText(_ value: MetaValue?) -> String {
    guard let value else { return "" }
    switch value {
    case .number(let d):
      if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
      let s = String(format4(d))
      return s
    default: return value.description
    }
  }

  static func format4(_ d: Double) -> String {
    // Four significant decimals, trailing zeros trimmed: 1234.5678, 0.0012.
    let scaled = (d * 10_000).rounded() / 10_000
    // What four decimals would show as 0 keeps three significant digits: 1.23e-8 (p-values).
    if scaled == 0, d != 0, d.isFinite { return scientific(d) }
    var s = String(scaled)
    if s.contains("e") { return String(d) }
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
  }

  /// `d` with three significant digits in exponent notation: 1.23e-8, -4.5e-12.
  static func scientific(_ d: Double) -> String {
    var exponent = Int(log10(abs(d)).rounded(.down))
    var mantissa = (d / pow(10, Double(exponent)) * 100).rounded() / 100
    if abs(mantissa) >= 10 {
      mantissa /= 10
      exponent += 1
    }
    var m = String(mantissa)
    while m.hasSuffix("0") { m.removeLast() }
    if m.hasSuffix(".") { m.removeLast() }
    return "\(m)e\(exponent)"
  }

  static func csvEscape(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return s
    }
    return "\"" + s.replacingAll("\"", with: "\"\"") + "\""
  }

  static func tsvEscape(_ s: String) -> String {
    guard s.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\\" }) else {
      return s
    }
    var out = ""
    for c in s {
      switch c {
      case "\t": out += "\\t"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\\": out += "\\\\"
      default: out.append(c)
      }
    }
    return out
  }
}

/// Terminal display width: East Asian wide characters and emoji take two columns, combining
/// marks and zero-width characters none.
public enum DisplayWidth {
  public static func of(_ s: String) -> Int {
    var width = 0
    for c in s {
      guard let first = c.unicodeScalars.first else { continue }
      if c.unicodeScalars.count > 1
        && c.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation })
      {
        width += 2
        continue
      }
      width += of(first)
    }
    return width
  }

  public static func of(_ scalar: Unicode.Scalar) -> Int {
    let v = scalar.value
    if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    if scalar.properties.isEmojiPresentation { return 2 }
    switch v {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
      0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
      0xFFE0...0xFFE6, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
      return 2
    default: return 1
    }
  }
}

extension String {
  /// Every occurrence of `target` replaced (no Foundation needed).
  func replacingAll(_ target: String, with replacement: String) -> String {
    guard contains(target) else { return self }
    return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
