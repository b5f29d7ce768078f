-- dispersion: where a word occurs. Per document: its occurrences, its frequency per 1,000
-- words and where in the text they fall (0-100%); for the corpus: the range (documents with
-- the word) and Juilland's D (1 = spread evenly over documents, 0 = all in one). -o FILE.svg
-- draws the classic dispersion plot: a line per document, a tick per occurrence.
local M = {}

function M.init(ctx)
  if ctx.options.word == "" then
    error("option 'word' is required: -p dispersion:word=strike", 0)
  end
  return { docs = {} }
end

function M.each(state, doc, ctx)
  local hits = doc:find_tokens(ctx.options.word, { ignore_case = true, possessive = true })
  local _, words = doc:counts()
  local positions = {}
  for i, t in ipairs(hits) do positions[i] = (t.first - 1) / math.max(1, #doc.text) end
  state.docs[#state.docs + 1] = { id = doc.id, words = words, positions = positions }
end

function M.merge(a, b)
  for _, d in ipairs(b.docs) do a.docs[#a.docs + 1] = d end
  return a
end

local function esc(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

-- Juilland's D over n parts: 1 - V / sqrt(n - 1), V the coefficient of variation of the
-- relative frequencies.
local function juilland(freqs)
  local n = #freqs
  if n < 2 then return nil end
  local mean = 0
  for _, f in ipairs(freqs) do mean = mean + f end
  mean = mean / n
  if mean == 0 then return nil end
  local var = 0
  for _, f in ipairs(freqs) do var = var + (f - mean) ^ 2 end
  local sd = math.sqrt(var / n)
  return 1 - (sd / mean) / math.sqrt(n - 1)
end

function M.finish(state, ctx)
  local word = ctx.options.word
  local rows, freqs, with = {}, {}, {}
  for i, d in ipairs(state.docs) do
    freqs[i] = d.words > 0 and #d.positions / d.words or 0
    if #d.positions > 0 then with[#with + 1] = d end
  end
  table.sort(with, function(a, b)
    if #a.positions ~= #b.positions then return #a.positions > #b.positions end
    return a.id < b.id
  end)
  for _, d in ipairs(with) do
    local where = {}
    for k, p in ipairs(d.positions) do where[k] = ("%d%%"):format(math.floor(p * 100)) end
    rows[#rows + 1] = { d.id, #d.positions, math.floor(#d.positions * 1e4 / math.max(1, d.words) + 0.5) / 10, table.concat(where, " ") }
  end
  local D = juilland(freqs)
  local title = ("dispersion of '%s': %d of %d documents, Juilland's D %s"):format(word, #with, #state.docs, D and ("%.3f"):format(D) or "n/a")
  -- The plot.
  local shown = math.min(#with, ctx.options.rows)
  local W, left, top, line = 760, 220, 40, 18
  local H = top + shown * line + 30
  local svg = {
    ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">'):format(W, H),
    "<title>" .. esc(title) .. "</title>",
    ('<text x="10" y="22" font-size="14" font-weight="bold">%s</text>'):format(esc(title)),
  }
  for i = 1, shown do
    local d, y = with[i], top + (i - 1) * line
    svg[#svg + 1] = ('<text x="%d" y="%d" text-anchor="end">%s</text>'):format(left - 8, y + 12, esc(d.id:sub(1, 30)))
    svg[#svg + 1] = ('<rect x="%d" y="%d" width="%d" height="%d" fill="#f2f2f2"/>'):format(left, y + 2, W - left - 20, line - 4)
    for _, p in ipairs(d.positions) do
      local x = left + p * (W - left - 20)
      svg[#svg + 1] = ('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#b5403a" stroke-width="1.5"/>'):format(x, y + 2, x, y + line - 2)
    end
  end
  svg[#svg + 1] = ('<text x="%d" y="%d" fill="#666">start of text</text><text x="%d" y="%d" fill="#666" text-anchor="end">end</text>')
    :format(left, H - 10, W - 20, H - 10)
  svg[#svg + 1] = "</svg>\n"
  return {
    title = title,
    columns = { "document", "occurrences", "per_thousand", "where" },
    rows = rows,
    svg = table.concat(svg, "\n"),
  }
end

return M
