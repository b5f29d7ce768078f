import FolioCore
import FolioLua
import LuaRuntime
import Testing

/// Runs `code` with `corpus` as a global; returns the result as a string.
func withCorpus(_ corpus: Corpus, _ code: String) throws -> String {
  try evalLua(code) { L in
    FolioLua.push(corpus, L)
    L.setGlobal("corpus")
  }
}

@Suite("Corpus in Lua") struct CorpusAPITests {
  static func corpus() -> Corpus {
    Corpus(
      documents: [
        Document(id: "a.txt", text: "The UN asked Russia.\nRussia's answer came late."),
        Document(id: "b.txt", text: "No news today."),
        Document(id: "c.txt", text: "RUSSIA and the UN: talks."),
      ], sources: ["news"])
  }

  @Test("#corpus, corpus[i], get and docs; the same userdata comes back for the same document")
  func access() throws {
    let r = try withCorpus(
      Self.corpus(),
      """
      local ids = {}
      for d in corpus:docs() do ids[#ids + 1] = d.id end
      return table.concat({#corpus, corpus[2].id, corpus:get("c.txt").id, tostring(corpus[4]),
        tostring(corpus:get("zz")), table.concat(ids, ","), tostring(corpus[1] == corpus[1]),
        tostring(corpus:get("a.txt") == corpus[1])}, " ")
      """)
    #expect(r == "3 b.txt c.txt nil nil a.txt,b.txt,c.txt true true")
  }

  @Test("kwic finds whole words (possessives too) with context, as rows")
  func kwic() throws {
    let r = try withCorpus(
      Self.corpus(),
      """
      local rows = corpus:kwic("Russia", {width = 8})
      local out = {}
      for _, row in ipairs(rows) do
        out[#out + 1] = row.doc .. "|" .. row.left .. "|" .. row.match .. "|" .. row.right .. "|" .. row.first .. "-" .. row.last .. "|" .. row.n
      end
      return #rows .. "\\n" .. table.concat(out, "\\n")
      """)
    #expect(
      r == """
        2
        a.txt|N asked |Russia|. Russia|14-19|1
        a.txt|Russia. |Russia's| answer |22-29|1
        """)
  }

  @Test("kwic with ignore_case, a regex, and a limit")
  func kwicOptions() throws {
    let r = try withCorpus(
      Self.corpus(),
      """
      return #corpus:kwic("russia", {ignore_case = true}) .. " " ..
        #corpus:kwic(folio.re.compile("\\\\bU\\\\w")) .. " " ..
        #corpus:kwic("t\\\\w+s", {regex = true}) .. " " ..
        #corpus:kwic("Russia", {limit = 1}) .. " " ..
        corpus:kwic("UN"):filter(function(r) return r.doc == "c.txt" end)[1].n
      """)
    #expect(r == "3 2 1 1 3")
  }

  @Test("freq counts lowercased words over the corpus, most frequent first")
  func freq() throws {
    let r = try withCorpus(
      Self.corpus(),
      """
      local out = {}
      for _, row in ipairs(corpus:freq({n = 3})) do out[#out + 1] = row.word .. "=" .. row.count end
      local all = corpus:freq({n = 0})
      return table.concat(out, " ") .. " | " .. #all .. " | " .. corpus:freq({lower = false, n = 1})[1].word
      """)
    #expect(r == "russia=2 the=2 un=2 | 13 | UN")
  }

  @Test("search, filter and sample give sub-corpora")
  func subsets() throws {
    let r = try withCorpus(
      Self.corpus(),
      """
      local found = corpus:search("(?i)\\\\btalks?\\\\b")
      local short = corpus:filter(function(d) return #d.text < 20 end)
      local s1, s2 = corpus:sample(2, 9), corpus:sample(2, 9)
      return table.concat({#found, found[1].id, #short, short[1].id, #s1, s1[1].id == s2[1].id and s1[2].id == s2[2].id and "same" or "differ", #corpus:sample(10)}, " ")
      """)
    #expect(r == "1 c.txt 1 b.txt 2 same 3")
  }

  @Test("argument errors read as Lua's")
  func errors() throws {
    #expect(throws: LuaError.self) { try withCorpus(Self.corpus(), "return corpus:kwic()") }
    do {
      _ = try withCorpus(Self.corpus(), "return corpus:search('(')")
      Issue.record("no error")
    } catch let e as LuaError {
      #expect(
        e.message.hasPrefix(
          "t:1: bad argument #1 to 'search' (invalid regex at byte 2: missing closing"))
    }
    do {
      _ = try withCorpus(Self.corpus(), "return corpus:filter(3)")
      Issue.record("no error")
    } catch let e as LuaError {
      #expect(e.message == "t:1: bad argument #1 to 'filter' (function expected, got number)")
    }
  }

  @Test("n-grams counted in Swift stay inside runs that breaks end")
  func ngrams() throws {
    let r = try withCorpus(
      Corpus(
        documents: [
          Document(id: "a", text: "He won. The match ended 3-1 in Lisbon's rain, twice.")
        ], sources: ["t"]),
      """
      local d = corpus[1]
      local function keys(t) local out = {} for k, n in pairs(t) do out[#out + 1] = k .. "=" .. n end table.sort(out) return table.concat(out, " | ") end
      local all = keys(d:counts({ngram = 3, lower = true}))
      local runs = keys(d:counts({ngram = 2, lower = true, breaks = {"punct", "number", "sentence"}}))
      local c = folio.counter()
      local added = c:add_tokens(d, {ngram = 3, breaks = {"punct", "sentence"}, distinct = true})
      local ok, err = pcall(function() return d:counts({ngram = 2, breaks = {"comma"}}) end)
      local ok2, err2 = pcall(function() return d:counts({ngram = 7}) end)
      return table.concat({all, runs, added, err, err2}, "\\n")
      """)
    #expect(
      r == """
        ended in lisbon's=1 | he won the=1 | in lisbon's rain=1 | lisbon's rain twice=1 | match ended in=1 | the match ended=1 | won the match=1
        he won=1 | in lisbon's=1 | lisbon's rain=1 | match ended=1 | the match=1
        2
        t:7: bad argument #1 to 'counts' (unknown token kind in 'breaks' (kinds: word, number, punct, symbol, url, email, handle, hashtag, emoji, sentence))
        t:8: bad argument #1 to 'counts' ('ngram' must be 1 to 6)
        """)
  }

  @Test("pairs counted in Swift are scored in Swift, the same from pairs of words and from strings")
  func associations() throws {
    let r = try withCorpus(
      Self.corpus(),
      """
      local uni, bi = folio.counter(), folio.counter()
      for d in corpus:docs() do
        uni:add_tokens(d, {lower = true})
        bi:add_tokens(d, {lower = true, ngram = 2})
      end
      local strings = folio.counter()
      for pair, n in pairs(bi:items()) do strings:add(pair, n) end
      strings:add("not a pair")
      local out = {}
      for _, c in ipairs({bi, strings}) do
        for _, r in ipairs(c:associations(uni, {measure = "log_dice", top = 3})) do
          out[#out + 1] = table.concat({r.pair, r.count, r.first, r.second, r.score}, " ")
        end
      end
      out[#out + 1] = #bi:associations(uni, {min = 2})
      out[#out + 1] = bi:get("the un") .. " " .. bi:get("un asked") .. " " .. bi:get("the")
      out[#out + 1] = folio.stats.pmi(2, 3, 2, 6) .. " " .. folio.stats.chi2(1, 1, 1, 1)
      return table.concat(out, "\\n")
      """)
    #expect(
      r == """
        answer came 1 1 1 14.0
        came late 1 1 1 14.0
        news today 1 1 1 14.0
        answer came 1 1 1 14.0
        came late 1 1 1 14.0
        news today 1 1 1 14.0
        1
        2 1 0
        1.0 0.0
        """)
    for (code, message) in [
      (
        "folio.counter():associations(folio.counter(), {measure = 'dice'})",
        "t:1: bad argument #2 to 'associations' (measure must be one of pmi, t_score, log_likelihood, chi2, log_dice, got 'dice')"
      ),
      (
        "folio.counter():associations({})",
        "t:1: bad argument #1 to 'associations' (Counter expected, got table)"
      ),
      ("folio.stats.pmi(1, 2)", "t:1: bad argument #3 to 'pmi' (number expected, got no value)"),
    ] {
      do {
        _ = try withCorpus(Self.corpus(), "return \(code)")
        Issue.record("no error: \(code)")
      } catch let e as LuaError {
        #expect(e.message == message)
      }
    }
  }

  @Test("the frequency index follows cuts")
  func freqAfterCut() throws {
    let corpus = Self.corpus()
    #expect(corpus.frequencies().count == 13)
    corpus.documents[1].cut(0..<3)
    let counter = corpus.frequencies()
    #expect(counter.count == 12)
    var found = false
    "no".utf8CString.withUnsafeBufferPointer { b in
      b.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: 2) {
        found = counter.index(of: $0, 2, lower: true) != nil
      }
    }
    #expect(!found)
  }
}
