local T = folio.test
local assert = T.assert

-- "text/LABEL/rule-or-gazetteer" for each entity span of the first document.
local function entities(text, options)
  local docs = T.run({ text }, options)
  local out = {}
  for i, s in ipairs(docs[1].layers.entity or {}) do
    out[i] = s.text .. "/" .. s.label .. "/" .. (s.attrs.rule or s.attrs.source)
  end
  return out
end

return {
  ["titles, given names and surnames make people"] = function()
    assert.equal(entities(
      "Interior Minister Vladimir Kolokoltsev met the UN's Jeffrey Feltman. Later Kolokoltsev's aide, spokeswoman Irina Volk, spoke."),
      {
        "Vladimir Kolokoltsev/PERSON/title", "UN/ORG/gazetteer", "Jeffrey Feltman/PERSON/given-name",
        "Kolokoltsev/PERSON/surname", "Irina Volk/PERSON/title",
      })
  end,
  ["a surname alone links to a person named in full in another document, also with ’s"] = function()
    local docs = T.run({
      "Interior Minister Vladimir Kolokoltsev spoke.",
      "A Kolokoltsev’s arrival was announced. Officials said Kolokoltsev would speak.",
    })
    local out = {}
    for i, s in ipairs(docs[2].layers.entity or {}) do out[i] = s.text .. "/" .. s.attrs.rule end
    assert.equal(out, { "Kolokoltsev/linked-surname", "Kolokoltsev/linked-surname" })
    local alone = T.run({ "A Kolokoltsev’s arrival was announced." }, {})
    assert.equal(alone[1].layers.entity or {}, {})
    local off = T.run({ "Minister Vladimir Kolokoltsev spoke.", "Kolokoltsev said no." }, { link = false })
    assert.equal(off[2].layers.entity or {}, {})
  end,
  ["a one-letter or all-capitals last word is no surname to link (\"I\", \"DVD\")"] = function()
    local docs = T.run({
      "King Richard I spoke. Sony chief Howard DVD spoke.",
      "\"I think so,\" he said. DVD sales rose.",
    })
    local out = {}
    for i, s in ipairs(docs[2].layers.entity or {}) do out[i] = s.text .. "/" .. s.label end
    assert.equal(out, { "DVD/ORG" })
  end,
  ["a dateline in capitals is a place"] = function()
    assert.equal(entities("JAKARTA — Jeffrey Feltman spoke.\nSAN SALVADOR, Feb 26 - Rain fell."),
      { "JAKARTA/PLACE/dateline", "Jeffrey Feltman/PERSON/given-name", "SAN SALVADOR/PLACE/dateline" })
  end,
  ["a given name inside a longer run, and hyphenated names"] = function()
    assert.equal(entities("He met UN Under-Secretary-General for Peacekeeping Operations Jean-Pierre Lacroix and Ban Ki-moon."), {
      "UN/ORG/gazetteer", "Jean-Pierre Lacroix/PERSON/given-name", "Ban Ki-moon/PERSON/gazetteer",
    })
  end,
  ["organisation words, connectors, acronyms; places by list and by cue"] = function()
    assert.equal(entities(
      "The Moscow Times and the Permanent Mission of the Russian Federation met UNCOPS delegates in Domodedovo, outside Moscow, not in Russian territory."),
      {
        "The Moscow Times/ORG/org-word", "Moscow/PLACE/gazetteer",
        "Permanent Mission of the Russian Federation/ORG/org-word", "Russian Federation/PLACE/gazetteer",
        "UNCOPS/ORG/acronym", "Domodedovo/PLACE/place-cue", "Moscow/PLACE/gazetteer",
      })
  end,
  ["datelines in capitals and sentence-initial words are no names"] = function()
    assert.equal(entities("NEW YORK — The talks ended. According to officials, In the end Nothing changed."), {
      "NEW YORK/PLACE/gazetteer",
    })
  end,
  ["extra names and rules off"] = function()
    local extra = T.fixture_path("extra.txt")
    assert.equal(entities("Harbour Ledger readers met Marta Quintela in Sines.", { extra = extra, rules = false }), {
      "Harbour Ledger/ORG/gazetteer", "Marta Quintela/PERSON/gazetteer",
    })
  end,
}
