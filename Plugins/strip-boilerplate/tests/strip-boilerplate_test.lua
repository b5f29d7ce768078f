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
    local out = T.run(docs, { min_docs = 3, phrases = "" })
    assert.equal(out[1].text, "Story A, first line.\nStory A goes on.\nRelated articles:\nPlease support us.\n")
    assert.equal(out[3].text, "Story C.\n")
    assert.equal(out[1].meta.boilerplate_lines, 2)
    -- another source is counted on its own: 1 document is not boilerplate there
    assert.equal(out[4].text, "Other site.\nDear readers,\nRemind me later.\n")
  end,
  ["a lower min_docs cuts more"] = function()
    local out = T.run(docs, { min_docs = 2, phrases = "" })
    assert.equal(out[1].text, "Story A, first line.\nStory A goes on.\n")
    assert.equal(out[2].text, "Story B.\n")
  end,
  ["sources come from the metadata field named by 'source'"] = function()
    local out = T.run(docs, { min_docs = 4, source = "none", phrases = "" })
    assert.equal(out[4].text, "Other site.\n")
  end,
  ["the phrase list cuts what one document alone shows: '>' phrases to the end"] = function()
    local text = "NEW YORK - The story.\nIt goes on.\nRelated articles:\nA Message from The Times:\nDear readers,\nWe need you.\n"
    local out = T.run({ text, "Story.\nShare this article\nMore story.\nRemind me later." })
    assert.equal(out[1].text, "NEW YORK - The story.\nIt goes on.\n")
    assert.equal(out[1].meta.boilerplate_lines, 4)
    assert.equal(out[2].text, "Story.\nMore story.\n")
  end,
  ["a phrase in the middle of a line is not a match"] = function()
    local text = "He said Related articles: were missing.\n"
    assert.equal(T.run({ text })[1].text, text)
  end,
}
