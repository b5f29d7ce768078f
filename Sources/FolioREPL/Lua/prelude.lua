local function current()
  local c = rawget(_G, "corpus")
  if c == nil then
    error("no corpus loaded: .open PATH loads one (or start with folio repl CORPUS)", 3)
  end
  return c
end
function kwic(pattern, opts) return current():kwic(pattern, opts) end
function q(cql, opts) return current():query(cql, opts) end
function freq(opts) return current():freq(opts) end
function grep(pattern, flags) return current():search(pattern, flags) end
function sample(n, seed) return current():sample(n or 10, seed) end
plugins = {}
-- A table with a __tostring (a span) prints as tostring gives it, as in stock Lua.
do
  local emit, pack, unpack, tostring, type = print, table.pack, table.unpack, tostring, type
  function print(...)
    local t = pack(...)
    for i = 1, t.n do
      if type(t[i]) == "table" then
        local s = tostring(t[i])
        if s:sub(1, 7) ~= "table: " then t[i] = s end
      end
    end
    return emit(unpack(t, 1, t.n))
  end
end
