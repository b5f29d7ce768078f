import FolioCore
import FolioLua
import Foundation
import LuaRuntime
import Testing

@Suite("folio.text and token norms") struct TextAPITests {
  @Test(
    "case mapping, folding, normalising and character positions",
    arguments: [
      (#"return folio.text.lower("ΟΔΟΣ ΣΑΣ Σ. ΣΟΦΊΑ'Σ")"#, "οδος σας σ. σοφία'ς"),
      (#"return folio.text.lower("DİYARBAKIR IŞIK", "tr")"#, "diyarbakır ışık"),
      (#"return folio.text.lower("DİYARBAKIR")"#, "di̇yarbakir"),
      (#"return folio.text.upper("istanbul ılık", "tr")"#, "İSTANBUL ILIK"),
      (#"return folio.text.upper("straße")"#, "STRASSE"),
      (#"return folio.text.casefold("Straße ΣΑΣ ﬁ")"#, "strasse σασ fi"),
      (#"return folio.text.normalize("ﬁ① Å", "NFKC")"#, "fi1 Å"),
      (#"return #folio.text.normalize("é", "NFD")"#, "3"),
      (#"return folio.text.sub("東京タワー", 2, -2)"#, "京タワ"),
      (#"return folio.text.sub("👩‍👩‍👧ab", 1, 1)"#, "👩‍👩‍👧"),
      (#"return folio.text.len("👩‍👩‍👧ab")"#, "3"),
    ])
  func text(code: String, expected: String) throws {
    #expect(try evalLua(code) == expected)
  }

  @Test("a bad normalisation form is an argument error")
  func badForm() throws {
    #expect(throws: LuaError.self) { try evalLua(#"return folio.text.normalize("x", "NFX")"#) }
  }

  @Test("tokens carry a case-folded NFKC norm, made when read")
  func norms() throws {
    let doc = Document(id: "d", text: "Straße ＡＢＣ ΟΔΟΣ Kolokoltsev")
    let r = try withDocument(
      doc,
      """
      local out = {}
      for _, t in ipairs(doc:tokens({norm = true})) do out[#out + 1] = t.norm end
      return table.concat(out, " ") .. " | " .. tostring(doc:tokens()[1].norm)
      """)
    #expect(r == "strasse abc οδοσ kolokoltsev | strasse")
  }

  @Test("UDHR: Greek final sigma, Turkish dotless i, German ß, across whole texts")
  func udhr() throws {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { root.deleteLastPathComponent() }
    let dir = root.appendingPathComponent("shared/corpora/udhr").path
    guard FileManager.default.fileExists(atPath: dir) else {
      print("skipped: ../shared/corpora/udhr is absent")
      return
    }
    func text(_ name: String) throws -> String {
      let reader = CorpusReader()
      let entry = try #require(try reader.list([dir + "/" + name]).first)
      return try #require(try reader.readAll(entry) { _ in }.first).text
    }
    let greek = TextCase.lower(try text("udhr_ell_monotonic.txt"))
    // No word of the lowered Greek text ends in σ; many end in ς.
    let words = greek.split { !$0.isLetter }
    #expect(words.filter { $0.hasSuffix("σ") && $0.count > 1 }.isEmpty)
    #expect(words.filter { $0.hasSuffix("ς") }.count > 100)
    let turkish = TextCase.lower(try text("udhr_tur.txt"), language: "tr")
    #expect(!turkish.unicodeScalars.contains("\u{307}"))
    #expect(turkish.contains("insan hakları"))
    let german = try text("udhr_deu_1996.txt")
    #expect(german.contains("ß"))
    #expect(!TextCase.fold(german).contains("ß"))
  }
}

@Suite("Layers: neighbours and the map back through cuts") struct LayerNavigationTests {
  @Test("spans before, inside, across and after two cuts map back to the text as read")
  func cuts() throws {
    // Byte 0 is "B", 8 "D", 20 "S", 32 "E".
    let doc = Document(id: "d", text: "Before. DONATE NOW. Story here. End.")
    doc.add(Span(start: 0, end: 6, label: "before"), to: "x")  // Before
    doc.add(Span(start: 8, end: 14, label: "inside"), to: "x")  // DONATE
    doc.add(Span(start: 4, end: 22, label: "across"), to: "x")  // re. DONATE NOW. St
    doc.add(Span(start: 20, end: 25, label: "after"), to: "x")  // Story
    doc.add(Span(start: 32, end: 35, label: "end"), to: "x")  // End
    doc.cut(8..<20)  // "DONATE NOW. "
    doc.cut(0..<8)  // "Before. "
    #expect(doc.text == "Story here. End.")
    let r = try withDocument(
      doc,
      """
      local out = {}
      for _, s in ipairs(doc:spans("x")) do
        local a, b = doc:original(s.first, s.last)
        out[#out + 1] = s.label .. "=" .. s.text .. "@" .. a .. "-" .. b
      end
      return table.concat(out, " ")
      """)
    // "before" and "inside" were cut away; "across" lost its cut parts; "after" and "end"
    // shifted and map back to where they were.
    #expect(r == "across=St@21-22 after=Story@21-25 end=End@33-35")
  }

  @Test("doc:next and doc:prev walk a layer; nil past either end")
  func neighbours() throws {
    let doc = Document(id: "d", text: "One. Two. Three.")
    let r = try withDocument(
      doc,
      """
      local first = doc:sentences()[1]
      local second = doc:next(first)
      local third = doc:next(second)
      return table.concat({second.text, third.text, doc:prev(third).text, tostring(doc:next(third)), tostring(doc:prev(first))}, "|")
      """)
    #expect(r == "Two.|Three.|Two.|nil|nil")
  }

  @Test("doc:token_columns gives the tokens as parallel arrays, as doc:tokens has them")
  func tokenColumns() throws {
    let doc = Document(id: "d", text: "Ünïcode café, 42 #tag")
    let r = try withDocument(
      doc,
      """
      local c, t = doc:token_columns({norm = true}), doc:tokens({norm = true})
      local out = {#c.text == #t and "same" or "differ"}
      for i = 1, #t do
        if c.text[i] ~= t[i].text or c.first[i] ~= t[i].first or c.last[i] ~= t[i].last
          or c.kind[i] ~= t[i].kind or c.norm[i] ~= t[i].norm then out[#out + 1] = "token " .. i end
      end
      out[#out + 1] = table.concat(c.kind, ",")
      out[#out + 1] = tostring(doc:token_columns().norm)
      return table.concat(out, "|")
      """)
    #expect(r == "same|word,word,punct,number,hashtag|nil")
  }

  @Test("doc:token_columns makes a column when it is first read; pairs makes them all")
  func tokenColumnsLazy() throws {
    let doc = Document(id: "d", text: "One two.")
    let r = try withDocument(
      doc,
      """
      local c = doc:token_columns()
      local out = {tostring(rawget(c, "kind")), #c.kind, tostring(rawget(c, "text")), tostring(c.bogus)}
      local names = {}
      for name, column in pairs(doc:token_columns({norm = true})) do names[#names + 1] = name .. #column end
      table.sort(names)
      out[#out + 1] = table.concat(names, ",")
      out[#out + 1] = getmetatable(c)
      return table.concat(out, "|")
      """)
    #expect(r == "nil|3|nil|nil|first3,kind3,last3,norm3,text3|TokenColumns")
  }

  @Test("spans, sentences and tokens have next, prev, covering, within and a readable tostring")
  func spanMethods() throws {
    let doc = Document(id: "d", text: "Volk met Lacroix. Volk left.")
    let r = try withDocument(
      doc,
      """
      doc:add("entity", 1, 4, "PERSON")
      doc:add("entity", 10, 16, "PERSON")
      doc:add("entity", 19, 22, "PERSON")
      local volk = doc:spans("entity")[1]
      local sentence = volk:covering("sentence")[1]
      local names = sentence:within("entity"):map(function(e) return e.text end)
      local words = sentence:within("token"):map(function(t) return t.text end)
      local tokens = doc:tokens()
      local met = tokens[2]
      return table.concat({
        tostring(volk), tostring(volk:next()), tostring(volk:prev()),
        tostring(sentence), table.concat(names, ","), table.concat(words, ","),
        tostring(met), met:prev().text, met:next().text, tostring(tokens[#tokens]:next()),
        met:covering("sentence")[1]:next().text, tostring(getmetatable(volk)),
        folio.json.encode({first = volk.first, text = volk.text}),
      }, "|")
      """)
    #expect(
      r
        == #"Span(entity 1-4 PERSON "Volk")|Span(entity 10-16 PERSON "Lacroix")|nil|Span(sentence 1-17 "Volk met Lacroix.")|Volk,Lacroix|Volk,met,Lacroix,.|Token(6-8 word "met")|Volk|Lacroix|nil|Volk left.|Span|{"first":1,"text":"Volk"}"#
    )
  }
}

@Suite("folio.json") struct JSONAPITests {
  @Test(
    "decode and encode",
    arguments: [
      (
        #"return folio.json.encode({b = 1, a = {1, 2.5, "x\n\"é"}, c = {}, d = false})"#,
        #"{"a":[1,2.5,"x\n\"é"],"b":1,"c":[],"d":false}"#
      ),
      (#"return folio.json.encode({[1] = "a", [3] = "c"})"#, #"{"1":"a","3":"c"}"#),
      (#"return folio.json.encode({x = {1}}, {indent = 2})"#, "{\n  \"x\": [\n    1\n  ]\n}"),
      (
        #"local v = folio.json.decode('{"a":[1,2,{"b":null}],"c":"\\u00e9","d":1.5}'); return table.concat({tostring(v.a[3].b), #v.a, v.c, v.d, math.type(v.a[1])}, " ")"#,
        "nil 3 é 1.5 integer"
      ),
      (#"return folio.json.decode("[1, null, 3]", {null = "NULL"})[2]"#, "NULL"),
      (#"return folio.json.decode("[1, 2]"):map(function(x) return x * 2 end)[2]"#, "4"),
      (
        #"local s = '{"k":[true,{"n":-3}]}'; return folio.json.encode(folio.json.decode(s)) == s"#,
        "true"
      ),
    ])
  func roundTrips(code: String, expected: String) throws {
    #expect(try evalLua(code) == expected)
  }

  @Test(
    "errors name the argument and the place",
    arguments: [
      (
        #"return folio.json.decode("{bad")"#,
        "bad argument #1 to 'decode' (not JSON: expected a quoted key at byte 2)"
      ),
      (
        #"return folio.json.encode({f = print})"#,
        #"bad argument #1 to 'encode' (cannot encode: ["f"]: a function"#
      ),
      (#"return folio.json.encode({0/0})"#, "has no JSON form"),
      (#"return folio.json.encode("\xff")"#, "not UTF-8"),
    ])
  func errors(code: String, message: String) throws {
    do {
      _ = try evalLua(code)
      Issue.record("no error for \(code)")
    } catch {
      #expect("\(error)".contains(message), "\(error)")
    }
  }
}

@Suite("folio.table") struct TableAPITests {
  @Test("rows are checked against typed columns, sorted stably and cut")
  func table() throws {
    let r = try evalLua(
      """
      local t = folio.table{title = "w", columns = {"word", "count", "share"}, types = {"string", "integer", "number"}}
      t:add{"the", 10, 0.5}:add{word = "a", count = 12, share = 0.25}:add{"b", 10}:add{"c", 3, 1}
      t:sort("count", true):top(3)
      local out = {}
      for _, row in ipairs(t.rows) do out[#out + 1] = row[1] .. ":" .. row[2] .. ":" .. tostring(row[3]) end
      return #t .. " " .. table.concat(out, " ") .. " " .. table.concat(t.columns, ",")
      """)
    #expect(r == "3 a:12:0.25 the:10:0.5 b:10:nil word,count,share")
  }

  @Test(
    "a wrong value or spec names the column",
    arguments: [
      (
        #"folio.table{columns = {"n"}, types = {"integer"}}:add{"5"}"#,
        #"column 'n' wants an integer, got string "5""#
      ),
      (
        #"folio.table{columns = {"n"}, types = {"integer"}}:add{2.5}"#,
        "column 'n' wants an integer, got float 2.5"
      ),
      (
        #"folio.table{columns = {"n"}, types = {"date"}}"#,
        "type must be string, integer, number or boolean, got 'date'"
      ),
      (#"folio.table{columns = {"n"}}:sort("m")"#, "no column 'm'"),
      (#"folio.table{}"#, "{columns = {...}} expected"),
    ])
  func errors(code: String, message: String) throws {
    do {
      _ = try evalLua(code)
      Issue.record("no error for \(code)")
    } catch {
      #expect("\(error)".contains(message), "\(error)")
    }
  }
}
