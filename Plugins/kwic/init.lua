-- kwic: keyword in context. One row per occurrence of a word: the document, the position and
-- `width` characters on each side, with line breaks shown as spaces.
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

function M.init(ctx)
  if ctx.options.word == "" then
    error("option 'word' is required: folio run CORPUS -p kwic:word=WORD", 0)
  end
  return { rows = {} }
end

function M.each(state, doc, ctx)
  local width = ctx.options.width
  local text = doc.text
  -- Read a little more than `width` bytes on each side, then trim to characters.
  local span = width * 4 + 8
  local found = doc:find_tokens(ctx.options.word, {
    ignore_case = ctx.options.ignore_case,
    possessive = true, -- Kolokoltsev's and Kolokoltsev’s are the word too
  })
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

function M.finish(state, ctx)
  return {
    title = "kwic " .. ctx.options.word,
    columns = { "document", "position", "left", "keyword", "right" },
    rows = state.rows,
  }
end

return M
