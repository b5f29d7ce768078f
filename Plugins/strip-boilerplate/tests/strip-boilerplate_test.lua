local T = folio.test
local assert = T.assert

local appeal = "Related articles:\nDear readers,\nPlease support us.\nRemind me later.\n"
local docs = {
  { id = "a.txt", text = "Story A, first line.\nStory A goes on.\n" .. appeal, meta = { folder = "site" } },
  { id = "b.txt", text = "Story B.\n" .. appeal, meta = { folder = "site" } },
  { id = "c.txt", text = "Story C.\n  Dear readers,  \nRemind me later.\n", meta = { folder = "site" } },
  { id = "d.txt", text = "Other site.\nDear readers,\nRemind me later.\n", meta = { folder = "other" } },
}

return {
  ["cuts lines repeated in min_docs documents of a source, and keeps stories whole"] = function()
    local out = T.run(docs, { min_docs = 3 })
    assert.equal(out[1].text, "Story A, first line.\nStory A goes on.\nRelated articles:\nPlease support us.\n")
    assert.equal(out[3].text, "Story C.\n")
    assert.equal(out[1].meta.boilerplate_lines, 2)
    -- another source is counted on its own: 1 document is not boilerplate there
    assert.equal(out[4].text, "Other site.\nDear readers,\nRemind me later.\n")
  end,
  ["a lower min_docs cuts more"] = function()
    local out = T.run(docs, { min_docs = 2 })
    assert.equal(out[1].text, "Story A, first line.\nStory A goes on.\n")
    assert.equal(out[2].text, "Story B.\n")
  end,
  ["sources come from the metadata field named by 'source'"] = function()
    local out = T.run(docs, { min_docs = 4, source = "none" })
    assert.equal(out[4].text, "Other site.\n")
  end,
}
