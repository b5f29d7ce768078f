-- spans: how many spans each layer and label has, and in how many documents.
local M = {}

function M.init(ctx)
  return { counts = {}, docs = {} }
end

function M.each(state, doc, ctx)
  local only = ctx.options.layer
  for _, layer in ipairs(doc:layers()) do
    if only == "" or layer == only then
      local seen = {}
      for _, span in ipairs(doc:spans(layer)) do
        local key = layer .. "\t" .. (span.label or "")
        state.counts[key] = (state.counts[key] or 0) + 1
        if not seen[key] then
          seen[key] = true
          state.docs[key] = (state.docs[key] or 0) + 1
        end
      end
    end
  end
end

function M.merge(a, b)
  for k, n in pairs(b.counts) do a.counts[k] = (a.counts[k] or 0) + n end
  for k, n in pairs(b.docs) do a.docs[k] = (a.docs[k] or 0) + n end
  return a
end

function M.finish(state, ctx)
  local keys = {}
  for k in pairs(state.counts) do keys[#keys + 1] = k end
  table.sort(keys)
  local rows = {}
  for i, k in ipairs(keys) do
    local layer, label = k:match("^(.-)\t(.*)$")
    rows[i] = { layer, label, state.counts[k], state.docs[k] }
  end
  return { title = "spans", columns = { "layer", "label", "spans", "documents" }, rows = rows }
end

return M
