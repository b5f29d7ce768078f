-- wordfreq: the most frequent lowercased words of a corpus, with counts per million words.
local M = {}

function M.init(ctx)
  return { counts = {}, total = 0 }
end

function M.each(state, doc, ctx)
  -- Counting happens in Swift; only the distinct words of the document come back.
  local counts, total = doc:counts({ lower = true })
  local c = state.counts
  for w, n in pairs(counts) do
    c[w] = (c[w] or 0) + n
  end
  state.total = state.total + total
end

function M.merge(a, b)
  for w, c in pairs(b.counts) do a.counts[w] = (a.counts[w] or 0) + c end
  a.total = a.total + b.total
  return a
end

function M.finish(state, ctx)
  -- folio.top ranks in Swift: by count, then alphabetically, so ties are stable.
  local top = folio.top(state.counts, ctx.options.top)
  local rows = {}
  for i, pair in ipairs(top) do
    local w, n = pair[1], pair[2]
    local per_million = state.total > 0 and n * 1e6 / state.total or 0
    rows[i] = { i, w, n, math.floor(per_million * 10 + 0.5) / 10 }
  end
  return {
    title = "wordfreq",
    columns = { "rank", "word", "count", "per_million" },
    rows = rows,
  }
end

return M
