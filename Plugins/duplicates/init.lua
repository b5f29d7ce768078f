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

function M.finish(state, ctx)
  local docs, signatures = state.docs, {}
  for i, d in ipairs(docs) do signatures[i] = d.sig end
  local found = folio.minhash_clusters(signatures, { threshold = ctx.options.threshold, bands = BANDS })
  local out, cluster_of, clusters = {}, {}, 0
  for i, d in ipairs(docs) do
    local f = found[i]
    if f then
      if not cluster_of[f.first] then
        clusters = clusters + 1
        cluster_of[f.first] = clusters
      end
      out[#out + 1] = { cluster_of[f.first], docs[f.first].id, d.id, math.floor(f.similarity * 1000 + 0.5) / 1000 }
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
