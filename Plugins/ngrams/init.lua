-- ngrams: the most frequent sequences of n adjacent words, or (word=W) the clusters around a
-- word, as AntConc's Clusters. By default a sequence stays inside one run of words: it does not
-- cross a sentence end, punctuation, a number or a symbol ("the 25-year-old" gives no "the
-- year old", "ended 3-1. Money" no "ended money"); option cross names what it may cross.
-- Sequences never cross documents. They are counted in Swift (counter:add_tokens with ngram
-- and breaks); clusters around a word in Lua over the token views.
local M = {}

local CROSSABLE = { punct = true, number = true, symbol = true, sentence = true }

-- What breaks a run of words: a token kind's class (punct, number, or symbol for the others).
local function class(kind)
  if kind == "punct" or kind == "number" then return kind end
  return "symbol"
end

local setup -- per worker: the parsed options
local function options(ctx)
  if setup then return setup end
  local o = ctx.options
  local cross = {}
  for name in o.cross:gmatch("[^,%s]+") do
    if not CROSSABLE[name] then
      error("option 'cross' takes punct, number, symbol and sentence, comma-separated; got '" .. name .. "'", 0)
    end
    cross[name] = true
  end
  local word = o.word ~= "" and (o.lower and folio.text.lower(o.word) or o.word) or nil
  -- What ends a run, for counter:add_tokens: the kinds not crossed and sentence ends.
  local breaks = {}
  if not cross.punct then breaks[#breaks + 1] = "punct" end
  if not cross.number then breaks[#breaks + 1] = "number" end
  if not cross.symbol then
    for _, k in ipairs({ "symbol", "url", "email", "handle", "hashtag", "emoji" }) do breaks[#breaks + 1] = k end
  end
  if not cross.sentence then breaks[#breaks + 1] = "sentence" end
  setup = { cross = cross, word = word, breaks = breaks }
  return setup
end

function M.init(ctx)
  local n = ctx.options.n
  if n < 2 or n > 6 then error("option 'n' must be 2 to 6, got " .. n, 0) end
  options(ctx)
  return { counts = folio.counter() }
end

-- Counts the n-grams of one run of words (those holding `word`, when given).
local function count(counts, run, n, word)
  for i = 1, #run - n + 1 do
    local keep = word == nil
    if not keep then
      for k = i, i + n - 1 do
        if run[k] == word then keep = true break end
      end
    end
    if keep then counts:add(table.concat(run, " ", i, i + n - 1)) end
  end
end

function M.each(state, doc, ctx)
  local o = ctx.options
  local s = options(ctx)
  if not s.word then
    state.counts:add_tokens(doc, { ngram = o.n, lower = o.lower, breaks = s.breaks })
    return
  end
  local sentences = s.cross.sentence and {} or doc:sentences()
  local si = 1
  local run = {}
  for _, t in ipairs(doc:tokens()) do
    -- A sentence that ends before this token ends the run.
    local brk = false
    while sentences[si] and sentences[si].last < t.first do
      si = si + 1
      brk = true
    end
    if t.kind ~= "word" and not s.cross[class(t.kind)] then brk = true end
    if brk and #run > 0 then
      count(state.counts, run, o.n, s.word)
      run = {}
    end
    if t.kind == "word" then run[#run + 1] = o.lower and folio.text.lower(t.text) or t.text end
  end
  count(state.counts, run, o.n, s.word)
end

function M.merge(a, b)
  a.counts:merge(b.counts)
  return a
end

function M.finish(state, ctx)
  local o = ctx.options
  local rows = {}
  for i, kv in ipairs(state.counts:top(o.top, { min = o.min })) do
    rows[i] = { i, kv[1], kv[2] }
  end
  local title = o.word ~= "" and (o.n .. "-word clusters of '" .. o.word .. "'") or (o.n .. "-grams")
  return {
    title = title,
    columns = { "rank", "ngram", "count" },
    rows = rows,
    provenance = { crosses = o.cross ~= "" and o.cross or "nothing: runs of words inside a sentence" },
  }
end

return M
