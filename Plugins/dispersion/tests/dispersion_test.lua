local T = folio.test
local assert = T.assert

return {
  ["occurrences per document, positions, range and Juilland's D"] = function()
    local r = T.run({
      { id = "a", text = "strike one two three four strike six seven eight nine" },
      { id = "b", text = "no word here at all" },
      { id = "c", text = "the Strike ended" },
    }, { word = "strike" })
    assert.equal(r.columns, { "document", "occurrences", "per_thousand", "where" })
    assert.equal(r.rows, { { "a", 2, 200.0, "0% 49%" }, { "c", 1, 333.3, "25%" } })
    assert.truthy(r.title:find("2 of 3 documents, Juilland's D 0.", 1, true))
    assert.truthy(r.svg:find("<svg", 1, true))
  end,
  ["word is required"] = function()
    assert.error_matches(function() T.run({ "x" }) end, "option 'word' is required")
  end,
}
