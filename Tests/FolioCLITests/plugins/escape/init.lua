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
A.deep_recursion = function() local function f(n) return 1 + f(n + 1) end return f(1) end
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
A.read_file_unasked = function() return folio.read_file("init.lua") end
A.write_file_unasked = function() return folio.write_file(S, "x") end

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
  return attempt()
end

return M
