local T = folio.test
local assert = T.assert

local docs = { "The Port of Lisbon. The port of Lisbon reopened.", "The port of Lisbon" }

return {
  ["bigrams and trigrams, case folded, most frequent first"] = function()
    assert.equal(T.run(docs, { n = 2, top = 3 }).rows, { { 1, "of lisbon", 3 }, { 2, "port of", 3 }, { 3, "the port", 3 } })
    assert.equal(T.run(docs, { n = 3, top = 2 }).rows, { { 1, "port of lisbon", 3 }, { 2, "the port of", 3 } })
  end,
  ["lower=false and min"] = function()
    assert.equal(T.run(docs, { n = 3, lower = false, min = 2 }).rows, { { 1, "The port of", 2 }, { 2, "port of Lisbon", 2 } })
  end,
  ["sequences stay inside runs of words: no sentence end, punctuation, number or symbol"] = function()
    local text = { "He won. The match ended 3-1. Money talks. The 25-year-old won the match." }
    local function grams(r) local out = {} for _, row in ipairs(r.rows) do out[#out + 1] = row[2] end table.sort(out) return out end
    -- "25-year-old" is 25, -, year, -, old: "year" stands alone, "old" starts a run.
    assert.equal(grams(T.run(text, { n = 2, min = 1, top = 0 })),
      { "he won", "match ended", "money talks", "old won", "the match", "won the" })
    assert.equal(grams(T.run(text, { n = 3, min = 1, top = 0 })),
      { "old won the", "the match ended", "won the match" })
    -- cross says what a sequence may cross; everything gives the old counts.
    local all = grams(T.run(text, { n = 2, min = 1, top = 0, cross = "punct,number,symbol,sentence" }))
    assert.truthy(table.concat(all, "|"):find("ended money", 1, true))
    assert.truthy(table.concat(all, "|"):find("the year", 1, true))
    local sentences = grams(T.run(text, { n = 2, min = 1, top = 0, cross = "sentence" }))
    assert.truthy(table.concat(sentences, "|"):find("won the", 1, true))
    assert.truthy(not table.concat(sentences, "|"):find("ended money", 1, true))
    assert.error_matches(function() T.run(text, { cross = "comma" }) end, "option 'cross' takes punct")
  end,
  ["clusters around a word"] = function()
    local r = T.run({ "money talks. the money talks. money matters, money talks" }, { n = 2, word = "money", min = 1, top = 0 })
    assert.equal(r.title, "2-word clusters of 'money'")
    assert.equal(r.rows, { { 1, "money talks", 3 }, { 2, "money matters", 1 }, { 3, "the money", 1 } })
  end,
  ["n is checked"] = function()
    assert.error_matches(function() T.run(docs, { n = 1 }) end, "option 'n' must be from 2 to 6, got '1'")
  end,
}
