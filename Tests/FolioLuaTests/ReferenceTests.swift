import FolioCore
import FolioLua
import Foundation
import LuaRuntime
import Testing

/// The API reference (`folio doc`, `?name`, the LuaCATS stub) and the live API agree.
@Suite("API reference") struct ReferenceTests {
  /// Every function reachable from `folio`, List and the host types' methods, named as the reference names them.
  static func liveNames() throws -> Set<String> {
    let vm = try LuaVM(sandboxed: true)
    try FolioLua.install(in: vm, context: FolioLuaContext())
    let L = vm.state
    var names: Set<String> = []
    func functions(_ index: Int32, prefix: String, separator: String) {
      L.forEach(index) {
        guard let key = L.string(at: -2), !key.hasPrefix("_") else { return }
        if L.type(at: -1) == .function { names.insert(prefix + separator + key) }
      }
    }
    L.getGlobal("folio")
    let folio = L.top
    functions(folio, prefix: "folio", separator: ".")
    for module in ["text", "stats", "re", "json", "tagger"] {
      L.rawGet(folio, module)
      functions(-1, prefix: "folio." + module, separator: ".")
      L.pop()
    }
    L.rawGet(folio, "List")
    functions(-1, prefix: "List", separator: ":")
    L.pop()
    names.remove("List:new")
    names.insert("List.new")
    // One object of each host type; its methods are the first upvalue of its __index.
    try vm.run(
      """
      return folio.counter(), folio.gazetteer({"x"}), folio.re.compile("x")
      """, chunkname: "=t", results: 3)
    FolioLua.push(Document(id: "d", text: "x"), L)
    FolioLua.push(Corpus(documents: [], sources: []), L)
    let toy = POSTrainer.train(
      [.init(words: ["x"], upos: ["X"], xpos: ["X"])], dev: [], iterations: 1)
    FolioLua.push(toy, L)
    for (offset, type) in ["Counter", "Gazetteer", "Regex", "Document", "Corpus", "Tagger"]
      .enumerated()
    {
      let object = L.top - 5 + Int32(offset)
      #expect(L.rawMetatable(object))
      L.rawGet(-1, "__index")
      #expect(L.upvalue(-1, 1))
      functions(-1, prefix: type, separator: ":")
      L.pop(3)
    }
    // Spans and tokens: a sentence's methods (its metatable's __index table).
    FolioLua.push(Document(id: "d", text: "One."), L)
    L.setGlobal("d")
    try vm.run("return d:sentences()[1], d:tokens()[1]", chunkname: "=s", results: 2)
    #expect(L.rawMetatable(-2))
    L.rawGet(-1, "__index")
    functions(-1, prefix: "Span", separator: ":")
    L.pop(2)
    // A token's __index is a C function whose second upvalue is the methods table.
    #expect(L.rawMetatable(-1))
    L.rawGet(-1, "__index")
    #expect(L.upvalue(-1, 2))
    functions(-1, prefix: "Token", separator: ":")
    L.pop(3)
    return names
  }

  @Test("every function of the API has an entry, and every entry names something real")
  func inSync() throws {
    let live = try Self.liveNames()
    let documented = Set(FolioLua.reference.map(\.name))
    #expect(live.subtracting(documented).sorted() == [])
    let notFunctions: Set<String> = [
      "folio.version", "folio.List", "folio.stats.formulas", "folio.test", "ctx", "Corpus",
      "Document.id", "Document.text", "Document.meta",
    ]
    #expect(documented.subtracting(live).subtracting(notFunctions).sorted() == [])
  }

  @Test("every entry has a signature and a one-sentence summary")
  func entriesComplete() {
    for entry in FolioLua.reference {
      #expect(!entry.signature.isEmpty, "\(entry.name)")
      #expect(entry.summary.hasSuffix("."), "\(entry.name): \(entry.summary)")
    }
  }

  @Test("lookup finds exact names, then names ending in the query")
  func lookup() {
    #expect(FolioLua.lookup("folio.re.compile").map(\.name) == ["folio.re.compile"])
    #expect(FolioLua.lookup("kwic").map(\.name) == ["Corpus:kwic"])
    #expect(FolioLua.lookup("gsub").map(\.name) == ["folio.re.gsub", "Regex:gsub"])
    #expect(FolioLua.lookup("nothing-like-this").isEmpty)
  }

  @Test("Plugins/_meta/folio.lua is the stub generated from the reference")
  func stubInSync() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let committed = try String(
      contentsOf: root.appendingPathComponent("Plugins/_meta/folio.lua"), encoding: .utf8)
    #expect(
      committed == FolioLua.luaCATSStub(),
      "regenerate it: swift build && .build/debug/folio doc --luacats > Plugins/_meta/folio.lua")
  }
}
