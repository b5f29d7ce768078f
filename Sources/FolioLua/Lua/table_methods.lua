  local Table = ...
  -- Adds a row: an array in column order, or a table keyed by column names.
  function Table:add(row)
    if type(row) ~= "table" then error("bad argument #1 to 'add' (table expected, got " .. type(row) .. ")", 2) end
    local out = {}
    for i, name in ipairs(self.columns) do
      local v = row[i]
      if v == nil then v = row[name] end
      local kind = self.types[i]
      if v ~= nil and not (kind == "integer" and math.type(v) == "integer" or kind == "number" and type(v) == "number" or type(v) == kind) then
        local got = type(v) == "string" and ("string %q"):format(#v > 20 and v:sub(1, 20) .. "..." or v) or (math.type(v) or type(v)) .. " " .. tostring(v)
        error(("bad argument #1 to 'add' (column '%s' wants %s %s, got %s)"):format(name, kind == "integer" and "an" or "a", kind, got), 2)
      end
      out[i] = v
    end
    self.rows[#self.rows + 1] = out
    return self
  end
  -- Sorts the rows by a column (by name), descending when asked; ties keep their order.
  function Table:sort(column, descending)
    local k
    for i, name in ipairs(self.columns) do if name == column then k = i end end
    if not k then error(("bad argument #1 to 'sort' (no column '%s')"):format(tostring(column)), 2) end
    for i, row in ipairs(self.rows) do row.__order = i end
    table.sort(self.rows, function(a, b)
      local x, y = a[k], b[k]
      if x == y or x == nil or y == nil then
        if x == nil and y ~= nil then return false end
        if y == nil and x ~= nil then return true end
        return a.__order < b.__order
      end
      if descending then return x > y end
      return x < y
    end)
    for _, row in ipairs(self.rows) do row.__order = nil end
    return self
  end
  -- Keeps the first n rows.
  function Table:top(n)
    for i = #self.rows, n + 1, -1 do self.rows[i] = nil end
    return self
  end
  function Table:__len() return #self.rows end
  function Table:__tostring()
    return ("folio.table %s (%d columns, %d rows)"):format(self.title or "", #self.columns, #self.rows)
  end
