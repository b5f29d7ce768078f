import Foundation
import Testing

@testable import FolioCore

/// `RecordStream`: standard input cut into chunks of whole records, whatever the reads return.
@Suite("Record streams")
struct RecordStreamTests {
  /// The chunks of `input` read through a pipe, each read given at most `step` bytes by a
  /// writer that pauses between them, so that records and quotes straddle the reads.
  static func chunks(
    _ input: String, format: InputFormat, options: ReaderOptions = ReaderOptions(),
    records: Int = 1000, bytes: Int = 1 << 20, step: Int = 3
  ) throws -> [CorpusEntry] {
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    let data = Array(input.utf8)
    let writer = fds[1]
    let thread = Thread {
      var i = 0
      while i < data.count {
        let n = min(step, data.count - i)
        _ = data[i..<(i + n)].withUnsafeBytes { write(writer, $0.baseAddress, n) }
        i += n
        usleep(200)
      }
      close(writer)
    }
    thread.start()
    defer { close(fds[0]) }
    let stream = RecordStream(
      fd: fds[0], name: "stdin", format: format, options: options, chunkBytes: bytes,
      chunkRecords: records)
    var out: [CorpusEntry] = []
    while let chunk = try stream.next() { out.append(chunk) }
    return out
  }

  static func documents(_ chunks: [CorpusEntry], options: ReaderOptions = ReaderOptions())
    -> (ids: [String], texts: [String], warnings: [String])
  {
    let reader = CorpusReader(options: options)
    var warnings: [String] = []
    let docs = chunks.flatMap { entry in
      (try? reader.readAll(entry) { warnings.append($0.description) }) ?? []
    }
    return (docs.map(\.id), docs.map(\.text), warnings)
  }

  @Test("JSONL: records keep their line numbers across chunks; CRLF, blanks, no last newline")
  func jsonl() throws {
    let input = "{\"text\":\"one\"}\r\n\n{\"text\":\"two\"}\nnot json\n{\"text\":\"three\"}"
    let chunks = try Self.chunks(input, format: .jsonl, records: 2)
    #expect(chunks.map { $0.stream?.firstLine } == [1, 3, 5])
    let (ids, texts, warnings) = Self.documents(chunks)
    #expect(ids == ["stdin#1", "stdin#3", "stdin#5"])
    #expect(texts == ["one", "two", "three"])
    #expect(
      warnings == ["stdin:4: malformed JSON; skipped (expected a JSON value at byte 1)"])
  }

  @Test("CSV: every chunk has the header; quoted line breaks and quotes stay in their record")
  func csv() throws {
    let input = "id,text,n\n1,\"a \"\"quoted\"\"\nline\",3\n2,plain,x\n3,\"x, y\",5\n"
    let chunks = try Self.chunks(input, format: .csv, records: 1, step: 2)
    #expect(chunks.count == 3)
    #expect(chunks.map { $0.stream?.firstLine } == [2, 4, 5])
    #expect(chunks.map { $0.stream?.firstRecord } == [1, 2, 3])
    for chunk in chunks {
      #expect(chunk.stream.map { $0.bytes.starts(with: Array("id,text,n\n".utf8)) } == true)
    }
    // Types come from the first chunk: n is an integer there, so "x" stays text with a warning.
    #expect(chunks[2].stream?.columnTypes["n"] == .integer)
    let (ids, texts, warnings) = Self.documents(chunks)
    #expect(ids == ["stdin#1", "stdin#2", "stdin#3"])
    #expect(texts == ["a \"quoted\"\nline", "plain", "x, y"])
    #expect(warnings == ["stdin:4: column 'n': 'x' is not an integer; kept as text"])
  }

  @Test("a stray quote inside a field does not open a quoted field")
  func strayQuote() throws {
    let input = "text\n5\" screen\nnext\n"
    let chunks = try Self.chunks(input, format: .csv, records: 1)
    #expect(Self.documents(chunks).texts == ["5\" screen", "next"])
  }

  @Test("text: a document a line, blank lines left out")
  func textLines() throws {
    let chunks = try Self.chunks("first\n\n  \nfourth\n", format: .text)
    let (ids, texts, _) = Self.documents(chunks)
    #expect(ids == ["stdin#1", "stdin#4"])
    #expect(texts == ["first", "fourth"])
  }

  @Test("a record longer than a document may be is skipped without being held")
  func longRecord() throws {
    var options = ReaderOptions()
    options.maxDocumentSize = 64
    // One arrives whole with the first bytes; one streams past in many reads; one ends it.
    let short = String(repeating: "x", count: 300)
    let long = String(repeating: "y", count: 20_000)
    let input =
      "{\"text\":\"a\"}\n{\"text\":\"\(short)\"}\n{\"text\":\"b\"}\n{\"text\":\"\(long)\"}\n"
      + "{\"text\":\"c\"}\n{\"text\":\"\(short)\"}"
    let chunks = try Self.chunks(input, format: .jsonl, options: options, step: 500)
    let (ids, _, warnings) = Self.documents(chunks, options: options)
    #expect(ids == ["stdin#1", "stdin#3", "stdin#5"])
    let warning = ": a record of more than 0 MiB (--max-document-size); skipped"
    #expect(warnings == ["stdin:2" + warning, "stdin:4" + warning, "stdin:6" + warning])
  }

  @Test("chunks stop at the byte budget; an empty stream has none")
  func budget() throws {
    let input = (1...10).map { "{\"text\":\"\($0)\"}\n" }.joined()
    let chunks = try Self.chunks(input, format: .jsonl, bytes: 30, step: 64)
    #expect(chunks.map { $0.bytes } == [39, 39, 39, 14])
    #expect(try Self.chunks("", format: .jsonl).isEmpty)
  }
}
