-- wordfreq: the most frequent lowercased words of a corpus, with counts per million words and,
-- on request, document frequencies; optionally without stopwords, above a minimum count, and
-- one list per value of a metadata field. Counting and ranking run in Swift (folio.counter).
local M = {}

local stop, kinds, attr, pos -- read once per worker

-- by= one of these counts that token attribute (a tagger such as pos sets them); any other
-- name is a metadata field.
local ATTRS = { lemma = true, pos = true, tag = true }

local function setup(ctx)
  stop = {}
  for w in (ctx.files.stopwords or ""):gmatch("[^\n]+") do
    w = w:gsub("^%s+", ""):gsub("%s+$", "")
    if w ~= "" and not w:find("^#") then stop[folio.text.lower(w)] = true end
  end
  kinds = {}
  for k in ctx.options.kinds:gmatch("[^,%s]+") do kinds[#kinds + 1] = k end
  attr = ATTRS[ctx.options.by] and ctx.options.by or nil
  pos = ctx.options.pos ~= "" and ctx.options.pos or nil
end

function M.init(ctx)
  return { groups = {} }
end

function M.each(state, doc, ctx)
  if not kinds then setup(ctx) end
  local key = ""
  if ctx.options.by ~= "" and not attr then
    local v = doc.meta[ctx.options.by]
    key = v == nil and "" or tostring(v)
  end
  local g = state.groups[key]
  if not g then
    g = { counts = folio.counter(), docs = folio.counter() }
    state.groups[key] = g
  end
  -- Lemmas and tags are counted as the tagger wrote them (a proper noun's lemma keeps its
  -- capital); words lowercased.
  local opts = { lower = attr == nil, kinds = kinds, attr = attr, pos = pos }
  g.counts:add_tokens(doc, opts)
  if ctx.options.docfreq then
    opts.distinct = true
    g.docs:add_tokens(doc, opts)
  end
end

function M.merge(a, b)
  for key, g in pairs(b.groups) do
    local mine = a.groups[key]
    if mine then
      mine.counts:merge(g.counts)
      mine.docs:merge(g.docs)
    else
      -- States travel between workers as plain data: a counter arrives as the string it
      -- encodes to, which folio.counter() turns back into a counter.
      a.groups[key] = { counts = folio.counter(g.counts), docs = folio.counter(g.docs) }
    end
  end
  return a
end

function M.finish(state, ctx)
  if not kinds then setup(ctx) end
  local o = ctx.options
  local keys = {}
  for key in pairs(state.groups) do keys[#keys + 1] = key end
  table.sort(keys)
  local rows = {}
  for _, key in ipairs(keys) do
    local g = state.groups[key]
    local total = g.counts:total()
    -- Ranked in Swift, by count then alphabetically; stopwords are skipped after ranking, so
    -- ask for enough to fill `top`.
    local want = o.top > 0 and o.top + (next(stop) and 400 or 0) or 0
    local rank = 0
    for _, pair in ipairs(g.counts:top(want, { min = o.min })) do
      local w, n = pair[1], pair[2]
      if not stop[w] then
        rank = rank + 1
        if o.top > 0 and rank > o.top then break end
        local per_million = total > 0 and n * 1e6 / total or 0
        local row = { rank, w, n, math.floor(per_million * 10 + 0.5) / 10 }
        if o.docfreq then row[#row + 1] = g.docs:get(w) end
        if o.by ~= "" and not attr then table.insert(row, 1, key) end
        rows[#rows + 1] = row
      end
    end
  end
  local columns = { "rank", attr or "word", "count", "per_million" }
  if o.docfreq then columns[#columns + 1] = "documents" end
  if o.by ~= "" and not attr then table.insert(columns, 1, o.by) end
  return {
    title = "wordfreq",
    columns = columns,
    rows = rows,
    provenance = { per_million = "count * 1,000,000 / words counted (in the group, with by)" },
  }
end

return M
