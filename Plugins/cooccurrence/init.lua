-- cooccurrence: pairs of names (spans of a layer, e.g. entities) that occur in the same
-- sentence or document. A name is its text and label ("Kolokoltsev (PERSON)"); spellings that
-- differ only in case or a leading "The" ("LISBON", "The Portuguese Stevedores Union") are one
-- name, shown in its most frequent spelling. A pair counts once per sentence (or document) it
-- shares, and the documents it occurs in are counted too. A name inside a longer one ("BBC" in
-- "BBC News") is not paired. Sentences are the document's sentence layer (doc:sentences()).
local M = {}

-- The key that merges spellings of one name, and the name as shown.
local function key_of(text, label)
  local k = folio.text.casefold(text):gsub("^the%s+", "")
  return k .. "\0" .. (label or "")
end

local function shown(text, label)
  return text .. (label and (" (" .. label .. ")") or "")
end

function M.init(ctx)
  local w = ctx.options.within
  if w ~= "sentence" and w ~= "document" then
    error("option 'within' must be sentence or document, got '" .. w .. "'", 0)
  end
  return { pairs = {}, forms = {} }
end

function M.each(state, doc, ctx)
  local o = ctx.options
  local only
  for l in o.labels:gmatch("[^,%s]+") do only = only or {}; only[l] = true end
  local all = {}
  for _, s in ipairs(doc:spans(o.layer)) do
    if not only or only[s.label or ""] then all[#all + 1] = s end
  end
  -- A name inside a longer one ("BBC" in "BBC News") is not a second name: outermost only.
  table.sort(all, function(a, b) return a.first < b.first or (a.first == b.first and a.last > b.last) end)
  local spans, reach = {}, 0
  for _, s in ipairs(all) do
    if s.last > reach then spans[#spans + 1] = s; reach = s.last end
  end
  if #spans < 2 then return end
  local units = {}
  if o.within == "document" then
    units[1] = { 1, #doc.text }
  else
    for _, s in ipairs(doc:sentences()) do units[#units + 1] = { s.first, s.last } end
  end
  local in_doc = {}
  local k = 1
  for _, u in ipairs(units) do
    local seen, list = {}, {}
    while k <= #spans and spans[k].first < u[1] do k = k + 1 end
    local j = k
    while j <= #spans and spans[j].first <= u[2] do
      local s = spans[j]
      local key = key_of(s.text, s.label)
      local forms = state.forms[key] or {}
      state.forms[key] = forms
      local name = shown(s.text, s.label)
      forms[name] = (forms[name] or 0) + 1
      if not seen[key] then seen[key] = true; list[#list + 1] = key end
      j = j + 1
    end
    table.sort(list)
    for a = 1, #list do
      for b = a + 1, #list do
        local pair = list[a] .. "\t" .. list[b]
        local p = state.pairs[pair] or { 0, 0 }
        state.pairs[pair] = p
        p[1] = p[1] + 1
        if not in_doc[pair] then in_doc[pair] = true; p[2] = p[2] + 1 end
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
  for key, forms in pairs(b.forms) do
    local mine = a.forms[key] or {}
    a.forms[key] = mine
    for name, n in pairs(forms) do mine[name] = (mine[name] or 0) + n end
  end
  return a
end

-- The most frequent spelling of a name (ties: the shortest, then the first in byte order).
local function spelling(forms)
  local best, count = nil, -1
  for name, n in pairs(forms) do
    if n > count or (n == count and (#name < #best or (#name == #best and name < best))) then
      best, count = name, n
    end
  end
  return best
end

function M.finish(state, ctx)
  local rows = {}
  for key, p in pairs(state.pairs) do
    if p[1] >= ctx.options.min then
      local a, b = key:match("^(.-)\t(.*)$")
      a, b = spelling(state.forms[a]), spelling(state.forms[b])
      if b < a then a, b = b, a end
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
