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
  public private(set) var corpus: Corpus
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
  private let writeOut: (String) -> Void
  private let writeErr: (String) -> Void
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
      throw FolioError("cannot start Lua: \(error.message) - while starting the REPL")
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

  // MARK: Globals

  func installGlobals() throws(FolioError) {
    let L = vm.state
    // Without a corpus `corpus` stays unset, so that kwic, q, freq, grep and sample say so.
    if !(corpus.sources.isEmpty && corpus.count == 0) {
      FolioLua.push(corpus, L)
      L.setGlobal("corpus")
    }
    vm.setGlobalFunction("print") { [unowned self] (L) throws(LuaHostError) -> Int32 in
      var parts: [String] = []
      for i in 1...max(1, L.top) where i <= L.top {
        switch L.type(at: i) {
        case .string: parts.append(L.string(at: i) ?? "")
        case .number, .boolean, .nil:
          parts.append(printer.render(L, i))
        default:
          parts.append(
            printer.describeObject(L, i) == "<userdata>" ? L.typeName(at: i) : printer.render(L, i))
        }
      }
      // Always a line of its own, as in stock Lua (print() and print("") too).
      emit(parts.joined(separator: "\t") + "\n")
      return 0
    }
    vm.setGlobalFunction("show") { [unowned self] (L) throws(LuaHostError) -> Int32 in
      try show(L)
      return 0
    }
    do { try vm.run(Self.prelude, chunkname: "=folio.repl") } catch {
      throw FolioError("cannot start Lua: \(error.message) - while starting the REPL")
    }
  }

  /// The helpers ready at the prompt; each works on whatever `corpus` holds now.
  static let prelude = String(decoding: PackageResources.prelude_lua, as: UTF8.self)

  /// `show(doc)`: the text with each layer's spans marked; `show(doc, {attrs = true})`: its
  /// tokens with their attributes (`attrs = "pos,lemma"` chooses them); `show(span)`: its label
  /// and text.
  func show(_ L: LuaState) throws(LuaHostError) {
    if let doc = L.object(at: 1, as: Document.self) {
      let painter = Highlighter(
        color: options.color && { if case .standard = sink { true } else { false } }())
      if let names = try attributeNames(L, doc) {
        emit(painter.renderTokens(doc, names))
      } else {
        emit(painter.render(doc))
      }
      return
    }
    if L.type(at: 1) == .table {
      emit(printer.render(L, 1))
      return
    }
    throw .type(1, expected: "Document or span")
  }

  /// The token attributes `show`'s options ask for (argument 2: `{attrs = true}` for all of
  /// them, or names: `"pos,lemma"`), or nil for the text with its layers.
  func attributeNames(_ L: LuaState, _ doc: Document) throws(LuaHostError) -> [String]? {
    guard L.type(at: 2) == .table else {
      if L.isNoneOrNil(2) { return nil }
      throw .type(2, expected: "table of options ({attrs = true})")
    }
    let kind = L.rawGet(2, "attrs")
    defer { L.pop() }
    var names: [String]
    switch kind {
    case .nil: return nil
    case .boolean:
      guard L.bool(at: -1) else { return nil }
      names = doc.tokenColumnNames.filter { ["pos", "tag", "lemma", "feats"].contains($0) }
      if names.isEmpty { names = doc.tokenColumnNames }
    case .string:
      names = (L.string(at: -1) ?? "").split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }
    default: throw .argument(2, "attrs must be true or names such as \"pos,lemma\"")
    }
    guard !names.isEmpty else {
      throw .message(
        "\(doc.id) has no token attributes - .run pos tags the corpus (part of speech and lemma)")
    }
    for name in names where doc.tokenColumns[name] == nil {
      let known = doc.tokenColumnNames.joined(separator: ", ")
      throw .message(
        "\(doc.id) has no token attribute '\(name)' (it has: \(known.isEmpty ? "none" : known)) - .run pos tags the corpus"
      )
    }
    return names
  }

  // MARK: Dot-commands

  func command(_ line: String) {
    let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
    let name = parts[0]
    let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
    let args = argument.split(separator: " ").map(String.init)
    switch name {
    case ".help": help(argument)
    case ".quit", ".exit": quitRequested = true
    case ".open": open(args)
    case ".corpus": describeCorpus()
    case ".run": runPlugin(argument)
    case ".load": load(argument, announce: true)
    case ".reload": reload(argument)
    case ".plugins":
      emit(
        printer.mode == .table
          ? TableFormat.table.render(PluginCatalog.list(options.resolver))
          : printer.mode.render(PluginCatalog.list(options.resolver)))
    case ".doc": showDoc(argument)
    case ".mode": setMode(argument)
    case ".maxrows":
      guard let n = Int(argument), n > 0 else {
        return error("usage: .maxrows N (N > 0); now \(printer.maxRows)")
      }
      printer.maxRows = n
    case ".timer":
      switch argument {
      case "on": timer = true
      case "off": timer = false
      default: error("usage: .timer on|off")
      }
    case ".headers":
      switch argument {
      case "on": printer.headers = true
      case "off": printer.headers = false
      default: error("usage: .headers on|off (now \(printer.headers ? "on" : "off"))")
      }
    case ".output": output(argument, once: false)
    case ".once": output(argument, once: true)
    case ".read": read(argument)
    case ".save": save(argument)
    case ".history":
      for (i, entry) in history().enumerated() {
        emit(
          "\(String(i + 1).leftPadded(4))  "
            + entry.replacingOccurrences(of: "\n", with: "\n      "))
      }
    case ".reset": reset()
    default:
      let known = Self.commands.map(\.name)
      let guess = Suggest.closest(
        String(name.dropFirst()), in: known.map { String($0.dropFirst()) })
      error(
        "unknown command \(name)" + (guess.map { " - did you mean .\($0)?" } ?? "")
          + "\nHelp: .help lists the commands")
    }
  }

  static let commands: [(name: String, usage: String, summary: String)] = [
    (".help", ".help [NAME]", "this list, or the documentation of NAME"),
    (".open", ".open CORPUS...", "load a corpus (folder, file or several) as `corpus`"),
    (".corpus", ".corpus", "what is loaded"),
    (
      ".run", ".run PLUGIN[:key=value,...]",
      "run a plugin over the corpus (reports print, taggers add spans, filters cut)"
    ),
    (
      ".load", ".load PLUGIN|FILE.lua",
      "bring a plugin's module in as plugins.NAME, or run a Lua file"
    ),
    (".reload", ".reload [PLUGIN]", "load again what .load loaded (after editing it)"),
    (".plugins", ".plugins", "the plugins names resolve to"),
    (".doc", ".doc NAME", "the API documentation of NAME (also ?NAME)"),
    (".mode", ".mode table|tsv|csv|json|jsonl|markdown", "how rows print"),
    (".headers", ".headers on|off", "column names above rows (table, tsv, csv)"),
    (".maxrows", ".maxrows N", "rows shown before the middle is elided (table mode)"),
    (".timer", ".timer on|off", "wall time, CPU time and Lua memory after each chunk"),
    (
      ".output", ".output [FILE]",
      "send results to FILE (.csv, .tsv, .json, .md: in that format; written when closed), or back to the screen"
    ),
    (".once", ".once FILE", "send the next result to FILE, as .output does"),
    (".read", ".read FILE", "run a session script"),
    (".save", ".save FILE", "write this session's chunks as a script"),
    (".history", ".history", "the input history"),
    (".reset", ".reset", "a fresh Lua state (the corpus stays)"),
    (".quit", ".quit", "leave (also Ctrl-D)"),
  ]

  func help(_ topic: String) {
    if !topic.isEmpty { return showDoc(topic) }
    var lines = [
      "Lua at the prompt; an expression prints its value (`_` holds it, `_err` the last error)."
    ]
    lines.append("")
    lines.append("Helpers (over `corpus`):")
    for entry in Self.reference {
      lines.append("  " + entry.signature.padded(34) + entry.summary)
    }
    lines.append("")
    lines.append("Commands:")
    for c in Self.commands { lines.append("  " + c.usage.padded(40) + c.summary) }
    lines.append("")
    lines.append(
      "Try:  kwic(\"\(sampleWord())\")   freq({n = 10})   .run wordfreq:top=10   show(corpus[1])   ?Corpus:kwic"
    )
    emit(lines.joined(separator: "\n"))
  }

  /// A word of the corpus for the examples in `.help`: the first capitalised word of five letters or more after the start of the first document.
  func sampleWord() -> String {
    guard let doc = corpus.documents.first else { return "word" }
    let text = doc.text
    for t in doc.tokens.dropFirst(3).prefix(400) where t.kind == .word && t.end - t.start >= 5 {
      let word = String(
        decoding: text.utf8.dropFirst(Int(t.start)).prefix(Int(t.end - t.start)), as: UTF8.self)
      if let first = word.unicodeScalars.first, first.properties.isUppercase,
        word.unicodeScalars.dropFirst().allSatisfy({ $0.properties.isLowercase })
      {
        return word
      }
    }
    return "word"
  }

  func showDoc(_ name: String) {
    guard !name.isEmpty else { return error("usage: ?NAME or .doc NAME, e.g. ?kwic") }
    let found = FolioLua.lookup(typed(name), in: Self.reference + FolioLua.reference)
    guard !found.isEmpty else {
      let names = (Self.reference + FolioLua.reference).map(\.name)
      let guess = Suggest.closest(name, in: names)
      return error(
        "no documentation for '\(name)'" + (guess.map { " - did you mean \($0)?" } ?? ""))
    }
    emit(found.map(\.text).joined(separator: "\n"))
  }

  /// `d:spans` as `Document:spans` when the global `d` holds a Document: a method or field
  /// of a variable is looked up through the variable's type.
  func typed(_ name: String) -> String {
    guard let sep = name.lastIndex(where: { $0 == ":" || $0 == "." }), sep != name.startIndex
    else { return name }
    let variable = String(name[..<sep])
    guard variable.first.map({ $0.isLetter || $0 == "_" }) == true,
      variable.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
    else { return name }
    let L = vm.state
    L.getGlobal(variable)
    defer { L.pop() }
    guard let type = L.metaName(at: -1) else { return name }
    return type + name[sep...]
  }

  func setMode(_ argument: String) {
    guard let mode = TableFormat(rawValue: argument), mode != .html else {
      return error("usage: .mode table|tsv|csv|json|jsonl|markdown (now \(printer.mode.rawValue))")
    }
    printer.mode = mode
  }

  func open(_ paths: [String]) {
    guard !paths.isEmpty else { return error("usage: .open CORPUS... (a folder or files)") }
    var warnings = 0
    do {
      corpus = try Corpus.load(paths, options: options.reader) { w in
        warnings += 1
        if warnings <= 10 { self.note("Warning: \(w)") }
      }
    } catch {
      return self.error(FolioError(error).rendered.replacingOccurrences(of: "Error: ", with: ""))
    }
    if options.interactive { corpus.prepareIndex() }
    attachIndex(paths)
    FolioLua.push(corpus, vm.state)
    vm.state.setGlobal("corpus")
    emit(corpus.description)
  }

  /// Opens the corpus's index (`CORPUS.folio-index`, built by `folio index`) for `q[[...]]` and
  /// `corpus:query` when it holds these documents as they are; says why not when it cannot.
  func attachIndex(_ paths: [String]) {
    guard let path = SegmentedIndex.defaultPath(paths),
      FileManager.default.fileExists(atPath: path)
    else { return }
    let reason: String?
    do {
      let index = try SegmentedIndex(path: path)
      if index.manifest.reader ?? ReaderOptions() != options.reader {
        reason = "it was built with other reading options"
      } else if let change = try index.staleness(corpus: paths, reader: options.reader) {
        reason = "\(change) since it was built - folio index --update brings it up to date"
      } else {
        reason = corpus.attach(index)
        if reason == nil, options.interactive {
          let plugins = index.manifest.plugins.map { "-p " + $0 }.joined(separator: " ")
          note(
            "Queries (q[[...]], corpus:query) use the index \(path)"
              + (plugins.isEmpty ? "" : " (built with \(plugins))"))
        }
      }
    } catch {
      reason = "\(error)"
    }
    if let reason, options.interactive {
      note("Note: queries scan the documents, not the index \(path): \(reason)")
    }
  }

  func describeCorpus() {
    guard corpus.count > 0 else { return emit("No corpus loaded: .open PATH loads one.") }
    var tokens = 0
    for d in corpus.documents { tokens += d.tokens.count }
    let folders = Set(
      corpus.documents.compactMap { d -> String? in
        if case .string(let f) = d.meta["folder"] { return f }
        return nil
      }
    ).filter { !$0.isEmpty }
    var s = corpus.description + "\n\(tokens) tokens"
    if !folders.isEmpty { s += "; folders: " + folders.sorted().joined(separator: ", ") }
    emit(s)
  }

  func output(_ path: String, once: Bool) {
    closeSink()
    onceRestore = nil
    guard !path.isEmpty else {
      if once { error("usage: .once FILE") }
      return
    }
    let ext = URL(fileURLWithPath: path).pathExtension
    let format = TableFormat.forExtension(ext)
    if format == .html || format == .svg {
      return error(
        ".\(ext) is a page: .output and .once write text, .txt, .tsv, .csv, .json, .jsonl or .md (folio run -o FILE.\(ext) draws pages)"
      )
    }
    do {
      sink = .file(try AtomicFile(path: path))
      if once { onceRestore = .standard }
      var before: TableFormat?
      if let format, format != printer.mode {
        before = printer.mode
        printer.mode = format
      }
      sinkFile = (path, 0, before)
    } catch { self.error("\(error)") }
  }

  func read(_ path: String) {
    guard let data = FileManager.default.contents(atPath: path) else {
      return error("cannot read \(path): no such file - while running .read")
    }
    let lines = String(decoding: data, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false
    ).map(String.init)
    let reader = ListLineReader(lines)
    var pending: [String] = []
    while let line = try? reader.readLine(prompt: ""), !quitRequested {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if pending.isEmpty {
        if trimmed.isEmpty { continue }
        if trimmed.hasPrefix(".") {
          command(trimmed)
          continue
        }
      }
      pending.append(line)
      if execute(pending.joined(separator: "\n"), reader: nil, final: false) { pending = [] }
    }
    if !pending.isEmpty { execute(pending.joined(separator: "\n"), reader: nil, final: true) }
  }

  func save(_ path: String) {
    guard !path.isEmpty else { return error("usage: .save FILE") }
    do {
      let file = try AtomicFile(path: path)
      try file.write(accepted.joined(separator: "\n") + "\n")
      try file.commit()
      note("Saved \(accepted.count) chunk\(accepted.count == 1 ? "" : "s") to \(path).")
    } catch { self.error("\(error)") }
  }

  func reset() {
    do {
      let fresh = try Self.makeVM()
      vm.close()
      vm = fresh
      try installGlobals()
      loaded = []
      note("Fresh Lua state; corpus kept.")
    } catch { self.error(error.message) }
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
