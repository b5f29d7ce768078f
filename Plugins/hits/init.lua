-- hits: counts the hits of a CQL query (CQP's `size`), or breaks them down by the values of
-- token attributes, labelled tokens or metadata (CQP's `count` and `group`). Matching and
-- counting run in Swift (counter:add_hits).
local M = {}

local function names(text)
  local out = {}
  for name in text:gmatch("[^,%s]+") do out[#out + 1] = name end
  return out
end

function M.init(ctx)
  if ctx.options.cql == "" then
    error([[option 'cql' is required: folio run CORPUS -p pos -p 'hits:cql=[pos="ADJ"] [pos="NOUN"],by=lemma']], 0)
  end
  return { groups = folio.counter(), hits = 0, documents = 0, words = 0 }
end

function M.each(state, doc, ctx)
  local o = ctx.options
  local n, words = state.groups:add_hits(doc, o.cql, { by = names(o.by), strategy = o.strategy })
  state.hits = state.hits + n
  if n > 0 then state.documents = state.documents + 1 end
  state.words = state.words + words
end

function M.merge(a, b)
  a.groups:merge(folio.counter(b.groups))
  a.hits = a.hits + b.hits
  a.documents = a.documents + b.documents
  a.words = a.words + b.words
  return a
end

local function per_million(n, words)
  return words > 0 and math.floor(n * 1e7 / words + 0.5) / 10 or 0
end

function M.finish(state, ctx)
  local o = ctx.options
  local by = names(o.by)
  local provenance = { query = o.cql, strategy = o.strategy, words = state.words,
    per_million = "hits * 1,000,000 / words in the corpus" }
  if #by == 0 then
    return {
      title = "hits of " .. o.cql,
      columns = { "hits", "documents", "per_million" },
      rows = { { state.hits, state.documents, per_million(state.hits, state.words) } },
      provenance = provenance,
    }
  end
  local rows = {}
  local all = state.groups:top(0)
  for i, pair in ipairs(all) do
    if o.top > 0 and i > o.top then break end
    local row = {}
    local k = 1
    for value in (pair[1] .. "\t"):gmatch("([^\t]*)\t") do
      row[k] = value
      k = k + 1
    end
    row[#by + 1] = pair[2]
    row[#by + 2] = per_million(pair[2], state.words)
    rows[#rows + 1] = row
  end
  local columns = {}
  for i, name in ipairs(by) do columns[i] = name end
  columns[#by + 1] = "hits"
  columns[#by + 2] = "per_million"
  provenance.hits = state.hits
  provenance.groups = #all
  return {
    title = ("hits of %s by %s (%d hits, %d groups)"):format(o.cql, table.concat(by, ", "), state.hits, #all),
    columns = columns,
    rows = rows,
    provenance = provenance,
  }
end

return M
