local T = folio.test
local assert = T.assert

local docs = {
  { id = "a.txt", text = "The minister told the BBC on Monday." },
  { id = "b.txt", text = "No quotes here." },
  { id = "c.txt", text = "He TOLD THE BBC so." },
}

local function ids(list)
  local out = {}
  for i, d in ipairs(list) do out[i] = d.id end
  return out
end

return {
  ["drops documents that contain the phrase"] = function()
    assert.equal(ids(T.run(docs, { phrase = "told the BBC" })), { "b.txt", "c.txt" })
  end,
  ["keep_matching keeps only them"] = function()
    assert.equal(ids(T.run(docs, { phrase = "told the BBC", keep_matching = true })), { "a.txt" })
  end,
  ["ignore_case matches any case"] = function()
    assert.equal(ids(T.run(docs, { phrase = "told the bbc", ignore_case = true })), { "b.txt" })
  end,
  ["the phrase is plain text, not a pattern"] = function()
    assert.equal(ids(T.run({ "costs 5% more", "costs 5 more" }, { phrase = "5%" })), { "doc2.txt" })
  end,
  ["the phrase is required"] = function()
    assert.error_matches(function() T.run(docs) end, "option 'phrase' is required")
  end,
}
