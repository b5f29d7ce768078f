-- cooccurrence: pairs of names (spans of a layer, e.g. entities) that occur in the same
-- sentence or document. A name is its text and label ("Kolokoltsev (PERSON)"); a pair counts
-- once per sentence (or document) it shares, and the documents it occurs in are counted too.
local M = {}

-- Sentence ends: . ! ? (with closing quotes) followed by white space, or a blank line.
local function sentences(text)
  local out, start, pos = {}, 1, 1
  while true do
    local a, b = text:find("[%.!?]['\"’”]*%s+", pos)
    local nl = text:find("\n%s*\n", pos)
    if nl and (not a or nl < a) then a, b = nl, select(2, text:find("\n%s*\n", pos)) end
    if not a then break end
    out[#out + 1] = { start, a }
    start, pos = b + 1, b + 1
  end
  if start <= #text then out[#out + 1] = { start, #text } end
  return out
end

function M.init(ctx)
  local w = ctx.options.within
  if w ~= "sentence" and w ~= "document" then
    error("option 'within' must be sentence or document, got '" .. w .. "'", 0)
  end
  return { pairs = {} }
end

function M.each(state, doc, ctx)
  local o = ctx.options
  local only
  for l in o.labels:gmatch("[^,%s]+") do only = only or {}; only[l] = true end
  local spans = {}
  for _, s in ipairs(doc:spans(o.layer)) do
    if not only or only[s.label or ""] then spans[#spans + 1] = s end
  end
  if #spans < 2 then return end
  local units = o.within == "document" and { { 1, #doc.text } } or sentences(doc.text)
  local in_doc = {}
  local k = 1
  for _, u in ipairs(units) do
    local names, list = {}, {}
    while k <= #spans and spans[k].first < u[1] do k = k + 1 end
    local j = k
    while j <= #spans and spans[j].first <= u[2] do
      local s = spans[j]
      local name = s.text .. (s.label and (" (" .. s.label .. ")") or "")
      if not names[name] then names[name] = true; list[#list + 1] = name end
      j = j + 1
    end
    table.sort(list)
    for a = 1, #list do
      for b = a + 1, #list do
        local key = list[a] .. "\t" .. list[b]
        local p = state.pairs[key] or { 0, 0 }
        state.pairs[key] = p
        p[1] = p[1] + 1
        if not in_doc[key] then in_doc[key] = true; p[2] = p[2] + 1 end
      end
    end
  end
end

function M.merge(a, b)
  for key, q in pairs(b.pairs) do
    local p = a.pairs[key] or { 0, 0 }
    a.pairs[key] = p
    p[1], p[2] = p[1] + q[1], p[2] + q[2]
  end
  return a
end

function M.finish(state, ctx)
  local rows = {}
  for key, p in pairs(state.pairs) do
    if p[1] >= ctx.options.min then
      local a, b = key:match("^(.-)\t(.*)$")
      rows[#rows + 1] = { a, b, p[1], p[2] }
    end
  end
  table.sort(rows, function(x, y)
    if x[3] ~= y[3] then return x[3] > y[3] end
    if x[1] ~= y[1] then return x[1] < y[1] end
    return x[2] < y[2]
  end)
  local top = ctx.options.top
  if top > 0 then for i = #rows, top + 1, -1 do rows[i] = nil end end
  return {
    title = "cooccurrence within a " .. ctx.options.within,
    columns = { "a", "b", ctx.options.within .. "s", "documents" },
    rows = rows,
  }
end

return M
