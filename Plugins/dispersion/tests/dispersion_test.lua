local T = folio.test
local assert = T.assert

return {
  ["occurrences per document, positions, range and Juilland's D"] = function()
    local r = T.run({
      { id = "a", text = "strike one two three four strike six seven eight nine" },
      { id = "b", text = "no word here at all" },
      { id = "c", text = "the Strike ended" },
    }, { word = "strike" })
    assert.equal(r.columns, { "document", "occurrences", "per_thousand", "where" })
    assert.equal(r.rows, { { "a", 2, 200.0, "0% 49%" }, { "c", 1, 333.3, "25%" } })
    -- Words 10, 5, 3 (shares 10/18, 5/18, 3/18); hits 2, 0, 1 (shares 2/3, 0, 1/3):
    -- DP = (0.1111 + 0.2778 + 0.1667) / 2 = 0.278; DP-norm = 0.278 / (1 - 3/18) = 0.333.
    assert.equal(r.title, "dispersion of 'strike': in 2 of 3 documents; DP 0.278, DP-norm 0.333 (0: even, 1: all in one part); Juilland's D 0.455 (1: even)")
    assert.equal(r.provenance.parts, 3)
    assert.equal(r.provenance.range, 2)
    assert.equal(r.provenance.occurrences, 3)
    assert.truthy(r.svg:find("<svg", 1, true))
  end,
  ["word is required"] = function()
    assert.error_matches(function() T.run({ "x" }) end, "option 'word' is required")
  end,
  ["by= compares the parts a metadata field makes; a word found nowhere has no DP"] = function()
    local docs = {
      { id = "1", text = "tax tax rates", meta = { folder = "business" } },
      { id = "2", text = "more tax news", meta = { folder = "business" } },
      { id = "3", text = "goal goal goal", meta = { folder = "sport" } },
    }
    local r = T.run(docs, { word = "tax", by = "folder" })
    -- business: 6 words, 3 hits; sport: 3 words, 0 hits. DP = (|1 - 2/3| + |0 - 1/3|) / 2.
    assert.truthy(r.title:find("in 1 of 2 parts by folder; DP 0.333, DP-norm 0.500", 1, true), r.title)
    assert.equal(r.provenance.part, "meta.folder")
    -- The rows stay one per document.
    assert.equal(r.rows, { { "1", 2, 666.7, "0% 30%" }, { "2", 1, 333.3, "38%" } })
    assert.truthy(T.run(docs, { word = "none" }).title:find("in 0 of 3 documents; DP n/a", 1, true))
  end,
  ["many small parts: DP sees what Juilland's D hides"] = function()
    -- The word in 1 of every 10 equal documents: the same spread over 100 or 1,000 parts, yet
    -- D = 1 - 3 / sqrt(parts - 1) climbs from 0.698 to 0.905 ("blair" on bbc: 180 of 2,225
    -- documents, D 0.906) while DP stays 0.9.
    local function run(parts)
      local docs = {}
      for i = 1, parts do docs[i] = { id = ("%04d"):format(i), text = i % 10 == 1 and "blair said no" or "they said no" } end
      return T.run(docs, { word = "blair" }).provenance
    end
    local function near(a, b) return math.abs(a - b) < 5e-4 end
    local p100, p1000 = run(100), run(1000)
    assert.truthy(near(p100.juilland_d, 0.698) and near(p1000.juilland_d, 0.905), p100.juilland_d .. " " .. p1000.juilland_d)
    assert.truthy(near(p100.dp, 0.9) and near(p1000.dp, 0.9))
    assert.equal(p1000.parts, 1000)
  end,
}
