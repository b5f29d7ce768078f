/// A key as the line editor sees it, decoded from the bytes a terminal sends.
enum Key: Equatable {
  case text(String)
  case enter
  /// Alt-Enter: a new line inside the chunk, complete or not.
  case newline
  case backspace, delete, tab
  case left, right, up, down, home, end
  case wordLeft, wordRight
  /// Ctrl and a letter (`control("a")`).
  case control(Character)
  /// Text pasted between the terminal's bracketed-paste marks: inserted as typed, newlines
  /// included, without running anything.
  case paste(String)
  case unknown
}

/// Turns terminal input bytes into keys: UTF-8 text, control bytes, and the escape sequences
/// of xterm-like terminals (arrows, Home/End, Delete, Ctrl- and Alt-arrows, bracketed paste).
struct KeyDecoder {
  private var pending: [UInt8] = []
  private var pasting: [UInt8]?

  /// The keys complete in the bytes seen so far; an unfinished sequence waits for more.
  mutating func feed(_ bytes: [UInt8]) -> [Key] {
    pending += bytes
    var keys: [Key] = []
    while !pending.isEmpty {
      if var pasted = pasting {
        guard let end = Self.find([0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E], in: pending) else {
          // Keep a possible start of the end mark for the next read.
          let keep = min(pending.count, 5)
          pasted += pending.dropLast(keep)
          pasting = pasted
          pending = Array(pending.suffix(keep))
          break
        }
        pasted += pending[..<end]
        pending.removeFirst(end + 6)
        let text = String(decoding: pasted, as: UTF8.self).replacingOccurrences(
          of: "\r\n", with: "\n"
        ).replacingOccurrences(of: "\r", with: "\n")
        keys.append(.paste(text))
        pasting = nil
        continue
      }
      guard let (key, used) = decodeOne() else { break }
      pending.removeFirst(used)
      if key == .paste("") {
        pasting = []
        continue
      }
      keys.append(key)
    }
    return keys
  }

  /// A lone Escape with nothing after it (the user pressed Esc): dropped.
  mutating func flushEscape() -> [Key] {
    if pending == [0x1B] { pending = [] }
    return []
  }

  static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    for i in 0...(haystack.count - needle.count)
    where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle {
      return i
    }
    return nil
  }

  /// The first key of `pending` and how many bytes it used; nil when more bytes are needed.
  private func decodeOne() -> (Key, Int)? {
    let b = pending[0]
    switch b {
    case 0x0D, 0x0A: return (.enter, 1)
    case 0x7F, 0x08: return (.backspace, 1)
    case 0x09: return (.tab, 1)
    case 0x1B: return decodeEscape()
    case 0x01...0x1A:
      return (.control(Character(UnicodeScalar(b + 0x60))), 1)
    case 0x00..<0x20: return (.unknown, 1)
    default:
      // One UTF-8 character (an invalid byte stands for itself as U+FFFD).
      let length = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
      // A lead byte not followed by continuation bytes stands alone.
      for i in 1..<min(length, pending.count) where pending[i] & 0xC0 != 0x80 {
        return (.text("\u{FFFD}"), i)
      }
      guard pending.count >= length else { return nil }
      return (.text(String(decoding: pending[0..<length], as: UTF8.self)), length)
    }
  }

  private func decodeEscape() -> (Key, Int)? {
    guard pending.count >= 2 else { return nil }
    switch pending[1] {
    case 0x0D, 0x0A: return (.newline, 2)
    case UInt8(ascii: "b"): return (.wordLeft, 2)
    case UInt8(ascii: "f"): return (.wordRight, 2)
    case 0x7F: return (.control("w"), 2)
    case UInt8(ascii: "O"):
      guard pending.count >= 3 else { return nil }
      switch pending[2] {
      case UInt8(ascii: "H"): return (.home, 3)
      case UInt8(ascii: "F"): return (.end, 3)
      case UInt8(ascii: "A"): return (.up, 3)
      case UInt8(ascii: "B"): return (.down, 3)
      case UInt8(ascii: "C"): return (.right, 3)
      case UInt8(ascii: "D"): return (.left, 3)
      default: return (.unknown, 3)
      }
    case UInt8(ascii: "["):
      // CSI: parameters (digits and ';') then a final byte.
      var i = 2
      while i < pending.count, (0x30...0x3F).contains(pending[i]) { i += 1 }
      guard i < pending.count else { return nil }
      let parameters = String(decoding: pending[2..<i], as: UTF8.self)
      let final = pending[i]
      let used = i + 1
      let modified = parameters.hasSuffix(";5") || parameters.hasSuffix(";3")
      switch final {
      case UInt8(ascii: "A"): return (.up, used)
      case UInt8(ascii: "B"): return (.down, used)
      case UInt8(ascii: "C"): return (modified ? .wordRight : .right, used)
      case UInt8(ascii: "D"): return (modified ? .wordLeft : .left, used)
      case UInt8(ascii: "H"): return (.home, used)
      case UInt8(ascii: "F"): return (.end, used)
      case UInt8(ascii: "~"):
        switch parameters {
        case "1", "7": return (.home, used)
        case "4", "8": return (.end, used)
        case "3": return (.delete, used)
        case "200": return (.paste(""), used)
        default: return (.unknown, used)
        }
      default: return (.unknown, used)
      }
    default:
      return (.unknown, 2)
    }
  }
}

/// The state of the line being edited.
///
/// A chunk of one or more lines, the cursor, history browsing and reverse search. Pure: it
/// knows nothing of terminals, so tests drive it with keys and check the text and cursor.
struct LineEditor {
  /// The chunk, as characters (grapheme clusters: `é` or `東` is one, however many bytes).
  var text: [Character] = []
  /// Index into `text` where the next character goes.
  var cursor = 0
  var history: [String]
  /// Position in `history` while browsing with Up/Down (`history.count`: the new chunk).
  private var historyIndex: Int
  /// What was typed before browsing started, given back when Down passes the newest entry.
  private var draft: [Character] = []
  /// Reverse search (Ctrl-R): the query, and where in `history` the match is.
  var search: (query: String, match: Int?)?
  /// The last text cut (Ctrl-K, Ctrl-U, Ctrl-W), for Ctrl-Y; cuts in a row add up, as in
  /// readline.
  private var cut: [Character] = []
  private var lastWasCut = false

  init(history: [String]) {
    self.history = history
    historyIndex = history.count
  }

  enum Outcome: Equatable {
    case `continue`
    /// Enter on a chunk that is complete: run it.
    case submit
    /// Ctrl-C: drop the chunk.
    case interrupt
    /// Ctrl-D on an empty chunk: leave.
    case endOfInput
    /// Tab: complete the word before the cursor.
    case complete
    /// Ctrl-L: clear the screen.
    case clearScreen
  }

  var string: String { String(text) }

  /// The lines of the chunk and the cursor's line and column (in characters).
  var cursorLine: (line: Int, column: Int) {
    var line = 0
    var column = 0
    for c in text[..<cursor] {
      if c == "\n" {
        line += 1
        column = 0
      } else {
        column += 1
      }
    }
    return (line, column)
  }

  /// Start and end indexes of the line the cursor is on.
  private var lineBounds: (start: Int, end: Int) {
    var start = cursor
    while start > 0, text[start - 1] != "\n" { start -= 1 }
    var end = cursor
    while end < text.count, text[end] != "\n" { end += 1 }
    return (start, end)
  }

  /// Applies one key.
  ///
  /// `needsMore` says whether the chunk is unfinished Lua (Enter then adds a line instead of
  /// submitting).
  mutating func handle(_ key: Key, needsMore: (String) -> Bool) -> Outcome {
    if search != nil { return handleSearch(key, needsMore: needsMore) }
    let cutting = [Key.control("k"), .control("u"), .control("w")].contains(key)
    let continuing = lastWasCut && cutting
    lastWasCut = cutting
    /// Keeps `removed` for Ctrl-Y: after the earlier cut when cutting forward, before it
    /// when cutting backward.
    func keep(_ removed: ArraySlice<Character>, forward: Bool) {
      if !continuing {
        cut = Array(removed)
      } else if forward {
        cut += removed
      } else {
        cut = Array(removed) + cut
      }
    }
    switch key {
    case .text(let s):
      insert(Array(s))
    case .paste(let s):
      insert(Array(s.replacingOccurrences(of: "\t", with: "  ")))
    case .newline:
      insert(["\n"])
    case .enter:
      // A chunk that is not finished Lua gets a new line at the cursor; a finished one runs
      // whole, wherever the cursor is, as in Python 3.13's REPL.
      if needsMore(string) {
        insert(["\n"])
        return .continue
      }
      return .submit
    case .backspace, .control("h"):
      if cursor > 0 {
        text.remove(at: cursor - 1)
        cursor -= 1
      }
    case .delete:
      if cursor < text.count { text.remove(at: cursor) }
    case .control("d"):
      if text.isEmpty { return .endOfInput }
      if cursor < text.count { text.remove(at: cursor) }
    case .left, .control("b"):
      cursor = max(0, cursor - 1)
    case .right, .control("f"):
      cursor = min(text.count, cursor + 1)
    case .home, .control("a"):
      cursor = lineBounds.start
    case .end, .control("e"):
      cursor = lineBounds.end
    case .wordLeft:
      while cursor > 0, !Self.isWord(text[cursor - 1]) { cursor -= 1 }
      while cursor > 0, Self.isWord(text[cursor - 1]) { cursor -= 1 }
    case .wordRight:
      while cursor < text.count, !Self.isWord(text[cursor]) { cursor += 1 }
      while cursor < text.count, Self.isWord(text[cursor]) { cursor += 1 }
    case .up, .control("p"):
      if cursorLine.line > 0 {
        moveVertically(-1)
      } else {
        browse(-1)
      }
    case .down, .control("n"):
      let lines = text.filter { $0 == "\n" }.count
      if cursorLine.line < lines {
        moveVertically(1)
      } else {
        browse(1)
      }
    case .control("k"):
      let end = lineBounds.end
      // At the end of a line, Ctrl-K joins the next one.
      let to = end == cursor && end < text.count ? end + 1 : end
      keep(text[cursor..<to], forward: true)
      text.removeSubrange(cursor..<to)
    case .control("u"):
      let start = lineBounds.start
      keep(text[start..<cursor], forward: false)
      text.removeSubrange(start..<cursor)
      cursor = start
    case .control("w"):
      var start = cursor
      while start > 0, text[start - 1] == " " { start -= 1 }
      while start > 0, text[start - 1] != " ", text[start - 1] != "\n" { start -= 1 }
      keep(text[start..<cursor], forward: false)
      text.removeSubrange(start..<cursor)
      cursor = start
    case .control("y"):
      insert(cut)
    case .control("t"):
      if cursor > 0, text.count >= 2 {
        let at = cursor == text.count ? cursor - 1 : cursor
        text.swapAt(at - 1, at)
        cursor = min(text.count, at + 1)
      }
    case .control("r"):
      search = ("", nil)
    case .control("c"):
      return .interrupt
    case .control("l"):
      return .clearScreen
    case .tab:
      // Indentation at the start of a line; completion after a word.
      let (start, _) = lineBounds
      if text[start..<cursor].allSatisfy({ $0 == " " }) {
        insert([" ", " "])
        return .continue
      }
      return .complete
    default:
      break
    }
    return .continue
  }

  private mutating func insert(_ characters: [Character]) {
    text.insert(contentsOf: characters, at: cursor)
    cursor += characters.count
    // Characters that combine with their neighbour (a combining accent) leave one Character.
    let rebuilt = Array(String(text))
    if rebuilt.count != text.count {
      let before = String(text[..<cursor]).count
      text = rebuilt
      cursor = min(before, text.count)
    }
  }

  private mutating func moveVertically(_ delta: Int) {
    let (line, column) = cursorLine
    let lines = string.split(separator: "\n", omittingEmptySubsequences: false)
    let target = line + delta
    guard target >= 0, target < lines.count else { return }
    var index = 0
    for l in lines[..<target] { index += l.count + 1 }
    cursor = index + min(column, lines[target].count)
  }

  /// Up and Down past the chunk's first or last line: the previous or next history entry.
  private mutating func browse(_ delta: Int) {
    let target = historyIndex + delta
    guard target >= 0, target <= history.count else { return }
    if historyIndex == history.count { draft = text }
    historyIndex = target
    text = target == history.count ? draft : Array(history[target])
    cursor = text.count
  }

  private mutating func handleSearch(_ key: Key, needsMore: (String) -> Bool) -> Outcome {
    guard var state = search else { return .continue }
    func find(from: Int) -> Int? {
      guard !state.query.isEmpty else { return nil }
      var i = min(from, history.count - 1)
      while i >= 0 {
        if history[i].contains(state.query) { return i }
        i -= 1
      }
      return nil
    }
    switch key {
    case .text(let s):
      state.query += s
      state.match = find(from: state.match ?? history.count - 1)
    case .backspace:
      if !state.query.isEmpty { state.query.removeLast() }
      state.match = find(from: history.count - 1)
    case .control("r"):
      if let m = state.match { state.match = find(from: m - 1) ?? m }
    case .control("c"), .control("g"):
      search = nil
      return key == .control("c") ? .interrupt : .continue
    default:
      // Any other key takes the match into the chunk and acts on it.
      search = nil
      if let m = state.match {
        text = Array(history[m])
        cursor = text.count
        historyIndex = m
      }
      return key == .enter
        ? handle(.enter, needsMore: needsMore) : handle(key, needsMore: needsMore)
    }
    search = state
    return .continue
  }

  /// Replaces `text[start..<cursor]` (a word being completed) with `replacement`.
  mutating func replace(from start: Int, with replacement: String) {
    text.replaceSubrange(start..<cursor, with: Array(replacement))
    cursor = start + replacement.count
  }

  static func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
}

/// How many terminal columns text takes: 2 for East Asian wide characters and most emoji,
/// 0 for combining marks and controls, 1 otherwise.
enum DisplayWidth {
  static func of(_ c: Character) -> Int {
    guard let scalar = c.unicodeScalars.first else { return 0 }
    let v = scalar.value
    if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
    if scalar.properties.generalCategory == .nonspacingMark
      || scalar.properties.generalCategory == .enclosingMark
    {
      return 0
    }
    if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v)
      || (0x3041...0x33FF).contains(v) || (0x3400...0x4DBF).contains(v)
      || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
      || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v)
      || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
      || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
      || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v)
    {
      return 2
    }
    return 1
  }

  static func of(_ s: some Sequence<Character>) -> Int { s.reduce(0) { $0 + of($1) } }
}
