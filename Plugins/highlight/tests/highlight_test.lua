local T = folio.test
local assert = T.assert

local doc = { id = "a<b>.txt", text = "Irina Volk & the UN\nmet.", layers = {
  entity = { { first = 1, last = 10, label = "PERSON" }, { first = 18, last = 19, label = "ORG" } },
  name = { { first = 7, last = 10, label = "SURNAME" } },
} }

return {
  ["marks spans, escapes text, nests overlapping spans and counts labels"] = function()
    local r = T.run({ doc })
    assert.equal(r.rows, { { "entity", "ORG", 1 }, { "entity", "PERSON", 1 }, { "name", "SURNAME", 1 } })
    local html = r.html
    assert.truthy(html:find('<h2>a&lt;b&gt;.txt</h2>', 1, true))
    assert.truthy(html:find('<mark class="c2">Irina <span', 1, true) == nil)
    assert.truthy(html:find('<mark class="c2">Irina </mark><mark class="c2"><mark class="c3">Volk<span class="label">name:SURNAME</span></mark><span class="label">entity:PERSON</span></mark> &amp; the <mark class="c1">UN<span class="label">entity:ORG</span></mark><br/>', 1, true))
  end,
  ["layers= picks layers; limit= caps the documents"] = function()
    local r = T.run({ doc, doc, doc }, { layers = "name", limit = 2 })
    assert.equal(r.rows, { { "name", "SURNAME", 1 * 2 } })
    assert.truthy(r.html:find("<h1>2 of 3 documents</h1>", 1, true))
  end,
}
