local T = folio.test
local assert = T.assert

return {
  ["an empty corpus has no spans"] = function()
    assert.equal(T.run({ "plain text" }).rows, {})
  end,
  ["counts spans and documents by layer and label, sorted"] = function()
    local docs = {
      { text = "UN and UN in Moscow", layers = { entity = { { 1, 2, "ORG" }, { 8, 9, "ORG" }, { 14, 19, "PLACE" } } } },
      { text = "UN again", layers = { entity = { { 1, 2, "ORG" } }, date = { { 4, 8 } } } },
    }
    assert.equal(T.run(docs).rows, {
      { "date", "", 1, 1 },
      { "entity", "ORG", 3, 2 },
      { "entity", "PLACE", 1, 1 },
    })
    assert.equal(#T.run(docs, { layer = "date" }).rows, 1)
  end,
}
