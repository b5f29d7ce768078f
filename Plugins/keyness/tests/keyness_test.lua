local T = folio.test
local assert = T.assert

return {
  ["words overused in the target, by log-likelihood"] = function()
    local docs = {
      { text = "goal goal match goal the the", meta = { folder = "sport" } },
      { text = "goal match team the", meta = { folder = "sport" } },
      { text = "bank rates the the the bank", meta = { folder = "business" } },
      { text = "rates market the match", meta = { folder = "business" } },
    }
    local r = T.run(docs, { value = "sport", min = 1 })
    assert.equal(r.columns, { "rank", "word", "target", "reference", "log_likelihood", "log_ratio" })
    local words = {}
    for i, row in ipairs(r.rows) do words[i] = row[2] .. ":" .. row[3] .. "/" .. row[4] end
    assert.equal(words, { "goal:4/0", "team:1/0", "match:2/1" })
    assert.equal(r.rows[1][6], 3.0) -- log2((4/10) / (0.5/10)): no "goal" in the reference counts as 0.5
  end,
  ["a named reference leaves the other documents out"] = function()
    local docs = {
      { text = "goal goal match", meta = { corpus = "sport/" } },
      { text = "match bank", meta = { corpus = "business/" } },
      { text = "goal goal goal goal goal", meta = { corpus = "other/" } },
    }
    local r = T.run(docs, { field = "corpus", value = "sport/", reference = "business/", min = 1 })
    assert.equal(r.title, "keyness of corpus=sport/ (3 tokens) against corpus=business/ (2 tokens)")
    assert.equal(r.provenance["tokens.target"], 3)
    assert.equal(r.provenance.reference, "corpus=business/")
    assert.truthy(r.provenance["formula.log_likelihood"]:find("G2 = ", 1, true))
    assert.equal(r.provenance.plugin, "keyness")
    local words = {}
    for i, row in ipairs(r.rows) do words[i] = row[2] .. ":" .. row[3] .. "/" .. row[4] end
    assert.equal(words, { "goal:2/0" })
  end,
  ["value is required"] = function()
    assert.error_matches(function() T.run({ "x" }) end, "option 'value' is required")
  end,
}
