local T = folio.test
local assert = T.assert

local function texts(doc, layer)
  local out = {}
  for i, s in ipairs(doc.layers[layer] or {}) do out[i] = s.text .. (s.label and ("/" .. s.label) or "") end
  return out
end

return {
  ["every hit becomes a span of the layer, with the label"] = function()
    local docs = T.run({ "The cease fire held. A cease fire again." }, { cql = [["cease" "fire"]], layer = "truce", label = "T" })
    assert.equal(texts(docs[1], "truce"), { "cease fire/T", "cease fire/T" })
  end,
  ["repetition, flags and within sentences"] = function()
    local docs = T.run({ "Money talks. MONEY walks, money." }, { cql = [["money"%c [] within s]] })
    assert.equal(texts(docs[1], "query"), { "Money talks", "MONEY walks", "money." })
  end,
  ["layers written before are structures"] = function()
    local docs = { { text = "Volk met Lacroix in Moscow.", layers = { entity = {
      { first = 1, last = 4, label = "PERSON" }, { first = 10, last = 16, label = "PERSON" }, { first = 21, last = 26, label = "PLACE" },
    } } } }
    local out = T.run(docs, { cql = [[<entity label="PERSON"/> [] <entity label!="PERSON"/>]] })
    assert.equal(texts(out[1], "query"), { "Lacroix in Moscow" })
  end,
  ["a syntax error points at the column; cql is required"] = function()
    assert.error_matches(function() T.run({ "x" }, { cql = [=[[word="x"]=] }) end, "CQL syntax error at column 10: expected ']'")
    assert.error_matches(function() T.run({ "x" }) end, "option 'cql' is required")
  end,
}
