-- select: keeps the documents whose metadata satisfy an expression. The expression is Lua,
-- compiled once, text only, in an environment holding nothing but the document's metadata
-- (missing keys are nil) and a few helpers: `id`, `contains(s, part)`, `lower(s)`.
local M = {}

local test -- the compiled expression

local function compile(where)
  if where == "" then
    error("option 'where' is required: -p \"select:where=folder == 'sport'\"", 0)
  end
  local env = {}
  local chunk, message = load("return " .. where, "=where", "t", env)
  if not chunk then
    error("option 'where' is not a Lua expression: " .. message:gsub("^where:1: ", ""), 0)
  end
  return chunk, env
end


function M.keep(doc, ctx)
  if not test then
    local chunk, env = compile(ctx.options.where)
    test = { chunk = chunk, env = env }
  end
  local env = test.env
  for k in pairs(env) do env[k] = nil end
  for k, v in pairs(doc.meta) do env[k] = v end
  env.id = doc.id
  env.contains = function(s, part) return type(s) == "string" and s:find(part, 1, true) ~= nil end
  env.lower = function(s) return type(s) == "string" and folio.text.lower(s) or s end
  local ok, result = pcall(test.chunk)
  if not ok then
    local message = tostring(result):gsub("^where:1: ", "")
    -- A comparison or sum with a missing value (a CSV row without a score) is not true: the
    -- document is dropped, as SQL drops rows whose NULL makes a condition unknown.
    if message:find("compare %a+ with nil") or message:find("compare nil with") or message:find("on a nil value") then
      if not test.warned then
        test.warned = true
        folio.log("documents whose 'where' reads a missing value are dropped (first: " .. doc.id .. ": " .. message .. ")")
      end
      return false
    end
    error("option 'where' failed on this document: " .. message, 0)
  end
  return result and true or false
end

return M
