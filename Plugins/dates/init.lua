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
-- With relative = true and a full date in meta.date (the day the article was written), also:
--
--   today, yesterday, tomorrow          -> 2024-06-27, 2024-06-26, 2024-06-28  (relative)
--   on Friday, last Tuesday, next Monday -> the nearest such day before (or, with next or a
--                                         future verb in the sentence, after) the article's day
--   last year, this month, next year    -> 2023, 2024-06, 2025
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

local WEEKDAYS = {
  monday = 1, tuesday = 2, wednesday = 3, thursday = 4, friday = 5, saturday = 6, sunday = 7,
}

-- Days from 1970-01-01 of a civil date, and back (Howard Hinnant's algorithms).
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return m <= 2 and y + 1 or y, m, d
end

-- Words that put a sentence in the future: a bare weekday in it is the next one.
local FUTURE = { "will", "'ll", "’ll", "shall", "going to", "due to", "is due", "are due", "expected to", "plans to", "plan to", "scheduled" }

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
    { form = "relative", re = re("\\b(today|yesterday|tomorrow)\\b", "i") },
    { form = "weekday", re = re("\\b(?:(last|next|this|on|by|until|since|from)\\s+)?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:'s|’s)?\\b") },
    { form = "relative", re = re("\\b(last|this|next)\\s+(year|month)\\b", "i") },
  }
end

-- The sentence around byte `at` (from the previous . ! ? to the next one), lowercased.
local function sentence_at(text, at)
  local from = at
  while from > 1 and not text:sub(from - 1, from - 1):find("[.!?\n]") do from = from - 1 end
  local to = text:find("[.!?\n]", at) or #text
  return text:sub(from, to):lower()
end

-- The value of a date relative to the article's day `base` ({y, m, d}), or nil.
local function relative(form, m, text, base)
  if not base then return nil end
  local today = days_from_civil(base[1], base[2], base[3])
  if form == "weekday" then
    local cue, name = (m[1] or ""):lower(), m[2]:lower()
    local want = WEEKDAYS[name]
    local now = (today + 3) % 7 + 1 -- 1970-01-01 was a Thursday (4)
    local future = cue == "next"
    if cue ~= "last" and cue ~= "next" then
      local sentence = sentence_at(text, m.first)
      for _, w in ipairs(FUTURE) do
        if sentence:find(w, 1, true) then future = true break end
      end
    end
    local delta
    if future then
      delta = (want - now) % 7
      if delta == 0 and cue == "next" then delta = 7 end
    else
      delta = -((now - want) % 7)
      if delta == 0 and cue == "last" then delta = -7 end
    end
    return ("%04d-%02d-%02d"):format(civil_from_days(today + delta))
  end
  local word, unit = m[1]:lower(), (m[2] or ""):lower()
  if word == "today" then return ("%04d-%02d-%02d"):format(base[1], base[2], base[3]) end
  if word == "yesterday" then return ("%04d-%02d-%02d"):format(civil_from_days(today - 1)) end
  if word == "tomorrow" then return ("%04d-%02d-%02d"):format(civil_from_days(today + 1)) end
  local step = word == "last" and -1 or word == "next" and 1 or 0
  if unit == "year" then return ("%04d"):format(base[1] + step) end
  local k = base[1] * 12 + base[2] - 1 + step
  return ("%04d-%02d"):format(k // 12, k % 12 + 1)
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
  local year, base
  local key = ctx.options.year_from
  if key ~= "" then
    local known = doc.meta[key]
    year = type(known) == "string" and tonumber(known:match("^(%d%d%d%d)")) or nil
    -- The article's day, for "yesterday" and "on Friday".
    local y, mo, d = (type(known) == "string" and known or ""):match("^(%d%d%d%d)-(%d%d)-(%d%d)")
    if y and ctx.options.relative and valid(tonumber(y), tonumber(mo), tonumber(d)) then
      base = { tonumber(y), tonumber(mo), tonumber(d) }
    end
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
      if ok and (p.form == "weekday" or p.form == "relative") then
        -- Only with the article's day to count from; the span is the words that say the day.
        local v = relative(p.form, m, text, base)
        if v then
          if p.form == "weekday" then
            -- "last Friday" and "next Monday" say the day with their cue; "on Friday" says it
            -- with the weekday alone; "Friday's" without the "'s".
            local k = text:sub(m.first, m.last):find(m[2], 1, true)
            local name = m.first + k - 1
            local cue = (m[1] or ""):lower()
            first = (cue == "last" or cue == "next" or cue == "this") and m.first or name
            last = name + #m[2] - 1
          end
          taken[#taken + 1] = { first, last }
          found[#found + 1] = { first, last, p.form, v, nil, true }
        end
        ok = false
      end
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
    if f[6] then attrs.relative_to = base and ("%04d-%02d-%02d"):format(base[1], base[2], base[3]) end
    doc:add(ctx.options.layer, f[1], f[2], "DATE", attrs)
  end
end

return M
