-- regex: tags every match of a pattern (folio.re, PCRE2) as a span; matching runs in Swift.
local M = {}

local compiled

function M.tag(doc, ctx)
  if not compiled then
    if ctx.options.pattern == "" then
      error([[option 'pattern' is required: folio run CORPUS -p 'regex:pattern="\d{4}",layer=year']], 0)
    end
    compiled = folio.re.compile(ctx.options.pattern, ctx.options.flags)
  end
  local label = ctx.options.label
  compiled:tag(doc, ctx.options.layer, label ~= "" and label or nil)
end

return M
