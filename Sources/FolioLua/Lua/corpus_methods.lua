local M = {}
function M:docs()
  local i, n = 0, #self
  return function()
    i = i + 1
    if i <= n then return self[i] end
  end
end
function M:filter(keep)
  if type(keep) ~= "function" then
    error("bad argument #1 to 'filter' (function expected, got " .. type(keep) .. ")", 2)
  end
  local picked = {}
  for i = 1, #self do
    if keep(self[i], i) then picked[#picked + 1] = i end
  end
  return self:_subset(picked)
end
return M
