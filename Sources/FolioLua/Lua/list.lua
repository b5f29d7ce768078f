local List = {}
List.__index = List
List.__name = "List"
local function new(t, mt) return setmetatable(t, mt or List) end
function List.new(t) return new(t or {}) end
function List:map(f)
  local r = {}
  for i = 1, #self do r[i] = f(self[i], i) end
  return new(r)
end
function List:filter(f)
  local r, n = {}, 0
  for i = 1, #self do
    local v = self[i]
    if f(v, i) then n = n + 1; r[n] = v end
  end
  return new(r, getmetatable(self))
end
function List:find(f)
  for i = 1, #self do
    if f(self[i], i) then return self[i], i end
  end
  return nil
end
function List:each(f)
  for i = 1, #self do f(self[i], i) end
end
function List:count(f)
  if f == nil then return #self end
  local n = 0
  for i = 1, #self do
    if f(self[i], i) then n = n + 1 end
  end
  return n
end
function List:take(n)
  local r = {}
  for i = 1, math.min(n, #self) do r[i] = self[i] end
  return new(r, getmetatable(self))
end
function List:sort(cmp)
  table.sort(self, cmp)
  return self
end
function List:totable()
  local r = {}
  for i = 1, #self do r[i] = self[i] end
  return r
end
function List:__tostring()
  return "List(" .. #self .. " items)"
end
return List
