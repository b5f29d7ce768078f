local T = folio.test
local assert = T.assert

local text = "New York is big. In New York, the new cafe is open. New York never sleeps."

return {
  ["ranks pairs by PMI with their counts"] = function()
    local report = T.run({ text }, { min = 2, top = 2 })
    assert.equal(report.columns, { "rank", "pair", "count", "first", "second", "pmi" })
    -- 16 words; "new york" 3 times, new 4, york 3: log2(3 * 16 / (4 * 3)) = 2
    assert.equal(report.rows, { { 1, "new york", 3, 4, 3, 2.0 } })
  end,
  ["pairs never run from one document into the next"] = function()
    local report = T.run({ "alpha beta", "gamma delta" }, { min = 1, top = 0 })
    local pairs_ = {}
    for _, r in ipairs(report.rows) do pairs_[#pairs_ + 1] = r[2] end
    table.sort(pairs_)
    assert.equal(pairs_, { "alpha beta", "gamma delta" })
  end,
  ["other measures"] = function()
    local ll = T.run({ text }, { min = 2, measure = "log_likelihood" }).rows[1]
    assert.equal(ll[2], "new york")
    assert.truthy(ll[6] > 10)
    assert.equal(T.run({ text }, { min = 2, measure = "log_dice" }).rows[1][6], 13.7776)
  end,
  ["a pair seen less often than chance has a negative score and is left out unless asked"] = function()
    -- 18 words, "the" 9 times: "the the" is expected 9 * 9 / 18 = 4.5 times and seen once.
    local docs = { "the a the b the c the d the e the f the g the the x" }
    for _, measure in ipairs({ "log_likelihood", "chi2", "pmi", "t_score" }) do
      local function find(rows)
        for _, r in ipairs(rows) do if r[2] == "the the" then return r end end
      end
      assert.equal(find(T.run(docs, { measure = measure, min = 1, top = 0 }).rows), nil)
      local row = find(T.run(docs, { measure = measure, min = 1, top = 0, negative = true }).rows)
      assert.equal(row[3], 1)
      assert.truthy(row[6] < 0, measure .. " should be negative, got " .. row[6])
    end
    assert.truthy(folio.stats.log_likelihood(1, 9, 9, 18) < 0)
    assert.truthy(folio.stats.chi2(1, 9, 9, 18) < 0)
    assert.truthy(folio.stats.log_likelihood(3, 4, 3, 16) > 0)
  end,
  ["an unknown measure is refused"] = function()
    assert.error_matches(function() T.run({ text }, { measure = "dice" }) end, "option 'measure' must be pmi")
  end,
  ["window pairs words further apart; sentences stops pairs at sentence ends"] = function()
    local docs = { "red big car. red big car. red car." }
    -- negative = true: every pair counted, also those seen less often than chance ("red car").
    local adjacent = T.run(docs, { measure = "log_dice", min = 1, top = 0, negative = true })
    local wide = T.run(docs, { measure = "log_dice", min = 1, top = 0, window = 2, sentences = true, negative = true })
    local function pairs_of(r) local out = {} for _, row in ipairs(r.rows) do out[row[2]] = row[3] end return out end
    assert.equal(pairs_of(adjacent), { ["red big"] = 2, ["big car"] = 2, ["car red"] = 2, ["red car"] = 1 })
    assert.equal(pairs_of(wide), { ["red big"] = 2, ["big car"] = 2, ["red car"] = 3 })
    assert.truthy(wide.title:find("14 + log2", 1, true))
    assert.equal(wide.provenance.measure, "log_dice")
    assert.equal(wide.provenance.formula, folio.stats.formulas.log_dice)
    assert.equal(wide.provenance.n, 8 / 2) -- 8 words, window 2
  end,
}
