-- phrase-filter: drops the documents that contain a phrase (plain text), or keeps only them.
local M = {}

function M.keep(doc, ctx)
  local phrase = ctx.options.phrase
  if phrase == "" then
    error("option 'phrase' is required: folio run CORPUS -p 'phrase-filter:phrase=told the BBC'", 0)
  end
  local text = doc.text
  if ctx.options.ignore_case then
    text, phrase = text:lower(), phrase:lower()
  end
  local found = text:find(phrase, 1, true) ~= nil
  return found == ctx.options.keep_matching
end

return M
