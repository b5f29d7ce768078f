local T = folio.test
local assert = T.assert

local function tagged(text)
  local out = {}
  for i, w in ipairs(T.run({ text })[1].words) do
    out[i] = w.text .. "/" .. w.pos .. "/" .. w.tag .. "/" .. w.lemma
  end
  return out
end

return {
  ["every word gets its part of speech, Penn tag and lemma"] = function()
    assert.equal(tagged("The minister said the talks were going well."), {
      "The/DET/DT/the", "minister/NOUN/NN/minister", "said/VERB/VBD/say", "the/DET/DT/the",
      "talks/NOUN/NNS/talk", "were/AUX/VBD/be", "going/VERB/VBG/go", "well/ADV/RB/well", "./PUNCT/./.",
    })
  end,
  ["words get their morphological features"] = function()
    local feats = {}
    for i, w in ipairs(T.run({ "She said they were here." })[1].words) do feats[i] = w.text .. "/" .. w.feats end
    assert.equal(feats, {
      "She/Case=Nom|Gender=Fem|Number=Sing|Person=3|PronType=Prs",
      "said/Mood=Ind|Number=Sing|Person=3|Tense=Past|VerbForm=Fin",
      "they/Case=Nom|Number=Plur|Person=3|PronType=Prs",
      "were/Mood=Ind|Number=Plur|Person=3|Tense=Past|VerbForm=Fin", "here/PronType=Dem", "./_",
    })
  end,
  ["clitics are words of their own, at their exact place in the text"] = function()
    local words = T.run({ "I don't think Blair's plan works." })[1].words
    local texts, lemmas = {}, {}
    for i, w in ipairs(words) do
      texts[i] = w.text .. "@" .. w.first .. "-" .. w.last
      lemmas[i] = w.lemma
    end
    assert.equal(texts, { "I@1-1", "do@3-4", "n't@5-7", "think@9-13", "Blair@15-19", "'s@20-21", "plan@23-26", "works@28-32", ".@33-33" })
    assert.equal(lemmas, { "I", "do", "not", "think", "Blair", "'s", "plan", "work", "." })
  end,
  ["a word's tag depends on its context"] = function()
    local a = tagged("They can fish.")
    local b = tagged("Open the can.")
    assert.equal(a[2], "can/AUX/MD/can")
    assert.equal(b[3], "can/NOUN/NN/can")
  end,
}
