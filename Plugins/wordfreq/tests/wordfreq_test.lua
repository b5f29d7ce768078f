local T = folio.test
local assert = T.assert

return {
  ["counts lowercased words and ranks ties alphabetically"] = function()
    local report = T.run({ T.fixture("two.txt") }, { top = 3 })
    assert.equal(report.columns, { "rank", "word", "count", "per_million" })
    -- 11 words: the×3, dog×2, ran×2, cat, saw, cats, too (numbers are not words)
    assert.equal(report.rows, {
      { 1, "the", 3, 272727.3 },
      { 2, "dog", 2, 181818.2 },
      { 3, "ran", 2, 181818.2 },
    })
  end,
  ["lowercases beyond ASCII"] = function()
    local report = T.run({ "Éclair éclair ÉCLAIR straße" }, { top = 1 })
    assert.equal(report.rows[1][2], "éclair")
    assert.equal(report.rows[1][3], 3)
  end,
  ["top = 0 lists every word"] = function()
    local report = T.run({ "a b c", "c" }, { top = 0 })
    assert.equal(#report.rows, 3)
    assert.equal(report.rows[1], { 1, "c", 2, 500000.0 })
  end,
  ["an empty corpus gives an empty table"] = function()
    assert.equal(T.run({}).rows, {})
  end,
  ["a wrong option type is refused"] = function()
    assert.error_matches(function() T.run({ "x" }, { top = "ten" }) end, "option 'top' must be an integer, got 'ten'")
  end,
  ["stopwords, min and document frequencies"] = function()
    local docs = { "The cat and the dog.", "The cat sat.", "A dog, the end." }
    local report = T.run(docs, { stopwords = "$plugin/stopwords-en.txt", docfreq = true, min = 2 })
    assert.equal(report.columns, { "rank", "word", "count", "per_million", "documents" })
    assert.equal(report.rows, { { 1, "cat", 2, 166666.7, 2 }, { 2, "dog", 2, 166666.7, 2 } })
  end,
  ["one list per value of a metadata field"] = function()
    local docs = {
      { text = "goal goal match", meta = { folder = "sport" } },
      { text = "bank rates bank", meta = { folder = "business" } },
    }
    local report = T.run(docs, { by = "folder", top = 1 })
    assert.equal(report.columns, { "folder", "rank", "word", "count", "per_million" })
    assert.equal(report.rows, { { "business", 1, "bank", 2, 666666.7 }, { "sport", 1, "goal", 2, 666666.7 } })
  end,
  ["kinds picks token kinds"] = function()
    local report = T.run({ "In 2024, 2024 and 7 words" }, { kinds = "number", top = 0 })
    assert.equal(report.rows, { { 1, "2024", 2, 666666.7 }, { 2, "7", 1, 333333.3 } })
  end,
}
