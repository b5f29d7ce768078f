-- pos: tags every word with its part of speech and lemma. The document's tokens become the
-- words the model was trained on (clitics split: "don't" is "do" + "n't"), each with
-- t.pos (Universal POS: NOUN, VERB, ...), t.tag (the treebank's own tags: NN, VBD, ...) and
-- t.lemma ("said" -> "say"). Tagging runs in Swift (folio.tagger).
local M = {}

local tagger -- loaded once per worker (the model's bytes are read once per process)

function M.tag(doc, ctx)
  if not tagger then tagger = folio.tagger.load(ctx.files.model) end
  tagger:tag(doc)
end

return M
