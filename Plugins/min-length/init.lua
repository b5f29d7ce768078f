-- min-length: drops stubs, empty pages and link lists: documents with fewer than `words` words
-- (tokens of kind word or number) or, when set, fewer than `chars` characters.
local M = {}

function M.keep(doc, ctx)
  local o = ctx.options
  if o.chars > 0 and folio.text.len(doc.text) < o.chars then return false end
  if o.words <= 0 then return true end
  local _, total = doc:counts({ kinds = { "word", "number" } })
  return total >= o.words
end

return M
