local compile = ...
local re = {}
local cache, cached = {}, 0
local function get(pattern, flags)
  local key = (flags or "") .. "/" .. pattern
  local r = cache[key]
  if r == nil then
    if cached >= 256 then cache, cached = {}, 0 end
    r = compile(pattern, flags)
    cache[key] = r
    cached = cached + 1
  end
  return r
end
re.compile = compile
function re.find(s, pattern, init, flags) return get(pattern, flags):find(s, init) end
function re.match(s, pattern, init, flags) return get(pattern, flags):match(s, init) end
function re.gmatch(s, pattern, flags) return get(pattern, flags):gmatch(s) end
function re.gsub(s, pattern, repl, n, flags) return get(pattern, flags):gsub(s, repl, n) end
return re
