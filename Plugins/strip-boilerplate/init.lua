-- strip-boilerplate: a two-pass filter. The scan counts, per source, in how many documents
-- each line occurs; the second pass cuts the lines that occur in at least `min_docs` of them
-- (donation appeals, "Related articles:", "Remind me later.", footers). Stories stay whole:
-- a line must repeat word for word (spaces at its ends aside) to go. A phrase list adds
-- what one document alone shows (phrases.txt; '>' phrases cut from their line to the end).
local M = {}

-- The lines of a text: {first, last, line} with positions as string.find gives them, the
-- newline included in the span so that cutting a line leaves no empty one behind.
local function lines(text)
  local out, pos = {}, 1
  while pos <= #text do
    local nl = text:find("\n", pos, true)
    local last = nl or #text
    out[#out + 1] = { pos, last, text:sub(pos, nl and nl - 1 or #text) }
    pos = last + 1
  end
  return out
end

local function key(line)
  return (line:gsub("^%s+", ""):gsub("%s+$", ""))
end

local function source_of(doc, ctx)
  local value = doc.meta[ctx.options.source]
  return value == nil and "" or tostring(value)
end

M.scan = {}

function M.scan.init()
  return { df = {} }
end

function M.scan.each(state, doc, ctx)
  local source = source_of(doc, ctx)
  local seen = {}
  for _, l in ipairs(lines(doc.text)) do
    local k = key(l[3])
    if k ~= "" and not seen[k] then
      seen[k] = true
      local sk = source .. "\n" .. k
      state.df[sk] = (state.df[sk] or 0) + 1
    end
  end
end

function M.scan.merge(a, b)
  for k, n in pairs(b.df) do a.df[k] = (a.df[k] or 0) + n end
  return a
end

function M.scan.finish(state, ctx)
  local boilerplate = {}
  for k, n in pairs(state.df) do
    if n >= ctx.options.min_docs then boilerplate[k] = true end
  end
  return boilerplate
end

local phrases -- {text, to_end} from the phrases file, read once per worker

local function load_phrases(ctx)
  phrases = {}
  for line in (ctx.files.phrases or ""):gmatch("[^\n]+") do
    line = key(line:gsub("\r$", ""))
    if line ~= "" and not line:find("^#") then
      local to_end = line:sub(1, 1) == ">"
      phrases[#phrases + 1] = { text = to_end and key(line:sub(2)) or line, to_end = to_end }
    end
  end
end

local function starts_with(s, prefix)
  return s:sub(1, #prefix) == prefix
end

function M.edit(doc, ctx)
  if not phrases then load_phrases(ctx) end
  local source = source_of(doc, ctx)
  local ls = lines(doc.text)
  local cut = 0
  -- A '>' phrase cuts from the first line it starts to the end of the text.
  for i, l in ipairs(ls) do
    local k = key(l[3])
    local tail = false
    for _, p in ipairs(phrases) do
      if p.to_end and starts_with(k, p.text) then tail = true; break end
    end
    if tail then
      cut = cut + (#ls - i + 1)
      doc:cut(l[1], #doc.text)
      for j = #ls, i, -1 do ls[j] = nil end
      break
    end
  end
  for i = #ls, 1, -1 do -- from the end, so earlier positions stay valid
    local l = ls[i]
    local k = key(l[3])
    local phrase = false
    for _, p in ipairs(phrases) do
      if not p.to_end and starts_with(k, p.text) then phrase = true; break end
    end
    if k ~= "" and (phrase or ctx.scan[source .. "\n" .. k]) then
      doc:cut(l[1], l[2])
      cut = cut + 1
    end
  end
  if cut > 0 then doc.meta.boilerplate_lines = cut end
end

return M
