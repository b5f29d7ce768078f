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
}
