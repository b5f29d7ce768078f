local T = folio.test
local assert = T.assert

-- "text=value" for each date span of the first document.
local function dates(text, meta, options)
  local docs = T.run({ { text = text, meta = meta } }, options)
  local out = {}
  for i, s in ipairs(docs[1].layers.date or {}) do
    out[i] = s.text .. "=" .. s.attrs.value
  end
  return out, docs[1].layers.date
end

return {
  ["the forms of the seeds, with the year from meta.date"] = function()
    local found = dates(
      "sanctions on February 25, 2022, the day after; from June 26 to 27 in early June, annexed in 2014 (1939-1945)",
      { date = "2024-06-27" })
    assert.equal(found, {
      "February 25, 2022=2022-02-25", "June 26 to 27=2024-06-26/2024-06-27", "June=2024-06",
      "2014=2014", "1939-1945=1939/1945",
    })
  end,
  ["ISO, day-month-year, abbreviations and month-year"] = function()
    assert.equal(dates("On 2025-03-13, 26 June 2024, Feb. 25 2023 and Sept. 3, 2021; March 2020."), {
      "2025-03-13=2025-03-13", "26 June 2024=2024-06-26", "Feb. 25 2023=2023-02-25",
      "Sept. 3, 2021=2021-09-03", "March 2020=2020-03",
    })
  end,
  ["without a year in meta, a month and day stay partial"] = function()
    local found, spans = dates("Talks resume on June 26.")
    assert.equal(found, { "June 26=--06-26" })
    assert.equal(spans[1].attrs.inferred_year, nil)
    local _, inferred = dates("Talks resume on June 26.", { date = "2024-01-02" })
    assert.equal(inferred[1].attrs, { value = "2024-06-26", form = "month-day", inferred_year = true })
  end,
  ["not dates: verbs, impossible days, bare numbers, percentages"] = function()
    assert.equal(dates("They may 5 times march 3 miles. June 31 is no day. It rose 12 percent to 2024 points. Version 2024-13-01."), {})
  end,
  ["a custom layer and no year source"] = function()
    local docs = T.run({ { text = "Due June 26.", meta = { date = "2024-01-01" } } }, { layer = "when", year_from = "" })
    assert.equal(docs[1].layers.when[1].attrs.value, "--06-26")
  end,
}
