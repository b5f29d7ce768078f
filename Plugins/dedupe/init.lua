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

local function similarity(a, b)
  local same = 0
  for i = 1, SIZE do if a[i] == b[i] then same = same + 1 end end
  return same / SIZE
end

-- Clusters: for each document after the first of its cluster, {first = id, similarity = s}.
function M.scan.finish(state, ctx)
  local docs, threshold = state.docs, ctx.options.threshold
  local parent = {}
  local function root(i)
    while parent[i] and parent[i] ~= i do i = parent[i] end
    return i
  end
  local rows = SIZE // BANDS
  local buckets, best = {}, {}
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
      if s >= threshold then
        local r = root(j)
        if not parent[i] then
          parent[i] = r
          best[i] = s
        end
      end
    end
  end
  local result = {}
  for i, d in ipairs(docs) do
    if parent[i] and parent[i] ~= i then
      result[d.id] = { first = docs[root(i)].id, similarity = best[i] }
    end
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
