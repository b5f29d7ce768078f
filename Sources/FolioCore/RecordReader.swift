import Foundation

extension CorpusReader {
  /// Reads an entry into its documents: one for a text file or HTML page, one per record for
  /// JSONL, JSON arrays, CSV/TSV rows and SGML/XML records; `.gz` files are gunzipped first.
  ///
  /// Binary files and malformed records are skipped with a warning naming the file and line.
  public func readAll(_ entry: CorpusEntry, warn: (CorpusWarning) -> Void) throws(CorpusError)
    -> [Document]
  {
    guard let (bytes, name) = try contents(entry, warn: warn) else { return [] }
    return documents(bytes, name: name, entry: entry, warn: warn)
  }

  /// The documents in a file's bytes (already gunzipped).
  ///
  /// `name` decides the format under `--as auto`. The readers' fuzz targets enter here.
  public func documents(
    _ bytes: [UInt8], name: String, entry: CorpusEntry, warn: (CorpusWarning) -> Void
  ) -> [Document] {
    for w in entry.stream?.warnings ?? [] { warn(w) }
    let format =
      entry.stream?.format ?? (options.format == .auto ? InputFormat.of(name) : options.format)
    let kind = bytes.withUnsafeBytes { TextDecoder.binaryKind($0, name: name) }
    if let kind {
      warn(CorpusWarning(path: entry.displayPath, message: kind + "; skipped"))
      return []
    }
    if bytes.withUnsafeBytes({ TextDecoder.looksBinary($0) }) {
      warn(CorpusWarning(path: entry.displayPath, message: "looks like a binary file; skipped"))
      return []
    }
    var meta = Self.baseMeta(entry)
    switch format {
    case .csv, .tsv:
      let text = bytes.withUnsafeBytes {
        decode($0, entry: entry, sniff: false, meta: &meta, warn: warn)
      }
      let documents = readTable(
        text, entry, separator: format == .csv ? 0x2C : 0x09,
        replaced: meta["invalid_bytes"] != nil,
        warn: warn)
      return leaveOutEmpty(documents, entry, warn: warn)
    case .jsonl, .json:
      return readJSON(bytes, entry, lines: format == .jsonl, warn: warn)
    case .xml:
      let text = bytes.withUnsafeBytes {
        decode($0, entry: entry, sniff: true, meta: &meta, warn: warn)
      }
      let fields = options.textField?.split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      let records = MarkupReader.records(
        text, record: options.record, textFields: fields, idField: options.idField)
      if let record = options.record, records.isEmpty {
        warn(CorpusWarning(path: entry.displayPath, message: "no <\(record)> records; skipped"))
      }
      let replaced = meta["invalid_bytes"] != nil
      meta["invalid_bytes"] = nil
      let documents = records.enumerated().map { n, record in
        var m = meta
        m.reserveCapacity(meta.count + record.meta.count + 1)
        if records.count > 1 { m["record"] = .integer(n + 1) }
        for (k, v) in record.meta { m[k] = v }
        let id =
          record.id.map { "\(entry.id)#\($0)" }
          ?? (records.count > 1 ? "\(entry.id)#\(n + 1)" : entry.id)
        // The file's replaced bytes, counted where they landed: one record, not all of them.
        if replaced {
          let n =
            Self.replacements(record.text) + record.meta.reduce(0) { $0 + Self.replacements($1.1) }
          if n > 0 { m["invalid_bytes"] = .integer(n) }
        }
        return Document(id: id, text: record.text, meta: m)
      }
      return leaveOutEmpty(documents, entry, warn: warn)
    case .html:
      let text = bytes.withUnsafeBytes {
        decode($0, entry: entry, sniff: true, meta: &meta, warn: warn)
      }
      let page = MarkupReader.page(text)
      for (k, v) in page.meta where meta[k] == nil { meta[k] = .string(v) }
      if meta["extraction"] == .string("fallback") {
        warn(
          CorpusWarning(
            path: entry.displayPath,
            message:
              "no article found; its visible text is kept instead (meta.extraction = \"fallback\")"
          ))
      } else if Self.isBlank(page.text) {
        warn(CorpusWarning(path: entry.displayPath, message: "the page has no visible text"))
      }
      meta["bytes"] = .integer(bytes.count)
      return [Document(id: entry.id, text: page.text, meta: meta)]
    case .conllu:
      let text = bytes.withUnsafeBytes {
        decode($0, entry: entry, sniff: false, meta: &meta, warn: warn)
      }
      do {
        let documents = CoNLLU.documents(try CoNLLU.parse(text), id: entry.id)
        for d in documents {
          for (k, v) in meta.entries where d.meta[k] == nil { d.meta[k] = v }
        }
        return leaveOutEmpty(documents, entry, warn: warn)
      } catch {
        warn(
          CorpusWarning(
            path: entry.displayPath,
            message: "not CoNLL-U at \(error) - skipped (read it with --as text to see it)"))
        return []
      }
    case .text, .auto:
      if let stream = entry.stream { return lines(bytes, stream, entry, warn: warn) }
      meta["bytes"] = .integer(bytes.count)
      let text = bytes.withUnsafeBytes {
        decode($0, entry: entry, sniff: false, meta: &meta, warn: warn)
      }
      return [Document(id: entry.id, text: text, meta: meta)]
    }
  }

  /// The records of a file without those whose text is empty or blank, which are counted in one
  /// warning (unless `keepEmpty`).
  func leaveOutEmpty(
    _ documents: [Document], _ entry: CorpusEntry, warn: (CorpusWarning) -> Void
  ) -> [Document] {
    guard !options.keepEmpty else { return documents }
    guard let first = documents.first(where: { Self.isBlank($0.text) }) else { return documents }
    let kept = documents.filter { !Self.isBlank($0.text) }
    warnEmpty(
      first: first.id, count: documents.count - kept.count, of: documents.count, entry, warn)
    return kept
  }

  static func isBlank(_ text: String) -> Bool {
    text.utf8.allSatisfy { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
  }

  /// The warning for `count` records of `total` left out for want of text.
  func warnEmpty(
    first: String, count n: Int, of total: Int, _ entry: CorpusEntry,
    _ warn: (CorpusWarning) -> Void
  ) {
    let all = n == total ? (n == 1 ? "its record has" : "all \(n) records have") : nil
    warn(
      CorpusWarning(
        path: entry.displayPath,
        message:
          "\(all ?? "\(n) of \(total) records have") no text (first: \(first)); left out - --keep-empty keeps them"
      ))
  }

  /// How many U+FFFD replacement characters `s` holds (the decoder's replaced bytes).
  static func replacements(_ s: String) -> Int {
    var n = 0
    var state = 0
    for b in s.utf8 {
      switch (state, b) {
      case (_, 0xEF): state = 1
      case (1, 0xBF): state = 2
      case (2, 0xBD):
        n += 1
        state = 0
      default: state = 0
      }
    }
    return n
  }

  static func replacements(_ v: MetaValue) -> Int {
    switch v {
    case .string(let s): replacements(s)
    case .list(let items): items.reduce(0) { $0 + replacements($1) }
    default: 0
    }
  }

  /// The metadata every document of `entry` starts with: `path`, `folder` and, when several
  /// corpora were given, `corpus`.
  static func baseMeta(_ entry: CorpusEntry) -> Metadata {
    var meta = Metadata()
    meta["path"] = .string(entry.id)
    meta["folder"] = .string(entry.folder)
    if let corpus = entry.corpus { meta["corpus"] = .string(corpus) }
    return meta
  }

  /// JSONL (one object a line) or a JSON array of objects (or one object).
  private func readJSON(
    _ bytes: [UInt8], _ entry: CorpusEntry, lines: Bool, warn: (CorpusWarning) -> Void
  ) -> [Document] {
    let textField = options.recordTextField
    var documents: [Document] = []
    var notObjects: [String] = []
    // Records without text (not Folio's own: an exported empty document is kept).
    var empty: (first: String, count: Int)? = nil
    func add(_ document: Document) {
      if !options.keepEmpty, Self.isBlank(document.text) {
        empty = (empty?.first ?? document.id, (empty?.count ?? 0) + 1)
      } else {
        documents.append(document)
      }
    }
    func record(_ value: JSONValue, number: Int, where place: String) {
      // A bare string is a document's text (a JSON list of strings is a corpus too).
      if case .string(let text) = value {
        var meta = Self.baseMeta(entry)
        meta["record"] = .integer(number)
        add(Document(id: "\(entry.id)#\(number)", text: text, meta: meta))
        return
      }
      guard case .object = value else {
        notObjects.append(place)
        return
      }
      if let document = Self.standOff(value, place: place, warn: warn) {
        documents.append(document)
        return
      }
      guard let textValue = value.at(textField), let text = textValue.scalarText else {
        let fields = value.flattened(skip: []).map(\.0).prefix(8).joined(separator: ", ")
        warn(
          CorpusWarning(
            path: place,
            message:
              "no text field '\(textField)' (fields: \(fields)); skipped - use --text-field"
          ))
        return
      }
      let id = options.idField.flatMap { value.at($0)?.scalarText } ?? "\(entry.id)#\(number)"
      var meta = Self.baseMeta(entry)
      meta["record"] = .integer(number)
      for (k, v) in value.flattened(skip: [textField]) { meta[k] = v }
      let normalised = text.contains("\r") ? TextDecoder.decode(Array(text.utf8)).text : text
      add(Document(id: id, text: normalised, meta: meta))
    }
    defer {
      if let empty {
        warnEmpty(
          first: empty.first, count: empty.count, of: documents.count + empty.count, entry, warn)
      }
      // One warning for many records of one kind: a file of numbers is not 10,000 warnings.
      if let first = notObjects.first {
        let more = notObjects.count > 1 ? " (and \(notObjects.count - 1) more records like it)" : ""
        warn(CorpusWarning(path: first, message: "not a JSON object or string; skipped\(more)"))
      }
    }
    let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
    if !lines {
      do {
        let value = try JSONParser.parse(body)
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
            path: entry.displayPath, message: "malformed JSON; skipped (\(error))"))
      }
      return documents
    }
    var line = (entry.stream?.firstLine ?? 1) - 1
    for slice in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
      line += 1
      var trimmed = slice
      if trimmed.last == 0x0D { trimmed = trimmed.dropLast() }
      if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
      do {
        record(
          try JSONParser.parse(trimmed), number: line,
          where: "\(entry.displayPath):\(line)")
      } catch {
        warn(
          CorpusWarning(
            path: "\(entry.displayPath):\(line)",
            message: "malformed JSON; skipped (\(error))"))
      }
    }
    return documents
  }

  /// A stream's text, a document a line (`folio run - --as text`): its id is `NAME#LINE`;
  /// blank lines are left out.
  private func lines(
    _ bytes: [UInt8], _ stream: StreamChunk, _ entry: CorpusEntry, warn: (CorpusWarning) -> Void
  ) -> [Document] {
    var documents: [Document] = []
    var line = stream.firstLine - 1
    for slice in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
      line += 1
      if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
      var meta = Self.baseMeta(entry)
      meta["record"] = .integer(line)
      let place = CorpusEntry(
        path: entry.path, id: entry.id, folder: "", displayPath: "\(entry.displayPath):\(line)",
        bytes: slice.count)
      let text = Array(slice).withUnsafeBytes {
        decode($0, entry: place, sniff: false, meta: &meta, warn: warn)
      }
      documents.append(Document(id: "\(entry.id)#\(line)", text: text, meta: meta))
    }
    return documents
  }

  /// CSV/TSV with a header row: one document per row; `textField` and `idField` name
  /// columns; the other columns go to meta, typed by `ColumnType.infer` over the file's rows
  /// unless `columnTypes` names their type.
  private func readTable(
    _ text: String, _ entry: CorpusEntry, separator: UInt8, replaced: Bool,
    warn: (CorpusWarning) -> Void
  ) -> [Document] {
    let textField = options.recordTextField
    var problems: [CSVParser.BadQuote] = []
    let records = CSVParser.parse(text, separator: separator, problems: &problems)
    // A stream's chunk starts with the header row, then its rows from `firstLine` on.
    let lineShift = entry.stream.map { $0.firstLine - 2 } ?? 0
    let recordShift = entry.stream.map { $0.firstRecord - 1 } ?? 0
    for problem in problems {
      warn(
        CorpusWarning(
          path: "\(entry.displayPath):\(problem.line + lineShift)", message: problem.message))
    }
    guard let header = records.first?.fields else { return [] }
    guard let textColumn = header.firstIndex(of: textField) else {
      warn(
        CorpusWarning(
          path: entry.displayPath,
          message:
            "no column '\(textField)' (columns: \(header.prefix(8).joined(separator: ", "))); skipped - use --text-field"
        ))
      return []
    }
    let idColumn = options.idField.flatMap { header.firstIndex(of: $0) }
    var rows: [CSVParser.Record] = []
    for record in records.dropFirst() {
      guard record.fields.count == header.count else {
        warn(
          CorpusWarning(
            path: "\(entry.displayPath):\(record.line + lineShift)",
            message: "\(record.fields.count) fields where the header has \(header.count); skipped"))
        continue
      }
      rows.append(record)
    }
    // Each column's type: the one asked for, else the narrowest every value fits.
    var types: [ColumnType] = []
    for (i, name) in header.enumerated() {
      if i == textColumn || i == idColumn {
        types.append(.string)
      } else if let asked = entry.stream?.columnTypes[name] ?? options.columnTypes[name] {
        types.append(asked)
      } else {
        types.append(ColumnType.infer(rows.lazy.map { $0.fields[i] }))
      }
    }
    var misfits: [Int: (line: Int, value: String, count: Int)] = [:]
    var documents: [Document] = []
    documents.reserveCapacity(rows.count)
    for (n, record) in rows.enumerated() {
      var meta = Self.baseMeta(entry)
      meta["record"] = .integer(n + 1 + recordShift)
      for (i, name) in header.enumerated() where i != textColumn {
        let field = record.fields[i]
        if types[i] == .string {
          meta[name] = .string(field)
        } else if field.isEmpty {
          continue  // no value: the key is absent, as a missing value should be
        } else if let value = types[i].value(field) {
          meta[name] = value
        } else {
          // A value that does not fit the type asked for stays text, with a warning.
          meta[name] = .string(field)
          if let m = misfits[i] {
            misfits[i]?.count = m.count + 1
          } else {
            misfits[i] = (record.line, field, 1)
          }
        }
      }
      if replaced {
        let bad = record.fields.reduce(0) { $0 + Self.replacements($1) }
        if bad > 0 { meta["invalid_bytes"] = .integer(bad) }
      }
      let id = idColumn.map { record.fields[$0] } ?? "\(entry.id)#\(n + 1 + recordShift)"
      documents.append(Document(id: id, text: record.fields[textColumn], meta: meta))
    }
    for (i, m) in misfits.sorted(by: { $0.key < $1.key }) {
      warn(
        CorpusWarning(
          path: "\(entry.displayPath):\(m.line + lineShift)",
          message:
            "column '\(header[i])': '\(m.value)' is not \(types[i].article) \(types[i].rawValue)\(m.count > 1 ? " (nor are \(m.count - 1) more values)" : ""); kept as text"
        ))
    }
    return documents
  }

  /// A record Folio wrote (`folio corpus export`, `folio run -o docs.jsonl`): `id`, `meta`,
  /// `text`, `offsets`, `layers` and `tokens` with their attributes come back as they were;
  /// nil for any other record.
  static func standOff(_ value: JSONValue, place: String, warn: (CorpusWarning) -> Void)
    -> Document?
  {
    guard case .string(let id)? = value["id"], case .string(let text)? = value["text"],
      case .string(let unit)? = value["offsets"], let offsets = OffsetUnit(rawValue: unit),
      case .object(let layers)? = value["layers"], case .object(let fields)? = value["meta"]
    else { return nil }
    var meta = Metadata()
    for (k, v) in fields { if let m = v.meta { meta[k] = m } }
    let document = Document(id: id, text: text, meta: meta)
    // Code point offsets back to bytes: one table over the text.
    var byteAt: [Int] = []
    if offsets == .codepoints {
      byteAt.reserveCapacity(text.unicodeScalars.count + 1)
      var n = 0
      for s in text.unicodeScalars {
        byteAt.append(n)
        n += UTF8.width(s)
      }
      byteAt.append(n)
    }
    let limit = offsets == .codepoints ? byteAt.count - 1 : document.byteCount
    for (name, spans) in layers {
      guard case .array(let items) = spans else { continue }
      document.ensureLayer(name)
      for item in items {
        guard case .integer(let start)? = item["start"], case .integer(let end)? = item["end"],
          0 <= start, start <= end, end <= limit
        else {
          warn(
            CorpusWarning(
              path: place, message: "a span in layer '\(name)' has bad offsets; skipped"))
          continue
        }
        var label: String?
        if case .string(let l)? = item["label"] { label = l }
        var attributes: [(String, MetaValue)] = []
        if case .object(let a)? = item["attrs"] {
          for (k, v) in a { if let m = v.meta { attributes.append((k, m)) } }
        }
        let span =
          offsets == .codepoints
          ? Span(start: byteAt[start], end: byteAt[end], label: label, attributes: attributes)
          : Span(start: start, end: end, label: label, attributes: attributes)
        document.add(span, to: name)
      }
    }
    if case .array(let items)? = value["tokens"] {
      restoreTokens(
        items, document, offsets == .codepoints ? byteAt : nil, place: place, warn: warn)
    }
    return document
  }

  /// The tokens of a record and their attributes (`Document.jsonRecord`): all or none.
  static func restoreTokens(
    _ items: [JSONValue], _ document: Document, _ byteAt: [Int]?, place: String,
    warn: (CorpusWarning) -> Void
  ) {
    let limit = byteAt.map { $0.count - 1 } ?? document.byteCount
    var tokens: [Token] = []
    var names: [String] = []
    var columns: [String: TokenColumn] = [:]
    var last = 0
    for (i, item) in items.enumerated() {
      guard case .object(let fields) = item, case .integer(let start)? = item["start"],
        case .integer(let end)? = item["end"], last <= start, start < end, end <= limit,
        case .string(let kindName)? = item["kind"],
        let kind = TokenKind.allCases.first(where: { $0.name == kindName })
      else {
        warn(
          CorpusWarning(
            path: place,
            message: "token \(i + 1) has bad offsets or no kind; the record's tokens are skipped"))
        return
      }
      last = end
      tokens.append(
        Token(start: byteAt?[start] ?? start, end: byteAt?[end] ?? end, kind: kind))
      for (name, v) in fields where name != "start" && name != "end" && name != "kind" {
        guard case .string(let value) = v else { continue }
        if columns[name] == nil {
          guard i == 0 else {
            warn(
              CorpusWarning(
                path: place,
                message:
                  "token \(i + 1) has '\(name)', which the first token lacks; the record's tokens are skipped"
              ))
            return
          }
          names.append(name)
          columns[name] = TokenColumn()
        }
        columns[name]?.append(value)
      }
    }
    guard columns.values.allSatisfy({ $0.count == tokens.count }) else {
      warn(
        CorpusWarning(
          path: place,
          message: "some tokens lack attributes the others have; the record's tokens are skipped"))
      return
    }
    document.setWords(tokens, columns: names.map { ($0, columns[$0] ?? TokenColumn()) })
  }
}
