-- inline-date: scraped news often starts with a dateline such as "date 2024-06-27" glued to
-- the story. This filter moves it into doc.meta.date (ISO form) and cuts it, with the white
-- space after it, from the text. Impossible dates (2024-13-40) are left alone.
local M = {}

local function valid(y, m, d)
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 then return false end
  local days = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  local leap = (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0
  return d <= (m == 2 and leap and 29 or days[m])
end

function M.edit(doc, ctx)
  local first, last, y, m, d = doc.text:find("^%s*[Dd]ate:?%s+(%d%d%d%d)%-(%d%d)%-(%d%d)%f[^%d]%s*")
  if not first or not valid(y, m, d) then return end
  doc.meta[ctx.options.field] = y .. "-" .. m .. "-" .. d
  if not ctx.options.keep_text then doc:cut(first, last) end
end

return M
