-- The sandbox escape suite (issue #4). Each attempt runs in `tag`; the test checks that it is
-- refused or stopped with a clear error, that Folio does not crash, and that nothing outside
-- changed (the sentinel file, the environment).
local M = {}

local A = {}
local S -- the sentinel path

A.io_open = function() local f = io.open(S, "w"); f:write("x") end
A.os_execute = function() os.execute("touch " .. S) end
A.os_exit = function() os.exit(3) end
A.os_getenv = function() return os.getenv("HOME") end
A.os_remove = function() os.remove(S .. ".keep") end
A.os_rename = function() os.rename(S, S .. ".moved") end
A.os_tmpname = function() return os.tmpname() end
A.require_c = function() require("socket.core") end
A.package_loadlib = function() package.loadlib("libc.so.6", "system") end
A.dofile = function() dofile("/etc/passwd") end
A.loadfile = function() loadfile("/etc/passwd") end
A.string_dump = function() return string.dump(function() end) end
A.binary_chunk = function()
  local f, err = load("\27Lua\84\0\25\147\13\10\26\10\4\8\8")
  if not f then error(err) end
end
A.load_mode_b = function()
  local f, err = load("\27LuaT", "x", "b")
  if not f then error(err) end
end
A.debug_registry = function() return debug.getregistry() end
A.string_metatable = function() getmetatable("").__index = { upper = function() return "pwned" end } end
A.document_metatable = function() getmetatable(doc_ref).__index = nil end
A.setmetatable_doc = function() setmetatable(doc_ref, {}) end
A.gc_by_hand = function() local mt = getmetatable(doc_ref); mt.__gc(doc_ref) end
A.collect_stop = function() collectgarbage("stop") end
A.collect_step = function() collectgarbage("step", 1e9) end
A.loop = function() while true do end end
A.pcall_loop = function() while true do pcall(function() while true do end end) end end
A.xpcall_handler = function() xpcall(function() error("x") end, function() while true do end end) end
A.coroutine_loop = function()
  while true do coroutine.wrap(function() while true do end end)() end
end
A.coroutine_yield_catch = function()
  local co = coroutine.create(function() while true do end end)
  while true do coroutine.resume(co) end
end
A.deep_recursion = function()
  -- Wide frames reach Lua's stack limit (10^6 slots) in fewer calls.
  local function f(n, a, b, c, d, e, g, h, i, j, k, l, m, o, p, q, r, s, t, u)
    return 1 + f(n + 1, a, b, c, d, e, g, h, i, j, k, l, m, o, p, q, r, s, t, u)
  end
  return f(1)
end
A.string_rep = function() return string.rep("x", 1e10) end
A.huge_table = function() local t = {} for i = 1, 1e9 do t[i] = i end end
A.huge_strings = function() local t = {} for i = 1, 1e8 do t[i] = tostring(i) .. string.rep("y", 100) end end
A.lua_pattern_catastrophic = function() return string.rep("a", 300000):find(".-.-.-.-b") end
A.lua_gsub_catastrophic = function() return (string.rep("a", 300000)):gsub("a-a-a-b", "") end
A.folio_re_catastrophic = function() return folio.re.find(string.rep("a", 50) .. "!", "(a+)+$") end
A.error_object_tostring = function()
  error(setmetatable({}, { __tostring = function() os.execute("touch " .. S) return "x" end }))
end
A.use_closed_document = function() return saved_doc.text end
A.use_closed_meta_read = function() return saved_doc.title end
A.use_closed_meta_write = function() saved_doc.title = "changed" end
A.use_closed_meta_pairs = function() for k in pairs(saved_doc) do end end
A.read_file_unasked = function() return folio.read_file("init.lua") end
A.write_file_unasked = function() return folio.write_file(S, "x") end

-- Integers from Lua are checked before any arithmetic in Swift (a trap would kill the run).
local MIN, MAX = math.mininteger, math.maxinteger
A.int_remove = function() doc_ref:remove("x", MIN, 1) end
A.int_add_span = function() doc_ref:add("x", MIN, MAX) end
A.int_add_nan = function() doc_ref:add("x", 0 / 0, 1) end
A.int_add_inf = function() doc_ref:add("x", 1, math.huge) end
A.int_cut = function() doc_ref:cut(MAX, MIN) end
A.int_original = function() doc_ref:original(MIN, MAX) end
A.int_text_of = function() return doc_ref:text_of(MIN, MAX) end
A.int_minhash_size = function() return doc_ref:minhash({ size = MAX }) end
A.int_minhash_shingle = function() return doc_ref:minhash({ shingle = MIN }) end
A.int_counter_max = function() local c = folio.counter(); c:add("a", MAX); c:add("a", 1) end
A.int_counter_min = function() folio.counter():add("a", MIN) end
A.int_counter_sum = function() local c = folio.counter(); c:add("a", 1 << 53); c:add("a", 1) end
A.int_counter_top = function() return folio.counter():top(MIN) end
A.int_counter_min_option = function() return folio.counter():items({ min = MAX + 0.0 }) end
A.int_top = function() return folio.top({ a = 1 }, MIN) end
A.int_clusters_bands = function() return folio.minhash_clusters({}, { bands = MAX }) end
A.int_re_init = function() return folio.re.find("abc", "b", MIN) end
A.int_text_sub = function() return folio.text.sub("abc", MIN, MAX) end
A.int_spans_within = function() return doc_ref:spans("sentence", { within = { MIN, MAX } }) end
-- Finalizers run with the hook off: plugins cannot set them.
A.gc_finalizer = function() setmetatable({}, { __gc = function() while true do end end }) end
A.gc_false_then_set = function()
  local mt = { __gc = false }
  setmetatable({}, mt)
  mt.__gc = function() while true do end end
end
A.close_loop = function()
  local x <close> = setmetatable({}, { __close = function() while true do end end })
end
A.close_after_error = function()
  local x <close> = setmetatable({}, { __close = function() while true do end end })
  error("first")
end
-- Loops inside C library functions are charged.
A.table_move_huge = function() table.move({}, 1, 1e15, 2) end
A.table_concat_huge = function()
  return table.concat(setmetatable({}, { __index = rawlen }), ",", 1, 1e15)
end
A.find_plain_long = function()
  local hay = string.rep("a", 1e6)
  assert(not hay:find(string.rep("a", 5e5) .. "b", 1, true))
  error("done in time", 0)
end
-- liblua 5.4.4 overflows its C stack closing nested coroutines from __close handlers.
A.nested_close = function()
  local function make(depth)
    if depth == 0 then return nil end
    local inner = make(depth - 1)
    local co = coroutine.create(function()
      local x <close> = setmetatable({}, { __close = function()
        if inner then assert(coroutine.close(inner)) end
      end })
      coroutine.yield()
    end)
    coroutine.resume(co)
    return co
  end
  local ok, err = coroutine.close(make(20000))
  error("survived: " .. tostring(err):match("C stack overflow[^)]*%)"), 0)
end
A.nested_wrap = function()
  local function f(n) return coroutine.wrap(function() if n > 0 then return f(n - 1)() end end) end
  f(50000)()
end
-- A message of megabytes is cut.
A.error_huge = function() error(string.rep("E", 10e6)) end

function M.tag(doc, ctx)
  S = ctx.options.sentinel
  doc_ref = doc
  local attempt = A[ctx.options.attempt]
  if not attempt then error("no attempt named '" .. ctx.options.attempt .. "'", 0) end
  if ctx.options.attempt == "use_closed_document" then
    if saved_doc then return attempt() end
    saved_doc = doc
    return
  end
  if ctx.options.attempt:match("^use_closed_meta") then
    if saved_doc then return attempt() end
    saved_doc = doc.meta
    return
  end
  return attempt()
end

return M
