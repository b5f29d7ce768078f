import Foundation

/// How files become documents: by extension (`auto`), or as named with `--as`.
public enum InputFormat: String, Sendable, CaseIterable, Codable {
  case auto, text, html, xml, jsonl, json, csv, tsv, conllu

  /// The format a file's extension implies.
  static func of(_ path: String) -> InputFormat {
    // The extension of the last path component, by string: a Foundation URL would stat the file.
    let name = path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? path[...]
    let dot = name.dropFirst().lastIndex(of: ".")
    let ext = dot.map { name[name.index(after: $0)...].lowercased() } ?? ""
    return switch ext {
    case "jsonl", "ndjson": .jsonl
    case "json": .json
    case "csv": .csv
    case "tsv", "tab": .tsv
    case "html", "htm", "xhtml": .html
    case "xml", "sgm", "sgml", "tei": .xml
    case "conllu": .conllu
    default: .text
    }
  }

  /// A format by the name given to `--as` (`sgml` is another name for `xml`).
  public init?(name: String) {
    let name = name.lowercased()
    self.init(rawValue: name == "sgml" ? "xml" : name == "txt" ? "text" : name)
  }
}

/// Reader options: the format and, for records, which fields hold the text and the id
/// (dotted paths reach into nested objects: `article.body`).
public struct ReaderOptions: Sendable, Equatable, Codable {
  public var format: InputFormat
  /// The field holding a record's text.
  ///
  /// Nil means the format's default (`text` for JSON and CSV,
  /// `title` + `body` for SGML/XML records). For XML, a comma-separated list of elements.
  public var textField: String?
  public var idField: String?
  /// The encoding of text files (`--encoding`); nil reads the byte-order mark, the declared
  /// charset, then UTF-8.
  public var encoding: String?
  /// The SGML/XML element that holds one record (`--record`); nil finds the repeated element.
  public var record: String?
  /// Read README, LICENSE and COPYING files at the top of a folder too (`--keep-docs`).
  public var keepDocumentation = false
  /// Keep records whose text is empty (`--keep-empty`).
  ///
  /// Catalogues such as UDHR's index.xml are all metadata: by default such records are left
  /// out with one warning a file.
  public var keepEmpty = false
  /// CSV/TSV column types that override the inferred ones (`--types score=number`).
  public var columnTypes: [String: ColumnType] = [:]
  /// The most bytes a file may have, gunzipped (`--max-document-size`): every file is held
  /// whole while its documents are read, and token positions are 32-bit.
  public var maxDocumentSize = ReaderOptions.defaultMaxDocumentSize
  /// 512 MiB.
  public static let defaultMaxDocumentSize = 512 << 20
  /// The largest `maxDocumentSize` there can be: 2 GiB less one byte (32-bit offsets).
  public static let maxDocumentSizeLimit = Int(Int32.max)

  public init(
    format: InputFormat = .auto, textField: String? = nil, idField: String? = nil,
    encoding: String? = nil, record: String? = nil
  ) {
    self.format = format
    self.textField = textField
    self.idField = idField
    self.encoding = encoding
    self.record = record
  }

  /// The text field of JSON and CSV records.
  var recordTextField: String { textField ?? "text" }
}

/// A JSON value, decoded exactly (booleans, integers and floats stay apart; object keys keep
/// their order).
public enum JSONValue: Sendable {
  case null, bool(Bool), integer(Int), number(Double), string(String)
  case array([JSONValue]), object([(String, JSONValue)])

  /// Parses JSON text (RFC 8259, strict; nesting up to 512 deep).
  public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParser.Failure) -> JSONValue
  {
    try JSONParser.parse(bytes)
  }

  /// The field `key` of an object.
  subscript(key: String) -> JSONValue? {
    guard case .object(let fields) = self else { return nil }
    return fields.first { $0.0 == key }?.1
  }

  /// The value at a dotted path.
  func at(_ path: String) -> JSONValue? {
    var value: JSONValue? = self
    for part in path.split(separator: ".") {
      value = value?[String(part)]
    }
    return value
  }

  var scalarText: String? {
    switch self {
    case .string(let s): s
    case .integer(let i): String(i)
    case .number(let d): String(d)
    case .bool(let b): b ? "true" : "false"
    default: nil
    }
  }

  var meta: MetaValue? {
    switch self {
    case .null, .object: nil
    case .bool(let b): .bool(b)
    case .integer(let i): .integer(i)
    case .number(let d): .number(d)
    case .string(let s): .string(s)
    case .array(let items): .list(items.compactMap(\.meta))
    }
  }

  /// Fields flattened to dotted keys, in file order, leaving out `skip`.
  func flattened(prefix: String = "", skip: Set<String>) -> [(String, MetaValue)] {
    guard case .object(let o) = self else { return [] }
    var out: [(String, MetaValue)] = []
    for (key, value) in o {
      let path = prefix.isEmpty ? key : prefix + "." + key
      guard !skip.contains(path) else { continue }
      if case .object = value {
        out += value.flattened(prefix: path, skip: skip)
      } else if let m = value.meta {
        out.append((path, m))
      }
    }
    return out
  }
}
