import CLuaShim
import Foundation
import LuaRuntime
import Testing

/// Counts live instances, to prove that every object pushed into Lua is released exactly once.
final class Tracked {
  nonisolated(unsafe) static var alive = 0
  let value: Int
  init(_ value: Int) {
    self.value = value
    Tracked.alive += 1
  }
  deinit { Tracked.alive -= 1 }
}

func makeVM(sandboxed: Bool = true, limits: LuaLimits = .none) throws -> LuaVM {
  let vm = try LuaVM(sandboxed: sandboxed, limits: limits)
  vm.setGlobalFunction("fail") { (L) throws(LuaHostError) -> Int32 in
    throw .message("host says no")
  }
  vm.setGlobalFunction("need_number") { (L) throws(LuaHostError) -> Int32 in
    let n = try L.checkInteger(1)
    L.pushInteger(n * 2)
    return 1
  }
  return vm
}

/// `Tracked` as a host type with a `value` method (and an optional property getter).
func trackedType(getter: HostFunction? = nil) -> LuaObjectType<Tracked> {
  LuaObjectType<Tracked>(
    name: "Tracked",
    methods: [
      (
        "value",
        { (L) throws(LuaHostError) -> Int32 in
          let t: Tracked = try L.checkObject(1, "Tracked")
          L.pushInteger(t.value)
          return 1
        }
      )
    ],
    getter: getter)
}

/// Runs `code` and returns its single result as a string (tostring'd in Lua).
func eval(_ vm: LuaVM, _ code: String) throws -> String {
  try vm.run("return tostring((function() \(code) end)())", chunkname: "=test", results: 1)
  defer { vm.state.pop() }
  return vm.state.string(at: -1) ?? "<not a string>"
}

@Suite("Lua bridge", .serialized)
struct BridgeTests {
  @Test("a host function's error is caught by pcall with the Lua position, 100,000 times")
  func hostErrorsCaughtByPcall() throws {
    let vm = try makeVM()
    let before = vm.state.top
    let result = try eval(
      vm,
      """
      local last
      for i = 1, 100000 do
        local ok, err = pcall(fail)
        assert(not ok)
        last = err
      end
      return last
      """)
    #expect(result == "host says no")
    let positioned = try eval(
      vm,
      """
      local ok, err = pcall(function()
        fail()
      end)
      return err
      """)
    #expect(positioned == "test:2: host says no")
    #expect(vm.state.top == before)
  }

  @Test("argument errors use Lua's wording")
  func argumentErrors() throws {
    let vm = try makeVM()
    let msg = try eval(vm, "local ok, e = pcall(need_number, 'x'); return e")
    #expect(msg == "bad argument #1 to 'need_number' (number expected, got string)")
    let float = try eval(vm, "local ok, e = pcall(need_number, 1.5); return e")
    #expect(float == "bad argument #1 to 'need_number' (number has no integer representation)")
    #expect(try eval(vm, "return need_number(21)") == "42")
  }

  @Test("an uncaught host error reaches Swift with a traceback")
  func uncaughtHostError() throws {
    let vm = try makeVM()
    let error = #expect(throws: LuaError.self) {
      try vm.run("local x = 1\nfail()", chunkname: "@Plugins/demo/init.lua")
    }
    #expect(error?.message == "Plugins/demo/init.lua:2: host says no")
    #expect(error?.kind == .runtime)
    #expect(error?.traceback?.hasPrefix("stack traceback:") == true)
    #expect(error?.traceback?.contains("Plugins/demo/init.lua:2") == true)
    #expect(vm.state.top == 0)
  }

  @Test("a hostile __tostring on an error object is never run")
  func hostileToString() throws {
    let vm = try makeVM()
    let error = #expect(throws: LuaError.self) {
      try vm.run(
        """
        ran = false
        error(setmetatable({}, {__tostring = function() ran = true; while true do end end}))
        """)
    }
    #expect(error?.message == "(error object is a table value)")
    #expect(try eval(vm, "return ran") == "false")
  }

  @Test("every removed sandbox name is nil")
  func sandboxNames() throws {
    let vm = try makeVM()
    let names = [
      "io", "debug", "package", "require", "dofile", "loadfile", "string.dump", "os.execute",
      "os.exit", "os.getenv", "os.remove", "os.rename", "os.tmpname", "os.setlocale",
    ]
    for name in names {
      let value = try eval(vm, "return \(name)")
      #expect(value == "nil", "\(name) should be nil in the sandbox")
    }
    for name in ["os.clock", "os.time", "os.date", "os.difftime", "string.format", "utf8.char"] {
      #expect(try eval(vm, "return type(\(name))") == "function")
    }
    #expect(try eval(vm, "return type(collectgarbage('count'))") == "number")
    #expect(
      try eval(vm, "return select(2, pcall(collectgarbage, 'collect'))")
        == "collectgarbage('collect') is not allowed in plugins (only 'count')")
    #expect(try eval(vm, "return getmetatable('')") == "false")
  }

  @Test("binary chunks are refused")
  func binaryChunks() throws {
    let full = try makeVM(sandboxed: false)
    try full.run("return string.dump(function() return 1 end)", results: 1)
    let bytes = try #require(full.state.bytes(at: -1))
    #expect(bytes.first == 0x1B)
    let vm = try makeVM()
    vm.state.pushBytes(
      bytes.withUnsafeBytes { $0 }.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
    vm.state.setGlobal("chunk")
    #expect(
      try eval(vm, "return select(2, load(chunk))")
        == "attempt to load a binary chunk (mode is 't')")
    #expect(
      try eval(vm, "return select(2, load(chunk, 'x', 'b'))")
        == "attempt to load a binary chunk (mode is 't')")
    let error = #expect(throws: LuaError.self) {
      try vm.load(String(decoding: bytes, as: UTF8.self), chunkname: "=bin")
    }
    #expect(error?.kind == .syntax)
    #expect(try eval(vm, "return load('return 7')()") == "7")
  }

  @Test("host metatables are hidden and checked by identity")
  func hiddenMetatables() throws {
    let vm = try makeVM()
    try vm.register(trackedType())
    vm.state.pushObject(Tracked(5))
    vm.state.setGlobal("obj")
    #expect(try eval(vm, "return getmetatable(obj)") == "Tracked")
    #expect(try eval(vm, "return obj:value()") == "5")
    #expect(
      try eval(vm, "return select(2, pcall(setmetatable, obj, {}))").contains("table expected"))
    #expect(
      try eval(vm, "return select(2, pcall(function() return obj.value({}) end))")
        == "test:1: bad argument #1 to 'value' (Tracked expected, got table)")
    // A look-alike with the same __name is still refused: metatables are compared by identity.
    #expect(
      try eval(vm, "return select(2, pcall(obj.value, setmetatable({}, {__name = 'Tracked'})))")
        == "bad argument #1 to '?' (Tracked expected, got Tracked)")
    #expect(try eval(vm, "return select(2, pcall(obj.value, io))").contains("Tracked expected"))
  }

  static let runaways = [
    "while true do end",
    "while true do pcall(function() while true do end end) end",
    "local co = coroutine.wrap(function() while true do end end); while true do pcall(co) end",
    "while true do xpcall(function() while true do end end, function(m) return m end) end",
    "local co = coroutine.create(function() while true do end end); while true do coroutine.resume(co) end",
    "while true do coroutine.wrap(function() pcall(function() while true do end end) end)() end",
    "local co = coroutine.wrap(function() while true do coroutine.yield() end end); while true do co() end",
  ]

  @Test("the instruction limit stops plain, pcall-wrapped and coroutine loops", arguments: runaways)
  func instructionLimit(code: String) throws {
    let vm = try makeVM(limits: LuaLimits(instructions: 1_000_000))
    let error = #expect(throws: LuaError.self) { try vm.run(code, chunkname: "=loop") }
    #expect(error?.kind == .limit(.instructions))
    #expect(error?.message.contains("instruction limit exceeded (1000000 instructions)") == true)
    #expect(try eval(vm, "local s = 0 for i = 1, 1000 do s = s + i end return s") == "500500")
  }

  @Test("the deadline stops plain, pcall-wrapped and coroutine loops", arguments: runaways)
  func deadline(code: String) throws {
    let vm = try makeVM(limits: LuaLimits(seconds: 0.05))
    let start = Date()
    let error = #expect(throws: LuaError.self) { try vm.run(code, chunkname: "=loop") }
    #expect(error?.kind == .limit(.time))
    // coroutine.wrap adds its caller's position in front, as stock Lua does.
    #expect(error?.message.hasPrefix("loop:1: ") == true)
    #expect(error?.message.contains("time limit exceeded (0.05 s)") == true)
    #expect(Date().timeIntervalSince(start) < 2)
    #expect(try eval(vm, "return 1 + 1") == "2")
    // The next call has its own deadline: a loop of 0.2 s is stopped after 0.05 s again.
    let again = Date()
    #expect(throws: LuaError.self) { try vm.run(code, chunkname: "=loop") }
    #expect(Date().timeIntervalSince(again) < 2)
  }

  @Test("a VM called from inside another VM's call on the same thread keeps its own deadline")
  func nestedDeadline() throws {
    // The REPL runs plugins this way: the plugin's VM runs inside a host function of the
    // REPL's VM. The watchdog's signal names both; only the plugin's call has passed its
    // deadline, and the REPL's code goes on.
    let outer = try makeVM(limits: .none)
    let inner = try makeVM(limits: LuaLimits(seconds: 0.05))
    outer.setGlobalFunction("plugin") { (L) throws(LuaHostError) -> Int32 in
      do {
        try inner.run("while true do end", chunkname: "=plugin")
        L.pushString("returned")
      } catch let error as LuaError {
        L.pushString(error.message)
      } catch {
        L.pushString("\(error)")
      }
      return 1
    }
    let start = Date()
    let result = try eval(
      outer,
      "local m = plugin() local s = 0 for i = 1, 3000000 do s = s + i end return m .. ' ' .. s")
    #expect(result == "plugin:1: time limit exceeded (0.05 s) 4500001500000")
    #expect(Date().timeIntervalSince(start) < 2)
    #expect(try eval(inner, "return 'again'") == "again")
  }

  @Test("without an instruction budget the main thread runs with no hook until a limit nears")
  func noHookByDefault() throws {
    let vm = try makeVM(limits: LuaLimits(seconds: 30))
    #expect(lua_gethook(vm.state.L) == nil)
    let budget = try makeVM(limits: LuaLimits(instructions: 1_000_000))
    #expect(lua_gethook(budget.state.L) != nil)
  }

  @Test("the memory cap gives 'not enough memory' and the VM recovers")
  func memoryCap() throws {
    let vm = try makeVM(limits: LuaLimits(memory: 8 << 20))
    let error = #expect(throws: LuaError.self) {
      try vm.run("local t = {} for i = 1, 1e8 do t[i] = i end")
    }
    #expect(error?.kind == .memory)
    #expect(error?.message == "not enough memory")
    let rep = #expect(throws: LuaError.self) { try vm.run("local s = string.rep('x', 1e9)") }
    #expect(rep?.message == "not enough memory")
    let huge = #expect(throws: LuaError.self) { try vm.run("local s = string.rep('x', 1e10)") }
    #expect(huge?.message == "(folio):1: resulting string too large")
    #expect(try eval(vm, "return #string.rep('x', 1000)") == "1000")
    #expect(vm.memoryUsed < 8 << 20)
  }

  @Test("crossing the memory cap inside a Swift callback raises after it returns")
  func memoryCapInCallback() throws {
    let vm = try makeVM(limits: LuaLimits(memory: 4 << 20))
    vm.setGlobalFunction("big") { (L) throws(LuaHostError) -> Int32 in
      L.newTable()
      for i in 1...200_000 {
        L.pushString("item \(i)")
        L.rawSet(-2, i)
      }
      return 1
    }
    let error = #expect(throws: LuaError.self) { try vm.run("keep = big()") }
    #expect(error?.message == "not enough memory")
    #expect(try eval(vm, "return select('#', pcall(big))") == "2")
    #expect(try eval(vm, "return keep") == "nil")
    #expect(try eval(vm, "return 'still ' .. 'alive'") == "still alive")
  }

  @Test("every exposed Swift object is released exactly once")
  func objectsReleased() throws {
    let before = Tracked.alive
    do {
      let vm = try makeVM()
      try vm.register(LuaObjectType<Tracked>(name: "Tracked"))
      vm.state.newTable()
      for i in 0..<1000 {
        vm.state.pushObject(Tracked(i))
        vm.state.rawSet(-2, i + 1)
      }
      vm.state.setGlobal("many")
      vm.state.pushObject(Tracked(-1))
      vm.state.setGlobal("kept")
      #expect(vm.liveObjects == 1001)
      try vm.run("many = nil", chunkname: "=x")
      vm.close()
      #expect(vm.liveObjects == 0)
    }
    #expect(Tracked.alive == before)
  }

  @Test("closing an object releases it now; later use is an error that says so")
  func closeObject() throws {
    let before = Tracked.alive
    let vm = try makeVM()
    try vm.register(
      trackedType(getter: { (L) throws(LuaHostError) -> Int32 in
        L.pushNil()
        return 1
      }))
    vm.state.pushObject(Tracked(7))
    vm.state.pushValue(-1)
    vm.state.setGlobal("obj")
    #expect(Tracked.alive == before + 1)
    vm.state.closeObject(at: -1)
    vm.state.pop()
    #expect(Tracked.alive == before)
    #expect(vm.liveObjects == 0)
    #expect(
      try eval(vm, "return select(2, pcall(function() return obj:value() end))")
        == "test:1: calling 'value' on bad self (this Tracked is closed: it was valid only during the call that received it)"
    )
    #expect(
      try eval(vm, "return select(2, pcall(function() return obj.field end))")
        == "test:1: this Tracked is closed: it was valid only during the call that received it")
  }

  @Test(
    "strings round-trip byte-exactly",
    arguments: [
      [UInt8]("a\u{0}b".utf8), [UInt8]("Kolokoltsev’s 北京 🇺🇦".utf8), [0xFF, 0xFE, 0x00, 0x41], [],
    ])
  func stringRoundTrip(bytes: [UInt8]) throws {
    let vm = try makeVM()
    bytes.withUnsafeBufferPointer {
      vm.state.pushBytes($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count)
    }
    vm.state.setGlobal("s")
    try vm.run("return s .. '', #s", results: 2)
    #expect(vm.state.bytes(at: -2) == bytes)
    #expect(vm.state.integer(at: -1) == bytes.count)
    vm.state.pop(2)
  }

  @Test("four threads, each with its own VM, give correct results")
  func fourThreads() throws {
    let results = ResultBox()
    let threads = (0..<4).map { n in
      Thread {
        do {
          let vm = try makeVM(limits: LuaLimits(memory: 64 << 20, instructions: 100_000_000))
          let got = try eval(
            vm, "local s = 0 for i = 1, \(100_000 * (n + 1)) do s = s + need_number(i) end return s"
          )
          results.set(n, got)
        } catch {
          results.set(n, "error: \(error)")
        }
      }
    }
    threads.forEach { $0.start() }
    while results.count < 4 { usleep(1000) }
    for n in 0..<4 {
      let k = 100_000 * (n + 1)
      #expect(results.get(n) == String(k * (k + 1)))
    }
  }
}

final class ResultBox: @unchecked Sendable {
  private let lock = NSLock()
  private var values: [Int: String] = [:]
  func set(_ k: Int, _ v: String) { lock.withLock { values[k] = v } }
  func get(_ k: Int) -> String? { lock.withLock { values[k] } }
  var count: Int { lock.withLock { values.count } }
}
