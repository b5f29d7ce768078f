-- dispersion: where a word occurs. Per document: its occurrences, its frequency per 1,000
-- words and where in the text they fall (0-100%); for the corpus, over its parts (documents, or
-- the values of a metadata field with by=): the range (parts with the word), Gries' DP and
-- DP-norm (0 = spread as the parts' sizes predict, 1 = all in one part) and Juilland's D.
-- -o FILE.svg draws the classic dispersion plot: a line per document, a tick per occurrence.
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
  local part = nil
  if ctx.options.by ~= "" then
    local v = doc.meta[ctx.options.by]
    part = v ~= nil and tostring(v) or "(none)"
  end
  state.docs[#state.docs + 1] = { id = doc.id, words = words, positions = positions, part = part }
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

-- Gries' DP (2008) over parts of sizes `sizes` holding `hits`: half the sum of the differences
-- between each part's share of the hits and its share of the corpus; and DP-norm (Lijffijt and
-- Gries 2012): DP / (1 - the smallest part's share), so that 1 is always "all in one part".
local function gries(sizes, hits)
  local total, found, smallest = 0, 0, math.huge
  for i = 1, #sizes do
    total = total + sizes[i]
    found = found + hits[i]
  end
  if total == 0 or found == 0 then return nil end
  local dp = 0
  for i = 1, #sizes do
    local share = sizes[i] / total
    if share < smallest then smallest = share end
    dp = dp + math.abs(hits[i] / found - share)
  end
  dp = dp / 2
  local norm = smallest < 1 and dp / (1 - smallest) or nil
  return dp, norm
end

-- The parts: one per document, or one per value of the `by` field, in order of first sight
-- after sorting by name.
local function parts_of(state, by)
  if by == "" then
    local sizes, hits = {}, {}
    for i, d in ipairs(state.docs) do sizes[i], hits[i] = d.words, #d.positions end
    return sizes, hits
  end
  local index, names = {}, {}
  for _, d in ipairs(state.docs) do
    if not index[d.part] then
      names[#names + 1] = d.part
      index[d.part] = { words = 0, hits = 0 }
    end
    local p = index[d.part]
    p.words = p.words + d.words
    p.hits = p.hits + #d.positions
  end
  table.sort(names)
  local sizes, hits = {}, {}
  for i, name in ipairs(names) do sizes[i], hits[i] = index[name].words, index[name].hits end
  return sizes, hits
end

local function fmt(x)
  return x and ("%.3f"):format(x) or "n/a"
end

function M.finish(state, ctx)
  local word = ctx.options.word
  local by = ctx.options.by
  local rows, with = {}, {}
  for _, d in ipairs(state.docs) do
    if #d.positions > 0 then with[#with + 1] = d end
  end
  local sizes, hits = parts_of(state, by)
  local freqs, range = {}, 0
  for i = 1, #sizes do
    freqs[i] = sizes[i] > 0 and hits[i] / sizes[i] or 0
    if hits[i] > 0 then range = range + 1 end
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
  local dp, dp_norm = gries(sizes, hits)
  local unit = by == "" and "documents" or ("parts by " .. by)
  local title = ("dispersion of '%s': in %d of %d %s; DP %s, DP-norm %s (0: even, 1: all in one part); Juilland's D %s (1: even)")
    :format(word, range, #sizes, unit, fmt(dp), fmt(dp_norm), fmt(D))
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
    provenance = {
      parts = #sizes,
      part = by == "" and "document" or ("meta." .. by),
      range = range,
      occurrences = (function() local n = 0 for _, h in ipairs(hits) do n = n + h end return n end)(),
      dp = dp,
      dp_norm = dp_norm,
      juilland_d = D,
      formulas = "DP = 0.5 * sum(|v_i - s_i|), v_i = part's share of the occurrences, s_i = its share of the words; "
        .. "DP-norm = DP / (1 - min s_i); Juilland's D = 1 - (sd / mean) / sqrt(parts - 1) of the parts' relative frequencies",
    },
  }
end

return M
