import CEditShim
import Foundation
import LuaRuntime

/// Line editing with libedit's readline interface (BSD licence; DESIGN.md §7): UTF-8 editing,
/// history kept in a file, Ctrl-R search, tab completion.
///
/// libedit has one global line editor, so there is one reader per process.
public final class EditLineReader: LineReader {
  /// Where the history is kept (`$XDG_STATE_HOME/folio/history`).
  public let historyPath: String?
  public private(set) var history: [String] = []
  /// Called with the text before the cursor; returns the start (in UTF-8 bytes) of the word to
  /// replace and the candidates.
  public var complete: ((String) -> (start: Int, candidates: [String]))?

  nonisolated(unsafe) static var current: EditLineReader?
  static let historyLimit = 1000

  public init(historyPath: String?) {
    self.historyPath = historyPath
    setlocale(LC_ALL, "")
    // With no locale set (LANG unset: "C"), libedit would edit bytes, not characters: UTF-8
    // is what Folio reads and writes, so ask for it.
    if let ctype = setlocale(LC_CTYPE, nil).map({ String(cString: $0) }),
      ctype == "C" || ctype == "POSIX"
    {
      setlocale(LC_CTYPE, "C.UTF-8")
    }
    // Lua words: identifiers joined by . and : stay one word for completion.
    folio_edit_setup(
      strdup("folio"), strdup(" \t\n\"'`@$><=;|&{(,)}[]+-*/%^#~"), folioAttemptCompletion)
    folio_edit_stifle_history(Int32(Self.historyLimit))
    if let historyPath {
      for entry in Self.loadHistory(historyPath) {
        history.append(entry)
        entry.withCString { folio_edit_add_history($0) }
      }
    }
    Self.current = self
  }

  public func readLine(prompt: String) throws(LineInterrupt) -> String? {
    LuaInterrupt.clear()
    guard let raw = folio_edit_readline(prompt) else {
      if LuaInterrupt.isRequested {
        LuaInterrupt.clear()
        throw LineInterrupt()
      }
      return nil
    }
    defer { free(raw) }
    if LuaInterrupt.isRequested {
      LuaInterrupt.clear()
      throw LineInterrupt()
    }
    return String(cString: raw)
  }

  public func addHistory(_ chunk: String) {
    guard !chunk.isEmpty, chunk != history.last else { return }
    history.append(chunk)
    if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
    chunk.withCString { folio_edit_add_history($0) }
    saveHistory()
  }

  /// History file format: one entry per record, records separated by NUL-free lines where
  /// a multi-line chunk's inner newlines are written as `\n` and backslashes as `\\`.
  static func loadHistory(_ path: String) -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
      var out = ""
      var escape = false
      for c in line {
        if escape {
          out.append(c == "n" ? "\n" : c)
          escape = false
        } else if c == "\\" {
          escape = true
        } else {
          out.append(c)
        }
      }
      return out
    }
  }

  func saveHistory() {
    guard let historyPath else { return }
    let text =
      history.map {
        $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
      }.joined(separator: "\n") + "\n"
    let folder = (historyPath as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let temporary = historyPath + ".tmp\(getpid())"
    if FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) {
      rename(temporary, historyPath)
    }
  }

  /// `$XDG_STATE_HOME/folio/history`, or `~/.local/state/folio/history`.
  public static func defaultHistoryPath() -> String? {
    let env = ProcessInfo.processInfo.environment
    if let state = env["XDG_STATE_HOME"], !state.isEmpty { return state + "/folio/history" }
    if let home = env["HOME"], !home.isEmpty { return home + "/.local/state/folio/history" }
    return nil
  }
}

// libedit calls this with the whole line and the cursor's byte offset `end`; `start` is where
// libedit's word begins, and what it replaces.
private func folioAttemptCompletion(
  _ line: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
  guard let line, let reader = EditLineReader.current, let complete = reader.complete else {
    return nil
  }
  let bytes = Array(String(cString: line).utf8.prefix(Int(end)))
  let (wordStart, candidates) = complete(String(decoding: bytes, as: UTF8.self))
  guard !candidates.isEmpty else { return nil }
  // Keep the part of libedit's word that lies before our own word.
  let from = min(Int(start), bytes.count)
  let head = String(decoding: bytes[from..<max(from, min(wordStart, bytes.count))], as: UTF8.self)
  let full = candidates.map { head + $0 }
  let common = full.dropFirst().reduce(full[0]) { a, b in
    String(decoding: zip(a.utf8, b.utf8).prefix { $0 == $1 }.map(\.0), as: UTF8.self)
  }
  let shown = full.count == 1 ? [] : full
  let list = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: shown.count + 2)
  list[0] = strdup(full.count == 1 ? full[0] : common)
  for (i, c) in shown.enumerated() { list[i + 1] = strdup(c) }
  list[shown.count + 1] = nil
  return list
}
