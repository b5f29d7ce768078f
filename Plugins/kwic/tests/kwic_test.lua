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
  ["the word is required"] = function()
    assert.error_matches(function() T.run({ "x" }) end, "option 'word' is required")
  end,
}
