local T = folio.test
local assert = T.assert

return {
  ["moves a leading dateline into meta.date and cuts it"] = function()
    local docs = T.run({ " date 2024-06-27 A Kolokoltsev's arrival was announced." })
    assert.equal(docs[1].text, "A Kolokoltsev's arrival was announced.")
    assert.equal(docs[1].meta.date, "2024-06-27")
  end,
  ["Date: with a colon, and another field name"] = function()
    local docs = T.run({ "Date: 2025-03-11\nPortugal's labour minister met both sides." }, { field = "published" })
    assert.equal(docs[1].meta.published, "2025-03-11")
    assert.equal(docs[1].text, "Portugal's labour minister met both sides.")
  end,
  ["keep_text sets the date and leaves the text"] = function()
    local docs = T.run({ "date 2024-06-27 Text." }, { keep_text = true })
    assert.equal(docs[1].text, "date 2024-06-27 Text.")
    assert.equal(docs[1].meta.date, "2024-06-27")
  end,
  ["no dateline, a date later on, an impossible date, a longer number: untouched"] = function()
    local texts = {
      "The strike ended.",
      "The strike ended on date 2025-03-13.",
      "date 2024-02-30 Text.",
      "date 2024-06-271 Text.",
    }
    local docs = T.run(texts)
    for i, d in ipairs(docs) do
      assert.equal(d.text, texts[i])
      assert.equal(d.meta.date, nil)
    end
  end,
  ["leap years"] = function()
    assert.equal(T.run({ "date 2024-02-29 x" })[1].meta.date, "2024-02-29")
    assert.equal(T.run({ "date 2023-02-29 x" })[1].meta.date, nil)
  end,
  ["spans after the dateline move with the cut"] = function()
    local docs = T.run({ { text = "date 2024-06-27 UN talks", layers = { org = { { first = 17, last = 18, label = "ORG" } } } } })
    assert.equal(docs[1].layers.org[1].text, "UN")
    assert.equal(docs[1].layers.org[1].first, 1)
  end,
}
