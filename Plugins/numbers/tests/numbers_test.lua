local T = folio.test
local assert = T.assert

local function numbers(text)
  local out = {}
  for i, s in ipairs(T.run({ text })[1].layers.number or {}) do
    out[i] = s.text .. "=" .. s.label .. ":" .. string.format("%.15g", s.attrs.value) .. (s.attrs.currency and (" " .. s.attrs.currency) or "")
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
}
