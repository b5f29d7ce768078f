import ArgumentParser
import FolioCore
import FolioEngine

/// How corpus files become documents: the options every command that reads a corpus shares.
struct CorpusOptions: ParsableArguments {
  @Option(
    name: .customLong("as"),
    help:
      "How to read files: auto (by extension), text, html, xml (also SGML), jsonl, json, csv or tsv."
  )
  var inputFormat: String = "auto"

  @Option(
    help: ArgumentHelp(
      "The field holding a record's text.",
      discussion:
        "JSONL/JSON/CSV: a field or column (default: text; dotted paths reach into objects). XML/SGML: elements, comma-separated, every one of them in document order (default: title,body where present, else a text element, else the whole record)."
    ))
  var textField: String?

  @Option(
    help:
      "The field holding a record's id (default: FILE#LINE; for XML an attribute or element, default newid, id, xml:id or n)."
  )
  var idField: String?

  @Option(help: "The XML/SGML element holding one record (default: the element that repeats).")
  var record: String?

  @Option(
    help:
      "The encoding of the files (e.g. shift_jis, euc-jp, gb18030, big5, euc-kr, windows-1252, iso-8859-2); default: a byte-order mark, the charset a page declares, else UTF-8."
  )
  var encoding: String?

  @Flag(help: "Read README, LICENSE and COPYING files at the top of a corpus folder too.")
  var keepDocs = false

  @Flag(
    help:
      "Keep records (XML, JSON, CSV) whose text is empty; by default they are left out with a warning."
  )
  var keepEmpty = false

  @Option(
    help: ArgumentHelp(
      "CSV/TSV column types, overriding the inferred ones: score=number,zip=string.",
      discussion:
        "Types: string, integer, number, boolean, date (ISO). By default each column gets the narrowest type all its values in a file fit; numbers with a leading zero stay text.",
      valueName: "COLUMN=TYPE,..."))
  var types: String?

  @Option(
    help: ArgumentHelp(
      "The most a file may have, gunzipped, in MiB (1 to 2047); larger files are skipped with a warning.",
      valueName: "MiB"))
  var maxDocumentSize: Int = ReaderOptions.defaultMaxDocumentSize >> 20

  func reader() throws(FolioError) -> ReaderOptions {
    guard let format = InputFormat(name: inputFormat) else {
      throw FolioError(
        "unknown input format '\(inputFormat)'", while: "reading the command line",
        help: "use " + InputFormat.allCases.map(\.rawValue).joined(separator: ", "), exit: .usage)
    }
    if let encoding, !LegacyEncoding.isKnown(encoding) {
      throw FolioError(
        "unknown encoding '\(encoding)'", while: "reading the command line",
        help:
          "use a name iconv knows: `iconv -l` lists them (shift_jis, euc-jp, gb18030, big5, windows-1252, ...)",
        exit: .usage)
    }
    guard (1...(ReaderOptions.maxDocumentSizeLimit >> 20)).contains(maxDocumentSize) else {
      throw FolioError(
        "--max-document-size must be 1 to 2047 (MiB), got \(maxDocumentSize)",
        while: "reading the command line",
        exit: .usage)
    }
    var options = ReaderOptions(
      format: format, textField: textField, idField: idField, encoding: encoding, record: record)
    options.maxDocumentSize = min(maxDocumentSize << 20, ReaderOptions.maxDocumentSizeLimit)
    options.keepDocumentation = keepDocs
    options.keepEmpty = keepEmpty
    for pair in (types ?? "").split(separator: ",") {
      let parts = pair.split(separator: "=", maxSplits: 1).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard parts.count == 2, !parts[0].isEmpty, let type = ColumnType(rawValue: parts[1]) else {
        throw FolioError(
          "--types wants COLUMN=TYPE pairs, got '\(pair)'", while: "reading the command line",
          help:
            "types: " + ColumnType.allCases.map(\.rawValue).joined(separator: ", ")
            + " (e.g. --types score=number,zip=string)", exit: .usage)
      }
      options.columnTypes[parts[0]] = type
    }
    return options
  }
}
