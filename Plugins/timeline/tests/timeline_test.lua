local T = folio.test
local assert = T.assert

local docs = {
  { id = "a", text = "The strike began.", meta = { date = "2025-03-10" } },
  { id = "b", text = "Strike talks. The strike ended.", meta = { date = "2025-03-13" } },
  { id = "c", text = "Rates held.", meta = { date = "2024-08-01" } },
  { id = "d", text = "No date here." },
}

return {
  ["documents and a word per month, every month of the calendar; undated ones in the title"] = function()
    local r = T.run(docs, { word = "strike" })
    assert.equal(r.columns, { "month", "documents", "words", "strike" })
    assert.equal(r.rows, {
      { "2024-08", 1, 2, 0 }, { "2024-09", 0, 0, 0 }, { "2024-10", 0, 0, 0 }, { "2024-11", 0, 0, 0 },
      { "2024-12", 0, 0, 0 }, { "2025-01", 0, 0, 0 }, { "2025-02", 0, 0, 0 }, { "2025-03", 2, 8, 3 },
    })
    assert.equal(r.title, "timeline by month (6 months without documents shown as 0; 1 document without a date)")
  end,
  ["by day and by year: days step through month ends and leap years"] = function()
    local rows = T.run(docs, { by = "day" }).rows
    assert.equal(#rows, 225) -- 2024-08-01 to 2025-03-13
    assert.equal(rows[1], { "2024-08-01", 1, 2 })
    assert.equal(rows[31], { "2024-08-31", 0, 0 })
    assert.equal(rows[32], { "2024-09-01", 0, 0 })
    assert.equal(rows[225], { "2025-03-13", 1, 5 })
    local leap = T.run({ { text = "a", meta = { date = "2024-02-28" } }, { text = "b", meta = { date = "2024-03-01" } } }, { by = "day" }).rows
    assert.equal(leap, { { "2024-02-28", 1, 1 }, { "2024-02-29", 0, 0 }, { "2024-03-01", 1, 1 } })
    assert.equal(T.run(docs, { by = "year" }).rows, { { "2024", 1, 2 }, { "2025", 2, 8 } })
  end,
  ["per_million gives the word's rate in each period's words"] = function()
    local r = T.run(docs, { word = "strike", per_million = true, by = "year" })
    assert.equal(r.columns, { "year", "documents", "words", "strike", "strike per million" })
    assert.equal(r.rows, { { "2024", 1, 2, 0, 0 }, { "2025", 2, 8, 3, 375000.0 } })
  end,
  ["dates that are not dates count as undated; a stray date cannot draw a million days"] = function()
    local odd = {
      { text = "a", meta = { date = "2024-02-30" } }, { text = "b", meta = { date = "2024-13-01" } },
      { text = "c", meta = { date = "2024-05-02T10:00:00Z" } }, { text = "d", meta = { date = 2024 } },
    }
    local r = T.run(odd, { by = "day" })
    assert.equal(r.rows, { { "2024-05-02", 1, 1 } })
    assert.equal(r.title, "timeline by day (3 documents without a date)")
    local stray = { { text = "a", meta = { date = "0001-01-01" } }, { text = "b", meta = { date = "2024-01-01" } } }
    assert.error_matches(function() T.run(stray, { by = "day" }) end, "the dates run from 0001%-01%-01 to 2024%-01%-01: 738886 days, more than max_periods=100000")
  end,
  ["'by' is checked"] = function()
    assert.error_matches(function() T.run(docs, { by = "week" }) end, "option 'by' must be day, month or year")
  end,
  ["the SVG chart is pinned by a golden file"] = function()
    T.golden("timeline.svg", T.run(docs, { word = "strike" }).svg)
  end,
}
