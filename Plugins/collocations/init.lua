-- collocations: word pairs (punctuation and numbers skipped, within a document) ranked by an
-- association measure of folio.stats, or with node= the collocates of one word in a window
-- around it (L3R3), with a log-likelihood significance test.
--
-- Pairs: adjacent pairs are counted in Swift (counter:add_tokens with ngram = 2); with
-- window > 1 or sentences = true the pairs are formed in Lua: each word with the next `window`
-- words. With a window of w, a pair is expected r1 * c1 * w / n times by chance: the measures
-- get n / w. Scoring and ranking run in Swift (counter:associations).
--
-- Node collocates: for each collocate c, o11 = its occurrences in the windows around the node,
-- r1 = the words in those windows, c1 = its frequency in the corpus, n = the corpus's words
-- (Evert 2008's surface co-occurrence; CQPweb and AntConc count the same way).
local M = {}

local measures = { pmi = true, log_likelihood = true, t_score = true, chi2 = true, log_dice = true }

-- by= counts one of these token attributes instead of the words (a tagger such as pos sets them).
local ATTRS = { lemma = true, pos = true, tag = true }

-- The attribute counted (nil: the words) and the parts of speech kept (nil: all), as a set
-- and as the text add_tokens takes.
local function selection(o)
  local attr = o.by ~= "" and o.by or nil
  if o.pos == "" then return attr, nil, nil end
  local set = {}
  for p in o.pos:gmatch("[^,%s]+") do set[p] = true end
  return attr, set, o.pos
end

-- The window option: "3" (pairs: the next 3 words; node: 3 on each side), "L3R3", "L2", "R4".
local function parse_window(text, node)
  local n = text:match("^(%d+)$")
  if n then
    n = tonumber(n)
    if node then return n, n end
    return 0, n
  end
  local l, r = text:upper():match("^L(%d+)R(%d+)$")
  if not l then
    l = text:upper():match("^L(%d+)$")
    r = l and "0"
  end
  if not l then
    r = text:upper():match("^R(%d+)$")
    l = r and "0"
  end
  if not l then return nil end
  return tonumber(l), tonumber(r)
end

-- The window's left and right sizes, or nil and the message saying what is wrong.
local function window_of(o)
  local node = o.node ~= ""
  local text = o.window ~= "" and o.window or (node and "L5R5" or "1")
  local left, right = parse_window(text, node)
  if not left or left > 20 or right > 20 or left + right == 0 or (not node and left > 0) then
    return nil, "option 'window' must be " .. (node and "LxRy (L0 to L20, R0 to R20: L3R3, L0R2) or a number from 1 to 20"
      or "a number from 1 to 20 (pairs: each word with the next n words; with node=, also LxRy)")
      .. ", got '" .. text .. "'"
  end
  return left, right
end

function M.init(ctx)
  local o = ctx.options
  if not measures[o.measure] then
    error("option 'measure' must be pmi, log_likelihood, t_score, chi2 or log_dice, got '"
      .. o.measure .. "'", 0)
  end
  local left, problem = window_of(o)
  if not left then error(problem, 0) end
  if o.node:find("%s") then
    error("option 'node' must be one word, got '" .. o.node .. "'", 0)
  end
  if o.by ~= "" and not ATTRS[o.by] then
    error("option 'by' must be lemma, pos or tag, got '" .. o.by .. "'", 0)
  end
  -- Counters live in Swift: words and pairs are counted there, document after document.
  if o.node ~= "" then
    return { uni = folio.counter(), left = folio.counter(), right = folio.counter(), nodes = 0, span = 0 }
  end
  return { uni = folio.counter(), bi = folio.counter() }
end

local ENDS = { ["."] = true, ["!"] = true, ["?"] = true }

-- The document's words (lowercased on request; with by=, their attribute as the tagger wrote
-- it), the sentence each is in, and whether each has one of the parts of speech asked for.
local function words_of(doc, o)
  local attr, allowed = selection(o)
  local words, sentence, kept, s = {}, {}, {}, 1
  for _, t in ipairs(doc:tokens()) do
    if t.kind == "word" then
      local w = attr and t[attr] or t.text
      if attr and w == nil then
        error("the tokens of " .. doc.id .. " have no '" .. attr .. "' - run a tagger that sets it first (-p pos)", 0)
      end
      words[#words + 1] = (o.lower and not attr) and folio.text.lower(w) or w
      sentence[#words] = s
      kept[#words] = not allowed or allowed[t.pos] == true
    elseif ENDS[t.text] then
      s = s + 1
    end
  end
  return words, sentence, kept
end

-- Node mode: count the words in the windows around each occurrence of the node.
local function each_node(state, doc, o)
  -- Most documents lack the node: Swift says so without tokenising them in Lua (a lemma's
  -- forms are not known before tagging).
  local attr = selection(o)
  if not attr and #doc:find_tokens(o.node, { ignore_case = o.lower }) == 0 then return end
  local node = (o.lower and not attr) and folio.text.lower(o.node) or o.node
  local words, sentence, kept = words_of(doc, o)
  local L, R = window_of(o)
  for i = 1, #words do
    if words[i] == node then
      state.nodes = state.nodes + 1
      for j = i - 1, math.max(1, i - L), -1 do
        if o.sentences and sentence[j] ~= sentence[i] then break end
        if kept[j] then
          state.left:add(words[j])
          state.span = state.span + 1
        end
      end
      for j = i + 1, math.min(#words, i + R) do
        if o.sentences and sentence[j] ~= sentence[i] then break end
        if kept[j] then
          state.right:add(words[j])
          state.span = state.span + 1
        end
      end
    end
  end
end

function M.each(state, doc, ctx)
  local o = ctx.options
  local attr, allowed, pos = selection(o)
  state.uni:add_tokens(doc, { lower = o.lower and not attr, attr = attr, pos = pos })
  if o.node ~= "" then return each_node(state, doc, o) end
  local _, w = window_of(o)
  if w <= 1 and not o.sentences and not attr and not allowed then
    state.bi:add_tokens(doc, { lower = o.lower, ngram = 2 })
    return
  end
  -- A pair is two words both of the parts of speech asked for, within the window.
  local words, sentence, kept = words_of(doc, o)
  for i = 1, #words do
    if kept[i] then
      for j = i + 1, math.min(#words, i + w) do
        if o.sentences and sentence[j] ~= sentence[i] then break end
        if kept[j] then state.bi:add(words[i] .. " " .. words[j]) end
      end
    end
  end
end

function M.merge(a, b)
  a.uni:merge(b.uni)
  if a.bi then
    a.bi:merge(b.bi)
  else
    a.left:merge(b.left)
    a.right:merge(b.right)
    a.nodes = a.nodes + b.nodes
    a.span = a.span + b.span
  end
  return a
end

local function round(x, digits)
  local f = 10 ^ digits
  return math.floor(x * f + 0.5) / f
end

-- p-values print with three significant digits (1.23e-08); 1 and 0 as they are.
local function p_text(p)
  if p >= 0.001 or p == 0 then return round(p, 4) end
  return tonumber(("%.3g"):format(p))
end

-- The significance note of the title and the cut-off for p-values: p / tests with Bonferroni.
local function cutoff(o, tests, what)
  if o.p >= 1 then return 1, nil end
  if o.bonferroni and tests > 1 then
    local c = o.p / tests
    return c, ("p < %g, Bonferroni-corrected for %d %s tested: p < %.3g"):format(o.p, tests, what, c)
  end
  return o.p, ("p < %g, not corrected for the %d %s tested"):format(o.p, tests, what)
end

local function finish_node(state, ctx)
  local o = ctx.options
  local measure = o.measure
  local n = state.uni:total()
  local r1 = state.span
  local left, right = state.left:items(), state.right:items()
  local keys = {}
  for k in pairs(left) do keys[k] = true end
  for k in pairs(right) do keys[k] = true end
  -- Candidates: collocates seen at least `min` times near the node, `min_freq` in the corpus.
  local candidates = {}
  for k in pairs(keys) do
    local o11 = (left[k] or 0) + (right[k] or 0)
    local c1 = state.uni:get(k)
    if o11 >= o.min and c1 >= o.min_freq then
      candidates[#candidates + 1] = { key = k, o11 = o11, c1 = c1 }
    end
  end
  local limit, note = cutoff(o, #candidates, "collocates")
  local rows = {}
  for _, c in ipairs(candidates) do
    local e11 = r1 * c.c1 / n
    local g2 = folio.stats.log_likelihood(c.o11, r1, c.c1, n)
    local p = folio.stats.p_value(g2)
    local score = measure == "log_dice" and folio.stats.log_dice(c.o11, state.nodes, c.c1)
      or measure == "log_likelihood" and g2 or folio.stats[measure](c.o11, r1, c.c1, n)
    if (o.negative or c.o11 > e11) and p < limit then
      rows[#rows + 1] = { c.key, c.o11, left[c.key] or 0, right[c.key] or 0, c.c1, round(e11, 2), round(score, 4), p_text(p), score }
    end
  end
  table.sort(rows, function(a, b)
    if a[9] ~= b[9] then return a[9] > b[9] end
    return a[1] < b[1]
  end)
  local out = {}
  for i, r in ipairs(rows) do
    if o.top > 0 and i > o.top then break end
    out[i] = { i, r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] }
  end
  local window = ("L%dR%d"):format(window_of(o))
  local title = ("collocates of '%s' (%d occurrences, window %s) by %s (%s)"):format(
    o.node, state.nodes, window, measure, folio.stats.formulas[measure])
  if note then title = title .. "; " .. note end
  return {
    title = title,
    columns = { "rank", "collocate", "count", "left", "right", "frequency", "expected", measure, "p" },
    rows = out,
    provenance = {
      node = o.node,
      window = window,
      occurrences = state.nodes,
      measure = measure,
      formula = folio.stats.formulas[measure],
      contingency = "o11 = count (in the windows), r1 = words in the windows, c1 = frequency, n = words",
      r1 = r1,
      n = n,
      significance = note or "none (p = 1)",
      test = "log-likelihood G2, 1 degree of freedom, p = " .. folio.stats.formulas.p_value,
      tested = #candidates,
    },
  }
end

function M.finish(state, ctx)
  local o = ctx.options
  if state.left then return finish_node(state, ctx) end
  local _, w = window_of(o)
  local n = state.uni:total() / w
  -- Scored and ranked in Swift: by score, then pair.
  -- Pairs seen less often than chance (negative scores: "the the") are left out unless asked.
  local best = state.bi:associations(state.uni,
    { measure = o.measure, min = o.min, n = n, top = o.p < 1 and 0 or o.top, negative = o.negative })
  local limit, note = cutoff(o, #best, "pairs")
  local rows = {}
  for _, r in ipairs(best) do
    if o.top > 0 and #rows >= o.top then break end
    local keep = limit >= 1
      or folio.stats.p_value(folio.stats.log_likelihood(r.count, r.first, r.second, n)) < limit
    if keep then
      rows[#rows + 1] = { #rows + 1, r.pair, r.count, r.first, r.second, round(r.score, 4) }
    end
  end
  local title = "collocations " .. o.measure .. " (" .. folio.stats.formulas[o.measure] .. ")"
  if note then title = title .. "; " .. note end
  return {
    title = title,
    columns = { "rank", "pair", "count", "first", "second", o.measure },
    rows = rows,
    -- Each row's contingency counts are o11 = count, r1 = first, c1 = second; n is the same
    -- for every row.
    provenance = {
      measure = o.measure,
      formula = folio.stats.formulas[o.measure],
      contingency = "o11 = count (the pair), r1 = first, c1 = second, n = words / window",
      n = n,
      significance = note,
    },
  }
end

return M
