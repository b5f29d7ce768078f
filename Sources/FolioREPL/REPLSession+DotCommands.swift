import FolioCore
import FolioEngine
import FolioLua
import Foundation
import LuaRuntime

extension REPLSession {
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
      let guess = Suggest.didYouMean(
        String(name.dropFirst()), in: known.map { String($0.dropFirst()) }, shown: { "." + $0 })
      error(
        "unknown command \(name)" + (guess.map { " - " + $0 } ?? "")
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
      return error(
        "no documentation for '\(name)'"
          + (Suggest.didYouMean(name, in: names).map { " - " + $0 } ?? ""))
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
