local T = folio.test
local assert = T.assert

local a = "Markets rose on Monday as investors welcomed the central bank's decision to hold rates, and shares in banks led the gains in London, Paris and Frankfurt after a week of losses across Europe."
return {
  ["lists each duplicate with the document kept and its similarity"] = function()
    local r = T.run({
      { id = "1.txt", text = a }, { id = "2.txt", text = "Something else entirely, about a football match." },
      { id = "3.txt", text = a }, { id = "4.txt", text = a .. " Shares closed higher." },
    }, { threshold = 0.8 })
    assert.equal(r.columns, { "cluster", "kept", "duplicate", "similarity" })
    assert.equal(r.rows[1], { 1, "1.txt", "3.txt", 1.0 })
    assert.equal(r.rows[2][3], "4.txt")
    assert.equal(#r.rows, 2)
    assert.equal(r.title, "duplicates: 1 clusters, 2 documents to drop of 4")
  end,
}
