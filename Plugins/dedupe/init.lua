-- dedupe: a two-pass filter. The scan takes a MinHash signature of every document (computed in
-- Swift by doc:minhash over word shingles); its finish groups documents whose signatures share
-- an LSH band and whose estimated similarity reaches `threshold`, exact copies included. The
-- second pass keeps the first document of each cluster (in corpus order) and drops the rest
-- (or marks them: meta.duplicate_of, meta.similarity).
local M = {}

local SIZE, BANDS = 64, 16 -- 16 bands of 4 rows: pairs at 0.8 similarity are found with p > 0.99

M.scan = {}

function M.scan.init()
  return { docs = {} }
end

function M.scan.each(state, doc, ctx)
  state.docs[#state.docs + 1] = { id = doc.id, sig = doc:minhash({ shingle = ctx.options.shingle, size = SIZE }):totable() }
end

function M.scan.merge(a, b)
  for _, d in ipairs(b.docs) do a.docs[#a.docs + 1] = d end
  return a
end

-- Clusters (LSH and the similarity check run in Swift): for each document after the first of
-- its cluster, {first = id, similarity = s}.
function M.scan.finish(state, ctx)
  local docs, signatures = state.docs, {}
  for i, d in ipairs(docs) do signatures[i] = d.sig end
  local found = folio.minhash_clusters(signatures, { threshold = ctx.options.threshold, bands = BANDS })
  local result = {}
  for i, f in ipairs(found) do
    if f then result[docs[i].id] = { first = docs[f.first].id, similarity = f.similarity } end
  end
  return result
end

function M.keep(doc, ctx)
  local dup = ctx.scan[doc.id]
  if not dup then return true end
  if ctx.options.drop then return false end
  doc.meta.duplicate_of = dup.first
  doc.meta.similarity = dup.similarity
  return true
end

return M
