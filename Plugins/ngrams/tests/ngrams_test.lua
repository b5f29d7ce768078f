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
  ["n is checked"] = function()
    assert.error_matches(function() T.run(docs, { n = 1 }) end, "option 'n' must be 2 to 6")
  end,
}
