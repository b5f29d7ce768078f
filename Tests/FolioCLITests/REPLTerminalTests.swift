import Foundation
import Testing

/// `folio repl` in a real pseudo-terminal (tmux), driven key by key as a person types.
final class Terminal {
  let socket = "folio-test-\(UUID().uuidString.prefix(8))"
  let home: URL

  static var available: Bool {
    FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")
      || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/tmux")
  }

  init(_ arguments: [String], color: Bool = false, term: String = "xterm-256color") throws {
    home = FileManager.default.temporaryDirectory.appendingPathComponent("folio-pty-\(UUID())")
    try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    let env = [
      "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=" + term,
      "FOLIO_PLUGINS=" + CLI.root.appendingPathComponent("Plugins").path,
      "XDG_STATE_HOME=" + home.path, "HOME=" + home.path,
    ]
    let command =
      (["env", color ? "-uNO_COLOR" : "NO_COLOR=1"] + env + [CLI.binary.path] + arguments).map {
        "'" + $0 + "'"
      }.joined(separator: " ")
    try tmux([
      "new-session", "-d", "-s", "t", "-x", "120", "-y", "50", "-c", CLI.root.path, command,
    ])
    try tmux(["set-option", "-t", "t", "remain-on-exit", "on"])
  }

  deinit {
    // kill-server alone leaves the server running here (tmux 3.3a); killing the only session
    // ends it.
    _ = try? tmux(["kill-session", "-t", "t"])
    _ = try? tmux(["kill-server"])
    try? FileManager.default.removeItem(at: home)
  }

  /// Runs tmux on this test's server and returns what it printed.
  ///
  /// posix_spawn and waitpid rather than Foundation's Process: the first call forks the tmux
  /// server, which keeps every inherited descriptor open, and Process then never sees its
  /// client exit.
  @discardableResult
  func tmux(_ arguments: [String]) throws -> String {
    let output = home.appendingPathComponent("tmux-\(UUID().uuidString.prefix(8)).out").path
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = (["tmux", "-L", socket] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, "tmux", &actions, nil, argv, environ)
    guard rc == 0 else { throw CocoaError(.executableLoad) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    defer { unlink(output) }
    return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
  }

  /// Types text literally; `atPrompt` first waits for an empty prompt, as a person would (the
  /// terminal echoes type-ahead before the prompt otherwise).
  func type(_ text: String, atPrompt: Bool = true) throws {
    if atPrompt { try waitIdle() }
    try tmux(["send-keys", "-t", "t", "-l", text])
  }

  /// Waits until the last line of the screen is an empty prompt (`>` or `>>`).
  func waitIdle() throws {
    try wait("an empty prompt") { screen in
      let last = screen.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) }
      return last == ">" || last == ">>"
    }
  }

  /// Presses keys by tmux name: Enter, Tab, Up, Left, BSpace, C-c, C-d, C-r.
  func press(_ keys: String...) throws { try tmux(["send-keys", "-t", "t"] + keys) }

  func line(_ text: String, atPrompt: Bool = true) throws {
    try type(text, atPrompt: atPrompt)
    try press("Enter")
  }

  /// The screen and scrollback, trailing blank lines dropped; with `escapes`, colours kept.
  func screen(escapes: Bool = false) throws -> String {
    let text = try tmux(
      ["capture-pane", "-t", "t", "-p", "-S", "-200"] + (escapes ? ["-e"] : []))
    return text.replacingOccurrences(of: "\\n+$", with: "\n", options: .regularExpression)
  }

  /// Waits until the screen satisfies `ready` (5 s at most); returns the screen.
  @discardableResult
  func wait(_ what: String, escapes: Bool = false, until ready: (String) -> Bool) throws -> String {
    let deadline = Date().addingTimeInterval(5)
    var last = ""
    while Date() < deadline {
      last = try screen(escapes: escapes)
      if ready(last) { return last }
      Thread.sleep(forTimeInterval: 0.05)
    }
    Issue.record("timed out waiting for \(what); the screen:\n\(last)")
    return last
  }

  /// Waits for `text` on the screen; trailing spaces of lines are ignored (tmux drops them,
  /// so the prompt `> ` reads `>`).
  @discardableResult
  func wait(for text: String, escapes: Bool = false) throws -> String {
    let wanted = Self.trimLines(text)
    return try wait("'\(text)'", escapes: escapes) { Self.trimLines($0).contains(wanted) }
  }

  static func trimLines(_ s: String) -> String {
    s.split(separator: "\n", omittingEmptySubsequences: false).map {
      String($0.reversed().drop { $0 == " " }.reversed())
    }.joined(separator: "\n")
  }

  /// Waits until the screen's last line is the prompt `> ` (the REPL is idle).
  func waitForPrompt(count: Int) throws {
    try wait("prompt #\(count)") { screen in
      screen.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix(">") }
        .count >= count
    }
  }

  var exited: Bool {
    ((try? tmux(["display-message", "-t", "t", "-p", "#{pane_dead}"])) ?? "").hasPrefix("1")
  }
}

@Suite(
  "folio repl at a terminal", .serialized,
  .enabled(if: Terminal.available, "tmux is not installed (Scripts/setup installs it)"))
struct REPLTerminalTests {
  func start(
    _ arguments: [String] = ["repl", "Examples/news"], color: Bool = false,
    term: String = "xterm-256color"
  ) throws -> Terminal {
    let t = try Terminal(arguments, color: color, term: term)
    try t.wait(for: "Type .help")
    return t
  }

  @Test("the banner names the corpus and the first prompt appears")
  func banner() throws {
    let t = try start()
    let screen = try t.wait(for: "> ")
    #expect(
      screen.hasPrefix(
        "Folio 0.1.0 (Lua 5.4) · corpus: <Corpus 24 documents, 14 KB from Examples/news>\n"))
  }

  @Test("Tab completes a method of a document, also through corpus[2]: and _[1].meta.")
  func completeMethod() throws {
    let t = try start()
    try t.line("d = corpus[1]")
    try t.type("d:sp")
    try t.press("Tab")
    try t.wait(for: "> d:spans")
    try t.line("(\"entity\")", atPrompt: false)
    try t.wait(for: "> d:spans(\"entity\")\n{}")
    // Through an index: a corpus's document, then `_` (the last value) and its meta.
    try t.type("corpus[2]:tok")
    try t.press("Tab")
    try t.wait(for: "> corpus[2]:token")  // tokens and token_columns share it
    try t.press("C-u")
    try t.line("{corpus[3]}", atPrompt: false)
    try t.type("_[1].meta.fo")
    try t.press("Tab")
    try t.wait(for: "> _[1].meta.folder")
  }

  @Test("Tab completes metadata keys, plugin names after .run and paths after .open")
  func completeOthers() throws {
    let t = try start()
    try t.line("d = corpus[1]")
    try t.type("d.meta.pa")
    try t.press("Tab")
    try t.wait(for: "> d.meta.path")
    try t.press("Enter")
    try t.wait(for: "\n000_45508004cb4e5294.txt\n")
    try t.type(".run wordf")
    try t.press("Tab")
    try t.wait(for: "> .run wordfreq")
    try t.press("C-u")
    try t.type(".open Examples/ne", atPrompt: false)
    try t.press("Tab")
    try t.wait(for: "> .open Examples/news/")
  }

  @Test("Tab lists the functions of a module")
  func completeModule() throws {
    let t = try start()
    try t.type("folio.stats.log_")
    try t.press("Tab")
    // The candidates share no more than what is typed: listed under the line, which stays.
    try t.wait(
      for: "> folio.stats.log_\nlog_dice        log_likelihood  log_ratio\n> folio.stats.log_")
    try t.type("r", atPrompt: false)
    try t.press("Tab")
    try t.wait(for: "log_ratio\n> folio.stats.log_ratio")
  }

  @Test("an unfinished chunk asks for more with >>, and Up brings the whole chunk back")
  func continuationAndHistory() throws {
    let t = try start()
    try t.line("for i = 1, 2 do")
    try t.wait(for: ">> ")
    try t.line("  print(i * 10)")
    try t.line("end")
    try t.wait(for: "10\n20\n> ")
    try t.press("Up")
    try t.wait(for: "20\n> for i = 1, 2 do\n>>   print(i * 10)\n>> end")
    try t.press("Enter")
    try t.wait(for: "20\n> for i = 1, 2 do\n>>   print(i * 10)\n>> end\n10\n20\n> ")
    let saved = try String(
      contentsOf: t.home.appendingPathComponent("folio/history"), encoding: .utf8)
    #expect(saved == "for i = 1, 2 do\\n  print(i * 10)\\nend\n")
  }

  @Test("a recalled chunk is edited as a block: Up moves into it, the edit lands in place")
  func blockEditing() throws {
    let t = try start()
    try t.line("for i = 1, 2 do")
    try t.line("  print(i * 10)")
    try t.line("end")
    try t.wait(for: "10\n20\n> ")
    // Recall it, go up to its second line, change 10 to 100.
    try t.press("Up")
    try t.wait(for: "20\n> for i = 1, 2 do\n>>   print(i * 10)\n>> end")
    try t.press("Up", "End", "Left")
    try t.type("0", atPrompt: false)
    try t.wait(for: "\n>>   print(i * 100)\n>> end")
    try t.press("Enter")
    try t.wait(for: ">> end\n100\n200\n> ")
    // Alt-Enter adds a line to a finished chunk; Enter runs it whole.
    try t.type("x = 1", atPrompt: false)
    try t.press("M-Enter")
    try t.type("x + 1", atPrompt: false)
    try t.wait(for: "> x = 1\n>> x + 1")
    try t.press("Enter")
    try t.wait(for: "> x = 1\n>> x + 1\n2\n> ")
  }

  @Test("input is coloured as Lua; a syntax error shows a caret under its token")
  func highlightAndCaret() throws {
    let t = try start(color: true)
    try t.type("local s = \"x\" -- note")
    let screen = try t.wait(for: "note", escapes: true)
    #expect(screen.contains("\u{1B}[35mlocal"))
    #expect(screen.contains("\u{1B}[32m\"x\""))
    try t.press("C-u")
    try t.line("x = = 1", atPrompt: false)
    try t.wait(for: "stdin:1: unexpected symbol near '='\n  x = = 1\n      ^\n> ")
  }

  @Test("Ctrl-C stops `while true do end`, and the next command works")
  func interruptLoop() throws {
    let t = try start()
    try t.line("n = 41")
    try t.line("while true do end")
    Thread.sleep(forTimeInterval: 0.3)
    try t.press("C-c")
    try t.wait(for: "^C\nInterrupted.\n> ")
    try t.line("n + 1")
    try t.wait(for: "> n + 1\n42\n> ")
  }

  @Test("Ctrl-C inside a long Swift call (kwic) comes back at once, and the next command works")
  func interruptSwiftCall() throws {
    // 40 documents of 40,000 "the": kwic("the") makes 1.6 million lines, seconds of work.
    var files: [String: String] = [:]
    let text = String(repeating: "the cat and the dog ", count: 20_000)
    for i in 1...40 { files["corpus/d\(i).txt"] = text }
    let dir = try CLI.workspace(files)
    defer { try? FileManager.default.removeItem(at: dir) }
    let t = try start(["repl", dir.appendingPathComponent("corpus").path])
    try t.line("r = kwic(\"the\")")
    Thread.sleep(forTimeInterval: 0.5)
    let pressed = Date()
    try t.press("C-c")
    try t.wait(for: "Interrupted.\n> ")
    // ≤ 100 ms in the release build; the debug build under a loaded test run gets more room.
    #expect(Date().timeIntervalSince(pressed) < 1.5)
    try t.line("r == nil")
    try t.wait(for: "> r == nil\ntrue\n> ")
  }

  @Test(".run shows progress while it works past a second, then clears it")
  func runProgress() throws {
    var files: [String: String] = [
      // 20 ms of work per document: 120 documents take over two seconds.
      "slow.lua":
        "return { tag = function(doc) local t = os.clock() while os.clock() - t < 0.02 do end end }\n"
    ]
    for i in 1...120 { files["corpus/d\(i).txt"] = "Document \(i).\n" }
    let dir = try CLI.workspace(files)
    defer { try? FileManager.default.removeItem(at: dir) }
    let t = try start(["repl", dir.appendingPathComponent("corpus").path])
    try t.line(".run " + dir.appendingPathComponent("slow.lua").path)
    let during = try t.wait(for: "(Ctrl-C stops)")
    #expect(during.contains("/121 documents  "))
    let after = try t.wait(for: "slow: tagged 121 documents\n> ")
    #expect(!after.contains("(Ctrl-C stops)"))
  }

  @Test("Ctrl-C at the prompt drops the line; Ctrl-D leaves")
  func interruptPrompt() throws {
    let t = try start()
    try t.type("abc")
    // As a person would: Ctrl-C once the text shows. Sooner, under load, the terminal may
    // flush "abc" with the interrupt before the line editor has read it.
    try t.wait(for: "> abc")
    try t.press("C-c")
    try t.wait(for: "> abc^C\n> ")
    try t.line("2 + 2")
    try t.wait(for: "> 2 + 2\n4\n> ")
    try t.press("C-d")
    try t.wait("the REPL to exit") { _ in t.exited }
  }

  @Test("Ctrl-R finds an earlier chunk by a part of it")
  func reverseSearch() throws {
    let t = try start()
    try t.line("answer = 6 * 7")
    try t.line("answer = 0")
    try t.waitForPrompt(count: 3)
    try t.press("C-r")
    try t.wait(for: "(reverse-i-search)`':")
    try t.type("6 *", atPrompt: false)
    try t.wait(for: "(reverse-i-search)`6 *': answer = 6 * 7")
    try t.press("Enter")
    try t.line("answer")
    try t.wait(for: "> answer\n42\n")
  }

  @Test(".timer, .mode csv and ?kwic")
  func commands() throws {
    let t = try start()
    try t.line(".timer on")
    try t.line("#corpus")
    try t.wait(for: "24\nRun Time: real ")
    try t.line(".timer off")
    try t.line(".mode csv")
    try t.line("freq({n = 2})")
    try t.wait(for: "word,count,per_million\nthe,186,78118.4\nand,72,30239.4\n")
    try t.line("?kwic")
    try t.wait(for: "kwic(word_or_pattern [, opts]) → rows\n\nA concordance over `corpus`")
  }

  @Test("TERM=dumb gets no colour, even without NO_COLOR")
  func dumbTerminal() throws {
    let t = try start(color: true, term: "dumb")
    try t.line("error('boom')")
    let screen = try t.wait(for: "Error: stdin:1: boom", escapes: true)
    #expect(!screen.contains("\u{1B}["))
  }

  @Test("an error shows its message and position, in red on a colour terminal")
  func errorDisplay() throws {
    let t = try start(color: true)
    try t.line("local function f() error('no such layer') end f()")
    let screen = try t.wait(for: "in main chunk", escapes: true)
    #expect(
      screen.contains(
        "\u{1B}[1m\u{1B}[31mError:\u{1B}[0m\u{1B}[39m\u{1B}[49m stdin:1: no such layer"))
    #expect(
      screen.contains("stack traceback:\n  stdin:1: in function 'f'\n  stdin:1: in main chunk"))
    try t.line("_err.message")
    try t.wait(for: "\n> _err.message\nstdin:1: no such layer\n")
  }

  @Test("a line with Straße and 東京 edits by characters")
  func utf8Editing() throws {
    let t = try start()
    try t.type("s = \"Straße 東京\"")
    try t.press("Left", "Left", "BSpace")
    try t.type("X", atPrompt: false)
    try t.press("Enter")
    try t.line("s .. '|' .. #s .. '|' .. folio.text.len(s)")
    try t.wait(for: "\nStraße X京|12|9\n")
  }
}
