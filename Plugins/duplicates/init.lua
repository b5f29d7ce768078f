-- duplicates: the report twin of the dedupe filter. Each document's MinHash signature (Swift,
-- doc:minhash) is kept; finish groups documents by LSH bands and estimated similarity and
-- lists, per cluster, the first document (the one dedupe keeps) and each duplicate with its
-- similarity. Same parameters and the same clusters as dedupe.
local M = {}

local SIZE, BANDS = 64, 16

function M.init()
  return { docs = {} }
end

function M.each(state, doc, ctx)
  state.docs[#state.docs + 1] = { id = doc.id, sig = doc:minhash({ shingle = ctx.options.shingle, size = SIZE }):totable() }
end

function M.merge(a, b)
  for _, d in ipairs(b.docs) do a.docs[#a.docs + 1] = d end
  return a
end

local function similarity(a, b)
  local same = 0
  for i = 1, SIZE do if a[i] == b[i] then same = same + 1 end end
  return same / SIZE
end

function M.finish(state, ctx)
  local docs, threshold = state.docs, ctx.options.threshold
  local parent, best, buckets = {}, {}, {}
  local function root(i)
    while parent[i] and parent[i] ~= i do i = parent[i] end
    return i
  end
  local rows = SIZE // BANDS
  for i, d in ipairs(docs) do
    local candidates = {}
    for band = 0, BANDS - 1 do
      local key = band .. ":" .. table.concat(d.sig, ",", band * rows + 1, band * rows + rows)
      local seen = buckets[key]
      if seen then
        for _, j in ipairs(seen) do candidates[j] = true end
        seen[#seen + 1] = i
      else
        buckets[key] = { i }
      end
    end
    local js = {}
    for j in pairs(candidates) do js[#js + 1] = j end
    table.sort(js)
    for _, j in ipairs(js) do
      local s = similarity(d.sig, docs[j].sig)
      if s >= threshold and not parent[i] then
        parent[i] = root(j)
        best[i] = s
      end
    end
  end
  local out, cluster_of, clusters = {}, {}, 0
  for i, d in ipairs(docs) do
    if parent[i] then
      local r = root(i)
      if not cluster_of[r] then
        clusters = clusters + 1
        cluster_of[r] = clusters
      end
      out[#out + 1] = { cluster_of[r], docs[r].id, d.id, math.floor(best[i] * 1000 + 0.5) / 1000 }
    end
  end
  table.sort(out, function(a, b) return a[1] < b[1] or (a[1] == b[1] and a[3] < b[3]) end)
  return {
    title = ("duplicates: %d clusters, %d documents to drop of %d"):format(clusters, #out, #docs),
    columns = { "cluster", "kept", "duplicate", "similarity" },
    rows = out,
  }
end

return M
