local T = folio.test
local assert = T.assert

local function ids(list)
  local out = {}
  for i, d in ipairs(list) do out[i] = d.id end
  return out
end

local docs = {
  { id = "short", text = "Read more." },
  { id = "three", text = "Three words, 2024." },
  { id = "long", text = string.rep("word ", 60) },
}

return {
  ["drops documents with too few words"] = function()
    assert.equal(ids(T.run(docs)), { "long" })
    assert.equal(ids(T.run(docs, { words = 3 })), { "three", "long" })
  end,
  ["chars counts characters, not bytes"] = function()
    assert.equal(ids(T.run({ { id = "x", text = "東京東京" } }, { words = 0, chars = 4 })), { "x" })
    assert.equal(ids(T.run({ { id = "x", text = "東京東京" } }, { words = 0, chars = 5 })), {})
  end,
}
