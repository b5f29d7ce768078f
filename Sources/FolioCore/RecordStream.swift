import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Records read from a stream, held in memory: the bytes of whole records and where they start.
///
/// A chunk of CSV or TSV starts with the stream's header row, so that each chunk reads like a
/// small file; its columns take the types inferred from the stream's first chunk.
public struct StreamChunk: Sendable, Equatable {
  /// JSONL (a record a line), CSV or TSV (a header row, then a record a row) or text (a
  /// document a line).
  public var format: InputFormat
  public var bytes: [UInt8]
  /// The stream's line number of the chunk's first record (1-based).
  public var firstLine: Int
  /// The number of the chunk's first record in the stream (1-based; CSV rows can span lines).
  public var firstRecord: Int
  /// CSV/TSV column types, the same for every chunk of a stream.
  public var columnTypes: [String: ColumnType] = [:]
  /// Warnings about what the stream left out before this chunk (a line too long).
  public var warnings: [CorpusWarning] = []
}

/// Cuts a stream of records (standard input) into chunks of whole records, for `folio run -`.
///
/// A chunk holds at most `chunkBytes` bytes or `chunkRecords` records, whichever comes first,
/// so that memory stays bounded whatever the stream's length and chunks do not depend on the
/// number of workers. A line longer than `maxDocumentSize` is skipped with a warning, without
/// holding it. Not thread-safe: one caller at a time.
public final class RecordStream {
  public let name: String
  public let format: InputFormat
  /// The stream's file descriptor (not closed here).
  public let fd: Int32
  /// Asked while waiting for input: true ends the stream there (Ctrl-C, a stopped run).
  public var shouldStop: () -> Bool = { false }
  private let options: ReaderOptions
  private let chunkBytes: Int
  private let chunkRecords: Int
  private var buffer: [UInt8] = []
  /// What each read fills.
  private var block = [UInt8](repeating: 0, count: 1 << 20)
  private var start = 0
  private var atEnd = false
  private var line = 1
  private var record = 1
  private var header: [UInt8]?
  private var types: [String: ColumnType]?
  private var pendingWarnings: [CorpusWarning] = []
  /// Bytes of a line too long to hold, still being skipped.
  private var skipping = false
  /// The stream's first bytes were looked at (compressed or binary data is refused).
  private var checked = false

  /// The formats a stream can hold: each record ends at a line break.
  public static let formats: [InputFormat] = [.jsonl, .csv, .tsv, .text]

  /// A stream reading `fd` (not closed here); `format` is one of `formats`.
  public init(
    fd: Int32, name: String, format: InputFormat, options: ReaderOptions,
    chunkBytes: Int = 1 << 20, chunkRecords: Int = 1000
  ) {
    self.fd = fd
    self.name = name
    self.format = format
    self.options = options
    self.chunkBytes = chunkBytes
    self.chunkRecords = chunkRecords
  }

  /// The next chunk, or nil at the end of the stream.
  ///
  /// A stream that starts as compressed or binary data fails at once, with what to do.
  public func next() throws(CorpusError) -> CorpusEntry? {
    if !checked {
      checked = true
      while buffer.count < 8192, !atEnd { try read() }
      let problem = buffer.withUnsafeBytes { bytes in
        TextDecoder.binaryKind(bytes, name: name).map {
          $0.hasPrefix("holds gzip")
            ? "it holds gzip-compressed data, not text (pipe it through zcat first)" : "it " + $0
        } ?? (TextDecoder.looksBinary(bytes) ? "it looks like binary data, not text" : nil)
      }
      if let problem { throw .unreadable(name, problem) }
    }
    if format == .csv || format == .tsv, header == nil {
      guard case .bytes(let row)? = try nextRecord() else { return nil }
      var h = Array(row)
      if h.starts(with: [0xEF, 0xBB, 0xBF]) { h.removeFirst(3) }
      header = h
      line += Self.lineBreaks(row)
      record = 1
    }
    var bytes = header.map { $0 + [0x0A] } ?? []
    let headerBytes = bytes.count
    var firstLine = line
    var firstRecord = record
    var count = 0
    while count < chunkRecords, bytes.count - headerBytes < chunkBytes {
      guard let next = try nextRecord() else { break }
      guard case .bytes(let row) = next else {
        // A record was skipped: the chunk ends before it, so that lines keep their numbers.
        if count > 0 { break }
        firstLine = line
        firstRecord = record
        continue
      }
      bytes.append(contentsOf: row)
      bytes.append(0x0A)
      line += Self.lineBreaks(row)
      record += 1
      count += 1
    }
    guard count > 0 || !pendingWarnings.isEmpty else { return nil }
    var chunk = StreamChunk(
      format: format, bytes: bytes, firstLine: firstLine, firstRecord: firstRecord)
    chunk.warnings = pendingWarnings
    pendingWarnings = []
    if format == .csv || format == .tsv {
      if types == nil { types = inferTypes(bytes) }
      chunk.columnTypes = types ?? [:]
    }
    var entry = CorpusEntry(
      path: name, id: name, folder: "", displayPath: name, bytes: bytes.count - headerBytes)
    entry.stream = chunk
    return entry
  }

  /// The line breaks inside a record (a quoted CSV field can hold some), plus its own.
  private static func lineBreaks(_ row: ArraySlice<UInt8>) -> Int {
    1 + row.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
  }

  /// The column types every chunk of the stream reads with: those asked for with `--types`,
  /// else the narrowest that the first chunk's values fit.
  private func inferTypes(_ bytes: [UInt8]) -> [String: ColumnType] {
    let text = String(decoding: bytes, as: UTF8.self)
    let rows = CSVParser.parse(text, separator: format == .csv ? 0x2C : 0x09)
    guard let head = rows.first?.fields else { return [:] }
    let body = rows.dropFirst().filter { $0.fields.count == head.count }
    var out: [String: ColumnType] = [:]
    for (i, column) in head.enumerated() {
      if column == options.recordTextField || column == options.idField {
        out[column] = .string
      } else {
        out[column] = options.columnTypes[column] ?? ColumnType.infer(body.map { $0.fields[i] })
      }
    }
    return out
  }

  /// What `nextRecord` found.
  private enum Row {
    case bytes(ArraySlice<UInt8>)
    /// A record too long to hold went by.
    case skipped
  }

  /// The next record's bytes without its line break (and a CR before it), or nil at the end.
  ///
  /// A CSV/TSV record ends at a line break outside quotes; a quote opens a quoted field only
  /// at the start of a field, as `CSVParser` reads it.
  private func nextRecord() throws(CorpusError) -> Row? {
    let quoted = format == .csv || format == .tsv
    let separator: UInt8 = format == .csv ? 0x2C : 0x09
    var i = start
    var inQuotes = false
    var fieldStart = true
    while true {
      var found: Int?
      if !quoted || skipping {
        found = buffer[i...].firstIndex(of: 0x0A)
        if found == nil { i = buffer.count }
      } else {
        scan: while i < buffer.count {
          let b = buffer[i]
          if inQuotes {
            if b == 0x22 {
              // A doubled quote is a quote: the next byte decides.
              if i + 1 == buffer.count, !atEnd { break scan }
              if i + 1 < buffer.count, buffer[i + 1] == 0x22 {
                i += 2
                continue
              }
              inQuotes = false
            }
            i += 1
            continue
          }
          if b == 0x0A {
            found = i
            break scan
          }
          if b == 0x22, fieldStart { inQuotes = true }
          fieldStart = b == separator
          i += 1
        }
      }
      if let newline = found {
        if skipping {
          skipping = false
          line += 1
          record += 1
          start = newline + 1
          return .skipped
        }
        if newline - start > options.maxDocumentSize {
          // Too long, though it arrived whole.
          warnTooLong()
          line += 1
          record += 1
          start = newline + 1
          return .skipped
        }
        var end = newline
        if end > start, buffer[end - 1] == 0x0D { end -= 1 }
        let row = buffer[start..<end]
        start = newline + 1
        return .bytes(row)
      }
      if atEnd {
        guard start < buffer.count, !skipping else {
          skipping = false
          return nil
        }
        if buffer.count - start > options.maxDocumentSize {
          warnTooLong()
          start = buffer.count
          return .skipped
        }
        var end = buffer.count
        if buffer[end - 1] == 0x0D { end -= 1 }
        let row = buffer[start..<end]
        start = buffer.count
        return .bytes(row)
      }
      // A record longer than a document may be is dropped, with a warning, as it streams past.
      if !skipping, buffer.count - start > options.maxDocumentSize {
        warnTooLong()
        skipping = true
      }
      if skipping {
        buffer.removeAll(keepingCapacity: true)
        start = 0
        i = 0
      }
      let scanned = i - start
      try read()
      i = start + scanned
    }
  }

  /// The warning for the record at `line`, longer than a document may be.
  private func warnTooLong() {
    pendingWarnings.append(
      CorpusWarning(
        path: "\(name):\(line)",
        message:
          "a record of more than \(options.maxDocumentSize >> 20) MiB (--max-document-size); skipped"
      ))
  }

  /// Appends the next block of the stream to the buffer.
  private func read() throws(CorpusError) {
    if start > 0, start >= buffer.count / 2 {
      buffer.removeFirst(start)
      start = 0
    }
    var n = 0
    while true {
      // Waits in steps of 100 ms, so that a run stopped while its input is quiet ends.
      var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let polled = poll(&ready, 1, 100)
      if shouldStop() {
        n = 0
        break
      }
      if polled == 0 || (polled < 0 && errno == EINTR) { continue }
      n = block.withUnsafeMutableBytes { b in
        b.baseAddress.map { Glibc.read(fd, $0, b.count) } ?? 0
      }
      if n < 0, errno == EINTR { continue }
      break
    }
    if n < 0 { throw .unreadable(name, String(cString: strerror(errno))) }
    block.withUnsafeBufferPointer { buffer.append(contentsOf: $0.prefix(n)) }
    if n == 0 { atEnd = true }
  }
}
