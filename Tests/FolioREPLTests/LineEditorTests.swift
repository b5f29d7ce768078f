import Testing

@testable import FolioREPL

/// The line editor's model, driven by keys as a terminal would send them.
@Suite struct LineEditorTests {
  /// Feeds the bytes of `input` (an escape sequence per key where needed) and returns the
  /// editor, and what the last key asked for.
  func type(
    _ input: String, history: [String] = [], unfinished: Set<String> = []
  ) -> (LineEditor, LineEditor.Outcome) {
    var decoder = KeyDecoder()
    var editor = LineEditor(history: history)
    var last = LineEditor.Outcome.continue
    for key in decoder.feed(Array(input.utf8)) {
      last = editor.handle(key) { unfinished.contains($0) }
    }
    return (editor, last)
  }

  @Test func decodesKeys() {
    var d = KeyDecoder()
    #expect(
      d.feed(Array("a\u{1B}[A\u{1B}[1;5D\u{1B}OH\u{1B}[3~\u{7F}\u{01}\r\u{1B}\r東".utf8))
        == [
          .text("a"), .up, .wordLeft, .home, .delete, .backspace, .control("a"), .enter, .newline,
          .text("東"),
        ])
    // A sequence cut between reads waits for the rest.
    #expect(d.feed([0x1B, 0x5B]) == [])
    #expect(d.feed([0x42]) == [.down])
    #expect(d.feed([0xE6]) == [])
    #expect(d.feed([0xB1, 0x89]) == [.text("汉")])
    // A broken character stands alone.
    #expect(d.feed([0xE6, 0x41]) == [.text("\u{FFFD}"), .text("A")])
    // Bracketed paste: the text whole, line breaks as \n, nothing run.
    #expect(d.feed(Array("\u{1B}[200~a = 1\r\nb = 2\u{1B}[201~".utf8)) == [.paste("a = 1\nb = 2")])
  }

  @Test func editsByCharacters() {
    let (e, _) = type("s = \"Straße 東京\"\u{1B}[D\u{1B}[D\u{7F}X")
    #expect(e.string == "s = \"Straße X京\"")
    #expect(e.cursor == 13)
  }

  @Test func enterRunsAFinishedChunkAndAddsALineToAnUnfinishedOne() {
    let (open, o1) = type("for i = 1, 2 do\r", unfinished: ["for i = 1, 2 do"])
    #expect(o1 == .continue)
    #expect(open.string == "for i = 1, 2 do\n")
    let (done, o2) = type("x = 1\r")
    #expect(o2 == .submit)
    #expect(done.string == "x = 1")
    // Alt-Enter: a new line even in a finished chunk.
    let (two, o3) = type("x = 1\u{1B}\rx")
    #expect(o3 == .continue)
    #expect(two.string == "x = 1\nx")
  }

  @Test func upAndDownMoveInsideTheBlockThenThroughHistory() {
    let chunk = "for i = 1, 2 do\n  print(i * 10)\nend"
    // Up recalls the chunk whole, cursor at its end; Up again goes to its middle line.
    var (e, _) = type("\u{1B}[A", history: ["old", chunk])
    #expect(e.string == chunk)
    _ = e.handle(.up) { _ in false }
    #expect(e.cursorLine == (line: 1, column: 3))
    _ = e.handle(.end) { _ in false }
    _ = e.handle(.left) { _ in false }
    _ = e.handle(.text("0")) { _ in false }
    #expect(e.string == "for i = 1, 2 do\n  print(i * 100)\nend")
    // Up from the first line: the older entry; Down twice: back to the edit, then the draft.
    _ = e.handle(.up) { _ in false }
    _ = e.handle(.up) { _ in false }
    #expect(e.string == "old")
    _ = e.handle(.down) { _ in false }
    #expect(e.string == chunk)
    _ = e.handle(.down) { _ in false }
    _ = e.handle(.down) { _ in false }
    _ = e.handle(.down) { _ in false }
    #expect(e.string == "")
  }

  @Test func cutsAndYanks() {
    // Two Ctrl-W in a row cut "beta gamma" as one; Ctrl-Y gives it back, twice.
    let (e, _) = type("alpha beta gamma\u{17}\u{17}\u{19}\u{19}")
    #expect(e.string == "alpha beta gammabeta gamma")
    let (k, _) = type("one two\u{01}\u{1B}f\u{0B}")
    #expect(k.string == "one")
    let (u, _) = type("a\u{1B}\rbc\u{15}")
    #expect(u.string == "a\n")
  }

  @Test func reverseSearch() {
    let (e, o) = type("\u{12}6 *\r", history: ["answer = 6 * 7", "answer = 0"])
    #expect(o == .submit)
    #expect(e.string == "answer = 6 * 7")
    let (none, _) = type("\u{12}zzz", history: ["a"])
    #expect(none.search?.match == nil)
  }

  @Test func ctrlDLeavesOnlyAnEmptyLine() {
    #expect(type("\u{04}").1 == .endOfInput)
    let (e, o) = type("ab\u{01}\u{04}")
    #expect(o == .continue)
    #expect(e.string == "b")
  }

  @Test func displayWidths() {
    #expect(DisplayWidth.of(Array("Straße")) == 6)
    #expect(DisplayWidth.of(Array("東京")) == 4)
    #expect(DisplayWidth.of(Array("e\u{301}")) == 1)
  }

  @Test func luaClasses() {
    let text = Array("local s = \"x\" -- note\nreturn 42")
    let classes = LuaSyntax.classes(text)
    func cls(_ word: String) -> LuaSyntax.Class {
      let s = String(text)
      let i = s.distance(from: s.startIndex, to: s.range(of: word)!.lowerBound)
      return classes[i]
    }
    #expect(cls("local") == .keyword)
    #expect(cls("\"x\"") == .string)
    #expect(cls("-- note") == .comment)
    #expect(cls("return") == .keyword)
    #expect(cls("42") == .number)
    #expect(cls("s =") == .plain)
  }
}
