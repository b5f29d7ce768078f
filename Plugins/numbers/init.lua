-- numbers: amounts of money (MONEY: "$2", "3.2 million euros", "€5bn", "£1,200"), percentages
-- (PERCENT: "4.5 percent", "7%"), times of day (TIME: "6:40", "10:30 pm"), years (YEAR: "in
-- 2024", "2023's") and other numbers (NUMBER: "1,200", "80", "twelve" is not handled), each
-- with attrs.value (a number; "million"/"bn" multiply; a time "HH:MM") and, for money,
-- attrs.currency (USD, EUR, GBP, JPY, or the word as written).
local M = {}

local SCALE = { thousand = 1e3, million = 1e6, m = 1e6, billion = 1e9, bn = 1e9, b = 1e9, trillion = 1e12, tn = 1e12 }
local SYMBOL = { ["$"] = "USD", ["€"] = "EUR", ["£"] = "GBP", ["¥"] = "JPY" }
local WORD = { dollars = "USD", dollar = "USD", euros = "EUR", euro = "EUR", pounds = "GBP", pound = "GBP", yen = "JPY" }

local NUM = "(\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?)"
local SCALEW = "(?:\\s*(thousand|million|billion|trillion|bn|tn|m|b)\\b)?"
local patterns

local function compile()
  local re = folio.re.compile
  return {
    { kind = "MONEY", re = re("([$€£¥])\\s?" .. NUM .. SCALEW) },
    { kind = "MONEY", re = re("\\b" .. NUM .. SCALEW .. "\\s+(dollars?|euros?|pounds?|yen)\\b") },
    { kind = "PERCENT", re = re("\\b" .. NUM .. "\\s*(?:%|per\\s?cent\\b)") },
    -- 6:40, 18:30:15, 10:30 pm, 7.15am: a time, not two numbers.
    { kind = "TIME", re = re("(?<![\\w.:,])([01]?\\d|2[0-3])(?::([0-5]\\d)(?::([0-5]\\d))?(?:\\s*([ap])\\.?m\\b\\.?)?|[.:]([0-5]\\d)\\s*([ap])\\.?m\\b\\.?)(?![\\w:]|[.,]\\d)") },
    { kind = "NUMBER", re = re("(?<![\\w.,-])" .. NUM .. SCALEW .. "(?![\\w,.-]?\\d)") },
  }
end

-- Words before a year ("in 2024", "since 1999") and months before one ("June 2024").
local YEAR_CUES = {
  ["in"] = true, ["since"] = true, ["until"] = true, ["till"] = true, ["by"] = true, ["from"] = true,
  ["of"] = true, ["during"] = true, ["before"] = true, ["after"] = true, ["early"] = true,
  ["late"] = true, ["mid"] = true, ["year"] = true, ["season"] = true, ["around"] = true,
  ["circa"] = true, ["january"] = true, ["february"] = true, ["march"] = true, ["april"] = true,
  ["may"] = true, ["june"] = true, ["july"] = true, ["august"] = true, ["september"] = true,
  ["october"] = true, ["november"] = true, ["december"] = true, ["jan"] = true, ["feb"] = true,
  ["mar"] = true, ["apr"] = true, ["jun"] = true, ["jul"] = true, ["aug"] = true, ["sep"] = true,
  ["sept"] = true, ["oct"] = true, ["nov"] = true, ["dec"] = true,
}

-- Whether the bare whole number text[first..last] is a year: 1500-2099, four digits, after a
-- cue word or a day of the month ("June 26, 2024"), or before "'s" or a year range's dash.
local function is_year(text, first, last)
  local digits = text:sub(first, last)
  if not digits:find("^%d%d%d%d$") then return false end
  local y = tonumber(digits)
  if y < 1500 or y > 2099 then return false end
  local before = text:sub(math.max(1, first - 24), first - 1)
  local word = before:match("([%a]+)[%s%-]*$")
  if word and YEAR_CUES[word:lower()] then return true end
  if before:find("%a+%.?%s+%d%d?,%s*$") then return true end -- June 26, 2024
  local after = text:sub(last + 1, last + 3)
  return after:find("^['’]s") ~= nil or after:find("^%s*[-–]%s*%d") ~= nil
end

local function number(text, scale)
  local v = tonumber((text:gsub(",", "")))
  if v and scale and scale ~= "" then v = v * (SCALE[scale:lower()] or 1) end
  return v
end

function M.tag(doc, ctx)
  patterns = patterns or compile()
  local text, taken, found = doc.text, {}, {}
  local function free(a, b)
    for _, r in ipairs(taken) do if a <= r[2] and b >= r[1] then return false end end
    return true
  end
  for _, p in ipairs(patterns) do
    local init = 1
    while true do
      local m = p.re:exec(text, init)
      if not m then break end
      init = m.last + 1
      if free(m.first, m.last) then
        local attrs
        if p.kind == "MONEY" and SYMBOL[m[1]] then
          attrs = { value = number(m[2], m[3] or nil), currency = SYMBOL[m[1]] }
        elseif p.kind == "MONEY" then
          attrs = { value = number(m[1], m[2] or nil), currency = WORD[m[3]:lower()] or m[3] }
        elseif p.kind == "PERCENT" then
          attrs = { value = number(m[1]) }
        elseif p.kind == "TIME" then
          local h, min, sec, half = tonumber(m[1]), m[2] or m[5], m[3], m[4] or m[6]
          if half then
            if h < 1 or h > 12 then h = nil
            elseif half:lower() == "p" and h < 12 then h = h + 12
            elseif half:lower() == "a" and h == 12 then h = 0 end
          end
          attrs = { value = h and (("%02d:%s"):format(h, min) .. (sec and (":" .. sec) or "")) or nil }
        else
          attrs = { value = number(m[1], m[2] or nil) }
        end
        local kind = p.kind
        if kind == "NUMBER" and (m[2] or "") == "" and ctx.options.years and is_year(text, m.first, m.last) then
          kind = "YEAR"
        end
        if attrs.value then
          taken[#taken + 1] = { m.first, m.last }
          found[#found + 1] = { m.first, m.last, kind, attrs }
        end
      end
    end
  end
  table.sort(found, function(a, b) return a[1] < b[1] end)
  for _, f in ipairs(found) do doc:add(ctx.options.layer, f[1], f[2], f[3], f[4]) end
end

return M
