import Foundation
import LuaRuntime

/// Folio's own line editor for the REPL at a terminal: a chunk of several lines is edited as
/// one block (Up and Down move between its lines, then through history), Lua is coloured as
/// it is typed, Tab completes, Ctrl-R searches history, pasted text arrives whole.
///
/// It replaced libedit, whose readline interface keeps a single line: a recalled multi-line
/// chunk was drawn with raw newlines its cursor arithmetic did not count, so edits landed in
/// the wrong place, and it could neither colour input nor hold a block. The editing model is
/// `LineEditor` (tested without a terminal); this class owns the terminal: raw mode only while
/// a chunk is read, so Ctrl-C during a run is still SIGINT.
public final class TerminalLineReader: LineReader {
  /// Where the history is kept (`$XDG_STATE_HOME/folio/history`).
  public let historyPath: String?
  public private(set) var history: [String] = []
  /// Called with the line's text before the cursor; returns the start (in UTF-8 bytes) of the
  /// word to replace and the candidates.
  public var complete: ((String) -> (start: Int, candidates: [String]))?
  /// Whether a chunk is unfinished Lua: Enter then adds a line instead of running it.
  public var needsMore: (String) -> Bool = { _ in false }
  /// Colour the input's syntax.
  public var color: Bool
  /// The prompt of a chunk's second and later lines.
  public var continuation = ">> "

  static let historyLimit = 1000
  private let input: Int32 = 0
  private let output: Int32 = 1
  /// Rows from the top of the drawn block to the row the terminal cursor is on.
  private var cursorRow = 0

  public init(historyPath: String?, color: Bool) {
    self.historyPath = historyPath
    self.color = color
    if let historyPath { history = Self.loadHistory(historyPath) }
  }

  // MARK: Reading a chunk

  public func readLine(prompt: String) throws(LineInterrupt) -> String? {
    LuaInterrupt.clear()
    var saved = termios()
    guard tcgetattr(input, &saved) == 0 else { return plainLine(prompt) }
    var raw = saved
    raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
    raw.c_cflag |= tcflag_t(CS8)
    withUnsafeMutableBytes(of: &raw.c_cc) { cc in
      cc[Int(VMIN)] = 1
      cc[Int(VTIME)] = 0
    }
    tcsetattr(input, TCSAFLUSH, &raw)
    write("\u{1B}[?2004h")  // bracketed paste
    defer {
      write("\u{1B}[?2004l")
      tcsetattr(input, TCSAFLUSH, &saved)
    }
    var editor = LineEditor(history: history)
    var decoder = KeyDecoder()
    cursorRow = 0
    draw(editor, prompt: prompt)
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return editor.text.isEmpty ? nil : finish(editor, prompt: prompt) }
      var keys = decoder.feed(Array(buffer[0..<n]))
      if keys.isEmpty, Self.waitingEscape(buffer[0..<n]), !ready(within: 50) {
        keys = decoder.flushEscape()
      }
      for key in keys {
        let outcome = editor.handle(key, needsMore: needsMore)
        switch outcome {
        case .continue:
          break
        case .submit:
          return finish(editor, prompt: prompt)
        case .interrupt:
          editor.cursor = editor.text.count
          draw(editor, prompt: prompt)
          throw LineInterrupt()
        case .endOfInput:
          write("\r\n")
          return nil
        case .clearScreen:
          write("\u{1B}[H\u{1B}[2J")
          cursorRow = 0
        case .complete:
          completeWord(&editor, prompt: prompt)
          continue
        }
      }
      draw(editor, prompt: prompt)
    }
  }

  /// Draws the chunk with the cursor at its end, then leaves the block.
  private func finish(_ editor: LineEditor, prompt: String) -> String {
    var end = editor
    end.search = nil
    end.cursor = end.text.count
    draw(end, prompt: prompt)
    write("\r\n")
    return editor.string
  }

  /// Without a terminal's settings (not a tty after all): a prompt and a plain line.
  private func plainLine(_ prompt: String) -> String? {
    write(prompt)
    return (try? PlainLineReader(fd: input).readLine(prompt: "")) ?? nil
  }

  static func waitingEscape(_ bytes: ArraySlice<UInt8>) -> Bool { bytes.last == 0x1B }

  private func ready(within milliseconds: Int32) -> Bool {
    var fds = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
    return poll(&fds, 1, milliseconds) > 0
  }

  // MARK: Completion

  /// Tab: one candidate replaces the word; several extend it to what they share, or, when
  /// they share no more, are listed.
  private func completeWord(_ editor: inout LineEditor, prompt: String) {
    guard let complete else { return }
    let (line, column) = editor.cursorLine
    let lines = editor.string.split(separator: "\n", omittingEmptySubsequences: false)
    let before = Array(lines[line]).prefix(column)
    let beforeText = String(before)
    let (startByte, candidates) = complete(beforeText)
    guard !candidates.isEmpty else { return }
    // The word's start as a character index in the line.
    var startColumn = before.count
    var bytes = 0
    for (i, c) in before.enumerated() {
      if bytes >= startByte {
        startColumn = i
        break
      }
      bytes += c.utf8.count
    }
    let word = String(before[startColumn...])
    let common = candidates.dropFirst().reduce(candidates[0]) { a, b in
      String(zip(a, b).prefix { $0 == $1 }.map(\.0))
    }
    let start = editor.cursor - (before.count - startColumn)
    if candidates.count == 1 {
      editor.replace(from: start, with: candidates[0])
    } else if common.count > word.count {
      editor.replace(from: start, with: common)
    } else {
      showCandidates(candidates, editor: editor, prompt: prompt)
      return
    }
    draw(editor, prompt: prompt)
  }

  /// Lists completions below the block, in columns, then draws the block again under them.
  private func showCandidates(_ candidates: [String], editor: LineEditor, prompt: String) {
    var end = editor
    end.cursor = end.text.count
    draw(end, prompt: prompt)
    let width = (candidates.map { DisplayWidth.of($0) }.max() ?? 0) + 2
    let perRow = max(1, columns() / width)
    var text = "\r\n"
    for (i, c) in candidates.enumerated() {
      text += c + String(repeating: " ", count: width - DisplayWidth.of(c))
      if (i + 1) % perRow == 0 || i == candidates.count - 1 { text += "\r\n" }
    }
    write(text)
    cursorRow = 0
    draw(editor, prompt: prompt)
  }

  // MARK: Drawing

  private func columns() -> Int {
    var size = winsize()
    if ioctl(output, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 80
  }

  /// Redraws the whole block in place and puts the cursor where the editor's is.
  private func draw(_ editor: LineEditor, prompt: String) {
    let cols = columns()
    var text: [Character]
    var cursor: Int
    var firstPrompt = prompt
    if let search = editor.search {
      let match = search.match.map { Array(history[$0]) } ?? []
      firstPrompt = "(reverse-i-search)`\(search.query)': "
      text = match
      cursor = match.count
      if let m = search.match, let range = history[m].range(of: search.query) {
        cursor = history[m].distance(from: history[m].startIndex, to: range.lowerBound)
      }
    } else {
      text = editor.text
      cursor = editor.cursor
    }
    let classes = color ? LuaSyntax.classes(text) : []
    var out = "\r"
    if cursorRow > 0 { out += "\u{1B}[\(cursorRow)A" }
    out += "\u{1B}[J"
    var row = 0
    var targetRow = 0
    var targetColumn = 0
    var index = 0
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    for (k, line) in lines.enumerated() {
      let lead = k == 0 ? firstPrompt : continuation
      if k > 0 { out += "\r\n" }
      out += lead
      var current: LuaSyntax.Class = .plain
      for c in line {
        if color, classes[index] != current {
          current = classes[index]
          out += "\u{1B}[\(LuaSyntax.code(current))m"
        }
        out.append(c)
        index += 1
      }
      if color, current != .plain { out += "\u{1B}[0m" }
      let leadWidth = DisplayWidth.of(lead)
      if cursor >= index - line.count && cursor <= index {
        let width = leadWidth + DisplayWidth.of(line.prefix(cursor - (index - line.count)))
        targetRow = row + width / cols
        targetColumn = width % cols
      }
      let width = leadWidth + DisplayWidth.of(line)
      let rows = width == 0 ? 1 : (width + cols - 1) / cols
      let last = k == lines.count - 1
      if last, width > 0, width % cols == 0 {
        // The terminal waits to wrap after the last column: make it wrap now, so the cursor
        // can sit at the start of the next row.
        out += "\r\n"
        row += rows
      } else {
        row += rows - 1
        if !last { row += 1 }
      }
      index += 1  // the newline
    }
    // From the end of the block (row `row`) to the cursor.
    let endRow = row
    if endRow > targetRow { out += "\u{1B}[\(endRow - targetRow)A" }
    out += "\r"
    if targetColumn > 0 { out += "\u{1B}[\(targetColumn)C" }
    cursorRow = targetRow
    write(out)
  }

  private func write(_ text: String) {
    var text = text
    text.withUTF8 { buffer in
      guard let base = buffer.baseAddress else { return }
      var offset = 0
      while offset < buffer.count {
        let n = Foundation.write(output, base + offset, buffer.count - offset)
        if n <= 0 { return }
        offset += n
      }
    }
  }

  // MARK: History

  public func addHistory(_ chunk: String) {
    guard !chunk.isEmpty, chunk != history.last else { return }
    history.append(chunk)
    if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
    saveHistory()
  }

  /// History file format: one entry per line; a multi-line chunk's inner newlines are written
  /// as `\n` and backslashes as `\\`.
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
    }.suffix(historyLimit)
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
