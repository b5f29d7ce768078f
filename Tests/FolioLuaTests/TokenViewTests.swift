import CFolioTokens
import FolioCore
import FolioLua
import LuaRuntime
import Testing

@Suite("tokens as views") struct TokenViewTests {
  @Test("fields, tostring, equality and use as table keys")
  func fields() throws {
    let doc = Document(id: "d", text: "UN talks, again.\nThe UN")
    let r = try withDocument(
      doc,
      """
      local t = doc:tokens()
      local seen = {[t[1]] = "first"}
      return table.concat({
        t[1].text, t[1].first, t[1].last, t[1].kind, tostring(t[3]), type(t[1]),
        tostring(t[1] == doc:tokens()[1]), tostring(t[1] == t[2]), seen[doc:tokens()[1]],
        tostring(t[1].nothing), tostring(getmetatable(t[1])), #t}, "|")
      """)
    #expect(
      r == "UN|1|2|word|Token(9-9 punct \",\")|userdata|true|false|first|nil|Token|7")
  }

  @Test("next and prev walk the document; covering and within reach spans and tokens")
  func relations() throws {
    let doc = Document(id: "d", text: "UN talks. The UN agreed.")
    let r = try withDocument(
      doc,
      """
      doc:add("org", 15, 16, "ORG")
      local t = doc:tokens()
      local un = doc:find_tokens("UN")[2]
      local s = t[5]:covering("sentence")[1]
      local inside = s:within("token"):map(function(x) return x.text end):totable()
      return table.concat({
        tostring(t[1]:prev()), t[1]:next().text, tostring(t[#t]:next()),
        s.text, table.concat(inside, " "), t[5]:covering("org")[1].label,
        tostring(inside[1] and s:within("token")[1]:next().text)}, "|")
      """)
    #expect(r == "nil|talks|nil|The UN agreed.|The UN agreed .|ORG|UN")
  }

  @Test("read-only; copies to plain data and JSON; a view is a snapshot that survives a cut")
  func copiesAndStaleness() throws {
    let doc = Document(id: "d", text: "one two three")
    let r = try withDocument(
      doc,
      """
      local t = doc:tokens()
      local ok, err = pcall(function() t[1].text = "x" end)
      local copy = t[3]:totable()
      local json = folio.json.encode({t[1], n = 1})
      for i = #t, 1, -1 do
        if t[i].text ~= "two" then doc:cut(t[i].first, t[i].last) end
      end
      return table.concat({tostring(ok), err, copy.text, copy.kind, json, t[1].text,
        doc.text, doc:tokens()[1].text, #doc:tokens()}, "|")
      """)
    #expect(
      r
        == "false|t:2: tokens are read-only: copy one with t:totable()|three|word|{\"1\":{\"first\":1,\"kind\":\"word\",\"last\":3,\"text\":\"one\"},\"n\":1}|one| two |two|1"
    )
  }

  @Test("doc:spans(\"token\") takes within, covering and a kind as label")
  func tokenSpans() throws {
    let doc = Document(id: "d", text: "UN talks. The UN agreed, again.")
    let r = try withDocument(
      doc,
      """
      local function texts(list) return table.concat(list:map(function(t) return t.text end):totable(), " ") end
      return table.concat({
        texts(doc:spans("token", {within = {11, 31}})),
        texts(doc:spans("token", {within = {11, 31}, label = "word"})),
        texts(doc:spans("token", {covering = {16, 16}})),
        tostring(#doc:spans("token"))}, "|")
      """)
    #expect(r == "The UN agreed , again .|The UN agreed again|UN|9")
  }

  @Test("a method given something else is a type error")
  func typeErrors() throws {
    let doc = Document(id: "d", text: "one two")
    let r = try withDocument(
      doc,
      """
      local t = doc:tokens()[1]
      local ok, err = pcall(function() return t.next({}) end)
      return tostring(ok) .. "|" .. err
      """)
    #expect(r == "false|t:2: bad argument #1 to 'next' (Token expected, got table)")
  }

  @Test("past the memory budget the oldest views go, and their tokens say so")
  func budget() throws {
    let r = try evalLua(
      """
      local a, b = docs[1]:tokens()[1], docs[2]:tokens()[1]
      local c = docs[3]:tokens()[1]
      local ok, err = pcall(function() return a.text end)
      return table.concat({tostring(ok), err, b.text, c.text, docs[1]:tokens()[1].text}, "|")
      """
    ) { L in
      folio_tokens_set_budget(L.L, 1000)
      L.newTable()
      for i in 1...3 {
        FolioLua.push(
          Document(id: "d\(i)", text: "word\(i) " + String(repeating: "x ", count: 30)), L)
        L.rawSet(-2, i)
      }
      L.setGlobal("docs")
    }
    #expect(
      r
        == "false|t:3: this Token's view was released to bound memory (too many documents' tokens held at once): take doc:tokens() again, or keep t.text or t:totable()|word2|word3|word1"
    )
  }

  /// A view slot's generation has 16 bits; a slot whose generation is used up retires instead
  /// of wrapping, so a token kept from document 1 never names document 1,048,577's view.
  @Test("a kept token stays stale after 2^20 more views (generations never wrap)")
  func generationsNeverWrap() throws {
    let vm = try LuaVM(sandboxed: true)
    try FolioLua.install(in: vm, context: FolioLuaContext())
    let L = vm.state
    FolioLua.push(Document(id: "d", text: "one two"), L)
    L.setGlobal("doc")
    try vm.run("kept = doc:tokens()[1]", chunkname: "=t", results: 0)
    L.getGlobal("doc")
    folio_tokens_close_document(L.L, -1)
    L.pop()
    // A plugin opens one view a document and closes it after the call: the same few slots
    // again and again, each generation once.
    L.getGlobal("kept")
    L.pushString("one two")
    FolioLua.push(Document(id: "e", text: "one two"), L)
    var resolved = 0
    var info = FolioTokenInfo()
    for _ in 0..<(17 << 16) {
      var view: UInt64 = 0
      if folio_tokens_open(L.L, -1, -2, 1, &view) == nil { resolved += 1_000_000 }
      if folio_tokens_get(L.L, -3, &info) == Int32(FOLIO_TOKEN_OK.rawValue) { resolved += 1 }
      folio_tokens_close_document(L.L, -1)
    }
    L.pop(3)
    #expect(resolved == 0)
    try vm.run(
      "local ok, err = pcall(function() return kept.text end) return tostring(ok) .. ' ' .. err",
      chunkname: "=t", results: 1)
    #expect(L.string(at: -1)?.hasPrefix("false t:1: this Token's document is closed") == true)
    L.pop()
  }
}

@Suite("token attributes from a tagger") struct TokenAttributeTests {
  /// A document tagged by a model trained on a few sentences.
  static func tagged(_ text: String) -> Document {
    var data: [POSTrainer.Sentence] = []
    for (subject, verb) in [("I", "fish"), ("you", "swim"), ("we", "go"), ("they", "win")] {
      data.append(
        .init(
          words: [subject, "can", verb, "."], upos: ["PRON", "AUX", "VERB", "PUNCT"],
          xpos: ["PRP", "MD", "VB", "."], lemmas: [subject.lowercased(), "can", verb, "."]))
      data.append(
        .init(
          words: ["the", "cans", "are", "red", "."], upos: ["DET", "NOUN", "AUX", "ADJ", "PUNCT"],
          xpos: ["DT", "NNS", "VBP", "JJ", "."], lemmas: ["the", "can", "be", "red", "."]))
    }
    let model = POSTrainer.train(data, dev: [], iterations: 8, seed: 3)
    let doc = Document(id: "d", text: text)
    model.tag(doc)
    return doc
  }

  @Test("t.pos, t.tag, t.lemma; totable and token_columns carry them; doc:tokens{pos=}")
  func read() throws {
    let doc = Self.tagged("we can go. the cans are red.")
    let r = try withDocument(
      doc,
      """
      local t = doc:tokens()
      local words = {}
      for i, w in ipairs(t) do words[i] = w.text .. "/" .. w.pos .. "/" .. w.lemma end
      local cols = doc:token_columns()
      local nouns = doc:tokens{pos = "NOUN,VERB"}:map(function(x) return x.text end):totable()
      return table.concat({table.concat(words, " "), t[3].tag, t[2]:totable().lemma,
        cols.lemma[6], #cols.pos, table.concat(nouns, ","), tostring(t[1].nothing)}, "|")
      """)
    #expect(
      r
        == "we/PRON/we can/AUX/can go/VERB/go ./PUNCT/. the/DET/the cans/NOUN/can are/AUX/be red/ADJ/red ./PUNCT/.|VB|can|can|9|go,cans|nil"
    )
  }

  @Test("counting lemmas and filtering by part of speech; a clear error without a tagger")
  func counting() throws {
    let doc = Self.tagged("the cans are red. we can go.")
    let r = try withDocument(
      doc,
      """
      local c = folio.counter()
      c:add_tokens(doc, {attr = "lemma", pos = {"AUX", "NOUN"}})
      local items = {}
      for _, p in ipairs(c:top(0)) do items[#items + 1] = p[1] .. "=" .. p[2] end
      return table.concat(items, " ")
      """)
    #expect(r == "can=2 be=1")
    let plain = Document(id: "plain", text: "No tags here.")
    #expect(throws: (any Error).self) {
      try withDocument(plain, "folio.counter():add_tokens(doc, {attr = 'lemma'})")
    }
    let message = try withDocument(
      plain, "local ok, e = pcall(function() doc:tokens{pos = 'NOUN'} end) return e")
    #expect(message.contains("have no part of speech - run a tagger first (-p pos)"))
  }
}
