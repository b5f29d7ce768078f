local T = folio.test
local assert = T.assert

local function ids(list)
  local out = {}
  for i, d in ipairs(list) do out[i] = d.id end
  return out
end

local docs = {
  { id = "a", text = "x", meta = { folder = "sport", bytes = 3000 } },
  { id = "b", text = "x", meta = { folder = "tech", bytes = 100 } },
  { id = "c", text = "x", meta = { folder = "sport", bytes = 10, date = "2025-03-01" } },
}

return {
  ["keeps documents whose metadata match"] = function()
    assert.equal(ids(T.run(docs, { where = "folder == 'sport' and bytes > 2000" })), { "a" })
    assert.equal(ids(T.run(docs, { where = "date and date >= '2025'" })), { "c" })
    assert.equal(ids(T.run(docs, { where = "contains(id, 'b') or lower(folder) == 'sport'" })), { "a", "b", "c" })
  end,
  ["a bad expression is a clear error; so is one that fails"] = function()
    assert.error_matches(function() T.run(docs, { where = "folder ==" }) end, "option 'where' is not a Lua expression")
    assert.error_matches(function() T.run(docs, { where = "bytes > 'x'" }) end, "option 'where' failed on this document")
    assert.error_matches(function() T.run(docs) end, "option 'where' is required")
  end,
  ["the expression cannot reach the outside"] = function()
    assert.error_matches(function() T.run(docs, { where = "os.getenv('HOME')" }) end, "failed on this document")
  end,
  ["a comparison with a missing value drops the document, as SQL does"] = function()
    assert.equal(ids(T.run(docs, { where = "date >= '2025'" })), { "c" })
    local scored = { { id = "s", text = "x", meta = { score = 4 } }, { id = "t", text = "x", meta = {} } }
    assert.equal(ids(T.run(scored, { where = "score + 1 > 3" })), { "s" })
  end,
}
