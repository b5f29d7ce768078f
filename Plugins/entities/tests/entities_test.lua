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
    -- No person "I" or "DVD", and a DVD is no organisation either.
    assert.equal(out, {})
  end,
  ["devices, time zones and titles in capitals are no organisations; names inside events are no mentions"] = function()
    local docs = T.run({
      "The PSP and DS sold well at 1900 GMT, the PM and an MP said. UNCOPS met.",
      "Athens Olympics champion Mia Hamm and the Uefa Cup; Athens and Uefa said so.",
    })
    local function names(d) local out = {} for i, s in ipairs(d.layers.entity or {}) do out[i] = s.text .. "/" .. s.label end return out end
    assert.equal(names(docs[1]), { "UNCOPS/ORG" })
    assert.equal(names(docs[2]), { "Mia Hamm/PERSON", "Athens/PLACE", "Uefa/ORG" })
  end,
  ["a dateline in capitals is a place"] = function()
    -- Jakarta is in the places list; Karawang is not.
    assert.equal(entities("KARAWANG — Jeffrey Feltman spoke.\nSAN SALVADOR, Feb 26 - Rain fell."),
      { "KARAWANG/PLACE/dateline", "Jeffrey Feltman/PERSON/given-name", "SAN SALVADOR/PLACE/dateline" })
  end,
  ["a given name inside a longer run, and hyphenated names"] = function()
    assert.equal(entities("He met UN Under-Secretary-General for Peacekeeping Operations Jean-Pierre Lacroix and Ban Ki-moon."), {
      "UN/ORG/gazetteer", "Jean-Pierre Lacroix/PERSON/given-name", "Ban Ki-moon/PERSON/gazetteer",
    })
  end,
  ["organisation words, connectors, acronyms; places by list and by cue; the longest name is the mention"] = function()
    assert.equal(entities(
      "The Moscow Times and the Permanent Mission of the Russian Federation met UNCOPS delegates in Domodedovo, outside Moscow, not in Russian territory."),
      {
        -- No leading "The"; no "Moscow" inside "Moscow Times", no "Russian Federation" inside the Mission.
        "Moscow Times/ORG/org-word",
        "Permanent Mission of the Russian Federation/ORG/org-word",
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
  ["mentions of one entity share an entity_id: surnames, acronyms, repeated places"] = function()
    local docs = T.run({ "Irina Volk met the International Monetary Fund in Moscow. Volk said the IMF and Moscow agreed. Jeffrey Feltman left." })
    local out = {}
    for i, s in ipairs(docs[1].layers.entity or {}) do out[i] = s.text .. "=" .. s.attrs.entity_id end
    assert.equal(out, {
      "Irina Volk=1", "International Monetary Fund=2", "Moscow=3", "Volk=1", "IMF=2", "Moscow=3", "Jeffrey Feltman=4",
    })
  end,
  ["a newspaper named after its city is an organisation; a nationality is no surname elsewhere"] = function()
    local docs = T.run({
      "Volk, quoted in the newspaper Kyiv Independent, spoke by Telegram.",
      "Comedian Dawn French joked.",
      "French officials and the French government disagreed.",
    })
    local function names(d) local out = {} for i, s in ipairs(d.layers.entity or {}) do out[i] = s.text .. "/" .. s.label end return out end
    assert.equal(names(docs[1]), { "Kyiv Independent/ORG", "Telegram/ORG" })
    assert.equal(names(docs[3]), {})
  end,
}
