import FolioCore
import FolioEngine
import FolioLua
import Foundation
import LuaRuntime

/// One REPL session: a Lua state with the full standard library and Folio's API, the loaded
/// corpus, and the settings the dot-commands change (issue #6).
///
/// Front-end independent: it reads from any `LineReader` and writes through two closures, so
/// the terminal, scripted input and tests all drive the same code.
public final class REPLSession {
  public struct Options {
    public var corpus: [String] = []
    public var reader = ReaderOptions()
    /// Prompts, a banner and colour: a person is typing.
    public var interactive = false
    public var color = false
    /// Stop at the first error with exit 1 (scripted use).
    public var bail = false
    public var resolver = PluginResolver()
    /// Permissions granted with `--allow`, for `.run`.
    public var allow: [String: Grants] = [:]
    public init() {}
  }

  public let options: Options
  public internal(set) var corpus: Corpus
  var vm: LuaVM
  var printer = PrettyPrinter()
  var timer = false
  /// Results go here (stdout, or a file after `.output`).
  var sink: Sink
  var onceRestore: Sink?
  /// The file results go to: its path, how many results it got, and the mode to restore
  /// when its extension chose one (`.output words.csv`).
  var sinkFile: (path: String, results: Int, modeBefore: TableFormat?)?
  /// Chunks accepted this session, for `.save`.
  public private(set) var accepted: [String] = []
  /// Plugins and files brought in with `.load`, for `.reload`.
  var loaded: [String] = []
  var history: () -> [String] = { [] }
  let writeOut: (String) -> Void
  let writeErr: (String) -> Void
  /// Set when a chunk failed (for `--bail` and the exit code).
  public private(set) var failures = 0
  var quitRequested = false

  enum Sink {
    case standard
    case file(AtomicFile)
  }

  /// Opens the session: loads the corpus (if any) and prepares the Lua state.
  public init(
    _ options: Options, out: @escaping (String) -> Void, err: @escaping (String) -> Void
  ) throws(FolioError) {
    self.options = options
    writeOut = out
    writeErr = err
    sink = .standard
    var warnings: [String] = []
    if options.corpus.isEmpty {
      corpus = Corpus(documents: [], sources: [])
    } else {
      do {
        corpus = try Corpus.load(options.corpus, options: options.reader) {
          warnings.append("Warning: \($0)")
        }
      } catch { throw FolioError(error) }
    }
    vm = try Self.makeVM()
    // While a person reads the banner, the frequency index builds on other threads.
    if options.interactive { corpus.prepareIndex() }
    for w in warnings.prefix(10) { err(w + "\n") }
    if warnings.count > 10 { err("(\(warnings.count - 10) more warnings)\n") }
    attachIndex(options.corpus)
    try installGlobals()
  }

  static func makeVM() throws(FolioError) -> LuaVM {
    do {
      let vm = try LuaVM(sandboxed: false, limits: .session)
      try FolioLua.install(in: vm, context: FolioLuaContext())
      return vm
    } catch {
      throw FolioError("cannot start Lua: \(error.message)", while: "starting the REPL")
    }
  }

  // MARK: Output

  func emit(_ text: String) {
    guard !text.isEmpty else { return }
    let line = text.hasSuffix("\n") ? text : text + "\n"
    switch sink {
    case .standard:
      fflush(nil)
      writeOut(line)
    case .file(let file):
      do { try file.write(line) } catch {
        writeErr("Error: \(error) - while writing output\n")
      }
      sinkFile?.results += 1
    }
    if let restore = onceRestore {
      onceRestore = nil
      closeSink()
      sink = restore
    }
  }

  /// Rewrites the progress line on stderr (`""` clears it).
  func writeProgress(_ text: String) { writeErr("\r\u{1B}[2K" + text) }

  func note(_ text: String) { writeErr(text.hasSuffix("\n") ? text : text + "\n") }

  func error(_ text: String) {
    failures += 1
    let label = options.color ? "\u{1B}[1;31mError:\u{1B}[0m " : "Error: "
    writeErr(label + text + (text.hasSuffix("\n") ? "" : "\n"))
  }

  func closeSink() {
    if case .file(let file) = sink {
      do {
        try file.commit()
        if let info = sinkFile {
          let format = info.modeBefore == nil ? "" : " (\(printer.mode.rawValue))"
          note(
            "Wrote \(info.results) result\(info.results == 1 ? "" : "s") to \(info.path)\(format).")
        }
      } catch { writeErr("Error: \(error)\n") }
    }
    if let before = sinkFile?.modeBefore { printer.mode = before }
    sinkFile = nil
    sink = .standard
  }

  // MARK: The loop

  /// Reads and runs chunks until end of input or `.quit`; returns the exit code.
  public func run(_ reader: LineReader) -> Int32 {
    history = { reader.history }
    if options.interactive { writeOut(banner()) }
    var pending: [String] = []
    while !quitRequested {
      let prompt = options.interactive ? (pending.isEmpty ? "> " : ">> ") : ""
      let line: String?
      do { line = try reader.readLine(prompt: prompt) } catch {
        // Ctrl-C at the prompt: the line (and any unfinished chunk) is dropped.
        if options.interactive { writeOut("^C\n") }
        pending = []
        continue
      }
      guard let line else {
        if !pending.isEmpty {
          _ = execute(pending.joined(separator: "\n"), reader: reader, final: true)
        }
        break
      }
      if pending.isEmpty {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { continue }
        if trimmed.hasPrefix(".") {
          reader.addHistory(trimmed)
          command(trimmed)
          if failures > 0 && options.bail { break }
          continue
        }
        if trimmed.hasPrefix("?") {
          reader.addHistory(trimmed)
          showDoc(String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces))
          continue
        }
        // Bare exit, quit and help do what they say, as in Python's REPL (unless the session
        // defined a global of that name).
        if ["exit", "quit", "help"].contains(trimmed), isUnsetGlobal(trimmed) {
          reader.addHistory(trimmed)
          command(trimmed == "help" ? ".help" : ".quit")
          continue
        }
      }
      pending.append(line)
      if execute(pending.joined(separator: "\n"), reader: reader, final: false) {
        pending = []
        if failures > 0 && options.bail { break }
      }
    }
    closeSink()
    if options.interactive && !quitRequested { writeOut("\n") }
    // As sqlite3 and DuckDB: a session read from a pipe or file that had an error exits 1
    // (with --bail at the first); one typed at the terminal exits 0, as Python's does.
    return failures > 0 && (options.bail || !options.interactive) ? 1 : 0
  }

  /// Runs a whole script (`folio script`): `arg` holds its arguments; returns 0, 1 after an error, or 130 when interrupted.
  public func runScript(_ source: String, name: String, arguments: [String]) -> Int32 {
    let L = vm.state
    L.newTable(array: Int32(arguments.count))
    for (i, a) in arguments.enumerated() {
      L.pushString(a)
      L.rawSet(-2, i + 1)
    }
    L.pushString(name)
    L.rawSet(-2, 0)
    L.setGlobal("arg")
    let base = L.top
    defer {
      L.pop(L.top - base)
      closeSink()
    }
    do {
      try vm.load(source, chunkname: "@" + name)
      try vm.call(arguments: 0, results: 0)
      fflush(nil)
      return 0
    } catch let e {
      fflush(nil)
      if case .limit(.interrupt) = e.kind {
        note("Interrupted.")
        return 130
      }
      report(e)
      return 1
    }
  }

  func banner() -> String {
    var s = "Folio \(FolioLua.apiVersion) (Lua 5.4)"
    if corpus.count > 0 { s += " · corpus: \(corpus.description)" }
    return s + "\nType .help for help, ?name for the API, Ctrl-D to leave.\n"
  }

  /// Compiles and runs `chunk`.
  ///
  /// Returns false when the chunk is unfinished and more lines may complete it.
  @discardableResult
  func execute(_ chunk: String, reader: LineReader?, final: Bool) -> Bool {
    let L = vm.state
    let base = L.top
    switch compile(chunk) {
    case .incomplete(let message):
      if !final { return false }
      reader?.addHistory(chunk)
      error(message)
      return true
    case .failed(let message):
      reader?.addHistory(chunk)
      error(message + caret(chunk, message))
      return true
    case .ready:
      break
    }
    reader?.addHistory(chunk)
    accepted.append(chunk)
    LuaInterrupt.clear()
    let started = Date()
    let cpuStart = clock()
    do {
      try vm.call(arguments: 0, results: -1)
    } catch let e {
      L.pop(L.top - base)
      report(e)
      return true
    }
    fflush(nil)
    let n = L.top - base
    if n > 0 {
      L.pushValue(base + 1)
      L.setGlobal("_")
      var parts: [String] = []
      for i in 0..<n { parts.append(printer.render(L, base + 1 + i)) }
      let multiline = parts.contains { $0.contains("\n") }
      emit(parts.joined(separator: multiline ? "\n" : "\t"))
    }
    L.pop(n)
    if timer {
      let wall = Date().timeIntervalSince(started)
      let cpu = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
      note(
        String(
          format: "Run Time: real %.3f s, cpu %.3f s, Lua memory %@", wall, cpu,
          Self.mebibytes(vm.memoryUsed)))
    }
    return true
  }

  static func mebibytes(_ bytes: Int) -> String {
    String(format: "%.1f MiB", Double(bytes) / 1_048_576)
  }

  enum Compiled {
    case ready
    case incomplete(String)
    case failed(String)
  }

  /// Leaves the compiled chunk on the stack when ready: `return <chunk>` first (so expressions
  /// print), then the chunk as statements; a syntax error at `<eof>` means "read another line".
  func compile(_ chunk: String) -> Compiled {
    var source = chunk
    if source.hasPrefix("=") { source = "return " + source.dropFirst() }
    source = Self.promoteLocals(source)
    do {
      try vm.load("return " + source, chunkname: "=stdin")
      return .ready
    } catch {}
    // Statements then an expression (`d = corpus[1]; d.meta`): the expression's value prints,
    // as in Python's REPL. Only the last `;` or line break is tried, so a block is never cut.
    // The part after the break must be an expression on its own: `return end` would compile
    // inside a block and end it early.
    if let cut = Self.lastStatementBreak(source) {
      let last = String(source[source.index(after: cut)...])
      if (try? vm.load("return " + last, chunkname: "=stdin")) != nil {
        vm.state.pop()
        do {
          try vm.load(String(source[..<cut]) + "\nreturn " + last, chunkname: "=stdin")
          return .ready
        } catch {}
      }
    }
    do {
      try vm.load(source, chunkname: "=stdin")
      return .ready
    } catch let e {
      if e.message.hasSuffix("<eof>") { return .incomplete(e.message) }
      return .failed(e.message)
    }
  }

  /// Whether `text` is an unfinished Lua chunk (the line editor then adds a line on Enter).
  ///
  /// Dot-commands and `?NAME` are always finished.
  public func needsMore(_ text: String) -> Bool {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed.isEmpty || trimmed.hasPrefix(".") || trimmed.hasPrefix("?") { return false }
    let L = vm.state
    let base = L.top
    defer { L.pop(L.top - base) }
    if case .incomplete = compile(text) { return true }
    return false
  }

  /// Under a syntax error, the line it is on and a caret under the token Lua names
  /// (`near 'x'`), or at the line's end for `<eof>`: Lua's messages give no column.
  ///
  /// When the token occurs more than once on the line, the caret goes under the first
  /// occurrence at which the chunk cut just after it fails with the same message.
  func caret(_ chunk: String, _ message: String) -> String {
    guard let colon = message.range(of: "stdin:"),
      let number = Int(message[colon.upperBound...].prefix { $0.isNumber })
    else { return "" }
    let lines = chunk.split(separator: "\n", omittingEmptySubsequences: false)
    guard number >= 1, number <= lines.count else { return "" }
    let line = String(lines[number - 1])
    var column = line.count
    if let near = message.range(of: " near '", options: .backwards), message.hasSuffix("'") {
      let token = String(message[near.upperBound..<message.index(before: message.endIndex)])
      let before = lines[..<(number - 1)].joined(separator: "\n") + (number > 1 ? "\n" : "")
      var from = line.startIndex
      var first: String.Index?
      while let found = line.range(of: token, range: from..<line.endIndex) {
        if first == nil { first = found.lowerBound }
        let cut = before + line[..<found.upperBound]
        let L = vm.state
        let base = L.top
        let same: Bool
        do {
          try vm.load(cut, chunkname: "=stdin")
          same = false
        } catch { same = error.message == message }
        L.pop(L.top - base)
        if same {
          first = found.lowerBound
          break
        }
        from = found.upperBound
      }
      if let first { column = line.distance(from: line.startIndex, to: first) }
    } else if !message.hasSuffix("<eof>") {
      return ""
    }
    let pad = DisplayWidth.of(line.prefix(column))
    return "\n  " + line + "\n  " + String(repeating: " ", count: pad) + "^"
  }

  /// Whether the session has no global `name` (read raw: no metamethod runs).
  func isUnsetGlobal(_ name: String) -> Bool {
    let t = vm.state.getGlobal(name)
    vm.state.pop()
    return t == .nil
  }

  /// The last `;` or line break with something other than white space after it.
  static func lastStatementBreak(_ source: String) -> String.Index? {
    guard let cut = source.lastIndex(where: { $0 == ";" || $0 == "\n" }) else { return nil }
    let rest = source[source.index(after: cut)...]
    return rest.allSatisfy(\.isWhitespace) ? nil : cut
  }

  /// A top-level `local x = ...` or `local function f` at the start of a chunk would vanish
  /// with the chunk; the REPL keeps it as a session global instead (as Python's REPL does).
  static func promoteLocals(_ source: String) -> String {
    let trimmed = source.drop { $0 == " " || $0 == "\t" }
    guard trimmed.hasPrefix("local") else { return source }
    let rest = trimmed.dropFirst(5)
    guard let next = rest.first, next == " " || next == "\t" else { return source }
    let body = rest.drop { $0 == " " || $0 == "\t" }
    if body.hasPrefix("function") { return String(body) }
    // `local a, b = ...`: plain names only (no attributes such as <const>).
    var names = body.prefix { $0 != "=" && $0 != "\n" }
    if names.contains("<") || names.contains("(") { return source }
    names = names.drop { $0 == " " }
    guard !names.isEmpty,
      names.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "," || $0 == " " })
    else { return source }
    return String(body)
  }

  func report(_ e: LuaError) {
    let L = vm.state
    if case .limit(.interrupt) = e.kind {
      LuaInterrupt.clear()
      note(options.interactive ? "\nInterrupted." : "Interrupted.")
      failures += options.interactive ? 0 : 1
      return
    }
    var text = e.message
    let trace = Self.shortTraceback(e.traceback)
    if !trace.isEmpty { text += "\n" + trace }
    error(text)
    L.newTable(hash: 2)
    L.pushString(e.message)
    L.rawSet(-2, "message")
    L.pushString(e.traceback ?? "")
    L.rawSet(-2, "traceback")
    L.setGlobal("_err")
  }

  /// The traceback without the REPL's own frames and C frames, at most 6 lines.
  static func shortTraceback(_ traceback: String?) -> String {
    guard let traceback else { return "" }
    let lines = traceback.split(separator: "\n").dropFirst().map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter {
      !$0.hasPrefix("[C]:") && !$0.hasPrefix("(...tail calls...)") && !$0.hasPrefix("folio.repl:")
    }
    guard lines.count > 1 || (lines.first.map { !$0.hasSuffix("in main chunk") } ?? false) else {
      return ""
    }
    var shown = lines.prefix(6).map { "  " + $0 }
    if lines.count > 6 { shown.append("  … \(lines.count - 6) more") }
    return "stack traceback:\n" + shown.joined(separator: "\n")
  }

}

extension String {
  func padded(_ n: Int) -> String {
    let w = DisplayWidth.of(self)
    return w >= n ? self + " " : self + String(repeating: " ", count: n - w)
  }

  func leftPadded(_ n: Int) -> String {
    count >= n ? self : String(repeating: " ", count: n - count) + self
  }
}
