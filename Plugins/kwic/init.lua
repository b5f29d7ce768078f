-- kwic: keyword in context. One row per occurrence of a word (a whole token), a pattern
-- (PCRE2, anywhere) or a layer's spans (optionally one label): the document, the position and
-- `width` characters on each side, with line breaks shown as spaces; sorted on request by the
-- words before or after, as concordancers do.
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

local SORTS = { [""] = true, left = true, right = true, keyword = true }
local compiled

function M.init(ctx)
  local o = ctx.options
  local given = (o.word ~= "" and 1 or 0) + (o.pattern ~= "" and 1 or 0) + (o.layer ~= "" and 1 or 0)
  if given == 0 then
    error("give word=, pattern= or layer=: folio run CORPUS -p kwic:word=WORD", 0)
  elseif given > 1 then
    error("give only one of word=, pattern= and layer=", 0)
  end
  if not SORTS[o.sort] then
    error("option 'sort' must be '', left, right or keyword, got '" .. o.sort .. "'", 0)
  end
  return { rows = {} }
end

-- The occurrences in a document: {first, last, text} with string.find positions.
local function occurrences(doc, o)
  if o.layer ~= "" then
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

function M.each(state, doc, ctx)
  local width = ctx.options.width
  local text = doc.text
  -- Read a little more than `width` bytes on each side, then trim to characters.
  local span = width * 4 + 8
  local found = occurrences(doc, ctx.options)
  local rows = state.rows
  for _, t in ipairs(found) do
    local left = tail(flat(whole_chars(text:sub(math.max(1, t.first - span), t.first - 1))), width)
    local right = head(flat(whole_chars(text:sub(t.last + 1, t.last + span))), width)
    local pad = width - (utf8.len(left) or #left)
    rows[#rows + 1] = { doc.id, t.first, string.rep(" ", pad) .. left, t.text, right }
  end
end

function M.merge(a, b)
  for _, row in ipairs(b.rows) do a.rows[#a.rows + 1] = row end
  return a
end

-- Sort keys: the words before, nearest first; the words after; the keyword (lowercase).
local function words_before(left)
  local ws = {}
  for w in left:gmatch("%S+") do table.insert(ws, 1, w:lower()) end
  return table.concat(ws, " ")
end

function M.finish(state, ctx)
  local o = ctx.options
  if o.sort ~= "" then
    local keys = {}
    for _, row in ipairs(state.rows) do
      keys[row] = o.sort == "left" and words_before(row[3]) or o.sort == "right" and row[5]:lower()
        or row[4]:lower()
    end
    table.sort(state.rows, function(a, b)
      if keys[a] ~= keys[b] then return keys[a] < keys[b] end
      if a[1] ~= b[1] then return a[1] < b[1] end
      return a[2] < b[2]
    end)
  end
  local what = o.word ~= "" and o.word or o.pattern ~= "" and o.pattern or (o.layer .. (o.label ~= "" and ":" .. o.label or ""))
  return {
    title = "kwic " .. what,
    columns = { "document", "position", "left", "keyword", "right" },
    rows = state.rows,
  }
end

return M
