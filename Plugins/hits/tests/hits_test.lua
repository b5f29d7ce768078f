local T = folio.test
local assert = T.assert

local docs = {
  { id = "a", text = "Big money. Small money, big money.", meta = { folder = "biz" } },
  { id = "b", text = "No money here at all.", meta = { folder = "sport" } },
  { id = "c", text = "Nothing.", meta = { folder = "sport" } },
}

return {
  ["counts hits and documents"] = function()
    local r = T.run(docs, { cql = [["money"]] })
    assert.equal(r.columns, { "hits", "documents", "per_million" })
    assert.equal(r.rows, { { 4, 2, 333333.3 } })
  end,
  ["groups by the words of the hit, a label, or metadata"] = function()
    local r = T.run(docs, { cql = [[a:[] "money"]], by = "lower" })
    assert.equal(r.rows, { { "big money", 2, 166666.7 }, { "no money", 1, 83333.3 }, { "small money", 1, 83333.3 } })
    r = T.run(docs, { cql = [[a:[] "money"]], by = "a.lower,meta.folder", top = 1 })
    assert.equal(r.columns, { "a.lower", "meta.folder", "hits", "per_million" })
    assert.equal(r.rows, { { "big", "biz", 2, 166666.7 } })
  end,
  ["an attribute the tokens lack is an error with the fix"] = function()
    assert.error_matches(function() T.run(docs, { cql = [["money"]], by = "lemma" }) end, "have no 'lemma' %- run a tagger")
    assert.error_matches(function() T.run(docs, { cql = [["money"]], by = "b.word" }) end, "'b.word' names no label")
  end,
}
