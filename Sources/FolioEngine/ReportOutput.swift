import FolioCore
import FolioLua
import Foundation

/// Choosing and writing the report format, shared by `folio run` and `folio merge`.
public enum ReportOutput {
  /// The format named by `--format`, or for `auto` the output file's extension, else a table
  /// on a terminal and TSV otherwise.
  public static func format(_ name: String, output: String?) throws(FolioError) -> TableFormat {
    let output = output == "-" ? nil : output
    if name == "auto" {
      if let output {
        try checkExtension(output, option: "-o", known: reportExtensions)
      }
      let fromExtension = output.flatMap {
        TableFormat.forExtension(URL(fileURLWithPath: $0).pathExtension)
      }
      return fromExtension ?? (output == nil && Console.stdoutIsTerminal ? .table : .tsv)
    }
    if let f = TableFormat(rawValue: name == "md" ? "markdown" : name) { return f }
    let formats = ["auto"] + TableFormat.allCases.map(\.rawValue)
    let near = Suggest.didYouMean(name, in: formats).map { $0 + " " } ?? ""
    throw FolioError(
      "unknown format '\(name)'", while: "reading the command line",
      help: "\(near)formats: " + formats.joined(separator: ", "), exit: .usage)
  }

  /// What `-o FILE` may end in: a report format, or a document format for a pipeline with no
  /// report.
  public static let reportExtensions = [
    "tsv", "tab", "csv", "json", "jsonl", "ndjson", "md", "markdown", "html", "htm", "svg", "txt",
    "conllu", "vrt",
  ]
  /// What `--docs-out FILE` may end in.
  public static let documentExtensions = ["jsonl", "ndjson", "json", "conllu", "vrt", "csv"]

  /// Refuses an output file whose extension names no format Folio writes (`-o words.xlsx`
  /// would otherwise be TSV under a misleading name); a folder (`DIR/`, or one that exists)
  /// and a name without an extension pass.
  public static func checkExtension(_ path: String, option: String, known: [String])
    throws(FolioError)
  {
    let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
    var isDir: ObjCBool = false
    guard !ext.isEmpty, !path.hasSuffix("/"), !known.contains(ext),
      !(FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue)
    else { return }
    throw FolioError(
      "\(option) \(path): Folio writes no .\(ext) files", while: "reading the command line",
      help: "name a file ending in ." + known.joined(separator: ", .")
        + " (or a folder DIR/)" + (option == "-o" ? ", or choose the format with --format" : ""),
      exit: .usage)
  }

  /// Renders the reports and writes them to `output` atomically, or to stdout.
  public static func write(_ reports: [ReportTable], format: TableFormat, to output: String?)
    throws(FolioError)
  {
    guard !reports.isEmpty else { return }
    var text = ""
    if reports.count > 1
      && (format == .svg || (format == .html && reports.contains { $0.pageKind == "html" }))
    {
      throw FolioError(
        "\(reports.count) reports cannot share one .\(format.rawValue) file",
        while: "writing the reports",
        help:
          "run the report that draws the page on its own, or write a table format (-o report.tsv)",
        exit: .usage)
    }
    if reports.count > 1 && format == .csv {
      // `# title` lines between tables would make the file something no CSV reader takes.
      throw FolioError(
        "\(reports.count) reports cannot share one CSV file", while: "writing the reports",
        help:
          "run each report on its own with -o NAME.csv, or write them together as TSV, Markdown, HTML or JSON",
        exit: .usage)
    }
    if format == .html && reports.count > 1 {
      // One page holding every report.
      let body = reports.map { r in
        (r.pageKind == "svg" ? (r.page ?? "") + "\n" : "") + TableFormat.htmlTable(r)
          + TableFormat.htmlProvenance(r)
      }.joined(separator: "\n")
      text = TableFormat.htmlPage(title: reports.map(\.title).joined(separator: ", "), body: body)
    } else {
      for (i, report) in reports.enumerated() {
        if reports.count > 1, format == .tsv {
          text += (i > 0 ? "\n" : "") + "# \(report.title)\n"
        } else if i > 0, format == .table || format == .markdown {
          text += "\n"
        }
        text += format.render(report)
        if let kind = report.pageKind, output == nil, format != .html, format != .svg {
          Console.error(
            "Note: '\(report.title)' also drew an \(kind.uppercased()) page: -o FILE.\(kind) writes it\n"
          )
        }
      }
    }
    guard let output, output != "-" else {
      Console.out(text)
      return
    }
    // CSV, TSV and JSONL have no room for a title or provenance, and a drawing is a drawing: a
    // sidecar file holds them.
    let sidecar = [.csv, .tsv, .jsonl, .svg].contains(format) ? output + ".provenance.json" : nil
    do {
      let file = try AtomicFile(path: output)
      try file.write(text)
      let side = try sidecar.map { try AtomicFile(path: $0) }
      try side?.write(TableFormat.provenanceJSON(reports))
      try file.commit()
      try side?.commit()
    } catch {
      throw FolioError("\(error)", while: "writing the report", exit: .failure)
    }
  }
}
