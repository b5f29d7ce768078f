-- query-filter: keeps the documents in which a CQL query has at least `min` hits (or, with
-- drop=true, those in which it has fewer). Matching runs in Swift (doc:query).
local M = {}

function M.keep(doc, ctx)
  local o = ctx.options
  if o.cql == "" then
    error([[option 'cql' is required: folio run CORPUS -p 'query-filter:cql="ceasefire"%c' -o kept.jsonl]], 0)
  end
  local has = #doc:query(o.cql, { limit = o.min }) >= o.min
  return has ~= o.drop
end

return M
