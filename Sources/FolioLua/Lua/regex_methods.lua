local M = {}
local unpack = table.unpack
-- The captures of a find result, or the whole match when there are none.
local function captures(s, r)
  if #r == 2 then return s:sub(r[1], r[2]) end
  return unpack(r, 3)
end
function M:match(s, init)
  local r = { self:find(s, init) }
  if r[1] == nil then return nil end
  return captures(s, r)
end
function M:gmatch(s)
  local pos = 1
  return function()
    if pos > #s + 1 then return nil end
    local r = { self:find(s, pos) }
    if r[1] == nil then
      pos = #s + 2
      return nil
    end
    if r[2] >= r[1] then
      pos = r[2] + 1
    else
      pos = r[1] + 1
      while pos <= #s and (s:byte(pos) or 0) & 0xC0 == 0x80 do pos = pos + 1 end
    end
    return captures(s, r)
  end
end
function M:gsub(s, repl, n)
  local out, pos, count = {}, 1, 0
  local kind = type(repl)
  if kind ~= "string" and kind ~= "table" and kind ~= "function" then
    error("bad argument #2 to 'gsub' (string/function/table expected, got " .. kind .. ")", 2)
  end
  while (n == nil or count < n) and pos <= #s + 1 do
    local r = { self:find(s, pos) }
    if r[1] == nil then break end
    local whole = s:sub(r[1], r[2])
    local value
    if kind == "string" then
      value = repl:gsub("%%([%d%%])", function(d)
        if d == "%" then return "%" end
        if d == "0" then return whole end
        local c = r[tonumber(d) + 2]
        if c == nil and d == "1" and #r == 2 then return whole end
        if c == nil then error("invalid capture index %" .. d .. " in replacement string", 3) end
        return c
      end)
    else
      local key = #r > 2 and r[3] or whole
      if kind == "table" then value = repl[key] else value = repl(captures(s, r)) end
      if value == nil or value == false then
        value = whole
      elseif type(value) ~= "string" and type(value) ~= "number" then
        error("invalid replacement value (a " .. type(value) .. ")", 2)
      end
    end
    out[#out + 1] = s:sub(pos, r[1] - 1)
    out[#out + 1] = value
    count = count + 1
    if r[2] >= r[1] then
      pos = r[2] + 1
    else
      if r[1] <= #s then out[#out + 1] = s:sub(r[1], r[1]) end
      pos = r[1] + 1
    end
  end
  out[#out + 1] = s:sub(pos)
  return table.concat(out), count
end
return M
