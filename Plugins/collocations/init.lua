-- collocations: adjacent word pairs (punctuation and numbers skipped, within a document)
-- ranked by an association measure of folio.stats. Counting runs in Swift (doc:counts).
local M = {}

local measures = { pmi = true, log_likelihood = true, t_score = true, chi2 = true, log_dice = true }

function M.init(ctx)
  if not measures[ctx.options.measure] then
    error("option 'measure' must be pmi, log_likelihood, t_score, chi2 or log_dice, got '"
      .. ctx.options.measure .. "'", 0)
  end
  -- Counters live in Swift: words and pairs are counted there, document after document.
  return { uni = folio.counter(), bi = folio.counter() }
end

function M.each(state, doc, ctx)
  local lower = ctx.options.lower
  state.uni:add_tokens(doc, { lower = lower })
  state.bi:add_tokens(doc, { lower = lower, ngram = 2 })
end

function M.merge(a, b)
  a.uni:merge(b.uni)
  a.bi:merge(b.bi)
  return a
end

function M.finish(state, ctx)
  local measure = folio.stats[ctx.options.measure]
  local uni, n = state.uni, state.uni:total()
  local scores, counts = {}, state.bi:items({ min = ctx.options.min })
  for pair, c in pairs(counts) do
    local a, b = pair:match("^(%S+) (%S+)$")
    scores[pair] = measure(c, uni:get(a), uni:get(b), n)
  end
  local rows = {}
  for i, entry in ipairs(folio.top(scores, ctx.options.top)) do
    local pair, score = entry[1], entry[2]
    local a, b = pair:match("^(%S+) (%S+)$")
    rows[i] = { i, pair, counts[pair], uni:get(a), uni:get(b), math.floor(score * 10000 + 0.5) / 10000 }
  end
  return {
    title = "collocations " .. ctx.options.measure,
    columns = { "rank", "pair", "count", "first", "second", ctx.options.measure },
    rows = rows,
  }
end

return M
