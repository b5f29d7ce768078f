  local Table = {}
  Table.__index = Table
  Table.__name = "folio.table"
  local kinds = { string = true, integer = true, number = true, boolean = true }
  return function(spec)
    if type(spec) ~= "table" or type(spec.columns) ~= "table" or #spec.columns == 0 then
      error("bad argument #1 to 'table' ({columns = {...}} expected)", 2)
    end
    local types = spec.types or {}
    for i, name in ipairs(spec.columns) do
      if type(name) ~= "string" then error(("bad argument #1 to 'table' (column %d has no name)"):format(i), 2) end
      local kind = types[i] or "string"
      if not kinds[kind] then
        error(("bad argument #1 to 'table' (column '%s': type must be string, integer, number or boolean, got '%s')"):format(name, tostring(kind)), 2)
      end
    end
    local t = { title = spec.title, columns = {}, types = {}, rows = {}, formulas = spec.formulas }
    for i, name in ipairs(spec.columns) do t.columns[i] = name; t.types[i] = types[i] or "string" end
    return setmetatable(t, Table)
  end, Table
