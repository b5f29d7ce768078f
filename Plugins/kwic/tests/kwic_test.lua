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
  ["cql= finds the hits of a query; context= gives whole tokens or the sentence"] = function()
    local text = "He said that it rained. She said, in the end, that it did not."
    local r = T.run({ text }, { cql = [["said" []{0,3} "that" within s]], width = 5 })
    assert.equal(#r.rows, 1)
    assert.equal(r.rows[1], { "doc1.txt", 4, "  He ", "said that", " it r" })
    assert.equal(r.title, [[kwic "said" []{0,3} "that" within s]])
    r = T.run({ text }, { cql = [["said"]], context = "2" })
    assert.equal(r.rows[1][3], "   He ") -- padded to the widest left context
    assert.equal(r.rows[1][5], " that it")
    assert.equal(r.rows[2][3], ". She ")
    assert.equal(r.rows[2][5], ", in")
    r = T.run({ text }, { cql = [["said"]], context = "s" })
    assert.equal({ r.rows[2][3], r.rows[2][5] }, { "She ", ", in the end, that it did not." })
    assert.error_matches(function() T.run({ text }, { cql = [["said"]], context = "x" }) end, "option 'context' must be")
  end,
  ["one of word=, pattern=, layer= is needed, and only one; sort is checked"] = function()
    assert.error_matches(function() T.run({ "x" }) end, "give word=, pattern=, cql= or layer=")
    assert.error_matches(function() T.run({ "x" }, { word = "x", pattern = "x" }) end, "only one of")
    assert.error_matches(function() T.run({ "x" }, { word = "x", sort = "middle" }) end, "option 'sort' must be")
  end,
  ["multi-level sorting: L1 then R1, case-folded, punctuation skipped"] = function()
    local text = "The Bank said yes. a bank, said no. the bank said maybe. A bank: said always."
    local r = T.run({ text }, { word = "said", sort = "L1+L2+R1", width = 12 })
    local function rights(rep) local out = {} for i, row in ipairs(rep.rows) do out[i] = row[5]:match("%S+") end return out end
    -- L1 is "bank" for all (punctuation skipped, case folded); L2 a, a, the, the; then R1.
    assert.equal(rights(r), { "always.", "no.", "maybe.", "yes." })
    assert.equal(r.title, "kwic said sorted by L1+L2+R1")
    -- With sort_case, "The" and "A" sort before "a" and "the" (bytes); with sort_punct, "," and ":" are L1.
    assert.equal(rights(T.run({ text }, { word = "said", sort = "L2 R1", sort_case = true, width = 12 })), { "always.", "yes.", "no.", "maybe." })
    assert.equal(rights(T.run({ text }, { word = "said", sort = "L1", sort_punct = true, width = 12 })), { "no.", "always.", "yes.", "maybe." })
  end,
  ["the keyword level ignores case and punctuation; ties keep corpus order"] = function()
    local r = T.run({ { id = "b", text = "Zeta. alpha. ALPHA" }, { id = "a", text = "alpha" } },
      { pattern = "[a-zA-Z]+\\.?", sort = "K", width = 2 })
    local keys = {}
    for i, row in ipairs(r.rows) do keys[i] = row[1] .. ":" .. row[4] end
    assert.equal(keys, { "a:alpha", "b:alpha.", "b:ALPHA", "b:Zeta." })
  end,
  ["sample= keeps a seeded random choice of lines, in corpus order"] = function()
    local docs = {}
    for i = 1, 30 do docs[i] = { id = ("d%02d"):format(i), text = "the money " .. i } end
    local a = T.run(docs, { word = "money", sample = 5, seed = 7, width = 3 })
    local b = T.run(docs, { word = "money", sample = 5, seed = 7, width = 3 })
    local c = T.run(docs, { word = "money", sample = 5, seed = 8, width = 3 })
    local function ids(r) local out = {} for i, row in ipairs(r.rows) do out[i] = row[1] end return table.concat(out, " ") end
    assert.equal(#a.rows, 5)
    assert.equal(ids(a), ids(b))
    assert.truthy(ids(a) ~= ids(c))
    local sorted = {}
    for i, row in ipairs(a.rows) do sorted[i] = row[1] end
    table.sort(sorted)
    assert.equal(ids(a), table.concat(sorted, " "))
    assert.equal(a.title, "kwic money (5 random lines of 30, seed 7)")
    assert.equal(a.provenance.lines, 30)
    assert.equal(#T.run(docs, { word = "money", sample = 50 }).rows, 30)
  end,
  ["a sort level that is not one is refused with the levels there are"] = function()
    assert.error_matches(function() T.run({ "x" }, { word = "x", sort = "L1+M2" }) end, "got 'M2' in 'L1%+M2'")
    assert.error_matches(function() T.run({ "x" }, { word = "x", sort = "L0" }) end, "L1 to L9, R1 to R9")
  end,
}
