-- kwic: keyword in context. One row per occurrence of a word (a whole token), a pattern
-- (PCRE2, anywhere), the hits of a CQL query or a layer's spans (optionally one label): the
-- document, the position and `width` characters (or `context` tokens, or the sentence) on
-- each side, with line breaks shown as spaces; sorted on request by levels of words before and
-- after (L1 R1 R2, as AntConc), and thinned to a random sample. `folio query` runs it.
local M = {}

local function flat(s)
  return (s:gsub("%s+", " "))
end

-- The context windows are cut in bytes: drop a partial character at either edge.
local function whole_chars(s)
  s = s:gsub("^[\128-\191]+", "")
  local last = s:find("[\192-\255][\128-\191]*$")
  if last then
    local b = s:byte(last)
    local need = b >= 0xF0 and 4 or b >= 0xE0 and 3 or 2
    if #s - last + 1 < need then s = s:sub(1, last - 1) end
  end
  return s
end

-- The last `n` characters of s (UTF-8 aware).
local function tail(s, n)
  local len = utf8.len(s) or #s
  if len <= n then return s end
  return s:sub(utf8.offset(s, len - n + 1) or 1)
end

-- The first `n` characters of s (UTF-8 aware).
local function head(s, n)
  local stop = utf8.offset(s, n + 1)
  return stop and s:sub(1, stop - 1) or s
end

local ALIASES = { left = { "L1", "L2", "L3" }, right = { "R1", "R2", "R3" }, keyword = { "K" } }
local compiled

-- The sort levels of the option: "L1 R1 R2" (or with + or commas) as a list of
-- {side = -1 | 0 | 1, n = distance}; nil and a message when a level is not one.
local function levels_of(text)
  local out = {}
  for part in text:gmatch("[^%s,+]+") do
    local names = ALIASES[part:lower()] or { part:upper() }
    for _, name in ipairs(names) do
      local side, n = name:match("^([LR])(%d)$")
      if side and n ~= "0" then
        out[#out + 1] = { side = side == "L" and -1 or 1, n = tonumber(n) }
      elseif name == "K" or name == "KW" or name == "KEYWORD" then
        out[#out + 1] = { side = 0, n = 0 }
      else
        return nil, "option 'sort' must be levels such as L1, R1, R2, K (L1 to L9, R1 to R9, K the keyword; "
          .. "joined by + or spaces) or left, right, keyword; got '" .. part .. "' in '" .. text .. "'"
      end
    end
  end
  return out
end

function M.init(ctx)
  local o = ctx.options
  local given = (o.word ~= "" and 1 or 0) + (o.pattern ~= "" and 1 or 0) + (o.layer ~= "" and 1 or 0)
    + (o.cql ~= "" and 1 or 0)
  if given == 0 then
    error("give word=, pattern=, cql= or layer=: folio run CORPUS -p kwic:word=WORD", 0)
  elseif given > 1 then
    error("give only one of word=, pattern=, cql= and layer=", 0)
  end
  if o.context ~= "" and o.context ~= "s" and not o.context:find("^%d+$") then
    error("option 'context' must be a number of tokens or s (the sentence), not '" .. o.context .. "'", 0)
  end
  local levels, problem = levels_of(o.sort)
  if not levels then error(problem, 0) end
  return { rows = {}, keys = {} }
end

-- The occurrences in a document: {first, last, text} with string.find positions.
local function occurrences(doc, o)
  if o.cql ~= "" then
    return doc:query(o.cql, { strategy = o.strategy })
  elseif o.layer ~= "" then
    local out = {}
    for _, s in ipairs(doc:spans(o.layer)) do
      if o.label == "" or s.label == o.label then out[#out + 1] = { first = s.first, last = s.last, text = s.text } end
    end
    return out
  elseif o.pattern ~= "" then
    compiled = compiled or folio.re.compile(o.pattern, o.ignore_case and "i" or "")
    local out, init, text = {}, 1, doc.text
    while init <= #text do
      local m = compiled:exec(text, init)
      if not m then break end
      if m.last >= m.first then out[#out + 1] = { first = m.first, last = m.last, text = text:sub(m.first, m.last) } end
      init = math.max(m.last, m.first) + 1
    end
    return out
  end
  return doc:find_tokens(o.word, {
    ignore_case = o.ignore_case,
    possessive = true, -- Kolokoltsev's and Kolokoltsev’s are the word too
  })
end

-- The first index whose value in the ascending list is at least v (binary search).
local function search(list, v)
  local a, b = 1, #list + 1
  while a < b do
    local mid = (a + b) // 2
    if list[mid] < v then a = mid + 1 else b = mid end
  end
  return a
end

-- Tokens that sort keys skip unless sort_punct is set.
local SKIPPED = { punct = true, symbol = true }

-- The sort keys of each occurrence: for each level, the word that many tokens before or after
-- it (punctuation skipped unless asked), case-folded unless asked; the keyword itself for K.
local function keys_of(doc, found, levels, o)
  local c = doc:token_columns()
  local firsts, kinds, texts = c.first, c.kind, c.text
  local function key(s)
    return o.sort_case and s or folio.text.casefold(s)
  end
  -- The index of the first token that starts at or after `pos`.
  local function at(pos) return search(firsts, pos) end
  local function word(i, step, n)
    while i >= 1 and i <= #firsts do
      if o.sort_punct or not SKIPPED[kinds[i]] then
        n = n - 1
        if n == 0 then return key(texts[i]) end
      end
      i = i + step
    end
    return ""
  end
  local out = {}
  for k, t in ipairs(found) do
    local before = at(t.first) - 1 -- the last token before the keyword
    local after = at(t.last + 1) -- the first token after it
    local ks = {}
    for j, level in ipairs(levels) do
      if level.side == 0 then
        local text = t.text
        if not o.sort_punct then text = text:gsub("^%p+", ""):gsub("%p+$", "") end
        ks[j] = key(text)
      elseif level.side < 0 then
        ks[j] = word(before, -1, level.n)
      else
        ks[j] = word(after, 1, level.n)
      end
    end
    out[k] = ks
  end
  return out
end

-- With show=ATTR, lines are tokens as word/ATTR (CQP's "show +pos"): a function giving the
-- left context, the keyword and the right context of an occurrence, each at most `width`
-- characters of whole tokens.
local function tagged_tokens(doc, attr)
  local c = doc:token_columns()
  local firsts, lasts, texts, values = c.first, c.last, c.text, c[attr]
  if not values then
    error("the tokens of " .. doc.id .. " have no '" .. attr .. "' - run a tagger that sets it first (-p pos)", 0)
  end
  local function item(i) return texts[i] .. "/" .. values[i] end
  return function(t, width)
    local before, after = {}, {}
    -- The keyword's tokens: from the first that ends in it to the last that starts in it.
    local lo, hi = search(lasts, t.first), search(firsts, t.last + 1) - 1
    local key = {}
    for i = lo, hi do key[#key + 1] = item(i) end
    if #key == 0 then key[1] = t.text end
    local used = 0
    for i = lo - 1, 1, -1 do
      local s = item(i)
      used = used + utf8.len(s) + 1
      if used > width + 1 then break end
      table.insert(before, 1, s)
    end
    used = 0
    for i = math.max(hi, lo - 1) + 1, #firsts do
      local s = item(i)
      used = used + utf8.len(s) + 1
      if used > width + 1 then break end
      after[#after + 1] = s
    end
    return table.concat(before, " "), table.concat(key, " "), table.concat(after, " ")
  end
end

-- With context=N or context=s: a function giving the left and right context of an
-- occurrence as whole tokens (N on each side) or the rest of its sentence.
local function token_context(doc, mode)
  local text = doc.text
  if mode == "s" then
    local sentences = doc:sentences()
    local lasts = {}
    for i, s in ipairs(sentences) do lasts[i] = s.last end
    return function(t)
      local s = sentences[search(lasts, t.first)]
      local e = sentences[search(lasts, t.last)] or s
      if not s then return "", "" end
      return flat(text:sub(s.first, t.first - 1)), flat(text:sub(t.last + 1, e.last))
    end
  end
  local n = tonumber(mode)
  local c = doc:token_columns()
  local firsts, lasts = c.first, c.last
  return function(t)
    local lo, hi = search(lasts, t.first), search(firsts, t.last + 1) - 1
    local a, b = math.max(1, lo - n), math.min(#firsts, hi + n)
    local left = lo > a and text:sub(firsts[a], t.first - 1) or ""
    local right = b > hi and text:sub(t.last + 1, lasts[b]) or ""
    return flat(left), flat(right)
  end
end

function M.each(state, doc, ctx)
  local o = ctx.options
  local width = o.width
  local text = doc.text
  -- Read a little more than `width` bytes on each side, then trim to characters.
  local span = width * 4 + 8
  local found = occurrences(doc, o)
  if #found == 0 then return end
  local rows, keys = state.rows, state.keys
  local levels = levels_of(o.sort)
  local sort_keys = #levels > 0 and keys_of(doc, found, levels, o)
  local tagged = o.show ~= "" and tagged_tokens(doc, o.show)
  local around = o.context ~= "" and token_context(doc, o.context)
  for k, t in ipairs(found) do
    local left, key, right
    if tagged then
      left, key, right = tagged(t, width)
    elseif around then
      left, right = around(t)
      key = flat(t.text)
    else
      left = tail(flat(whole_chars(text:sub(math.max(1, t.first - span), t.first - 1))), width)
      key = t.text
      right = head(flat(whole_chars(text:sub(t.last + 1, t.last + span))), width)
    end
    -- With context, lines are padded as they finish (the widest left context sets the width).
    local pad = around and 0 or width - (utf8.len(left) or #left)
    rows[#rows + 1] = { doc.id, t.first, string.rep(" ", pad) .. left, key, right }
    if sort_keys then keys[#rows] = sort_keys[k] end
  end
end

function M.merge(a, b)
  local n = #a.rows
  for i, row in ipairs(b.rows) do
    a.rows[n + i] = row
    a.keys[n + i] = b.keys[i]
  end
  return a
end

-- `n` of the rows, chosen at random with `seed` (the same lines for the same corpus and seed,
-- whatever -j), kept in corpus order.
local function thin(rows, n, seed)
  local picked = {}
  for i = 1, #rows do picked[i] = i end
  math.randomseed(seed)
  for i = 1, n do
    local j = math.random(i, #picked)
    picked[i], picked[j] = picked[j], picked[i]
  end
  local chosen = {}
  for i = 1, n do chosen[i] = picked[i] end
  table.sort(chosen)
  return chosen
end

function M.finish(state, ctx)
  local o = ctx.options
  local order = {}
  for i = 1, #state.rows do order[i] = i end
  local total = #order
  if o.sample > 0 and total > o.sample then order = thin(state.rows, o.sample, o.seed) end
  local levels = levels_of(o.sort)
  if #levels > 0 then
    local rows, keys = state.rows, state.keys
    table.sort(order, function(x, y)
      local kx, ky = keys[x], keys[y]
      for j = 1, #levels do
        if kx[j] ~= ky[j] then return kx[j] < ky[j] end
      end
      if rows[x][1] ~= rows[y][1] then return rows[x][1] < rows[y][1] end
      return rows[x][2] < rows[y][2]
    end)
  end
  local rows = {}
  for i, k in ipairs(order) do rows[i] = state.rows[k] end
  if o.context ~= "" then
    local widest = 0
    for _, row in ipairs(rows) do widest = math.max(widest, utf8.len(row[3]) or #row[3]) end
    for i, row in ipairs(rows) do
      rows[i] = { row[1], row[2], string.rep(" ", widest - (utf8.len(row[3]) or #row[3])) .. row[3], row[4], row[5] }
    end
  end
  local what = o.word ~= "" and o.word or o.pattern ~= "" and o.pattern or o.cql ~= "" and o.cql
    or (o.layer .. (o.label ~= "" and ":" .. o.label or ""))
  local title = "kwic " .. what
  if #rows < total then title = title .. (" (%d random lines of %d, seed %d)"):format(#rows, total, o.seed) end
  if #levels > 0 then title = title .. " sorted by " .. o.sort end
  return {
    title = title,
    columns = { "document", "position", "left", "keyword", "right" },
    rows = rows,
    provenance = { lines = total, shown = #rows },
  }
end

return M
