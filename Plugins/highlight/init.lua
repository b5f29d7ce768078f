-- highlight: an HTML page (self-contained, well-formed XML) of the documents with the spans
-- of their layers marked: a colour per label, the label after each span, a legend with counts.
-- Overlapping spans are closed and reopened at each boundary, so the markup stays nested.
local M = {}

local COLOURS = { "#ffd166", "#8ecae6", "#b5e48c", "#f4a3a8", "#cdb4db", "#ffb703", "#a8dadc", "#e9c46a" }

local function esc(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

local function wanted(ctx)
  local set = {}
  for name in ctx.options.layers:gmatch("[^,%s]+") do set[name] = true end
  return next(set) and set or nil
end

function M.init()
  return { docs = {}, total = 0 }
end

function M.each(state, doc, ctx)
  state.total = state.total + 1
  local limit = ctx.options.limit
  if limit > 0 and #state.docs >= limit then return end
  local only = wanted(ctx)
  local spans = {}
  for _, layer in ipairs(doc:layers()) do
    if not only or only[layer] then
      for _, s in ipairs(doc:spans(layer)) do
        spans[#spans + 1] = { s.first, s.last, layer .. ":" .. (s.label or "") }
      end
    end
  end
  state.docs[#state.docs + 1] = { id = doc.id, text = doc.text, spans = spans }
end

function M.merge(a, b)
  for _, d in ipairs(b.docs) do a.docs[#a.docs + 1] = d end
  a.total = a.total + b.total
  return a
end

-- The text with <mark> elements; each boundary closes every open mark and reopens those that
-- go on, so overlapping spans give well-formed markup.
local function render(d, class_of)
  local text, spans = d.text, d.spans
  local cuts = { [1] = true, [#text + 1] = true }
  for _, s in ipairs(spans) do cuts[s[1]] = true; cuts[s[2] + 1] = true end
  local points = {}
  for p in pairs(cuts) do if p >= 1 and p <= #text + 1 then points[#points + 1] = p end end
  table.sort(points)
  local out = {}
  for k = 1, #points - 1 do
    local a, b = points[k], points[k + 1] - 1
    local open = {}
    for _, s in ipairs(spans) do
      if s[1] <= a and s[2] >= b then open[#open + 1] = s end
    end
    table.sort(open, function(x, y) return (x[2] - x[1]) > (y[2] - y[1]) end)
    local piece = esc(text:sub(a, b)):gsub("\n", "<br/>\n")
    for i = #open, 1, -1 do
      local s = open[i]
      local label = s[2] == b and ('<span class="label">' .. esc(s[3]) .. "</span>") or ""
      piece = ('<mark class="%s">%s%s</mark>'):format(class_of[s[3]], piece, label)
    end
    out[#out + 1] = piece
  end
  return table.concat(out)
end

function M.finish(state, ctx)
  local counts, names = {}, {}
  for _, d in ipairs(state.docs) do
    for _, s in ipairs(d.spans) do
      if not counts[s[3]] then names[#names + 1] = s[3] end
      counts[s[3]] = (counts[s[3]] or 0) + 1
    end
  end
  table.sort(names)
  local class_of, style, legend, rows = {}, {}, {}, {}
  for i, name in ipairs(names) do
    class_of[name] = "c" .. i
    style[#style + 1] = (".c%d { background: %s; }"):format(i, COLOURS[(i - 1) % #COLOURS + 1])
    legend[#legend + 1] = ('<mark class="c%d">%s</mark> %d'):format(i, esc(name), counts[name])
    rows[#rows + 1] = { name:match("^[^:]*"), name:match(":(.*)$"), counts[name] }
  end
  local body = {
    "<h1>" .. esc(#state.docs .. " of " .. state.total .. " documents") .. "</h1>",
    '<p class="legend">' .. (#legend > 0 and table.concat(legend, " · ") or "no spans") .. "</p>",
  }
  for _, d in ipairs(state.docs) do
    body[#body + 1] = "<article>\n<h2>" .. esc(d.id) .. "</h2>\n<p>" .. render(d, class_of) .. "</p>\n</article>"
  end
  local css = table.concat(style, "\n") .. [[

mark { border-radius: 0.3em; padding: 0.05em 0.2em; }
mark mark { padding: 0 0.1em; }
.label { font-size: 0.65em; font-weight: bold; margin-left: 0.3em; text-transform: uppercase; opacity: 0.7; }
article { border-top: 1px solid #ddd; margin-top: 1.5em; }
h2 { font-size: 1em; color: #555; }
.legend mark { margin-right: 0.2em; }
]]
  local html = table.concat({
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8"/>',
    "<title>Folio: highlighted documents</title>",
    "<style>",
    "body { font: 16px/1.7 system-ui, sans-serif; margin: 2em auto; max-width: 50em; color: #222; }",
    css,
    "</style>",
    "</head>",
    "<body>",
    table.concat(body, "\n"),
    "</body>",
    "</html>",
    "",
  }, "\n")
  return { title = "highlight", columns = { "layer", "label", "spans" }, rows = rows, html = html }
end

return M
