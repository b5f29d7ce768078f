import FolioCore
import Foundation
import LuaRuntime

#if canImport(Glibc)
  import Glibc
#endif

/// Where a run's chunks come from: the chunks planned from a listed corpus, or standard input
/// cut into chunks as it is read (`folio run -`).
///
/// Workers call `next` one at a time (`Work` holds a lock around it).
final class ChunkFeed: @unchecked Sendable {
  private let planned: [[CorpusEntry]]
  private var position = 0
  private let stream: RecordStream?
  /// The stream's descriptor is the feed's to close (a copy of a spooled input).
  private let owned: Bool

  /// Asked by a stream waiting for input: true ends it (the run stopped).
  var shouldStop: () -> Bool = { false } {
    didSet { stream?.shouldStop = shouldStop }
  }

  init(_ chunks: [[CorpusEntry]]) {
    planned = chunks
    stream = nil
    owned = false
  }

  init(_ stream: RecordStream, owned: Bool) {
    planned = []
    self.stream = stream
    self.owned = owned
  }

  deinit {
    if owned, let stream { close(stream.fd) }
  }

  /// The next chunk, or nil at the end of the corpus.
  func next() throws(CorpusError) -> [CorpusEntry]? {
    if let stream { return try stream.next().map { [$0] } }
    guard position < planned.count else { return nil }
    position += 1
    return planned[position - 1]
  }
}

/// Standard input copied to an unlinked temporary file, for a run that reads its corpus
/// twice (a plugin with a scan pass): each pass reads the copy from its start.
final class StandardInputSpool {
  private let fd: Int32

  /// Copies standard input to the end (or until Ctrl-C).
  init() throws(AtomicFile.Failure) {
    var template = Array((NSTemporaryDirectory() + "/folio-stdin-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { p in
      p.baseAddress.map { mkstemp($0) } ?? -1
    }
    guard fd >= 0 else {
      throw AtomicFile.Failure(path: "a temporary file", reason: String(cString: strerror(errno)))
    }
    template.withUnsafeBufferPointer { p in _ = p.baseAddress.map { unlink($0) } }
    self.fd = fd
    var block = [UInt8](repeating: 0, count: 1 << 20)
    while !LuaInterrupt.isRequested {
      let n = block.withUnsafeMutableBytes { b in
        b.baseAddress.map { read(STDIN_FILENO, $0, b.count) } ?? 0
      }
      if n < 0, errno == EINTR { continue }
      if n < 0 {
        throw AtomicFile.Failure(path: "standard input", reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      var offset = 0
      while offset < n {
        let w = block.withUnsafeBytes { b in
          b.baseAddress.map { write(fd, $0 + offset, n - offset) } ?? 0
        }
        if w < 0, errno == EINTR { continue }
        if w < 0 {
          throw AtomicFile.Failure(
            path: "a temporary copy of standard input", reason: String(cString: strerror(errno)))
        }
        offset += w
      }
    }
  }

  /// A descriptor reading the copy from its start (the caller closes it).
  func open() -> Int32 {
    lseek(fd, 0, SEEK_SET)
    return dup(fd)
  }

  func remove() { close(fd) }
}

extension Runner {
  /// The format of standard input: JSONL unless `--as` names another line format.
  static func streamFormat(_ reader: ReaderOptions) -> InputFormat {
    reader.format == .auto ? .jsonl : reader.format
  }

  /// Refuses what standard input cannot be: split into shards, indexed, or a format whose
  /// records are not lines.
  static func checkStream(_ configuration: RunConfiguration) throws(FolioError) {
    if let shard = configuration.shard {
      throw FolioError(
        "--shard splits a corpus Folio lists; standard input is read as it comes",
        while: "reading the command line",
        help: "to name the part of a larger corpus that standard input is, use --part \(shard)",
        exit: .usage)
    }
    if configuration.index != nil {
      throw FolioError(
        "an index is built from files, not from standard input", while: "reading the command line",
        help: "save the input to a file first (folio index FILE.jsonl)", exit: .usage)
    }
    let format = streamFormat(configuration.reader)
    guard RecordStream.formats.contains(format) else {
      throw FolioError(
        "standard input cannot be read --as \(format.rawValue): its records must be lines",
        while: "reading the command line",
        help: "use --as jsonl (the default), csv, tsv or text (a document a line)", exit: .usage)
    }
  }
}
