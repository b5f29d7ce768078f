import FolioCore
import FolioEngine
import FolioLua
import Foundation
import LuaRuntime

extension REPLSession {
  /// The REPL's own globals, documented like the rest of the API.
  public static let reference: [APIEntry] = [
    APIEntry(
      value: "corpus", usage: "corpus", returns: "Corpus",
      "The corpus given to `folio repl` or opened with `.open`: `#corpus`, `corpus[1]`, `corpus:get(id)`.",
      example: "corpus[1].meta"),
    APIEntry(
      "kwic", params: [.init("word_or_pattern", "string|Regex"), .init("opts", "table?")],
      returns: "rows",
      "A concordance over `corpus` (see Corpus:kwic): each occurrence in its context.",
      details: "opts: width (40), ignore_case, regex (treat the string as a pattern), limit.",
      example: #"kwic("Kolokoltsev")"#, body: .lua),
    APIEntry(
      "q", params: [.init("cql", "string"), .init("opts", "table?")], returns: "rows",
      "The hits of a CQL query over `corpus` (see Corpus:query), printed like `kwic`.",
      details:
        "Write the query in long brackets so that its quotes need no escaping. Token attributes such as pos and lemma need a tagger first: `.run pos`. opts: width (40), limit, strategy (standard, longest, shortest).",
      example: #"q[[[pos="ADJ"] "money"]]"#, body: .lua),
    APIEntry(
      "freq", params: [.init("opts", "table?")], returns: "rows",
      "The most frequent words of `corpus` (see Corpus:freq).",
      details: "opts: n (20; 0 = all), lower (true), kinds ({\"word\"}).",
      example: "freq({n = 10})", body: .lua),
    APIEntry(
      "grep", params: [.init("pattern", "string"), .init("flags", "string?")], returns: "Corpus",
      "The documents of `corpus` whose text matches a regular expression.",
      example: #"grep("(?i)cease-?fire")"#, body: .lua),
    APIEntry(
      "sample", params: [.init("n", "integer?"), .init("seed", "integer?")], returns: "Corpus",
      "`n` (10) documents of `corpus` at random, the same for the same seed.",
      example: "sample(5, 42)", body: .lua),
    APIEntry(
      "show",
      params: [
        .init("doc_or_span", "Document|Span"),
        .options("{attrs?: boolean|string}", shown: "{attrs = true}"),
      ],
      "Prints a document's text with its layers' spans marked (colour on a terminal, `[text]{label}` otherwise); with `attrs`, a sentence a line with each token as word/pos/tag/lemma (`attrs = \"pos,lemma\"` chooses).",
      example: "show(corpus[1], {attrs = true})", body: .lua),
  ]

  // MARK: .run

  /// `.run PLUGIN[:opts]` over the loaded corpus, in this process: a report prints its table,
  /// a tagger adds spans to the documents (visible with `show`), a filter cuts what it edits and
  /// leaves the documents it keeps in `_`.
  func runPlugin(_ argument: String) {
    guard !argument.isEmpty else { return error("usage: .run PLUGIN[:key=value,...]") }
    guard corpus.count > 0 else {
      return error("no corpus loaded - while running \(argument)\nHelp: .open PATH loads one")
    }
    let instance: PluginInstance
    do {
      let reference = try PluginReference.parse(argument)
      let (spec, source) = try options.resolver.resolve(reference.target)
      instance = try PluginInstance(
        spec: spec, source: source, rawOptions: reference.options.map { ($0.key, $0.value) },
        limits: .sessionPlugin, grants: try Runner.grants(for: spec, options.allow))
    } catch let e as FolioError {
      return error(e.rendered.replacingOccurrences(of: "Error: ", with: ""))
    } catch let e as PluginError {
      return error(FolioError(e).rendered.replacingOccurrences(of: "Error: ", with: ""))
    } catch {
      return self.error("\(error)")
    }
    let started = Date()
    LuaInterrupt.clear()
    var failed = 0
    // At a terminal, work past a second shows a progress line on stderr.
    let showProgress = options.interactive && isatty(2) != 0
    var shown = false
    var lastShown = Date()
    func each(pass: String = "", _ body: (Document) throws(PluginError) -> Void) -> Bool {
      let total = corpus.count
      defer {
        if shown {
          writeProgress("")
          shown = false
        }
      }
      for (i, doc) in corpus.documents.enumerated() {
        if LuaInterrupt.isRequested { break }
        if showProgress, i % 16 == 0, Date().timeIntervalSince(started) >= 1,
          !shown || Date().timeIntervalSince(lastShown) >= 0.1
        {
          let percent = total > 0 ? i * 100 / total : 100
          writeProgress(
            ".run \(argument)\(pass)  \(i)/\(total) documents  \(percent)%  (Ctrl-C stops)")
          shown = true
          lastShown = Date()
        }
        do { try body(doc) } catch {
          failed += 1
          if failed <= 5 {
            self.error(FolioError(error).rendered.replacingOccurrences(of: "Error: ", with: ""))
          }
        }
        instance.closeDocument()
      }
      if LuaInterrupt.isRequested {
        LuaInterrupt.clear()
        note("Interrupted.")
        return false
      }
      return true
    }
    let name = instance.spec.name
    do {
      if instance.hasScan {
        try instance.startReport(.scan)
        guard each(pass: " (scan)", { (d) throws(PluginError) in try instance.each(d, .scan) })
        else {
          return
        }
        try instance.setScanResult(try instance.finishScan())
      }
      switch instance.spec.kind ?? .report {
      case .report:
        try instance.startReport()
        guard each({ (d) throws(PluginError) in try instance.each(d) }) else { return }
        let table = try instance.finish()
        emit(printer.renderTable(table))
      case .tagger:
        let before = spanCounts()
        guard each({ (d) throws(PluginError) in try instance.tag(d) }) else { return }
        let after = spanCounts()
        let added = after.map { layer, n in "\(layer) +\(n - (before[layer] ?? 0))" }.sorted()
        note(
          "\(name): tagged \(corpus.count) documents"
            + (added.isEmpty ? "" : "; spans: " + added.joined(separator: ", ")))
      case .filter:
        var kept: [Int] = []
        var position = 0
        guard
          each({ (d) throws(PluginError) in
            defer { position += 1 }
            if try instance.filter(d) { kept.append(position) }
          })
        else { return }
        let subset = corpus.subset(kept)
        FolioLua.push(subset, vm.state)
        vm.state.setGlobal("_")
        note(
          "\(name): kept \(kept.count) of \(corpus.count) documents; the kept ones are in _ (corpus = _ to continue with them)"
        )
      }
    } catch {
      return self.error(FolioError(error).rendered.replacingOccurrences(of: "Error: ", with: ""))
    }
    if failed > 0 { note("\(failed) document\(failed == 1 ? "" : "s") failed") }
    if timer {
      note(
        String(
          format: "Run Time: real %.3f s, plugin memory %@", Date().timeIntervalSince(started),
          Self.mebibytes(instance.memoryUsed)))
    }
  }

  func spanCounts() -> [String: Int] {
    var counts: [String: Int] = [:]
    for d in corpus.documents {
      for layer in d.layerNames { counts[layer, default: 0] += d.layer(layer)?.spans.count ?? 0 }
    }
    return counts
  }

  // MARK: .load / .reload

  /// `.load FILE.lua` runs a file in the session; `.load PLUGIN` puts the plugin's module in `plugins.NAME`.
  @discardableResult
  func load(_ target: String, announce: Bool) -> Bool {
    guard !target.isEmpty else {
      error("usage: .load PLUGIN or .load FILE.lua")
      return false
    }
    let L = vm.state
    if target.hasSuffix(".lua"), FileManager.default.fileExists(atPath: target),
      !FileManager.default.fileExists(atPath: target + "/plugin.toml")
    {
      guard let data = FileManager.default.contents(atPath: target) else {
        error("cannot read \(target) - while running .load")
        return false
      }
      let base = L.top
      do {
        try vm.load(String(decoding: data, as: UTF8.self), chunkname: "@" + target)
        try vm.call(arguments: 0, results: 0)
      } catch let e {
        L.pop(L.top - base)
        report(e)
        return false
      }
      if !loaded.contains(target) { loaded.append(target) }
      if announce { note("Ran \(target).") }
      return true
    }
    let spec: PluginSpec
    let source: String
    do { (spec, source) = try options.resolver.resolve(target) } catch {
      self.error(error.rendered.replacingOccurrences(of: "Error: ", with: ""))
      return false
    }
    let base = L.top
    do {
      try vm.load(source, chunkname: spec.chunkName)
      try vm.call(arguments: 0, results: 1)
    } catch let e {
      L.pop(L.top - base)
      report(e)
      return false
    }
    let key = spec.name.replacingOccurrences(of: "-", with: "_")
    L.getGlobal("plugins")
    if L.type(at: -1) != .table {
      L.pop()
      L.newTable()
      L.pushValue(-1)
      L.setGlobal("plugins")
    }
    L.pushValue(-2)
    L.rawSet(-2, key)
    L.pop(2)
    if !loaded.contains(spec.name) { loaded.append(spec.name) }
    if announce {
      note(
        "Loaded \(spec.name) \(spec.version) (\(spec.kind?.rawValue ?? "plugin")) as plugins.\(key); .run \(spec.name) runs it over the corpus."
      )
    }
    return true
  }

  func reload(_ target: String) {
    let targets = target.isEmpty ? loaded : [target]
    guard !targets.isEmpty else { return note("Nothing loaded yet: .load PLUGIN first.") }
    for t in targets where load(t, announce: false) { note("Reloaded \(t).") }
  }
}

extension PrettyPrinter {
  /// A report table in the current mode (elided in table mode).
  func renderTable(_ table: ReportTable) -> String {
    var elided = table
    elided.rows = shown(table.rows.count).map { table.rows[$0] }
    return renderRows(elided, total: table.rows.count, titled: true)
  }
}
