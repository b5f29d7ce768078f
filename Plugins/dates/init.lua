-- dates: finds dates in English news text and gives each its ISO 8601 value.
--
--   2024-06-27               -> 2024-06-27          (iso)
--   February 25, 2022        -> 2022-02-25          (month-day-year; also "Feb. 25 2022")
--   26 June 2024             -> 2024-06-26          (day-month-year)
--   June 26 / Feb. 25        -> 2024-06-26          (month-day; the year from meta.date, attrs.inferred_year)
--   June 26 to 27 / 26-27    -> 2024-06-26/2024-06-27 (range)
--   June 2024                -> 2024-06             (month-year)
--   in early June            -> 2024-06             (month, after a cue; the year from meta.date)
--   1939-1945                -> 1939/1945           (year range)
--   in 2014, since 1999      -> 2014                (year; only after a cue word)
--
-- The more specific forms win: a span never overlaps an earlier one.
local M = {}

local months = {
  january = 1, february = 2, march = 3, april = 4, may = 5, june = 6, july = 7, august = 8,
  september = 9, october = 10, november = 11, december = 12,
  jan = 1, feb = 2, mar = 3, apr = 4, jun = 6, jul = 7, aug = 8, sep = 9, sept = 9, oct = 10,
  nov = 11, dec = 12,
}
local MONTH = "(January|February|March|April|May|June|July|August|September|October|November|December"
  .. "|Jan\\.?|Feb\\.?|Mar\\.?|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sept?\\.?|Oct\\.?|Nov\\.?|Dec\\.?)"
local DAY = "([0-3]?\\d)(?:st|nd|rd|th)?"
local YEAR = "(1[5-9]\\d\\d|20\\d\\d)"
local DASH = "\\s*(?:-|–|—|to|until|through)\\s*"

local patterns -- compiled once per worker

local function compile()
  local re = folio.re.compile
  return {
    { form = "iso", re = re("\\b(\\d{4})-(\\d{2})-(\\d{2})\\b") },
    { form = "range", re = re("\\b" .. MONTH .. "\\s+" .. DAY .. DASH .. DAY .. "(?:,?\\s+" .. YEAR .. ")?\\b") },
    { form = "month-day-year", re = re("\\b" .. MONTH .. "\\s+" .. DAY .. ",?\\s+" .. YEAR .. "\\b") },
    { form = "day-month-year", re = re("\\b" .. DAY .. "\\s+" .. MONTH .. ",?\\s+" .. YEAR .. "\\b") },
    { form = "month-day", re = re("\\b" .. MONTH .. "\\s+" .. DAY .. "\\b(?!\\s*%)") },
    { form = "day-month", re = re("\\b" .. DAY .. "\\s+" .. MONTH .. "(?![a-z])") },
    { form = "month-year", re = re("\\b" .. MONTH .. ",?\\s+" .. YEAR .. "\\b") },
    { form = "year-range", re = re("\\b" .. YEAR .. "\\s*(?:-|–|—)\\s*" .. YEAR .. "\\b") },
    { form = "month", re = re("\\b(?:in|since|until|by|during|from|early|late|mid-)\\s+(?:(?:early|late|mid-)\\s*)?" .. MONTH .. "\\b(?!\\s*\\d)") },
    { form = "year", re = re("\\b(?:in|since|until|by|from|of|early|late|mid-|before|after|during)\\s+" .. YEAR .. "\\b(?![-–])") },
  }
end

local function month_number(name)
  return months[(name:lower():gsub("%.$", ""))]
end

local function valid(y, m, d)
  if not (y and m and d) or m < 1 or m > 12 or d < 1 then return false end
  local days = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  local leap = (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0
  return d <= (m == 2 and leap and 29 or days[m])
end

local function iso(y, m, d)
  if d then return ("%04d-%02d-%02d"):format(y, m, d) end
  return ("%04d-%02d"):format(y, m)
end

-- The value of one match, or nil when it is not a real date.
local function value(form, c, year)
  local n = tonumber
  if form == "iso" then
    local y, m, d = n(c[1]), n(c[2]), n(c[3])
    if valid(y, m, d) then return iso(y, m, d) end
  elseif form == "range" then
    local m, d1, d2, y = month_number(c[1]), n(c[2]), n(c[3]), n(c[4] or "")
    local inferred = y == nil
    y = y or year
    if y and valid(y, m, d1) and valid(y, m, d2) and d2 > d1 then
      return iso(y, m, d1) .. "/" .. iso(y, m, d2), inferred
    end
  elseif form == "month-day-year" then
    local m, d, y = month_number(c[1]), n(c[2]), n(c[3])
    if valid(y, m, d) then return iso(y, m, d) end
  elseif form == "day-month-year" then
    local d, m, y = n(c[1]), month_number(c[2]), n(c[3])
    if valid(y, m, d) then return iso(y, m, d) end
  elseif form == "month-day" or form == "day-month" then
    local m, d
    if form == "month-day" then m, d = month_number(c[1]), n(c[2]) else d, m = n(c[1]), month_number(c[2]) end
    -- "May 5" is a date; "may" the verb is lowercase and never matches (the month is capitalised).
    if year and valid(year, m, d) then return iso(year, m, d), true end
    if valid(2000, m, d) then return ("--%02d-%02d"):format(m, d), nil end
  elseif form == "month" then
    if year then return iso(year, month_number(c[1])), true end
  elseif form == "month-year" then
    return iso(n(c[2]), month_number(c[1]))
  elseif form == "year-range" then
    if n(c[2]) > n(c[1]) then return c[1] .. "/" .. c[2] end
  elseif form == "year" then
    return c[1]
  end
end

function M.tag(doc, ctx)
  patterns = patterns or compile()
  local text = doc.text
  local year
  local key = ctx.options.year_from
  if key ~= "" then
    local known = doc.meta[key]
    year = type(known) == "string" and tonumber(known:match("^(%d%d%d%d)")) or nil
  end
  local taken = {} -- byte ranges already tagged
  local function free(first, last)
    for _, r in ipairs(taken) do
      if first <= r[2] and last >= r[1] then return false end
    end
    return true
  end
  local found = {}
  for _, p in ipairs(patterns) do
    local init = 1
    while true do
      local m = p.re:exec(text, init)
      if not m then break end
      init = m.last + 1
      local first, last = m.first, m.last
      if p.form == "year" then -- only the year itself, not its cue word
        first = last - 3
      elseif p.form == "month" then
        first = last - #m[1] + 1
      end
      -- Months must be capitalised: "may", "march" are verbs.
      local ok = free(first, last)
      local word = type(m[1]) == "string" and m[1] or ""
      if ok and (p.form:find("^month") or p.form == "range") and not word:find("^%u") then ok = false end
      if ok and (p.form == "day-month" or p.form == "day-month-year") and not (m[2] or ""):find("^%u") then ok = false end
      if ok then
        local v, inferred = value(p.form, m, year)
        if v then
          taken[#taken + 1] = { first, last }
          found[#found + 1] = { first, last, p.form, v, inferred }
        end
      end
    end
  end
  table.sort(found, function(a, b) return a[1] < b[1] end)
  for _, f in ipairs(found) do
    local attrs = { value = f[4], form = f[3] }
    if f[5] then attrs.inferred_year = true end
    doc:add(ctx.options.layer, f[1], f[2], "DATE", attrs)
  end
end

return M
