-- keyness: which words are typical of a subcorpus (the documents whose meta[field] equals
-- value) compared with the rest of the corpus, or with the documents whose meta[field] equals
-- reference (with two corpora on the command line, field=corpus compares them). Counts are kept in Swift (folio.counter); for
-- each word, log-likelihood G² (Dunning 1993) says how sure the difference is and log ratio
-- (Hardie 2014, folio.stats.log_ratio) how big it is. Positive log ratio: more frequent in
-- the target. Sorted by G², words overused in the target first.
local M = {}

local ATTRS = { lemma = true, pos = true, tag = true }

function M.init(ctx)
  if ctx.options.value == "" then
    error("option 'value' is required: -p keyness:field=folder,value=sport", 0)
  end
  if ctx.options.by ~= "" and not ATTRS[ctx.options.by] then
    error("option 'by' must be lemma, pos or tag, got '" .. ctx.options.by .. "'", 0)
  end
  return { target = folio.counter(), reference = folio.counter() }
end

function M.each(state, doc, ctx)
  local v = doc.meta[ctx.options.field]
  v = v ~= nil and tostring(v) or nil
  local side
  if v == ctx.options.value then
    side = state.target
  elseif ctx.options.reference == "" or v == ctx.options.reference then
    side = state.reference
  else
    return -- neither the target nor the named reference
  end
  -- Lemmas and tags are compared as the tagger wrote them; words folded on request.
  local o = ctx.options
  local attr = o.by ~= "" and o.by or nil
  side:add_tokens(doc, { lower = o.lower and not attr, attr = attr, pos = o.pos ~= "" and o.pos or nil })
end

function M.merge(a, b)
  a.target:merge(b.target)
  a.reference:merge(b.reference)
  return a
end

-- G² for a word seen a times in n1 tokens and b times in n2 tokens.
local function g2(a, b, n1, n2)
  local e1 = n1 * (a + b) / (n1 + n2)
  local e2 = n2 * (a + b) / (n1 + n2)
  local s = 0
  if a > 0 then s = s + a * math.log(a / e1) end
  if b > 0 then s = s + b * math.log(b / e2) end
  return 2 * s
end

local function round(x, places)
  local m = 10 ^ places
  return math.floor(x * m + 0.5) / m
end

function M.finish(state, ctx)
  local n1, n2 = state.target:total(), state.reference:total()
  local rows = {}
  if n1 > 0 and n2 > 0 then
    local reference = state.reference:items()
    for word, a in pairs(state.target:items({ min = ctx.options.min })) do
      local b = reference[word] or 0
      local lr = folio.stats.log_ratio(a, n1, b, n2)
      if lr > 0 then
        rows[#rows + 1] = { word, a, b, round(g2(a, b, n1, n2), 2), round(lr, 3) }
      end
    end
  end
  table.sort(rows, function(x, y)
    if x[4] ~= y[4] then return x[4] > y[4] end
    return x[1] < y[1]
  end)
  local top = ctx.options.top
  if top > 0 then for i = #rows, top + 1, -1 do rows[i] = nil end end
  for i, r in ipairs(rows) do table.insert(r, 1, i) end
  return {
    title = ("keyness of %s=%s (%d tokens) against %s (%d tokens)"):format(
      ctx.options.field, ctx.options.value, n1,
      ctx.options.reference == "" and "the rest" or (ctx.options.field .. "=" .. ctx.options.reference), n2),
    columns = { "rank", ctx.options.by ~= "" and ctx.options.by or "word", "target", "reference", "log_likelihood", "log_ratio" },
    rows = rows,
    provenance = {
      target = ctx.options.field .. "=" .. ctx.options.value,
      reference = ctx.options.reference == "" and "the rest" or (ctx.options.field .. "=" .. ctx.options.reference),
      tokens = { target = n1, reference = n2 },
      formula = {
        log_likelihood = "G2 = 2 * (a ln(a/E1) + b ln(b/E2)), E1 = n1 (a+b)/(n1+n2), E2 = n2 (a+b)/(n1+n2)",
        log_ratio = folio.stats.formulas.log_ratio,
      },
    },
  }
end

return M
