import FolioCore
import Foundation
import LuaRuntime

/// One plugin loaded in its own sandboxed VM (one per plugin per worker, DESIGN.md §2.5),
/// speaking the protocol of DESIGN.md §5.
public final class PluginInstance {
  public private(set) var spec: PluginSpec
  public let options: [String: MetaValue]
  /// Contents of the files named by options of type `file`.
  public let files: [String: [UInt8]]
  let vm: LuaVM
  let context = FolioLuaContext()
  /// The handoffs of the states merged into this instance (see `mergeState`).
  var received: [LuaHandoff] = []
  var refs: [String: Int32] = [:]
  var ctxRef: Int32 = 0
  var passes: [Pass: ReportFunctions] = [:]
  /// The document the plugin sees now: one userdata per document, closed by `closeDocument`.
  var currentDocument: (id: ObjectIdentifier, ref: Int32)?

  /// The two passes of a plugin: `scan` (a report over the whole corpus first) and the main
  /// one.
  public enum Pass: Sendable, Hashable {
    case scan, main
    var noun: String { self == .scan ? "scan" : "report" }
  }

  struct ReportFunctions {
    var initialize: Int32?
    var each: Int32?
    var merge: Int32?
    var finish: Int32?
    var state: Int32?
  }

  /// Loads `source` (the plugin's code) and checks it against `spec` and `rawOptions`
  /// (as given on the command line).
  public init(
    spec: PluginSpec, source: String, rawOptions: [(String, String)] = [],
    limits: LuaLimits = .plugin, grants: Grants = Grants()
  ) throws(PluginError) {
    var spec = spec
    let name = spec.name
    func fail(_ code: String?, _ message: String, help: String? = nil, _ error: LuaError? = nil)
      -> PluginError
    {
      PluginError(
        plugin: name, code: code, message: message, help: help, traceback: error?.traceback,
        activity: "loading \(spec.codePath)",
        limit: error.map { if case .limit = $0.kind { true } else { false } } ?? false)
    }
    do {
      vm = try LuaVM(sandboxed: true, limits: limits)
      context.pluginName = name
      context.asked = Set(spec.permissions)
      context.grants = grants
      context.pluginFolder = spec.folder
      try FolioLua.install(in: vm, context: context)
      try vm.load(source, chunkname: spec.chunkName)
      try vm.call(results: 1)
    } catch {
      throw fail(nil, error.message, error)
    }
    let L = vm.state
    guard L.type(at: -1) == .table else {
      let got = L.typeName(at: -1)
      L.pop()
      throw fail(
        ErrorCode.f110.rawValue,
        "\(spec.chunkName.dropFirst()) must return a table (the plugin module), got \(got)",
        help: "end the file with `return M`, where M is the table of the plugin's functions")
    }
    let module = L.top
    for fn in ["keep", "edit", "tag", "init", "each", "merge", "finish"] {
      if L.rawGet(module, fn) == .function { refs[fn] = vm.ref() } else { L.pop() }
    }
    passes[.main] = ReportFunctions(
      initialize: refs["init"], each: refs["each"], merge: refs["merge"], finish: refs["finish"])
    // A first pass: `scan = {init, each, merge, finish}`, a report over the whole corpus.
    if L.rawGet(module, "scan") == .table {
      var scan = ReportFunctions()
      for fn in ["init", "each", "merge", "finish"] {
        guard L.rawGet(-1, fn) == .function else {
          L.pop()
          continue
        }
        let ref = vm.ref()
        switch fn {
        case "init": scan.initialize = ref
        case "each": scan.each = ref
        case "merge": scan.merge = ref
        default: scan.finish = ref
        }
      }
      passes[.scan] = scan
    }
    L.pop()
    // A single-file plugin may carry its manifest in the module table.
    if !spec.hasManifest {
      if L.rawGet(module, "name") == .string, let n = L.string(at: -1) { spec.name = n }
      L.pop()
      if L.rawGet(module, "version") == .string, let v = L.string(at: -1) { spec.version = v }
      L.pop()
      if L.rawGet(module, "writes") == .table, case .list(let items)? = FolioLua.metaValue(L, -1) {
        spec.writes = items.map(\.description)
      }
      L.pop()
      if L.rawGet(module, "options") == .table {
        spec.options = Self.readOptions(L, -1)
      }
      L.pop()
    }
    L.pop()  // module
    let inferred: PluginKind? =
      refs["tag"] != nil
      ? .tagger
      : (refs["keep"] != nil || refs["edit"] != nil)
        ? .filter
        : (refs["each"] != nil || refs["finish"] != nil) ? .report : nil
    if spec.kind == nil { spec.kind = inferred }
    guard let kind = spec.kind else {
      throw fail(
        ErrorCode.f111.rawValue, "the module defines none of keep, edit, tag, each or finish",
        help:
          "a filter defines keep(doc, ctx) or edit(doc, ctx), a tagger tag(doc, ctx), a report each(state, doc, ctx) and finish(state, ctx)"
      )
    }
    let needed: [String] =
      switch kind {
      case .filter: refs["keep"] == nil && refs["edit"] == nil ? ["keep"] : []
      case .tagger: ["tag"]
      case .report: ["each", "finish"]
      }
    for fn in needed where refs[fn] == nil {
      throw fail(
        ErrorCode.f112.rawValue, "a \(kind.rawValue) must define \(fn)(); \(spec.codePath) does not"
      )
    }
    self.spec = spec
    options = try Self.resolveOptions(spec, rawOptions)
    files = try Self.readFiles(spec, options, named: Set(rawOptions.map(\.0)))
    // `$name` in reads/writes names the layer an option gives (writes = ["$layer"]).
    let options = self.options
    func resolve(_ layer: String) -> String {
      guard layer.hasPrefix("$"), case .string(let value)? = options[String(layer.dropFirst())]
      else {
        return layer
      }
      return value
    }
    // An option left empty (kwic without layer=) reads or writes no layer.
    spec.reads = spec.reads.map(resolve).filter { !$0.isEmpty }
    spec.writes = spec.writes?.map(resolve).filter { !$0.isEmpty }
    self.spec = spec
    context.pluginName = spec.name
    context.allowedWrites = spec.writes.map(Set.init)
    makeContext()
  }

  /// The plugin's VM memory in use, in bytes.
  public var memoryUsed: Int { vm.memoryUsed }

  // MARK: Protocol

  /// Runs `edit` then `keep`; returns whether the document stays.
  public func filter(_ document: Document) throws(PluginError) -> Bool {
    if let edit = refs["edit"] {
      try call(edit, "editing document \(document.id)", document: document, results: 0)
    }
    guard let keep = refs["keep"] else { return true }
    try call(keep, "filtering document \(document.id)", document: document, results: 1)
    defer { vm.state.pop() }
    return vm.state.type(at: -1) != .nil && vm.state.bool(at: -1)
  }

  public func tag(_ document: Document) throws(PluginError) {
    guard let tag = refs["tag"] else { return }
    try call(tag, "tagging document \(document.id)", document: document, results: 0)
  }

  /// Whether the plugin defines `merge(a, b)` for `pass`, so its states can be split across
  /// workers.
  public func canMerge(_ pass: Pass = .main) -> Bool { passes[pass]?.merge != nil }

  /// Whether the plugin has a first pass (`scan`).
  public var hasScan: Bool { passes[.scan] != nil }

  /// Copies the state of `pass` out as plain data (for another VM).
  ///
  /// With `handOff` (for the merging VM of the same process, not for a file), the counters
  /// in it are handed over instead of copied, and this VM's are left empty (see `LuaHandoff`).
  public func exportState(_ pass: Pass = .main, handOff: Bool = false) throws(PluginError)
    -> LuaData
  {
    vm.push(ref: try stateRef(pass))
    let handoff = handOff ? LuaHandoff() : nil
    context.handoff = handoff
    defer { context.handoff = nil }
    var data = try copyTop(
      "the \(pass.noun) state", root: "state", activity: "copying the \(pass.noun) state")
    data.handoff = handoff
    return data
  }

  /// Pops the value on top, copied as plain data; F121 with where it failed otherwise.
  func copyTop(_ what: String, root: String, activity: String) throws(PluginError)
    -> LuaData
  {
    defer { vm.state.pop() }
    do {
      return try vm.state.copyData(at: -1)
    } catch {
      throw PluginError(
        plugin: spec.name, code: ErrorCode.f121.rawValue,
        message: "\(what) cannot be copied: \(root)\(error)",
        help:
          "keep only tables, strings, numbers, booleans and counters in the state; build other values in finish",
        activity: activity)
    }
  }

  /// Merges a state copied from another VM into this one: `state = merge(state, other)`.
  ///
  /// A report without `merge` takes `other` as its state: the runner gives such a report the
  /// whole corpus as one chunk.
  public func mergeState(_ other: LuaData, _ pass: Pass = .main) throws(PluginError) {
    // What was handed over with it stays until this instance ends: merge may keep a
    // counter's ticket and take it later (in finish).
    if let handoff = other.handoff { received.append(handoff) }
    let state = try stateRef(pass)
    guard let merge = passes[pass]?.merge else {
      try restore(other)
      vm.unref(state)
      passes[pass]?.state = vm.ref()
      return
    }
    vm.push(ref: merge)
    vm.push(ref: state)
    do { try restore(other) } catch {
      vm.state.pop(2)
      throw error
    }
    try protected("merging \(pass.noun) states", arguments: 2, results: 1)
    // merge may update `a` in place and return nothing: keep `a` then.
    if vm.state.type(at: -1) == .nil {
      vm.state.pop()
      return
    }
    vm.unref(state)
    passes[pass]?.state = vm.ref()
  }

  func restore(_ data: LuaData) throws(PluginError) {
    do { try vm.state.push(data) } catch {
      throw PluginError(
        plugin: spec.name, code: ErrorCode.f121.rawValue, message: error.message,
        activity: "restoring a report state")
    }
  }

  /// The state of `pass`, started on first use.
  func stateRef(_ pass: Pass) throws(PluginError) -> Int32 {
    if let state = passes[pass]?.state { return state }
    try startReport(pass)
    return passes[pass]?.state ?? 0
  }

  /// Calls `init(ctx)` of `pass` (or starts from an empty table), replacing any earlier state.
  public func startReport(_ pass: Pass = .main) throws(PluginError) {
    let L = vm.state
    if let old = passes[pass]?.state {
      vm.unref(old)
      passes[pass]?.state = nil
    }
    if let initRef = passes[pass]?.initialize {
      vm.push(ref: initRef)
      vm.push(ref: ctxRef)
      try protected("starting the \(pass.noun)", arguments: 1, results: 1)
    } else {
      L.newTable()
    }
    passes[pass]?.state = vm.ref()
  }

  /// Calls `each(state, doc, ctx)` of `pass`.
  public func each(_ document: Document, _ pass: Pass = .main) throws(PluginError) {
    guard let each = passes[pass]?.each else { return }
    let state = try stateRef(pass)
    vm.push(ref: each)
    vm.push(ref: state)
    pushDocument(document)
    vm.push(ref: ctxRef)
    let doing = pass == .scan ? "scanning" : "reading"
    try protected("\(doing) document \(document.id)", arguments: 3, results: 0)
  }

  /// Calls `finish(state, ctx)` and reads the table it returns.
  public func finish() throws(PluginError) -> ReportTable {
    let state = try stateRef(.main)
    let L = vm.state
    guard let finish = passes[.main]?.finish else {
      return ReportTable(title: spec.name, columns: [], rows: [])
    }
    vm.push(ref: finish)
    vm.push(ref: state)
    vm.push(ref: ctxRef)
    try protected("finishing the report", arguments: 2, results: 1)
    defer { L.pop() }
    do {
      var table = try ReportReader.read(L, -1, title: spec.name)
      table.provenance = provenance(adding: try ReportReader.provenance(L, -1))
      return table
    } catch {
      throw PluginError(
        plugin: spec.name, code: ErrorCode.f120.rawValue, message: error.message,
        help: "finish must return {columns = {...}, rows = {{...}, ...}}",
        activity: "reading the table finish returned")
    }
  }

  /// The files the options named, by content (the same path can hold another list tomorrow):
  /// `file=names.txt sha256:HEX (21 bytes)`, by option name.
  public func fileDigests() -> [String] {
    spec.options.filter { $0.type == .file }.sorted { $0.name < $1.name }.compactMap { option in
      guard let bytes = files[option.name] else { return nil }
      let path = options[option.name]?.description ?? ""
      return "\(option.name)=\(path) sha256:\(SHA256.hex(bytes)) (\(bytes.count) bytes)"
    }
  }

  /// What a report says about where it came from: the plugin, its version, its options (all
  /// of them, defaults too, in the manifest's order), Folio's API version, then `extra` (what
  /// the plugin's `finish` returned as `provenance`).
  func provenance(adding extra: Metadata) -> Metadata {
    var out = Metadata()
    out["plugin"] = .string(spec.name)
    out["version"] = .string(spec.version)
    var names = spec.options.map(\.name).sorted()
    names += options.keys.filter { !names.contains($0) }.sorted()
    let given = names.compactMap { name in
      options[name].map { value in
        let text = value.description
        return "\(name)=" + (text.isEmpty ? "\"\"" : text)
      }
    }
    if !given.isEmpty { out["options"] = .string(given.joined(separator: ", ")) }
    out["folio"] = .string(FolioLua.apiVersion)

    for (key, value) in extra.entries where out[key] == nil { out[key] = value }
    return out
  }

  /// Finishes the first pass: `scan.finish(state, ctx)` (or the state itself), copied as plain
  /// data for every worker's second pass.
  public func finishScan() throws(PluginError) -> LuaData {
    let state = try stateRef(.scan)
    if let finish = passes[.scan]?.finish {
      vm.push(ref: finish)
      vm.push(ref: state)
      vm.push(ref: ctxRef)
      try protected("finishing the scan", arguments: 2, results: 1)
    } else {
      vm.push(ref: state)
    }
    return try copyTop("the scan result", root: "result", activity: "finishing the scan")
  }

  /// Sets `ctx.scan` to the result of the first pass.
  public func setScanResult(_ data: LuaData) throws(PluginError) {
    vm.push(ref: ctxRef)
    do { try vm.state.push(data) } catch {
      vm.state.pop()
      throw PluginError(
        plugin: spec.name, code: ErrorCode.f121.rawValue, message: error.message,
        activity: "passing the scan result"
      )
    }
    vm.state.rawSet(-2, "scan")
    vm.state.pop()
  }

  // MARK: Documents

  /// Pushes the userdata of `document`, made once per document.
  func pushDocument(_ document: Document) {
    let id = ObjectIdentifier(document)
    if let current = currentDocument, current.id == id {
      vm.push(ref: current.ref)
      return
    }
    closeDocument()
    FolioLua.push(document, vm.state)
    vm.state.pushValue(-1)
    currentDocument = (id, vm.ref())
  }

  /// Ends the document the plugin saw: its Swift object is released now rather than whenever Lua's collector, which cannot see its size, gets to it.
  ///
  /// A plugin that kept it gets an error that says so.
  public func closeDocument() {
    guard let current = currentDocument else { return }
    vm.push(ref: current.ref)
    FolioLua.closeTokenViews(vm.state, doc: -1)
    // A `doc.meta` kept past the call ends with its document, as its tokens do.
    if vm.state.getUserValue(-1, FolioLua.metaSlot) == .userdata {
      vm.state.closeObject(at: -1)
    }
    vm.state.pop()
    vm.state.closeObject(at: -1, userValues: 3)
    vm.state.pop()
    vm.unref(current.ref)
    currentDocument = nil
    // What the plugin made the host hold for the document (spans, metadata) is the run's now.
    vm.releaseDocumentBytes()
  }

}
