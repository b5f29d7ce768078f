-- collocations: word pairs (punctuation and numbers skipped, within a document) ranked by an
-- association measure of folio.stats. Adjacent pairs are counted in Swift (counter:add_tokens
-- with ngram = 2); with window > 1 or sentences = true the pairs are formed in Lua: each word
-- with the next `window` words, not across sentence ends. With a window of w, a pair is
-- expected r1 * c1 * w / n times by chance: the measures get n / w. Scoring and ranking run
-- in Swift (counter:associations).
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

local ENDS = { ["."] = true, ["!"] = true, ["?"] = true }

function M.each(state, doc, ctx)
  local o = ctx.options
  state.uni:add_tokens(doc, { lower = o.lower })
  if o.window <= 1 and not o.sentences then
    state.bi:add_tokens(doc, { lower = o.lower, ngram = 2 })
    return
  end
  local words, sentence, s = {}, {}, 1
  for _, t in ipairs(doc:tokens()) do
    if t.kind == "word" then
      words[#words + 1] = o.lower and folio.text.lower(t.text) or t.text
      sentence[#words] = s
    elseif ENDS[t.text] then
      s = s + 1
    end
  end
  local w = math.max(1, o.window)
  for i = 1, #words do
    for j = i + 1, math.min(#words, i + w) do
      if o.sentences and sentence[j] ~= sentence[i] then break end
      state.bi:add(words[i] .. " " .. words[j])
    end
  end
end

function M.merge(a, b)
  a.uni:merge(b.uni)
  a.bi:merge(b.bi)
  return a
end

function M.finish(state, ctx)
  local o = ctx.options
  local n = state.uni:total() / math.max(1, o.window)
  -- Scored and ranked in Swift: by score, then pair.
  -- Pairs seen less often than chance (negative scores: "the the") are left out unless asked.
  local best = state.bi:associations(state.uni,
    { measure = o.measure, min = o.min, n = n, top = o.top, negative = o.negative })
  local rows = {}
  for i, r in ipairs(best) do
    rows[i] = { i, r.pair, r.count, r.first, r.second, math.floor(r.score * 10000 + 0.5) / 10000 }
  end
  return {
    title = "collocations " .. ctx.options.measure .. " (" .. folio.stats.formulas[ctx.options.measure] .. ")",
    columns = { "rank", "pair", "count", "first", "second", ctx.options.measure },
    rows = rows,
    -- Each row's contingency counts are o11 = count, r1 = first, c1 = second; n is the same
    -- for every row.
    provenance = {
      measure = ctx.options.measure,
      formula = folio.stats.formulas[ctx.options.measure],
      contingency = "o11 = count (the pair), r1 = first, c1 = second, n = words / window",
      n = n,
    },
  }
end

return M
