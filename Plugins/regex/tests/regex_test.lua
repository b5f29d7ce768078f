local T = folio.test
local assert = T.assert

return {
  ["tags every match, with a label"] = function()
    local docs = T.run({ "On 2024-06-27 and 2025-01-02." }, {
      pattern = [[\d{4}-\d\d-\d\d]], layer = "date", label = "ISO",
    })
    local spans = docs[1].layers.date
    assert.equal(#spans, 2)
    assert.equal({ spans[1].first, spans[1].last, spans[1].text, spans[1].label }, { 4, 13, "2024-06-27", "ISO" })
  end,
  ["flags: any case, Unicode classes"] = function()
    local docs = T.run({ "Ärger ärger ÄRGER" }, { pattern = [[\bärger\b]], flags = "i" })
    assert.equal(#docs[1].layers.match, 3)
  end,
  ["a bad pattern is an error naming it"] = function()
    assert.error_matches(function() T.run({ "x" }, { pattern = "(unclosed" }) end,
      "invalid regex at byte 10: missing closing parenthesis")
  end,
}
