local T = {}
local function show(v, depth)
  depth = depth or 0
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" or depth > 2 then return tostring(v) end
  local parts, n = {}, 0
  for i = 1, #v do n = n + 1; parts[n] = show(v[i], depth + 1) end
  local keys = {}
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= #v) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do n = n + 1; parts[n] = tostring(k) .. " = " .. show(v[k], depth + 1) end
  return "{" .. table.concat(parts, ", ") .. "}"
end
local function equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do if not equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
T.assert = {}
function T.assert.equal(actual, expected, message)
  if not equal(actual, expected) then
    error((message and message .. ": " or "") .. "expected " .. show(expected) .. ", got " .. show(actual), 2)
  end
end
function T.assert.truthy(value, message)
  if not value then error(message or ("expected a true value, got " .. show(value)), 2) end
end
function T.assert.error_matches(fn, pattern, message)
  local ok, err = pcall(fn)
  if ok then error((message and message .. ": " or "") .. "expected an error matching " .. show(pattern) .. ", but there was none", 2) end
  if not tostring(err):find(pattern) then
    error((message and message .. ": " or "") .. "expected an error matching " .. show(pattern) .. ", got " .. show(tostring(err)), 2)
  end
end
T.show = show
return T
