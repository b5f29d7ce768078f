local T = folio.test
local assert = T.assert

local docs = {
  { id = "a", text = "The strike began.", meta = { date = "2025-03-10" } },
  { id = "b", text = "Strike talks. The strike ended.", meta = { date = "2025-03-13" } },
  { id = "c", text = "Rates held.", meta = { date = "2024-08-01" } },
  { id = "d", text = "No date here." },
}

return {
  ["documents and a word per month, in order; undated ones in the title"] = function()
    local r = T.run(docs, { word = "strike" })
    assert.equal(r.columns, { "month", "documents", "strike" })
    assert.equal(r.rows, { { "2024-08", 1, 0 }, { "2025-03", 2, 3 } })
    assert.equal(r.title, "timeline by month (1 documents without a date)")
  end,
  ["by day and by year"] = function()
    assert.equal(T.run(docs, { by = "day" }).rows, { { "2024-08-01", 1 }, { "2025-03-10", 1 }, { "2025-03-13", 1 } })
    assert.equal(T.run(docs, { by = "year" }).rows, { { "2024", 1 }, { "2025", 2 } })
  end,
  ["'by' is checked"] = function()
    assert.error_matches(function() T.run(docs, { by = "week" }) end, "option 'by' must be day, month or year")
  end,
  ["the SVG chart is pinned by a golden file"] = function()
    T.golden("timeline.svg", T.run(docs, { word = "strike" }).svg)
  end,
}
