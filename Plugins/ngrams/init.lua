-- ngrams: the most frequent sequences of n adjacent words (punctuation and other non-word
-- tokens are skipped, as in the collocations report; sequences do not cross documents).
-- Bigrams are counted in Swift (counter:add_tokens with ngram = 2); longer ones in Lua.
local M = {}

function M.init(ctx)
  local n = ctx.options.n
  if n < 2 or n > 6 then error("option 'n' must be 2 to 6, got " .. n, 0) end
  return { counts = folio.counter() }
end

function M.each(state, doc, ctx)
  local o = ctx.options
  if o.n == 2 then
    state.counts:add_tokens(doc, { ngram = 2, lower = o.lower })
    return
  end
  local words = {}
  for _, t in ipairs(doc:tokens()) do
    if t.kind == "word" then words[#words + 1] = o.lower and folio.text.lower(t.text) or t.text end
  end
  for i = 1, #words - o.n + 1 do
    state.counts:add(table.concat(words, " ", i, i + o.n - 1))
  end
end

function M.merge(a, b)
  a.counts:merge(b.counts)
  return a
end

function M.finish(state, ctx)
  local rows = {}
  for i, kv in ipairs(state.counts:top(ctx.options.top, { min = ctx.options.min })) do
    rows[i] = { i, kv[1], kv[2] }
  end
  return { title = ctx.options.n .. "-grams", columns = { "rank", "ngram", "count" }, rows = rows }
end

return M
