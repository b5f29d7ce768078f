import FolioCore
import FolioLua
import LuaRuntime
import Testing

/// Runs `code` (a function body) in a sandboxed VM with Folio's API, after `setup` has set globals; returns its result as a string.
func evalLua(_ code: String, setup: (LuaState) -> Void = { _ in }) throws -> String {
  let vm = try LuaVM(sandboxed: true)
  try FolioLua.install(in: vm, context: FolioLuaContext())
  setup(vm.state)
  try vm.run("return tostring((function() \(code) end)())", chunkname: "=t", results: 1)
  defer { vm.state.pop() }
  return vm.state.string(at: -1) ?? "?"
}

/// Runs `code` with `doc` as a global; returns the result.
func withDocument(_ doc: Document, _ code: String) throws -> String {
  try evalLua(code) { L in
    FolioLua.push(doc, L)
    L.setGlobal("doc")
  }
}

@Suite("Document in Lua") struct DocumentAPITests {
  @Test("string.find positions go straight into doc:add and back out of doc:spans")
  func positions() throws {
    let doc = Document(id: "d.txt", text: "Café UN talks")
    let r = try withDocument(
      doc,
      """
      local s, e = doc.text:find("UN")
      doc:add("org", s, e, "ORG", {score = 0.5})
      local sp = doc:spans("org")[1]
      return table.concat({sp.first, sp.last, sp.text, sp.label, sp.attrs.score, #doc:spans("org")}, " ")
      """)
    #expect(r == "7 8 UN ORG 0.5 1")
    #expect(
      doc.layer("org")?.spans == [
        Span(start: 6, end: 8, label: "ORG", attributes: [("score", .number(0.5))])
      ])
  }

  @Test("tokens are a List with text, positions and kind")
  func tokens() throws {
    let doc = Document(id: "d.txt", text: "UN, 2024!")
    let r = try withDocument(
      doc,
      """
      local out = doc:tokens():map(function(t) return t.text .. "@" .. t.first .. "-" .. t.last .. ":" .. t.kind end)
      return table.concat(out:totable(), " ") .. " " .. tostring(doc:tokens())
      """)
    #expect(r == "UN@1-2:word ,@3-3:punct 2024@5-8:number !@9-9:punct List(4 items)")
  }

  @Test("meta reads, writes, deletes and iterates in order")
  func meta() throws {
    var meta = Metadata()
    meta["path"] = .string("a/b.txt")
    let doc = Document(id: "a/b.txt", text: "x", meta: meta)
    let r = try withDocument(
      doc,
      """
      doc.meta.date = "2024-06-27"
      doc.meta.n = 3
      doc.meta.tags = {"a", "b"}
      doc.meta.path = nil
      local keys = {}
      for k, v in pairs(doc.meta) do keys[#keys + 1] = k .. "=" .. tostring(type(v) == "table" and #v or v) end
      return table.concat(keys, ",")
      """)
    #expect(r == "date=2024-06-27,n=3,tags=2")
    #expect(doc.meta["n"] == .integer(3))
    #expect(doc.meta["tags"] == .list([.string("a"), .string("b")]))
  }

  @Test("doc:cut removes text and keeps the cached text current")
  func cut() throws {
    let doc = Document(id: "d", text: " date 2024-06-27 Russia said")
    let r = try withDocument(
      doc,
      """
      local before = doc.text
      local s, e = doc.text:find("^%s*date %d+%-%d+%-%d+%s*")
      doc:cut(s, e)
      return before:sub(1, 5) .. "|" .. doc.text
      """)
    #expect(r == " date|Russia said")
  }

  @Test(
    "errors use Lua's wording and the script's line",
    arguments: [
      ("doc:add('x', 1)", "t:1: bad argument #3 to 'add' (number expected, got no value)"),
      (
        "doc:add('x', 0, 1)",
        "t:1: bad argument #2 to 'add' (position 0 is outside the text (1 to 3))"
      ),
      (
        "doc:add('token', 1, 1)",
        "t:1: bad argument #1 to 'add' (layer name 'token' is reserved or empty)"
      ),
      ("doc.id = 'y'", "t:1: cannot set field 'id' of a Document (use doc.meta.id for metadata)"),
      (
        "doc.meta.x = function() end",
        "t:1: metadata values must be strings, numbers, booleans or lists of them, got function for 'x'"
      ),
    ])
  func errors(code: String, message: String) throws {
    let doc = Document(id: "d", text: "abc")
    let r = try withDocument(doc, "local ok, e = pcall(function() \(code) end) return e")
    #expect(r == message)
  }
}

@Suite("Document spans: filters and removal") struct SpanQueryTests {
  static func doc() -> Document {
    let doc = Document(id: "d.txt", text: "Volk met Lacroix. UN talks went on.")
    doc.add(Span(start: 0, end: 17, label: "S"), to: "clause")
    doc.add(Span(start: 18, end: 35, label: "S"), to: "clause")
    doc.add(Span(start: 0, end: 4, label: "PERSON"), to: "entity")
    doc.add(Span(start: 9, end: 16, label: "PERSON"), to: "entity")
    doc.add(Span(start: 18, end: 20, label: "ORG"), to: "entity")
    return doc
  }

  @Test("within, covering and label filter the spans")
  func filters() throws {
    let r = try withDocument(
      Self.doc(),
      """
      local function texts(l) local t = {} for i, s in ipairs(l) do t[i] = s.text end return table.concat(t, "|") end
      local e = doc:spans("entity", {label = "ORG"})[1]
      return table.concat({
        texts(doc:spans("entity", {within = {1, 17}})),
        texts(doc:spans("clause", {covering = {e.first, e.last}})),
        texts(doc:spans("entity", {label = "PERSON"})),
      }, " / ")
      """)
    #expect(r == "Volk|Lacroix / UN talks went on. / Volk|Lacroix")
  }

  @Test("remove takes a layer's spans in a range, or the whole layer")
  func remove() throws {
    let doc = Self.doc()
    let r = try withDocument(
      doc,
      #"return doc:remove("entity", 1, 17) .. " " .. #doc:spans("entity") .. " " .. doc:remove("clause") .. " " .. #doc:layers()"#
    )
    #expect(r == "2 1 2 1")
    #expect(doc.layer("entity")?.spans.map(\.label) == ["ORG"])
  }

  @Test("a bad range is an argument error")
  func badRange() throws {
    #expect(throws: LuaError.self) {
      try withDocument(Self.doc(), #"return doc:spans("entity", {within = {5}})"#)
    }
  }
}
