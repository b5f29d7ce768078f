-- timeline: how many documents (and occurrences of a word) fall in each day, month or year of
-- their date (meta.date, ISO). A table in period order, and an SVG line chart for -o FILE.svg.
local M = {}

local LENGTH = { day = 10, month = 7, year = 4 }

function M.init(ctx)
  if not LENGTH[ctx.options.by] then
    error("option 'by' must be day, month or year, got '" .. ctx.options.by .. "'", 0)
  end
  return { periods = {}, undated = 0 }
end

function M.each(state, doc, ctx)
  local o = ctx.options
  local date = doc.meta[o.field]
  if type(date) ~= "string" or not date:find("^%d%d%d%d") then
    state.undated = state.undated + 1
    return
  end
  local period = date:sub(1, LENGTH[o.by])
  local p = state.periods[period] or { documents = 0, hits = 0 }
  state.periods[period] = p
  p.documents = p.documents + 1
  if o.word ~= "" then p.hits = p.hits + #doc:find_tokens(o.word, { ignore_case = true, possessive = true }) end
end

function M.merge(a, b)
  for period, q in pairs(b.periods) do
    local p = a.periods[period] or { documents = 0, hits = 0 }
    a.periods[period] = p
    p.documents = p.documents + q.documents
    p.hits = p.hits + q.hits
  end
  a.undated = a.undated + b.undated
  return a
end

local function esc(s)
  return (tostring(s):gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

-- A line chart of one or two series over the periods: self-contained SVG, no script.
local function chart(title, periods, series)
  local W, H, left, right, top, bottom = 760, 360, 56, 20, 40, 70
  local n = #periods
  local max = 1
  for _, s in ipairs(series) do
    for _, v in ipairs(s.values) do if v > max then max = v end end
  end
  local function x(i) return left + (n == 1 and (W - left - right) / 2 or (i - 1) * (W - left - right) / (n - 1)) end
  local function y(v) return H - bottom - v / max * (H - top - bottom) end
  local out = {
    ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">'):format(W, H),
    "<title>" .. esc(title) .. "</title>",
    ('<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>'):format(left, esc(title)),
    ('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>'):format(left, H - bottom, W - right, H - bottom),
    ('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>'):format(left, top, left, H - bottom),
  }
  for k = 0, 4 do -- y grid and labels
    local v = max * k / 4
    out[#out + 1] = ('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/><text x="%d" y="%.1f" text-anchor="end">%s</text>')
      :format(left, y(v), W - right, y(v), left - 6, y(v) + 4, (v == math.floor(v)) and ("%d"):format(v) or ("%.1f"):format(v))
  end
  local every = math.max(1, math.ceil(n / 16))
  for i, p in ipairs(periods) do
    if (i - 1) % every == 0 then
      out[#out + 1] = ('<text x="%.1f" y="%d" text-anchor="end" transform="rotate(-45 %.1f %d)">%s</text>')
        :format(x(i), H - bottom + 16, x(i), H - bottom + 16, esc(p))
    end
  end
  for k, s in ipairs(series) do
    local points = {}
    for i, v in ipairs(s.values) do points[i] = ("%.1f,%.1f"):format(x(i), y(v)) end
    out[#out + 1] = ('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'):format(s.color, table.concat(points, " "))
    for i, v in ipairs(s.values) do
      out[#out + 1] = ('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %s: %d</title></circle>')
        :format(x(i), y(v), s.color, esc(periods[i]), esc(s.name), v)
    end
    out[#out + 1] = ('<text x="%d" y="%d" fill="%s">%s</text>'):format(left + 10 + (k - 1) * 200, H - 8, s.color, esc(s.name))
  end
  out[#out + 1] = "</svg>\n"
  return table.concat(out, "\n")
end

function M.finish(state, ctx)
  local o = ctx.options
  local periods = {}
  for p in pairs(state.periods) do periods[#periods + 1] = p end
  table.sort(periods)
  local rows, docs, hits = {}, {}, {}
  for i, p in ipairs(periods) do
    local v = state.periods[p]
    rows[i] = o.word ~= "" and { p, v.documents, v.hits } or { p, v.documents }
    docs[i], hits[i] = v.documents, v.hits
  end
  local series = { { name = "documents", values = docs, color = "#4a7ab5" } }
  if o.word ~= "" then series[2] = { name = "'" .. o.word .. "'", values = hits, color = "#d0703c" } end
  local title = "timeline by " .. o.by .. (state.undated > 0 and (" (" .. state.undated .. " documents without a date)") or "")
  return {
    title = title,
    columns = o.word ~= "" and { o.by, "documents", o.word } or { o.by, "documents" },
    rows = rows,
    svg = chart(title, periods, series),
  }
end

return M
