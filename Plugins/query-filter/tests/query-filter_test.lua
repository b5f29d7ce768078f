local T = folio.test
local assert = T.assert

local function ids(list)
  local out = {}
  for i, d in ipairs(list) do out[i] = d.id end
  return out
end

local docs = {
  { id = "a", text = "The ceasefire held." },
  { id = "b", text = "No news. Ceasefire? A ceasefire." },
  { id = "c", text = "Nothing here." },
}

return {
  ["keeps the documents with hits"] = function()
    assert.equal(ids(T.run(docs, { cql = [["ceasefire"%c]] })), { "a", "b" })
    assert.equal(ids(T.run(docs, { cql = [["ceasefire"%c]], min = 2 })), { "b" })
  end,
  ["drop=true keeps the others"] = function()
    assert.equal(ids(T.run(docs, { cql = [["ceasefire"%c]], drop = true })), { "c" })
  end,
  ["cql is required"] = function()
    assert.error_matches(function() T.run(docs) end, "option 'cql' is required")
  end,
}
