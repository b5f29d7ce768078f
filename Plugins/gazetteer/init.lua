-- gazetteer: tags every occurrence of the names of a list, longest name first, in Swift
-- (folio.gazetteer). Spans carry the name's label and attrs {entry = name, source = "gazetteer"}.
local M = {}

local compiled -- built once per worker, on the first document

function M.tag(doc, ctx)
  if not compiled then
    local list = ctx.files.file
    if not list then
      error("option 'file' is required: folio run CORPUS -p gazetteer:file=names.txt", 0)
    end
    local label = ctx.options.label
    compiled = folio.gazetteer(list, {
      ignore_case = ctx.options.ignore_case,
      label = label ~= "" and label or nil,
    })
  end
  compiled:tag(doc, ctx.options.layer)
end

return M
