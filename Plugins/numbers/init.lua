-- numbers: amounts of money (MONEY: "$2", "3.2 million euros", "€5bn", "£1,200"), percentages
-- (PERCENT: "4.5 percent", "7%") and other numbers (NUMBER: "1,200", "80", "twelve" is not
-- handled), each with attrs.value (a number; "million"/"bn" multiply) and, for money,
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
    { kind = "NUMBER", re = re("(?<![\\w.,-])" .. NUM .. SCALEW .. "(?![\\w,.-]?\\d)") },
  }
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
        else
          attrs = { value = number(m[1], m[2] or nil) }
        end
        if attrs.value then
          taken[#taken + 1] = { m.first, m.last }
          found[#found + 1] = { m.first, m.last, p.kind, attrs }
        end
      end
    end
  end
  table.sort(found, function(a, b) return a[1] < b[1] end)
  for _, f in ipairs(found) do doc:add(ctx.options.layer, f[1], f[2], f[3], f[4]) end
end

return M
