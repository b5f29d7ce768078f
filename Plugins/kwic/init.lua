-- kwic: keyword in context. One row per occurrence of a word: the document, the position and
-- `width` characters on each side, with line breaks shown as spaces.
local M = {}

local lower = folio.text.lower

local function flat(s)
  return (s:gsub("%s+", " "))
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
  local word, width = ctx.options.word, ctx.options.width
  local ignore = ctx.options.ignore_case
  if ignore then word = lower(word) end
  local text = doc.text
  -- Read a little more than `width` bytes on each side, then trim to characters.
  local span = width * 4 + 8
  for _, t in ipairs(doc:tokens()) do
    local candidate = ignore and lower(t.text) or t.text
    -- A possessive is the same word: Kolokoltsev's, Kolokoltsev’s.
    if #candidate > #word and candidate:sub(1, #word) == word then
      local rest = candidate:sub(#word + 1)
      if rest == "'s" or rest == "’s" then candidate = word end
    end
    if candidate == word then
      local left = flat(text:sub(math.max(1, t.first - span), t.first - 1))
      local right = flat(text:sub(t.last + 1, t.last + span))
      left = tail(left, width)
      right = head(right, width)
      local pad = width - (utf8.len(left) or #left)
      local rows = state.rows
      rows[#rows + 1] = { doc.id, t.first, string.rep(" ", pad) .. left, t.text, right }
    end
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
