import FolioCore
import LuaRuntime
import Testing

@testable import FolioLua

/// The API is declared once: signatures, annotations and argument checks come from each entry's
/// parameters.
@Suite("API declarations") struct DeclarationTests {
  /// What Lua calls a value of a parameter's type in a type error, or nil when the function
  /// checks that parameter itself.
  static func typeName(_ type: String) -> String? {
    switch type {
    case "string", "boolean": return type
    case "integer", "number": return "number"
    case _ where type.contains("|") || type == "any" || type == "...": return nil
    case _ where type.hasPrefix("fun("): return "function"
    case _
    where type == "table" || type.hasPrefix("{") || type.hasPrefix("table<")
      || type.hasSuffix("[]"):
      return "table"
    default: return type
    }
  }

  /// A VM with the API and one object of each type in globals named as the signatures name them.
  static func vm() throws -> LuaVM {
    let vm = try LuaVM(sandboxed: true)
    try FolioLua.install(in: vm, context: FolioLuaContext())
    let L = vm.state
    FolioLua.push(Document(id: "d", text: "One. Two."), L)
    L.setGlobal("doc")
    FolioLua.push(Corpus(documents: [], sources: []), L)
    L.setGlobal("corpus")
    let toy = POSTrainer.train(
      [.init(words: ["x"], upos: ["X"], xpos: ["X"])], dev: [], iterations: 1)
    FolioLua.push(toy, L)
    L.setGlobal("tagger")
    try vm.run(
      """
      c = folio.counter(); g = folio.gazetteer({"x"}); re = folio.re.compile("x")
      t = doc:tokens()[1]; span = doc:sentences()[1]
      function try(f) local ok, e = pcall(f); return (tostring(e):gsub("^[^:]*:%d+: ", "")) end
      """, chunkname: "=setup")
    return vm
  }

  static func call(_ vm: LuaVM, _ expression: String) throws -> String {
    try vm.run("return try(function() return \(expression) end)", chunkname: "=t", results: 1)
    defer { vm.state.pop() }
    return vm.state.string(at: -1) ?? ""
  }

  @Test("each host function refuses a missing first argument as its declaration says")
  func missingArguments() throws {
    let vm = try Self.vm()
    var checked: [String] = []
    for entry in FolioLua.reference {
      switch entry.body {
      case .host, .contextual: break
      case .lua, .value: continue
      }
      guard let first = entry.params.first, !first.optional,
        let expected = Self.typeName(first.baseType)
      else { continue }
      let head =
        entry.receiver.map { (APIEntry.receivers[$0] ?? "?") + ":" + entry.key }
        ?? entry.name
      let message = try Self.call(vm, head + "()")
      #expect(
        message == "bad argument #1 to '\(entry.key)' (\(expected) expected, got no value)",
        "\(entry.name)")
      checked.append(entry.name)
    }
    #expect(checked.count == 49, "\(checked)")
  }

  @Test("each method of a Folio object checks its receiver")
  func receivers() throws {
    let vm = try Self.vm()
    var checked = 0
    for entry in FolioLua.reference {
      guard let receiver = entry.receiver, FolioLua.objectKeys[receiver] != nil,
        entry.hostFunction(FolioLuaContext()) != nil, let variable = APIEntry.receivers[receiver]
      else { continue }
      let message = try Self.call(vm, "\(variable).\(entry.key)(42)")
      #expect(message.hasSuffix("(\(receiver) expected, got number)"), "\(entry.name): \(message)")
      checked += 1
    }
    #expect(checked == 37)
  }

  @Test("a declared function's body runs only after its arguments passed their checks")
  func checksBeforeBody() throws {
    let vm = try LuaVM(sandboxed: true)
    try FolioLua.install(in: vm, context: FolioLuaContext())
    let entry = APIEntry(
      "probe",
      params: [
        .init("s", "string"), .init("n", "integer?"), .init("f", "fun(x: any)?"),
        .init("d", "Document?"), .init("either", "string|Regex?"),
      ],
      results: ["string"], "Echoes its first argument.",
      body: .host({ (L) throws(LuaHostError) -> Int32 in
        L.pushString("body ran with " + (try L.checkString(1)))
        return 1
      }))
    let L = vm.state
    L.newTable()
    FolioLua.setFunctions(vm, [entry], FolioLuaContext())
    L.setGlobal("api")
    try vm.run(
      "function try(f) local ok, e = pcall(f); return (tostring(e):gsub('^[^:]*:%d+: ', '')) end",
      chunkname: "=setup")
    let cases: [(String, String)] = [
      ("api.probe('x')", "body ran with x"),
      ("api.probe(12)", "body ran with 12"),
      ("api.probe({})", "bad argument #1 to 'probe' (string expected, got table)"),
      ("api.probe('x', 1.5)", "bad argument #2 to 'probe' (number has no integer representation)"),
      ("api.probe('x', nil, 3)", "bad argument #3 to 'probe' (function expected, got number)"),
      (
        "api.probe('x', 1, print, 'doc')",
        "bad argument #4 to 'probe' (Document expected, got string)"
      ),
      ("api.probe('x', nil, nil, nil, {})", "body ran with x"),
    ]
    for (call, expected) in cases {
      #expect(try Self.call(vm, call) == expected, "\(call)")
    }
  }

  @Test("signatures show optional parts in nested brackets, options tables with their defaults")
  func signatures() {
    func sig(_ name: String, _ params: [APIParam]) -> String {
      APIEntry(name, params: params, "x.", body: .lua).signature
    }
    #expect(
      sig(
        "folio.re.find",
        [.init("s", "string"), .init("init", "integer?"), .init("flags", "string?")])
        == "folio.re.find(s [, init [, flags]])")
    #expect(
      sig(
        "Document:remove",
        [
          .init("layer", "string"), .init("first", "integer?"),
          .init("last", "integer?", withPrevious: true),
        ]) == "doc:remove(layer [, first, last])")
    #expect(
      sig("Counter:items", [.options("{min?: integer}", shown: "{min = 1}")])
        == "c:items([{min = 1}])")
    #expect(sig("folio.table", [.init("spec", "table", shown: "{title}")]) == "folio.table{title}")
    #expect(
      APIEntry(
        "f", params: [.options("{n?: integer}", shown: "{n}")], results: ["integer"], "x.",
        body: .lua
      )
      .annotations == ["---@param opts? {n?: integer}", "---@return integer"])
  }
}
