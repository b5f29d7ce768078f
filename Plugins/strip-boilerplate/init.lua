-- strip-boilerplate: a two-pass filter. The scan counts, per source, in how many documents
-- each line occurs; the second pass cuts the lines that occur in at least `min_docs` of them
-- (donation appeals, "Related articles:", "Remind me later.", footers). Stories stay whole:
-- a line must repeat word for word (spaces at its ends aside) to go.
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

function M.edit(doc, ctx)
  local source = source_of(doc, ctx)
  local ls = lines(doc.text)
  local cut = 0
  for i = #ls, 1, -1 do -- from the end, so earlier positions stay valid
    local l = ls[i]
    local k = key(l[3])
    if k ~= "" and ctx.scan[source .. "\n" .. k] then
      doc:cut(l[1], l[2])
      cut = cut + 1
    end
  end
  if cut > 0 then doc.meta.boilerplate_lines = cut end
end

return M
