-- wordfreq: the most frequent lowercased words of a corpus, with counts per million words.
local M = {}

local lower_text = folio.text.lower

-- Lowercases ASCII with string.lower and anything else with Unicode case mapping.
local function lower(word)
  if word:find("[\128-\255]") then return lower_text(word) end
  return word:lower()
end

function M.init(ctx)
  return { counts = {}, total = 0 }
end

function M.each(state, doc, ctx)
  local counts = state.counts
  local n = 0
  for _, token in ipairs(doc:tokens()) do
    if token.kind == "word" then
      local w = lower(token.text)
      counts[w] = (counts[w] or 0) + 1
      n = n + 1
    end
  end
  state.total = state.total + n
end

function M.merge(a, b)
  for w, c in pairs(b.counts) do a.counts[w] = (a.counts[w] or 0) + c end
  a.total = a.total + b.total
  return a
end

function M.finish(state, ctx)
  local words = {}
  for w in pairs(state.counts) do words[#words + 1] = w end
  local counts = state.counts
  table.sort(words, function(a, b)
    if counts[a] ~= counts[b] then return counts[a] > counts[b] end
    return a < b
  end)
  local top = ctx.options.top
  if top <= 0 or top > #words then top = #words end
  local rows = {}
  for i = 1, top do
    local w = words[i]
    local per_million = state.total > 0 and counts[w] * 1e6 / state.total or 0
    rows[i] = { i, w, counts[w], math.floor(per_million * 10 + 0.5) / 10 }
  end
  return {
    title = "wordfreq",
    columns = { "rank", "word", "count", "per_million" },
    rows = rows,
  }
end

return M
