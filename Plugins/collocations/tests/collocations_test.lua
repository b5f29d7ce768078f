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
    local wide = T.run(docs, { measure = "log_dice", min = 1, top = 0, window = "2", sentences = true, negative = true })
    local function pairs_of(r) local out = {} for _, row in ipairs(r.rows) do out[row[2]] = row[3] end return out end
    assert.equal(pairs_of(adjacent), { ["red big"] = 2, ["big car"] = 2, ["car red"] = 2, ["red car"] = 1 })
    assert.equal(pairs_of(wide), { ["red big"] = 2, ["big car"] = 2, ["red car"] = 3 })
    assert.truthy(wide.title:find("14 + log2", 1, true))
    assert.equal(wide.provenance.measure, "log_dice")
    assert.equal(wide.provenance.formula, folio.stats.formulas.log_dice)
    assert.equal(wide.provenance.n, 8 / 2) -- 8 words, window 2
  end,
  ["node= lists a word's collocates left and right of it, with counts, expectation and p"] = function()
    local docs = {
      "We lent money to the bank. Money talks. The bank kept the money safe.",
      "Nobody has money here; the bank has money.",
    }
    -- 22 words; "money" 5 times. L1R1 windows: lent _ to, bank _ talks, the _ safe, has _ here,
    -- has _ (end): 9 words.
    local r = T.run(docs, { node = "money", window = "L1R1", min = 1, top = 0, measure = "log_likelihood" })
    assert.equal(r.columns, { "rank", "collocate", "count", "left", "right", "frequency", "expected", "log_likelihood", "p" })
    local rows = {}
    for _, row in ipairs(r.rows) do rows[row[2]] = row end
    assert.equal(rows.has[3], 2)
    assert.equal({ rows.has[4], rows.has[5], rows.has[6] }, { 2, 0, 2 })
    assert.equal(rows.talks[5], 1)
    -- r1 = 9 words in the windows, n = 22: "has" expected 9 * 2 / 22.
    assert.equal(rows.has[7], 0.82)
    assert.equal(rows.has[8], math.floor(folio.stats.log_likelihood(2, 9, 2, 22) * 1e4 + 0.5) / 1e4)
    assert.truthy(rows.has[9] > 0 and rows.has[9] < 0.05)
    -- "the" is seen once beside money ("the" 4 times: expected 9 * 4 / 22 = 1.64): left out.
    assert.equal(rows.the, nil)
    assert.equal(r.provenance.r1, 9)
    assert.equal(r.provenance.n, 22)
    assert.equal(r.provenance.occurrences, 5)
    assert.truthy(r.title:find("collocates of 'money' (5 occurrences, window L1R1)", 1, true), r.title)
  end,
  ["node windows: L0R2 looks right only, sentences stops at sentence ends"] = function()
    local docs = { "a money b c. d money e. money f g h" }
    local function counts(opts)
      opts.node, opts.min, opts.top, opts.negative = "money", 1, 0, true
      local out = {}
      for _, row in ipairs(T.run(docs, opts).rows) do out[row[2]] = row[3] end
      return out
    end
    -- The second money's window holds the third.
    assert.equal(counts({ window = "L0R2" }), { b = 1, c = 1, e = 1, money = 1, f = 1, g = 1 })
    assert.equal(counts({ window = "L0R2", sentences = true }), { b = 1, c = 1, e = 1, f = 1, g = 1 })
    assert.equal(counts({ window = "L1" }), { a = 1, d = 1, e = 1 })
    assert.equal(counts({ window = "1" }), { a = 1, b = 1, d = 1, e = 2, f = 1 })
  end,
  ["p= keeps what is significant, Bonferroni-corrected by default, and says so"] = function()
    local docs = {}
    for i = 1, 40 do docs[i] = "strong tea is served here. powerful computers run all day. the tea was cold " .. i end
    local all = T.run(docs, { node = "tea", window = "L1R0", min = 1, top = 0 })
    local cut = T.run(docs, { node = "tea", window = "L1R0", min = 1, top = 0, p = 0.001 })
    assert.equal(#all.rows, 2) -- strong, the
    assert.truthy(cut.title:find("p < 0.001, Bonferroni-corrected for 2 collocates tested: p < 0.0005", 1, true), cut.title)
    for _, row in ipairs(cut.rows) do assert.truthy(row[9] < 0.0005) end
    assert.equal(cut.rows[1][2], "strong")
    local plain = T.run(docs, { node = "tea", window = "L1R0", min = 1, p = 0.001, bonferroni = false })
    assert.truthy(plain.title:find("not corrected", 1, true))
  end,
  ["p= applies to pairs too"] = function()
    local r = T.run({ text }, { min = 1, top = 0, p = 0.05 })
    assert.truthy(r.title:find("Bonferroni", 1, true))
    for _, row in ipairs(r.rows) do
      local p = folio.stats.p_value(folio.stats.log_likelihood(row[3], row[4], row[5], 16))
      assert.truthy(p < 0.05, row[2])
    end
  end,
  ["a window that is not LxRy or a number is refused; so is a node of two words"] = function()
    assert.error_matches(function() T.run({ text }, { node = "new", window = "3L" }) end, "option 'window' must be LxRy")
    assert.error_matches(function() T.run({ text }, { node = "new", window = "L21R0" }) end, "option 'window' must be LxRy")
    assert.error_matches(function() T.run({ text }, { window = "L3R3" }) end, "option 'window' must be a number from 1 to 20")
    assert.error_matches(function() T.run({ text }, { node = "new york" }) end, "option 'node' must be one word")
  end,
  ["p-values of G2 and chi2 with one degree of freedom"] = function()
    local function near(a, b) return math.abs(a - b) < 1e-4 end
    assert.truthy(near(folio.stats.p_value(3.841459), 0.05))
    assert.truthy(near(folio.stats.p_value(-6.634897), 0.01))
    assert.truthy(near(folio.stats.p_value(10.827566), 0.001))
    assert.equal(folio.stats.p_value(0), 1.0)
  end,
}
