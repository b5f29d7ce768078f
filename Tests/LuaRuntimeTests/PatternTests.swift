import Foundation
import LuaRuntime
import Testing

/// A probe of the four pattern functions: one line a case, errors included (without positions).
///
/// The same script runs in stock lua5.4 for comparison.
let patternProbe = #"""
  local out = {}
  local function show(...)
    local t = table.pack(...)
    for i = 1, t.n do t[i] = type(t[i]) == "string" and ("%q"):format(t[i]) or tostring(t[i]) end
    return table.concat(t, ",")
  end
  local function try(label, f)
    local ok, a = pcall(function() return show(f()) end)
    if not ok then a = "error: " .. tostring(a):gsub("^[^:]*:%d+: ", "") end
    out[#out + 1] = label .. " => " .. a
  end
  local subjects = {
    "", "a", "hello world", "  leading and trailing  ", "THE (quick) [brown] fox", "a,b,,c",
    "key=value; k2=v2", "123abc456", "aaa", "x\0y\0z", "f(a(b)c)d", "one\ntwo\nthree",
    "café déjà", "2024-06-27 and 1999-01-01", "%d%%", "ab]cd", "-a-b-",
  }
  local patterns = {
    "", "a", "o w", "%a+", "%A+", "%d+", "%s*", "%w-", "^%s*(.-)%s*$", "(%w+)=(%w+)", "%((%a+)%)",
    "%[(.-)%]", "[%a,]+", "[^%s]+", "[a-c]+", "[]]", "[^]]+", "%bab", "%b()", "%f[%w]%w+",
    "%f[%W]", "()a()", "(a)(b)?", "(%d+)-(%d+)-(%d+)", "(a*(.)%w(%s*))", "x?y", ".-b", "(.)%1",
    "$", "^$", "a$", "^a", "%z", "\0", "[%z]", "%", "[a", "(", ")", "%1", "(()", "%g+", "%p+",
    "%x+", "%u%l", "[%-]+", "[a-]+", "%f", "%bx", ".", "..", "a*", "a+", "a-", "a?",
  }
  for _, s in ipairs(subjects) do
    for _, p in ipairs(patterns) do
      local label = ("%q %q"):format(s, p):gsub("\n", "n")
      try("find " .. label, function() return s:find(p) end)
      try("find3 " .. label, function() return s:find(p, 3) end)
      try("find-2 " .. label, function() return s:find(p, -2) end)
      try("plain " .. label, function() return s:find(p, 1, true) end)
      try("match " .. label, function() return s:match(p) end)
      try("gmatch " .. label, function()
        local r = {}
        for a, b in s:gmatch(p) do r[#r + 1] = tostring(a) .. "|" .. tostring(b) end
        return table.concat(r, ";")
      end)
      try("gsub " .. label, function() return s:gsub(p, "<%0>") end)
      try("gsub1 " .. label, function() return s:gsub(p, "[%1]", 2) end)
      try("gsubf " .. label, function() return s:gsub(p, function(x) if x == "a" then return false end return "{" .. tostring(x) .. "}" end) end)
      try("gsubt " .. label, function() return s:gsub(p, { a = "A", hello = 1 }) end)
    end
  end
  try("bad repl", function() return ("abc"):gsub("b", "%2") end)
  try("bad repl2", function() return ("abc"):gsub("b", "%x") end)
  try("bad value", function() return ("abc"):gsub("b", function() return {} end) end)
  try("bad type", function() return ("abc"):gsub("b", true) end)
  try("init past", function() return ("abc"):find("c", 10) end)
  try("gmatch init", function() local r = {} for w in ("one two three"):gmatch("%a+", 5) do r[#r+1] = w end return table.concat(r, ",") end)
  -- Random patterns and subjects from a fixed seed.
  math.randomseed(42)
  local atoms = { "a", "b", ".", "%a", "%d", "[ab]", "[^a]", "%s", "(", ")", "%1", "x" }
  local quants = { "", "", "*", "+", "-", "?" }
  for i = 1, 3000 do
    local p = {}
    for j = 1, math.random(1, 6) do p[#p + 1] = atoms[math.random(#atoms)] .. quants[math.random(#quants)] end
    if math.random(4) == 1 then table.insert(p, 1, "^") end
    if math.random(4) == 1 then p[#p + 1] = "$" end
    local s = {}
    for j = 1, math.random(0, 12) do s[#s + 1] = ("ab1 x"):sub(math.random(5), math.random(5)) end
    local ps, ss = table.concat(p), table.concat(s)
    try("r" .. i .. " find", function() return ss:find(ps) end)
    try("r" .. i .. " gsub", function() return ss:gsub(ps, "<%0>") end)
  end
  return table.concat(out, "\n")
  """#

@Suite("Lua patterns") struct PatternTests {
  @Test("Folio's matcher gives stock Lua 5.4's results, errors included, on 15,759 cases")
  func sameAsStockLua() throws {
    guard
      let lua = ["/usr/bin/lua5.4", "/usr/local/bin/lua5.4"].first(where: {
        FileManager.default.isExecutableFile(atPath: $0)
      })
    else {
      print("skipped: lua5.4 is not installed (Scripts/setup installs it)")
      return
    }
    let script = FileManager.default.temporaryDirectory.appendingPathComponent(
      "probe-\(UUID()).lua")
    try Data(("io.write((function() " + patternProbe + " end)())").utf8).write(to: script)
    defer { try? FileManager.default.removeItem(at: script) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: lua)
    process.arguments = [script.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let stock = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()

    let vm = try LuaVM(sandboxed: false)
    try vm.run(patternProbe, chunkname: "=probe", results: 1)
    let ours = vm.state.string(at: -1) ?? ""
    let a = stock.split(separator: "\n", omittingEmptySubsequences: false)
    let b = ours.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(a.count == b.count)
    let differ = zip(a, b).filter { $0 != $1 }.prefix(5).map { "stock: \($0)\nfolio: \($1)" }
    #expect(differ.isEmpty, Comment(rawValue: differ.joined(separator: "\n")))
    #expect(a.count > 10_000)
  }

  @Test(
    "a pathological pattern stops at the instruction budget and at the deadline",
    arguments: [
      (LuaLimits(memory: 0, instructions: 50_000_000, seconds: 0), "instruction limit exceeded"),
      (LuaLimits(memory: 0, instructions: 0, seconds: 0.5), "time limit exceeded"),
    ])
  func pathological(limits: LuaLimits, message: String) throws {
    let vm = try LuaVM(sandboxed: true, limits: limits)
    let start = Date()
    #expect {
      try vm.run(#"local s = string.rep("a", 200000); return s:find(".-.-.-.-b")"#, chunkname: "=p")
    } throws: { error in
      "\(error)".contains(message)
    }
    #expect(Date().timeIntervalSince(start) < 5)
  }
}
