import Foundation

/// Where the REPL gets its lines: Folio's line editor at a terminal (`TerminalLineReader`),
/// plain reads otherwise, a list in tests.
public protocol LineReader: AnyObject {
  /// Reads one line without its newline; nil at end of input.
  ///
  /// Throws `LineInterrupt` when the user pressed Ctrl-C at the prompt (the line is dropped).
  func readLine(prompt: String) throws(LineInterrupt) -> String?
  /// Records an accepted chunk (possibly several lines) as one history entry.
  func addHistory(_ chunk: String)
  /// The history, oldest first.
  var history: [String] { get }
}

/// Ctrl-C at the prompt: the current line is discarded.
public struct LineInterrupt: Error {
  public init() {}
}

/// Reads lines from a file descriptor without echo or prompts: scripted use (`folio repl < session.folio`).
public final class PlainLineReader: LineReader {
  private let fd: Int32
  private var buffer: [UInt8] = []
  private var position = 0
  private var ended = false
  public private(set) var history: [String] = []

  public init(fd: Int32 = 0) { self.fd = fd }

  public func readLine(prompt: String) throws(LineInterrupt) -> String? {
    while true {
      if let newline = buffer[position...].firstIndex(of: 0x0A) {
        var line = buffer[position..<newline]
        position = newline + 1
        if line.last == 0x0D { line = line.dropLast() }
        return String(decoding: line, as: UTF8.self)
      }
      if ended {
        guard position < buffer.count else { return nil }
        let line = buffer[position...]
        position = buffer.count
        return String(decoding: line, as: UTF8.self)
      }
      buffer.removeFirst(position)
      position = 0
      var chunk = [UInt8](repeating: 0, count: 65536)
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 {
        ended = true
      } else {
        buffer += chunk[0..<n]
      }
    }
  }

  public func addHistory(_ chunk: String) { history.append(chunk) }
}

/// Lines from a list (tests, `.read FILE`).
public final class ListLineReader: LineReader {
  private var lines: [String]
  public private(set) var history: [String] = []
  public init(_ lines: [String]) { self.lines = lines.reversed() }
  public func readLine(prompt: String) throws(LineInterrupt) -> String? { lines.popLast() }
  public func addHistory(_ chunk: String) { history.append(chunk) }
}
