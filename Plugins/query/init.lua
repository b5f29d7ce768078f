-- query: every hit of a CQL query becomes a span of a layer, so a query tried in the REPL
-- (q[[...]]) becomes an annotation in one step. Matching runs in Swift (doc:query).
local M = {}

function M.tag(doc, ctx)
  local o = ctx.options
  if o.cql == "" then
    error([[option 'cql' is required: folio run CORPUS -p pos -p 'query:cql=[pos="ADJ"]+ [pos="NOUN"],layer=np']], 0)
  end
  local label = o.label ~= "" and o.label or nil
  for _, h in ipairs(doc:query(o.cql, { strategy = o.strategy })) do
    doc:add(o.layer, h.first, h.last, label)
  end
end

return M
