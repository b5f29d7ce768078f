local T = folio.test
local assert = T.assert

local function spans(doc, layer)
  local out = {}
  for i, s in ipairs(doc.layers[layer or "entity"] or {}) do
    out[i] = s.text .. "/" .. (s.label or "")
  end
  return out
end

return {
  ["tags names with their labels, longest first, possessives left out"] = function()
    local docs = T.run({
      "Dockworkers at the Port of Lisbon followed Marta Quintela's call; Atlantica Terminals refused.",
    }, { file = T.fixture_path("names.txt") })
    assert.equal(spans(docs[1]), {
      "Port of Lisbon/PLACE", "Marta Quintela/PERSON", "Atlantica Terminals/ORG",
    })
    assert.equal(docs[1].layers.entity[1].attrs, { entry = "Port of Lisbon", source = "gazetteer" })
  end,
  ["ignore_case and a default label"] = function()
    local docs = T.run({ "LISBON and lisbon" }, {
      file = T.fixture_path("names.txt"), ignore_case = true, layer = "place",
    })
    assert.equal(spans(docs[1], "place"), { "LISBON/PLACE", "lisbon/PLACE" })
  end,
  ["the file is required and must exist"] = function()
    assert.error_matches(function() T.run({ "x" }) end, "option 'file' is required")
    assert.error_matches(function() T.run({ "x" }, { file = "no/such/file.txt" }) end,
      "option 'file': cannot read no/such/file.txt")
  end,
}
