local T = folio.test
local assert = T.assert

local function numbers(text)
  local out = {}
  for i, s in ipairs(T.run({ text })[1].layers.number or {}) do
    local v = type(s.attrs.value) == "number" and string.format("%.15g", s.attrs.value) or s.attrs.value
    out[i] = s.text .. "=" .. s.label .. ":" .. v .. (s.attrs.currency and (" " .. s.attrs.currency) or "")
  end
  return out
end

return {
  ["money, percentages and numbers with their values"] = function()
    assert.equal(numbers("It lost 3.2 million euros, offered a 4.5 percent raise to 1,200 workers and $2 a month; €5bn and 7% later, 80 officers."), {
      "3.2 million euros=MONEY:3200000 EUR", "4.5 percent=PERCENT:4.5", "1,200=NUMBER:1200", "$2=MONEY:2 USD",
      "€5bn=MONEY:5000000000 EUR", "7%=PERCENT:7", "80=NUMBER:80",
    })
  end,
  ["dates, versions and codes are not numbers"] = function()
    assert.equal(numbers("On 2024-06-27 version 1.2.3 of COVID-19 tools shipped."), {})
  end,
  ["a time of day is one TIME, not two numbers"] = function()
    assert.equal(numbers("It berthed at 6:40 on Friday, left at 10:30 pm and 7.15am; the 12:05:30 train."), {
      "6:40=TIME:06:40", "10:30 pm=TIME:22:30", "7.15am=TIME:07:15", "12:05:30=TIME:12:05:30",
    })
    -- A ratio is not a time of day.
    assert.equal(numbers("At 2:1 odds."), { "2=NUMBER:2", "1=NUMBER:1" })
  end,
  ["a year in a year's context is a YEAR; other four-digit numbers stay numbers"] = function()
    assert.equal(numbers("In 2024 the firm, founded in 1999, hired 2000 people; by June 26, 2024 it grew. 2023's best, 1914-1918."), {
      "2024=YEAR:2024", "1999=YEAR:1999", "2000=NUMBER:2000", "26=NUMBER:26", "2024=YEAR:2024", "2023=YEAR:2023",
    })
    local r = T.run({ "Founded in 1999." }, { years = false })[1].layers.number
    assert.equal(r[1].label, "NUMBER")
  end,
}
