import FolioCore
import FolioLua
import Foundation
import LuaRuntime

/// Runs plugins' own tests (`tests/*_test.lua`) with `folio.test`, each file in a fresh VM.
public struct PluginTester {
  public struct Result: Sendable, Equatable {
    public var passed = 0
    public var failed = 0
  }

  public let resolver: PluginResolver
  public let output: (String) -> Void

  public init(resolver: PluginResolver, output: @escaping (String) -> Void) {
    self.resolver = resolver
    self.output = output
  }

  static let prelude = String(decoding: PackageResources.test_prelude_lua, as: UTF8.self)

  /// One test: its plugin, its file and its label (`group / name`).
  public struct Case: Sendable, Hashable, CustomStringConvertible {
    public var plugin: String
    public var file: String
    public var label: String
    public var description: String { "\(plugin): \(label)" }
  }

  /// Runs the tests of `targets` (plugin names or folders); all plugins found when empty.
  ///
  /// With `only`, runs just the test of that label.
  public func run(_ targets: [String], only: String? = nil) throws(FolioError) -> Result {
    var result = Result()
    for (name, folder, files) in try testFiles(targets) {
      if files.isEmpty {
        output("\(name): no tests (add tests/\(name)_test.lua)\n")
        continue
      }
      for url in files {
        let shown = resolver.display(url)
        output("\(name) (\(shown))\n")
        let r = runFile(url, shown: shown, plugin: folder.path, only: only)
        result.passed += r.passed
        result.failed += r.failed
      }
    }
    return result
  }

  /// Every test of `targets`, found by loading each test file without running its tests.
  public func list(_ targets: [String]) throws(FolioError) -> [Case] {
    var cases: [Case] = []
    for (name, folder, files) in try testFiles(targets) {
      for url in files {
        let shown = resolver.display(url)
        var labels: [String]? = []
        _ = runFile(url, shown: shown, plugin: folder.path, only: nil, collect: &labels)
        cases += (labels ?? []).map { Case(plugin: name, file: shown, label: $0) }
      }
    }
    return cases
  }

  /// The plugins of `targets` with their folders and test files.
  private func testFiles(_ targets: [String]) throws(FolioError) -> [(String, URL, [URL])] {
    var folders: [(String, URL)] = []
    if targets.isEmpty {
      for (name, location) in resolver.available() where !location.path.hasSuffix(".lua") {
        folders.append((name, location))
      }
    } else {
      for target in targets {
        let url = URL(fileURLWithPath: target, relativeTo: resolver.workingDirectory)
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("init.lua").path) {
          folders.append((url.lastPathComponent, url))
        } else if let found = resolver.available().first(where: { $0.name == target }) {
          folders.append(found)
        } else {
          throw FolioError(
            "\(ErrorCode.f102.tag) unknown plugin '\(target)'", while: "finding plugin tests",
            exit: .config)
        }
      }
    }
    return folders.map { name, folder in
      let testsDir = folder.appendingPathComponent("tests")
      let files = ((try? FileManager.default.contentsOfDirectory(atPath: testsDir.path)) ?? [])
        .filter { $0.hasSuffix("_test.lua") }.sorted().map { testsDir.appendingPathComponent($0) }
      return (name, folder, files)
    }
  }

  /// Runs one test file in a fresh VM.
  func runFile(_ url: URL, shown: String, plugin: String, only: String? = nil) -> Result {
    var unused: [String]?
    return runFile(url, shown: shown, plugin: plugin, only: only, collect: &unused)
  }

  /// Runs one test file in a fresh VM, or with `collect`, only lists its tests' labels there.
  func runFile(
    _ url: URL, shown: String, plugin: String, only: String?, collect: inout [String]?
  ) -> Result {
    var result = Result()
    guard let data = FileManager.default.contents(atPath: url.path) else {
      output("  ✘ cannot read \(shown)\n")
      return Result(passed: 0, failed: 1)
    }
    let source = String(decoding: data, as: UTF8.self)
    for twice in Self.namedTwice(source) {
      output(
        "  ✘ \(shown):\(twice.second): a second test named '\(twice.name)' (the first is on line \(twice.first)) replaces it: rename one\n"
      )
      result.failed += 1
    }
    // A plugin that asks to write files writes them here in its tests (T.written reads them).
    let outputFolder = FileManager.default.temporaryDirectory
      .appendingPathComponent(
        "folio-test-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: outputFolder) }
    do {
      let vm = try LuaVM(sandboxed: true, limits: .plugin)
      let context = FolioLuaContext()
      try FolioLua.install(in: vm, context: context)
      let L = vm.state
      try vm.run(Self.prelude, chunkname: "=folio.test", results: 1)
      installHostHelpers(vm, plugin: plugin, output: outputFolder.path)
      if L.getGlobal("folio") == .table {
        L.pushValue(-2)
        L.rawSet(-2, "test")
      }
      L.pop(2)
      try vm.load(source, chunkname: "@" + shown)
      try vm.call(results: 1)
      guard L.type(at: -1) == .table else {
        output("  ✘ \(shown) must return a table of tests, got \(L.typeName(at: -1))\n")
        L.pop()
        return Result(passed: 0, failed: 1)
      }
      runGroup(vm, path: [], only: only, collect: &collect, result: &result)
      L.pop()
    } catch {
      output("  ✘ \(error.message)\n")
      result.failed += 1
    }
    return result
  }

  /// Runs the tests in the table on top, in name order (groups recursively); with `collect`,
  /// lists their labels instead.
  private func runGroup(
    _ vm: LuaVM, path: [String], only: String?, collect: inout [String]?, result: inout Result
  ) {
    let L = vm.state
    let table = L.top
    var names: [String] = []
    L.forEach(table) {
      if L.type(at: -2) == .string, let name = L.string(at: -2) { names.append(name) }
    }
    var ordered: [String] = []
    for i in 0..<L.rawLength(table) { ordered.append("#\(i + 1)") }
    for name in ordered + names.sorted() {
      if name.hasPrefix("#"), let i = Int(name.dropFirst()) {
        L.rawGet(table, i)
      } else {
        L.rawGet(table, name)
      }
      let label = (path + [name]).joined(separator: " / ")
      switch L.type(at: -1) {
      case .function where collect != nil:
        collect?.append(label)
        L.pop()
      case .function where only != nil && only != label:
        L.pop()
      case .function:
        do {
          try vm.call(results: 0)
          result.passed += 1
          output("  ✔ \(label)\n")
        } catch {
          result.failed += 1
          output("  ✘ \(label)\n      \(error.message)\n")
        }
      case .table:
        runGroup(vm, path: path + [name], only: only, collect: &collect, result: &result)
        L.pop()
      default:
        L.pop()
      }
    }
  }

  /// Test names written twice in the same table of a test file.
  ///
  /// Lua keeps the second, so the first test would never run. Read from the text: a key `["name"] =` or `name = function`
  /// is in the table opened by the nearest less indented line before it.
  static func namedTwice(_ source: String) -> [(name: String, first: Int, second: Int)] {
    var found: [String: Int] = [:]
    var twice: [(String, Int, Int)] = []
    var openers: [(indent: Int, line: Int)] = []
    for (i, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let indent = line.prefix(while: { $0 == " " }).count
      let text = line.dropFirst(indent)
      guard !text.isEmpty, !text.hasPrefix("--") else { continue }
      while let last = openers.last, last.indent >= indent { openers.removeLast() }
      var key: Substring?
      if text.hasPrefix("[\""), let end = text.range(of: "\"] =") {
        key = text[text.index(text.startIndex, offsetBy: 2)..<end.lowerBound]
      } else if let eq = text.range(of: " = function"),
        text[..<eq.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
      {
        key = text[..<eq.lowerBound]
      }
      if let key {
        let id = "\(openers.last?.line ?? -1)\u{0}\(key)"
        if let first = found[id] {
          twice.append((String(key), first, i + 1))
        } else {
          found[id] = i + 1
        }
      }
      openers.append((indent, i + 1))
    }
    return twice
  }

  /// `folio.test.run(docs [, options])` and `folio.test.fixture(name)`.
  private func installHostHelpers(_ vm: LuaVM, plugin: String, output: String) {
    let resolver = self.resolver
    vm.setFunction("written") { (L) throws(LuaHostError) -> Int32 in
      let name = try L.checkString(1)
      guard !name.split(separator: "/").contains(".."),
        let data = FileManager.default.contents(atPath: output + "/" + name)
      else {
        L.pushNil()
        return 1
      }
      data.withUnsafeBytes { L.pushBytes($0) }
      return 1
    }
    vm.setFunction("run") { (L) throws(LuaHostError) -> Int32 in
      try L.checkTable(1)
      var documents: [Document] = []
      for i in 0..<L.rawLength(1) {
        L.rawGet(1, i + 1)
        defer { L.pop() }
        if L.type(at: -1) == .string {
          documents.append(Document(id: "doc\(i + 1).txt", text: L.string(at: -1) ?? ""))
        } else if L.type(at: -1) == .table {
          L.rawGet(-1, "text")
          let text = L.string(at: -1) ?? ""
          L.pop()
          L.rawGet(-1, "id")
          let id = L.string(at: -1) ?? "doc\(i + 1).txt"
          L.pop()
          var meta = Metadata()
          if L.rawGet(-1, "meta") == .table {
            L.forEach(-1) {
              if let k = L.string(at: -2), let v = FolioLua.metaValue(L, -1) { meta[k] = v }
            }
          }
          L.pop()
          let doc = Document(id: id, text: text, meta: meta)
          // layers = {name = {{first, last [, label]}, ...}} with string.find positions.
          if L.rawGet(-1, "layers") == .table {
            L.forEach(-1) {
              guard let name = L.string(at: -2), L.type(at: -1) == .table else { return }
              for s in 0..<L.rawLength(-1) {
                // {first, last [, label]} or {first = ..., last = ..., label = ...}.
                L.rawGet(-1, s + 1)
                let named = L.rawGet(-1, "first") == .number
                L.pop()
                if named { L.rawGet(-1, "first") } else { L.rawGet(-1, 1) }
                let first = L.integer(at: -1) ?? 1
                if named { L.rawGet(-2, "last") } else { L.rawGet(-2, 2) }
                let last = L.integer(at: -1) ?? 0
                if named { L.rawGet(-3, "label") } else { L.rawGet(-3, 3) }
                let label = L.string(at: -1)
                L.pop(4)
                doc.add(
                  Span(start: max(0, first - 1), end: min(doc.byteCount, last), label: label),
                  to: name)
              }
            }
          }
          L.pop()
          documents.append(doc)
        } else {
          throw .argument(1, "documents must be strings or {text=..., id=..., meta=...}")
        }
      }
      var options: [(String, String)] = []
      if !L.isNoneOrNil(2) {
        try L.checkTable(2)
        L.forEach(2) {
          if let k = L.string(at: -2) {
            options.append((k, FolioLua.metaValue(L, -1)?.description ?? ""))
          }
        }
      }
      let instance: PluginInstance
      do {
        let (spec, source) = try resolver.resolve(plugin)
        // A plugin's own tests have the permissions it asks for.
        let grants = Grants(
          read: spec.permissions.contains(.read),
          writeFolder: spec.permissions.contains(.write) ? output : nil)
        instance = try PluginInstance(
          spec: spec, source: source, rawOptions: options, grants: grants)
      } catch let error as FolioError {
        throw .message(error.message)
      } catch let error as PluginError {
        throw .message(error.description)
      } catch {
        throw .message("\(error)")
      }
      do {
        if instance.hasScan {
          try instance.startReport(.scan)
          for d in documents { try instance.each(d, .scan) }
          try instance.setScanResult(try instance.finishScan())
        }
        switch instance.spec.kind ?? .report {
        case .report:
          try instance.startReport()
          for d in documents { try instance.each(d) }
          let table = try instance.finish()
          push(table, L)
        case .filter, .tagger:
          L.newTable()
          var n = 0
          for d in documents {
            if instance.spec.kind == .tagger {
              try instance.tag(d)
            } else if try !instance.filter(d) {
              continue
            }
            n += 1
            push(d, L)
            L.rawSet(-2, n)
          }
        }
      } catch {
        throw .message("\(error)")
      }
      return 1
    }
    vm.setFunction("fixture_path") { (L) throws(LuaHostError) -> Int32 in
      let name = try L.checkString(1)
      L.pushString(
        URL(fileURLWithPath: plugin).appendingPathComponent("fixtures").appendingPathComponent(name)
          .path)
      return 1
    }
    vm.setFunction("fixture") { (L) throws(LuaHostError) -> Int32 in
      let name = try L.checkString(1)
      if name.contains("..") { throw .argument(1, "fixture names may not contain '..'") }
      let url = URL(fileURLWithPath: plugin).appendingPathComponent("fixtures")
        .appendingPathComponent(name)
      guard let data = FileManager.default.contents(atPath: url.path) else {
        throw .message(
          "no fixture '\(name)' in \(resolver.display(url.deletingLastPathComponent()))")
      }
      data.withUnsafeBytes { L.pushBytes($0) }
      return 1
    }
    // golden(name, text): text must equal fixtures/golden/NAME; FOLIO_UPDATE_GOLDEN=1 writes it.
    vm.setFunction("golden") { (L) throws(LuaHostError) -> Int32 in
      let name = try L.checkString(1)
      let text = try L.checkString(2)
      if name.contains("..") { throw .argument(1, "golden file names may not contain '..'") }
      let url = URL(fileURLWithPath: plugin).appendingPathComponent("fixtures/golden")
        .appendingPathComponent(name)
      if ProcessInfo.processInfo.environment["FOLIO_UPDATE_GOLDEN"] == "1" {
        try? FileManager.default.createDirectory(
          at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        do { try Data(text.utf8).write(to: url, options: .atomic) } catch {
          throw .message("cannot write \(url.path): \(error.localizedDescription)")
        }
        return 0
      }
      guard let data = FileManager.default.contents(atPath: url.path) else {
        throw .message(
          "no golden file fixtures/golden/\(name): run FOLIO_UPDATE_GOLDEN=1 folio plugin test to create it"
        )
      }
      let expected = String(decoding: data, as: UTF8.self)
      guard expected == text else {
        // The first line that differs, so the failure says where.
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line =
          zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset
          ?? min(a.count, b.count)
        let want = line < a.count ? String(a[line]) : "(end of file)"
        let got = line < b.count ? String(b[line]) : "(end of text)"
        throw .message(
          "differs from fixtures/golden/\(name) at line \(line + 1): expected \"\(want)\", got \"\(got)\" (FOLIO_UPDATE_GOLDEN=1 rewrites it)"
        )
      }
      return 0
    }
  }

  private func push(_ table: ReportTable, _ L: LuaState) {
    L.newTable(hash: 3)
    L.pushString(table.title)
    L.rawSet(-2, "title")
    L.newTable(array: Int32(table.columns.count))
    for (i, c) in table.columns.enumerated() {
      L.pushString(c)
      L.rawSet(-2, i + 1)
    }
    L.rawSet(-2, "columns")
    L.newTable(array: Int32(table.rows.count))
    for (r, row) in table.rows.enumerated() {
      L.newTable(array: Int32(row.count))
      for (c, cell) in row.enumerated() {
        if let cell { FolioLua.push(cell, L) } else { L.pushNil() }
        L.rawSet(-2, c + 1)
      }
      L.rawSet(-2, r + 1)
    }
    L.rawSet(-2, "rows")
    // provenance: flat, with dotted keys as the outputs show it.
    L.newTable(hash: Int32(table.provenance.count))
    for (key, value) in table.provenance.entries {
      FolioLua.push(value, L)
      L.rawSet(-2, key)
    }
    L.rawSet(-2, "provenance")
    if let page = table.page, let kind = table.pageKind {
      L.pushString(page)
      L.rawSet(-2, kind)  // report.svg or report.html
    }
  }

  /// A plain snapshot of a document: `{id, text, meta, layers = {name = List of spans}}`, and
  /// when a tagger set token attributes, `words`: a List of `{text, first, last, kind, pos,
  /// ...}`.
  private func push(_ d: Document, _ L: LuaState) {
    L.newTable(hash: 5)
    L.pushString(d.id)
    L.rawSet(-2, "id")
    L.pushString(d.text)
    L.rawSet(-2, "text")
    L.newTable()
    for (k, v) in d.meta.entries {
      FolioLua.push(v, L)
      L.rawSet(-2, k)
    }
    L.rawSet(-2, "meta")
    L.newTable()
    for name in d.layerNames {
      FolioLua.pushSpans(of: d, layer: name, L)
      L.rawSet(-2, name)
    }
    L.rawSet(-2, "layers")
    guard !d.tokenColumnNames.isEmpty else { return }
    let tokens = d.tokens
    var text = d.text
    L.newTable(array: Int32(clamping: tokens.count))
    text.withUTF8 { buffer in
      for (i, t) in tokens.enumerated() {
        FolioLua.pushTokenTable(t, in: buffer, L, doc: d, index: i)
        L.rawSet(-2, i + 1)
      }
    }
    L.rawSet(-2, "words")
  }
}
