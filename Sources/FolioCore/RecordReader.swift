import Foundation

/// How files become documents: by extension (`auto`), or as named with `--as`.
public enum InputFormat: String, Sendable, CaseIterable {
  case auto, text, jsonl, json, csv, tsv

  /// The format a file's extension implies.
  static func of(_ path: String) -> InputFormat {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "jsonl", "ndjson": .jsonl
    case "json": .json
    case "csv": .csv
    case "tsv", "tab": .tsv
    default: .text
    }
  }
}

/// Reader options: the format and, for records, which fields hold the text and the id
/// (dotted paths reach into nested objects: `article.body`).
public struct ReaderOptions: Sendable, Equatable {
  public var format: InputFormat
  public var textField: String
  public var idField: String?

  public init(format: InputFormat = .auto, textField: String = "text", idField: String? = nil) {
    self.format = format
    self.textField = textField
    self.idField = idField
  }
}

/// A JSON value, decoded exactly (booleans, integers and floats stay apart).
enum JSONValue: Decodable {
  case null, bool(Bool), integer(Int), number(Double), string(String)
  case array([JSONValue]), object([String: JSONValue])

  init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? c.decode(Int.self) {
      self = .integer(i)
    } else if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  /// The value at a dotted path.
  func at(_ path: String) -> JSONValue? {
    var value: JSONValue? = self
    for part in path.split(separator: ".") {
      guard case .object(let o)? = value else { return nil }
      value = o[String(part)]
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

  /// Fields flattened to dotted keys, sorted, leaving out `skip`.
  func flattened(prefix: String = "", skip: Set<String>) -> [(String, MetaValue)] {
    guard case .object(let o) = self else { return [] }
    var out: [(String, MetaValue)] = []
    for key in o.keys.sorted() {
      let path = prefix.isEmpty ? key : prefix + "." + key
      guard !skip.contains(path), let value = o[key] else { continue }
      if case .object = value {
        out += value.flattened(prefix: path, skip: skip)
      } else if let m = value.meta {
        out.append((path, m))
      }
    }
    return out
  }
}

extension CorpusReader {
  /// Reads an entry into its documents: one for a text file, one per record for JSONL and JSON arrays.
  ///
  /// Malformed records are skipped with a warning naming the file and line.
  public func readAll(_ entry: CorpusEntry, warn: (CorpusWarning) -> Void) throws(CorpusError)
    -> [Document]
  {
    let format = options.format == .auto ? InputFormat.of(entry.url.path) : options.format
    if format == .csv || format == .tsv {
      return try readTable(entry, separator: format == .csv ? 0x2C : 0x09, warn: warn)
    }
    guard format == .jsonl || format == .json else {
      return try read(entry, warn: warn).map { [$0] } ?? []
    }
    let bytes = try Self.readFile(entry.url.path, shown: entry.displayPath)
    let decoder = JSONDecoder()
    var documents: [Document] = []
    func record(_ value: JSONValue, number: Int, where place: String) {
      guard case .object = value else {
        warn(CorpusWarning(path: place, message: "not a JSON object; skipped"))
        return
      }
      guard let textValue = value.at(options.textField), let text = textValue.scalarText else {
        let fields = value.flattened(skip: []).map(\.0).prefix(8).joined(separator: ", ")
        warn(
          CorpusWarning(
            path: place,
            message:
              "no text field '\(options.textField)' (fields: \(fields)); skipped - use --text-field"
          ))
        return
      }
      let id = options.idField.flatMap { value.at($0)?.scalarText } ?? "\(entry.id)#\(number)"
      var meta = Metadata()
      meta["path"] = .string(entry.id)
      meta["folder"] = .string(entry.folder)
      meta["record"] = .integer(number)
      for (k, v) in value.flattened(skip: [options.textField]) { meta[k] = v }
      let normalised = text.contains("\r") ? TextDecoder.decode(Array(text.utf8)).text : text
      documents.append(Document(id: id, text: normalised, meta: meta))
    }
    if format == .json {
      do {
        let value = try decoder.decode(JSONValue.self, from: Data(bytes))
        guard case .array(let items) = value else {
          record(value, number: 1, where: entry.displayPath)
          return documents
        }
        for (i, item) in items.enumerated() {
          record(item, number: i + 1, where: "\(entry.displayPath)#\(i + 1)")
        }
      } catch {
        warn(
          CorpusWarning(
            path: entry.displayPath, message: "malformed JSON; skipped (\(Self.reason(error)))"))
      }
      return documents
    }
    var line = 0
    for slice in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
      line += 1
      var trimmed = slice
      if trimmed.last == 0x0D { trimmed = trimmed.dropLast() }
      if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
      do {
        record(
          try decoder.decode(JSONValue.self, from: Data(trimmed)), number: line,
          where: "\(entry.displayPath):\(line)")
      } catch {
        warn(
          CorpusWarning(
            path: "\(entry.displayPath):\(line)",
            message: "malformed JSON; skipped (\(Self.reason(error)))"))
      }
    }
    return documents
  }

  /// CSV/TSV with a header row: one document per row; `textField` and `idField` name
  /// columns; the other columns go to meta (numbers stay text: CSV has no types).
  private func readTable(_ entry: CorpusEntry, separator: UInt8, warn: (CorpusWarning) -> Void)
    throws(CorpusError) -> [Document]
  {
    let bytes = try Self.readFile(entry.url.path, shown: entry.displayPath)
    let text = bytes.withUnsafeBytes { TextDecoder.decode($0).text }
    let records: [CSVParser.Record]
    do { records = try CSVParser.parse(text, separator: separator) } catch {
      warn(
        CorpusWarning(
          path: "\(entry.displayPath):\(error.line)",
          message: "a quoted field is never closed; the file is skipped"))
      return []
    }
    guard let header = records.first?.fields else { return [] }
    guard let textColumn = header.firstIndex(of: options.textField) else {
      warn(
        CorpusWarning(
          path: entry.displayPath,
          message:
            "no column '\(options.textField)' (columns: \(header.prefix(8).joined(separator: ", "))); skipped - use --text-field"
        ))
      return []
    }
    let idColumn = options.idField.flatMap { header.firstIndex(of: $0) }
    var documents: [Document] = []
    for (n, record) in records.dropFirst().enumerated() {
      guard record.fields.count == header.count else {
        warn(
          CorpusWarning(
            path: "\(entry.displayPath):\(record.line)",
            message: "\(record.fields.count) fields where the header has \(header.count); skipped"))
        continue
      }
      var meta = Metadata()
      meta["path"] = .string(entry.id)
      meta["folder"] = .string(entry.folder)
      meta["record"] = .integer(n + 1)
      for (i, name) in header.enumerated() where i != textColumn {
        meta[name] = .string(record.fields[i])
      }
      let id = idColumn.map { record.fields[$0] } ?? "\(entry.id)#\(n + 1)"
      documents.append(Document(id: id, text: record.fields[textColumn], meta: meta))
    }
    return documents
  }

  private static func reason(_ error: Error) -> String {
    if case DecodingError.dataCorrupted(let context) = error {
      return (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
    }
    return "\(error)"
  }
}
