-- timeline: how many documents (and occurrences of a word) fall in each day, month or year of
-- their date (meta.date, ISO). A table in calendar order with every period between the first
-- and the last (zero where nothing happened), and an SVG line chart for -o FILE.svg.
local M = {}

local BY = { day = true, month = true, year = true }

function M.init(ctx)
  if not BY[ctx.options.by] then
    error("option 'by' must be day, month or year, got '" .. ctx.options.by .. "'", 0)
  end
  return { periods = {}, undated = 0 }
end

-- Days from 1970-01-01 of a civil date, and back (Howard Hinnant's algorithms): time axes step
-- through the calendar without the local time zone.
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return m <= 2 and y + 1 or y, m, d
end

-- Every period from `first` to `last` (both as the table writes them), in calendar order.
local function calendar(first, last, by)
  local out = {}
  if by == "year" then
    for y = tonumber(first), tonumber(last) do out[#out + 1] = ("%04d"):format(y) end
  elseif by == "month" then
    local y, m = first:match("^(%d+)-(%d+)$")
    local ly, lm = last:match("^(%d+)-(%d+)$")
    local k, stop = tonumber(y) * 12 + tonumber(m) - 1, tonumber(ly) * 12 + tonumber(lm) - 1
    for i = k, stop do out[#out + 1] = ("%04d-%02d"):format(i // 12, i % 12 + 1) end
  else
    local function days(text)
      local y, m, d = text:match("^(%d+)-(%d+)-(%d+)$")
      return days_from_civil(tonumber(y), tonumber(m), tonumber(d))
    end
    local a, b = days(first), days(last)
    for z = a, b do out[#out + 1] = ("%04d-%02d-%02d"):format(civil_from_days(z)) end
  end
  return out
end

-- The period of an ISO date, or nil when the date is not one (2024-13-01, 2024-02-30).
local function period_of(date, by)
  local y, m, d = date:match("^(%d%d%d%d)-(%d%d)-(%d%d)")
  if not y then
    y, m = date:match("^(%d%d%d%d)-(%d%d)")
    if not y then y = date:match("^(%d%d%d%d)") end
    if by ~= "year" and not m then return nil end
    if by == "day" and not d then return nil end
  end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m and (m < 1 or m > 12) then return nil end
  if d then
    local back = { civil_from_days(days_from_civil(y, m, d)) }
    if back[2] ~= m or back[3] ~= d then return nil end
  end
  if by == "year" then return ("%04d"):format(y) end
  if by == "month" then return ("%04d-%02d"):format(y, m) end
  return ("%04d-%02d-%02d"):format(y, m, d)
end

function M.each(state, doc, ctx)
  local o = ctx.options
  local date = doc.meta[o.field]
  local period = type(date) == "string" and period_of(date, o.by)
  if not period then
    state.undated = state.undated + 1
    return
  end
  local p = state.periods[period] or { documents = 0, hits = 0, words = 0 }
  state.periods[period] = p
  p.documents = p.documents + 1
  local _, words = doc:counts()
  p.words = p.words + words
  if o.word ~= "" then p.hits = p.hits + #doc:find_tokens(o.word, { ignore_case = true, possessive = true }) end
end

function M.merge(a, b)
  for period, q in pairs(b.periods) do
    local p = a.periods[period] or { documents = 0, hits = 0, words = 0 }
    a.periods[period] = p
    p.documents = p.documents + q.documents
    p.hits = p.hits + q.hits
    p.words = p.words + q.words
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
      out[#out + 1] = ('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %s: %s</title></circle>')
        :format(x(i), y(v), s.color, esc(periods[i]), esc(s.name), v == math.floor(v) and ("%d"):format(v) or ("%.1f"):format(v))
    end
    out[#out + 1] = ('<text x="%d" y="%d" fill="%s">%s</text>'):format(left + 10 + (k - 1) * 200, H - 8, s.color, esc(s.name))
  end
  out[#out + 1] = "</svg>\n"
  return table.concat(out, "\n")
end

function M.finish(state, ctx)
  local o = ctx.options
  local seen = {}
  for p in pairs(state.periods) do seen[#seen + 1] = p end
  table.sort(seen)
  local periods = #seen > 0 and calendar(seen[1], seen[#seen], o.by) or {}
  if #periods > o.max_periods then
    error(("the dates run from %s to %s: %d %ss, more than max_periods=%d - check the dates, or count by a longer period (by=month, by=year)")
      :format(seen[1], seen[#seen], #periods, o.by, o.max_periods), 0)
  end
  local rows, docs, hits = {}, {}, {}
  local empty = 0
  for i, p in ipairs(periods) do
    local v = state.periods[p] or { documents = 0, hits = 0, words = 0 }
    if v.documents == 0 then empty = empty + 1 end
    local row = { p, v.documents, v.words }
    local hit = v.hits
    if o.word ~= "" then
      if o.per_million then
        hit = v.words > 0 and math.floor(v.hits * 1e6 / v.words * 10 + 0.5) / 10 or 0
        row[#row + 1] = v.hits
      end
      row[#row + 1] = hit
    end
    rows[i] = row
    docs[i], hits[i] = v.documents, hit
  end
  local series = { { name = "documents", values = docs, color = "#4a7ab5" } }
  if o.word ~= "" then
    series[2] = { name = "'" .. o.word .. "'" .. (o.per_million and " per million words" or ""), values = hits, color = "#d0703c" }
  end
  local notes = {}
  if empty > 0 then notes[#notes + 1] = empty .. " " .. o.by .. (empty == 1 and "" or "s") .. " without documents shown as 0" end
  if state.undated > 0 then
    notes[#notes + 1] = state.undated .. (state.undated == 1 and " document" or " documents") .. " without a date"
  end
  local title = "timeline by " .. o.by .. (#notes > 0 and (" (" .. table.concat(notes, "; ") .. ")") or "")
  local columns = { o.by, "documents", "words" }
  if o.word ~= "" then
    columns[#columns + 1] = o.word
    if o.per_million then columns[#columns + 1] = o.word .. " per million" end
  end
  return {
    title = title,
    columns = columns,
    rows = rows,
    svg = chart(title, periods, series),
    provenance = { periods = #periods, empty = empty, undated = state.undated, field = "meta." .. o.field },
  }
end

return M
