-- wordfreq: the most frequent lowercased words of a corpus, with counts per million words.
local M = {}

function M.init(ctx)
  -- A counter in Swift: words are counted there, document after document.
  return { counts = folio.counter() }
end

function M.each(state, doc, ctx)
  state.counts:add_tokens(doc, { lower = true })
end

function M.merge(a, b)
  a.counts:merge(b.counts)
  return a
end

function M.finish(state, ctx)
  -- Ranked in Swift: by count, then alphabetically, so ties are stable.
  local total = state.counts:total()
  local rows = {}
  for i, pair in ipairs(state.counts:top(ctx.options.top)) do
    local w, n = pair[1], pair[2]
    local per_million = total > 0 and n * 1e6 / total or 0
    rows[i] = { i, w, n, math.floor(per_million * 10 + 0.5) / 10 }
  end
  return {
    title = "wordfreq",
    columns = { "rank", "word", "count", "per_million" },
    rows = rows,
  }
end

return M
