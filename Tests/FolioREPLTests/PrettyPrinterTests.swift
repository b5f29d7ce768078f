import FolioCore
import FolioLua
import FolioREPL
import LuaRuntime
import Testing

/// Evaluates `expression` in a REPL-like VM and renders its value with `printer`.
func render(_ expression: String, _ printer: PrettyPrinter = PrettyPrinter()) throws -> String {
  let vm = try LuaVM(sandboxed: false)
  try FolioLua.install(in: vm, context: FolioLuaContext())
  try vm.run("return " + expression, chunkname: "=t", results: 1)
  defer { vm.state.pop() }
  return printer.render(vm.state, -1)
}

@Suite("pretty-printer") struct PrettyPrinterTests {
  @Test(
    "scalars and tables print as Lua literals, array part first, keys sorted",
    arguments: [
      ("42", "42"),
      ("1.5", "1.5"),
      ("2^53", "9.007199254741e+15"),
      ("nil", "nil"),
      ("'top-level strings print raw'", "top-level strings print raw"),
      ("{}", "{}"),
      ("{3, 2, 1}", "{3, 2, 1}"),
      (
        "{b = 1, a = 2, [10] = 'x', 'first', [true] = 0}",
        "{\"first\", [10] = \"x\", a = 2, b = 1, [true] = 0}"
      ),
      ("{['a key'] = 1, ['end'] = 2}", "{[\"a key\"] = 1, [\"end\"] = 2}"),
      (
        "{'tab\\there', 'line\\nbreak', 'quote\"'}",
        "{\"tab\\there\", \"line\\nbreak\", \"quote\\\"\"}"
      ),
      ("{print}", "{<function>}"),
    ])
  func literals(_ expression: String, _ expected: String) throws {
    #expect(try render(expression) == expected)
  }

  @Test("cycles are labelled, depth and item limits hold")
  func limits() throws {
    #expect(
      try render("(function() local t = {}; t.me = t; t[1] = {up = t}; return t end)()")
        == "{{up = <cycle>}, me = <cycle>}")
    #expect(try render("{{{{{{1}}}}}}") == "{{{{{…}}}}}")
    var small = PrettyPrinter()
    small.maxItems = 3
    #expect(try render("{1, 2, 3, 4, 5, x = 1}", small) == "{1, 2, 3, … 3 more}")
  }

  @Test("a long table breaks over lines, indented")
  func multiline() throws {
    var narrow = PrettyPrinter()
    narrow.width = 30
    #expect(
      try render(
        "{name = 'Kolokoltsev', role = 'minister', meetings = {'Feltman', 'Lacroix'}}", narrow)
          == """
          {
            meetings = {"Feltman", "Lacroix"},
            name = "Kolokoltsev",
            role = "minister",
          }
          """)
  }

  @Test(
    "no metamethod runs while printing: __index, __pairs, __tostring, __len, __name are ignored")
  func noMetamethods() throws {
    let shown = try render(
      """
      (function()
        local mt = {}
        for _, k in ipairs({"__index", "__pairs", "__tostring", "__len", "__eq", "__lt"}) do
          mt[k] = function() error("metamethod " .. k .. " ran") end
        end
        return setmetatable({1, x = 2}, mt)
      end)()
      """)
    #expect(shown == "{1, x = 2}")
  }

  @Test("lists of rows print as tables aligned by display width, CJK and emoji included")
  func rowsWithWideCharacters() throws {
    let shown = try render(
      "{{city = '東京', n = 1}, {city = 'Zürich', n = 22}, {city = '🇺🇳 UN', n = 3}}")
    #expect(
      shown == """
         n  city
        ──  ──────
         1  東京
        22  Zürich
         3  🇺🇳 UN
        3 rows

        """)
  }

  @Test("past maxrows the middle rows are elided; other modes print every row")
  func elision() throws {
    var printer = PrettyPrinter()
    printer.maxRows = 4
    let rows =
      "(function() local t = {} for i = 1, 10 do t[i] = {word = 'w' .. i, count = 11 - i} end return t end)()"
    #expect(
      try render(rows, printer) == """
        word  count
        ────  ─────
        w1       10
        w2        9
        …
        w9        2
        w10       1
        10 rows (4 shown; .maxrows N to change)

        """)
    printer.mode = .csv
    #expect(try render(rows, printer).split(separator: "\r\n").count == 11)
  }

  @Test("Folio objects print as one readable line")
  func objects() throws {
    let vm = try LuaVM(sandboxed: false)
    try FolioLua.install(in: vm, context: FolioLuaContext())
    let doc = Document(id: "news/004.txt", text: "UN asks Russia for police officers.")
    doc.add(Span(start: 0, end: 2, label: "ORG"), to: "entity")
    FolioLua.push(doc, vm.state)
    #expect(
      PrettyPrinter().render(vm.state, -1)
        == "<Document news/004.txt \"UN asks Russia for police officers.\" 7 tokens, layers: entity>"
    )
    try vm.run("return folio.re.compile('\\\\d+'), folio.counter()", chunkname: "=t", results: 2)
    #expect(PrettyPrinter().render(vm.state, -2) == "<Regex \"\\\\d+\">")
    #expect(PrettyPrinter().render(vm.state, -1) == "<Counter 0 keys, 0 in all>")
  }
}
