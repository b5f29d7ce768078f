local T = folio.test
local assert = T.assert

return {
  ["finds whole tokens with context on both sides"] = function()
    local report = T.run({ { id = "a.txt", text = "The UN said. UNESCO and the UN agreed." } }, { word = "UN", width = 8 })
    assert.equal(report.columns, { "document", "position", "left", "keyword", "right" })
    assert.equal(report.rows, {
      { "a.txt", 5, "    The ", "UN", " said. U" },
      { "a.txt", 29, "and the ", "UN", " agreed." },
    })
  end,
  ["shows line breaks as spaces and counts characters, not bytes"] = function()
    local report = T.run({ "Über\nall: café Moscow\nnews" }, { word = "Moscow", width = 6 })
    assert.equal(report.rows[1][3], " café ")
  end,
  ["context windows never split a character"] = function()
    -- 2 characters of context read 16 bytes: the window starts inside a 3-byte character.
    local text = string.rep("€", 9) .. "x money " .. string.rep("é", 9)
    local report = T.run({ text }, { word = "money", width = 2 })
    assert.equal(report.rows[1][3], "x ")
    assert.equal(report.rows[1][5], " é")
  end,
  ["ignore_case matches any case"] = function()
    local report = T.run({ "Moscow MOSCOW moscow" }, { word = "moscow", ignore_case = true, width = 3 })
    assert.equal(#report.rows, 3)
  end,
  ["a possessive counts as the word"] = function()
    local report = T.run({ "Kolokoltsev’s visit. Kolokoltsev's aide. Kolokoltsevs." }, { word = "Kolokoltsev", width = 2 })
    assert.equal(#report.rows, 2)
    assert.equal(report.rows[1][4], "Kolokoltsev’s")
  end,
  ["pattern= finds a regular expression anywhere"] = function()
    local report = T.run({ "ceasefire, cease-fire and Ceasefire" }, { pattern = "cease-?fire", ignore_case = true, width = 3 })
    local keys = {}
    for i, r in ipairs(report.rows) do keys[i] = r[4] end
    assert.equal(keys, { "ceasefire", "cease-fire", "Ceasefire" })
    assert.equal(report.title, "kwic cease-?fire")
  end,
  ["layer= and label= show a layer's spans"] = function()
    local docs = { { text = "Volk met Lacroix in Moscow.", layers = { entity = {
      { first = 1, last = 4, label = "PERSON" }, { first = 10, last = 16, label = "PERSON" }, { first = 21, last = 26, label = "PLACE" },
    } } } }
    local report = T.run(docs, { layer = "entity", label = "PERSON", width = 4 })
    assert.equal(#report.rows, 2)
    assert.equal(report.rows[2][4], "Lacroix")
    assert.equal(report.title, "kwic entity:PERSON")
  end,
  ["sort=left orders by the words before, nearest first; sort=right by the words after"] = function()
    local text = "a zebra said no. the cat said yes. one bird said maybe."
    local left = T.run({ text }, { word = "said", sort = "left", width = 10 })
    local right = T.run({ text }, { word = "said", sort = "right", width = 10 })
    local function after(r) local out = {} for i, row in ipairs(r.rows) do out[i] = row[5]:match("%S+") end return out end
    assert.equal(after(left), { "maybe.", "yes.", "no." }) -- bird, cat, zebra
    assert.equal(after(right), { "maybe.", "no.", "yes." })
  end,
  ["one of word=, pattern=, layer= is needed, and only one; sort is checked"] = function()
    assert.error_matches(function() T.run({ "x" }) end, "give word=, pattern= or layer=")
    assert.error_matches(function() T.run({ "x" }, { word = "x", pattern = "x" }) end, "only one of")
    assert.error_matches(function() T.run({ "x" }, { word = "x", sort = "middle" }) end, "option 'sort' must be")
  end,
}
