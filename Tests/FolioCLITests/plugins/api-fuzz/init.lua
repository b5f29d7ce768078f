-- The host-API fuzzer (Scripts/fuzz-api). Every name `folio doc` lists (the registry, so a new
-- function is fuzzed without touching this file) is called again and again with arguments
-- drawn from extreme and wrong values: math.mininteger and math.maxinteger, NaN, ±inf, -1, 0,
-- huge and invalid strings, wrong types, objects of every type including closed ones, option
-- tables with extreme fields, and callbacks that call back into the API. A call may return or
-- raise a Lua error; the process must never die. Runs as a plugin (the sandbox, closed
-- documents) and as a `folio script` (the corpus and the REPL's globals).
local M = {}

local MIN, MAX = math.mininteger, math.maxinteger
local rng_state = 1
local function rand(n) -- 1..n, a xorshift so that a seed replays the same calls
  rng_state = rng_state ~ (rng_state << 13)
  rng_state = rng_state ~ (rng_state >> 7)
  rng_state = rng_state ~ (rng_state << 17)
  return (rng_state & 0x7fffffff) % n + 1
end

local long = string.rep("x", 100000)
local ints = { MIN, MAX, MIN + 1, MAX - 1, -1, 0, 1, 2, 3, 7, 1 << 31, 1 << 32, 1 << 53, -(1 << 53),
  (1 << 53) + 1, 1e15 // 1, -1e15 // 1, 100000, 2 ^ 63 }
local floats = { 0 / 0, math.huge, -math.huge, 0.5, -0.5, 1e308, -1e308, 2 ^ 53, 1e-300 }
local strings = { "", "a", "the", "UN", "\0", "\xff\xfe", "é", long, "%", "(", "[a-", "%1",
  "(a+)+$", "\u{1F600}", "word", "sentence", "token", "x", "NOUN", "nfkc", "tr", "log_likelihood",
  "pmi", "lower", "ORG", "\n", "  ", "1", "-1", "0x10", "i", "ix" }
local keys = { "width", "n", "top", "min", "size", "shingle", "limit", "within", "covering", "label",
  "lower", "kinds", "ngram", "distinct", "bands", "threshold", "measure", "ignore_case", "regex",
  "indent", "norm", "attrs", "first", "last", "layer", "seed", "max", "null" }

local objects = {} -- name -> value, refreshed per document; closed ones kept from before
local functions = {} -- list of {name, fn, self}
local depth = 0

local value -- forward

local function option_table()
  local t = {}
  for _ = 1, rand(3) do
    local k = keys[rand(#keys)]
    local r = rand(4)
    if r == 1 then t[k] = ints[rand(#ints)]
    elseif r == 2 then t[k] = { ints[rand(#ints)], ints[rand(#ints)] }
    else t[k] = value(1) end
  end
  return t
end

local function callback()
  return function(...)
    if depth < 2 and rand(2) == 1 then
      local f = functions[rand(#functions)]
      depth = depth + 1
      pcall(f[2], f[3] or value(1), value(1), value(1))
      depth = depth - 1
    end
    local r = rand(4)
    if r == 1 then error("callback error") end
    if r == 2 then return true end
    return ...
  end
end

function value(level)
  local r = rand(12)
  if r == 1 then return nil
  elseif r == 2 then return rand(2) == 1
  elseif r <= 4 then return ints[rand(#ints)]
  elseif r == 5 then return floats[rand(#floats)]
  elseif r <= 7 then return strings[rand(#strings)]
  elseif r == 8 then
    local names = {}
    for k in pairs(objects) do names[#names + 1] = k end
    table.sort(names)
    return objects[names[rand(#names)]]
  elseif r == 9 then return level > 0 and {} or option_table()
  elseif r == 10 then return level > 0 and { 1, 2, 3 } or { value(1), value(1), value(1) }
  elseif r == 11 then return callback()
  else return level > 0 and ints[rand(#ints)] or option_table() end
end

-- The object a `Type:method` name is read from.
local function receiver(type_name)
  local candidates = {
    Document = { "doc", "closed_doc" }, Counter = { "counter" }, Regex = { "regex" },
    Gazetteer = { "gazetteer" }, Token = { "token", "closed_token" }, Span = { "span" },
    List = { "list" }, Corpus = { "corpus" }, Meta = { "meta", "closed_meta" },
  }
  local c = candidates[type_name]
  if not c then return nil end
  return c[rand(#c)]
end

local function resolve(name)
  local type_name, sep, member = name:match("^(%u%a*)([:.])([%w_]+)$")
  if type_name and type_name ~= "List" or (type_name == "List" and sep == ":") then
    local key = receiver(type_name)
    if not key then return nil end
    return function(...)
      local o = objects[key]
      if o == nil then return end
      local f = o[member]
      if sep == ":" then return f(o, ...) end
      return f
    end, true
  end
  local t = _ENV
  for part in name:gmatch("[^.]+") do
    if type(t) ~= "table" then return nil end
    local ok, v = pcall(function() return t[part] end)
    if not ok then return nil end
    t = v
  end
  if type(t) == "function" then return t end
  return nil
end

-- Names that write outside or end the session are left out: folio.write_file is checked by the
-- permission tests, and the REPL's show prints whole documents.
local skip = { ["folio.write_file"] = true, show = true, ["folio.log"] = true }

-- Operators on every kind of object, beside the named functions: they reach the metamethods.
local operators = {
  { "op.index", function(o, k) return o[k] end },
  { "op.newindex", function(o, k, v) o[k] = v end },
  { "op.len", function(o) return #o end },
  { "op.tostring", function(o) return tostring(o) end },
  { "op.eq", function(a, b) return a == b end },
  { "op.concat", function(a, b) return a .. b end },
  { "op.pairs", function(o) for _ in pairs(o) do end end },
  { "op.ipairs", function(o) for _ in ipairs(o) do end end },
  { "op.call", function(o, ...) return o(...) end },
}

local function load_names(text)
  functions = {}
  for _, op in ipairs(operators) do
    functions[#functions + 1] = { op[1], op[2] }
  end
  for line in text:gmatch("[^\n]+") do
    local name = line:match("^(%S+)")
    if name and not skip[name] then
      local f, method = resolve(name)
      if f then functions[#functions + 1] = { name, f, nil, method } end
    end
  end
  table.sort(functions, function(a, b) return a[1] < b[1] end)
end

local function refresh(doc)
  if objects.doc ~= nil and objects.doc ~= doc then
    objects.closed_doc = objects.doc
    objects.closed_meta = objects.meta
    objects.closed_token = objects.token
  end
  objects.doc = doc
  objects.meta = doc.meta
  objects.token = doc:tokens()[rand(math.max(1, #doc:tokens()))]
  objects.span = doc:sentences()[1]
  objects.counter = objects.counter or folio.counter()
  objects.regex = folio.re.compile("[A-Z][a-z]+")
  objects.gazetteer = objects.gazetteer or folio.gazetteer({ ["United Nations"] = "ORG", UN = "ORG" })
  objects.list = folio.List.new({ 3, 1, 2 })
  objects.corpus = rawget(_ENV, "corpus")
end

local calls, raised = 0, 0

-- `n` random calls; returns how many raised.
local function run(n)
  for _ = 1, n do
    local f = functions[rand(#functions)]
    local nargs = rand(5) - 1
    local args = {}
    for i = 1, nargs do args[i] = value(0) end
    if f[1]:find("^op%.") then
      local names = {}
      for k in pairs(objects) do names[#names + 1] = k end
      table.sort(names)
      args[1] = objects[names[rand(#names)]]
      nargs = math.max(nargs, 1)
    end
    local ok = pcall(f[2], table.unpack(args, 1, nargs))
    calls = calls + 1
    if not ok then raised = raised + 1 end
    -- Keep what the document holds bounded: layers added by the calls go.
    if calls % 64 == 0 then
      for _, layer in ipairs(objects.doc:layers()) do
        if layer ~= "sentence" and layer ~= "token" then pcall(objects.doc.remove, objects.doc, layer) end
      end
    end
  end
end

function M.init(ctx)
  return { calls = 0, raised = 0 }
end

function M.each(state, doc, ctx)
  if #functions == 0 then
    rng_state = ctx.options.seed ~= 0 and ctx.options.seed or 1
    load_names(ctx.files.names or "")
    if #functions == 0 then error("no names to fuzz: give names=FILE (folio doc > FILE)", 0) end
  end
  refresh(doc)
  calls, raised = 0, 0
  run(ctx.options.calls)
  state.calls = state.calls + calls
  state.raised = state.raised + raised
  state.functions = #functions
end

function M.merge(a, b)
  a.calls = a.calls + b.calls
  a.raised = a.raised + b.raised
  a.functions = math.max(a.functions or 0, b.functions or 0)
  return a
end

function M.finish(state, ctx)
  return { columns = { "functions", "calls", "raised" }, rows = { { state.functions or 0, state.calls, state.raised } } }
end

-- As a script: folio script init.lua CORPUS -- NAMES CALLS SEED
if rawget(_ENV, "corpus") and arg then
  local f = assert(io.open(arg[1]))
  local text = f:read("a")
  f:close()
  rng_state = tonumber(arg[3]) or 1
  load_names(text)
  local per_doc = tonumber(arg[2]) or 1000
  local n = 0
  for i = 1, #corpus do
    refresh(corpus[i])
    run(per_doc)
    n = n + per_doc
  end
  print(string.format("%d functions, %d calls, %d raised", #functions, calls, raised))
end

return M
