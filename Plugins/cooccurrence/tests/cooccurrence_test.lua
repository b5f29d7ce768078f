local T = folio.test
local assert = T.assert

local function doc(text, spans)
  return { text = text, layers = { entity = spans } }
end

-- "Volk met Lacroix. Volk left. UN and Volk agreed." with spans on the names.
local d1 = doc("Volk met Lacroix. Volk left. UN and Volk agreed.", {
  { first = 1, last = 4, label = "PERSON" }, { first = 10, last = 16, label = "PERSON" },
  { first = 19, last = 22, label = "PERSON" }, { first = 30, last = 31, label = "ORG" },
  { first = 37, last = 40, label = "PERSON" },
})

return {
  ["pairs within sentences, counted once per sentence, most frequent first"] = function()
    local r = T.run({ d1, d1 })
    assert.equal(r.columns, { "a", "b", "sentences", "documents" })
    assert.equal(r.rows, {
      { "Lacroix (PERSON)", "Volk (PERSON)", 2, 2 },
      { "UN (ORG)", "Volk (PERSON)", 2, 2 },
    })
  end,
  ["within=document pairs everything in a document; labels= filters"] = function()
    local r = T.run({ d1 }, { within = "document", labels = "PERSON" })
    assert.equal(r.rows, { { "Lacroix (PERSON)", "Volk (PERSON)", 1, 1 } })
  end,
  ["spellings differing in case or a leading The are one name, shown as most often written"] = function()
    local text = "The Union met Lisbon officials. LISBON and the union agreed. Union and Lisbon signed."
    local d = doc(text, {
      { first = 1, last = 9, label = "ORG" }, { first = 15, last = 20, label = "PLACE" },
      { first = 33, last = 38, label = "PLACE" }, { first = 44, last = 52, label = "ORG" },
      { first = 62, last = 66, label = "ORG" }, { first = 72, last = 77, label = "PLACE" },
    })
    local r = T.run({ d })
    assert.equal(r.rows, { { "Lisbon (PLACE)", "Union (ORG)", 3, 1 } })
  end,
  ["a name inside a longer one is not paired with it"] = function()
    local d = doc("BBC News asked Blair.", {
      { first = 1, last = 3, label = "ORG" }, { first = 1, last = 8, label = "ORG" },
      { first = 16, last = 20, label = "PERSON" },
    })
    assert.equal(T.run({ d }).rows, { { "BBC News (ORG)", "Blair (PERSON)", 1, 1 } })
  end,
  ["within is checked"] = function()
    assert.error_matches(function() T.run({ d1 }, { within = "paragraph" }) end, "option 'within' must be sentence or document")
  end,
}
