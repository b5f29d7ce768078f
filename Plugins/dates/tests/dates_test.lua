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
  ["today, yesterday and weekdays resolve against the article's day"] = function()
    -- 2024-06-27 was a Thursday.
    local found, spans = dates(
      "Police said yesterday that the raid on Friday followed talks last Tuesday. Today, ministers will meet on Monday; next Thursday's vote comes after last year.",
      { date = "2024-06-27" })
    assert.equal(found, {
      "yesterday=2024-06-26", "Friday=2024-06-21", "last Tuesday=2024-06-25", "Today=2024-06-27",
      "Monday=2024-07-01", "next Thursday=2024-07-04", "last year=2023",
    })
    assert.equal(spans[1].attrs, { value = "2024-06-26", form = "relative", relative_to = "2024-06-27" })
    assert.equal(spans[2].attrs.form, "weekday")
  end,
  ["without the article's day, or with relative = false, they are left alone"] = function()
    assert.equal(dates("The vote was yesterday, on Friday."), {})
    assert.equal(dates("The vote was yesterday, on Friday.", { date = "2024-06" }), {})
    assert.equal(dates("The vote was yesterday.", { date = "2024-06-27" }, { relative = false }), {})
    assert.equal(dates("This month and next month.", { date = "2024-12-10" }), { "This month=2024-12", "next month=2025-01" })
  end,
}
