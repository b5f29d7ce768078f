// Exercises the Lua bridge end to end so that valgrind can check it for leaks and memory
// errors (Scripts/test runs it under `valgrind --leak-check=full`). Exits 1 on a wrong result.
import LuaRuntime

final class Payload {
  let text: String
  init(_ text: String) { self.text = text }
}

nonisolated(unsafe) var failures = 0
func check(_ ok: Bool, _ what: String) {
  if !ok {
    failures += 1
    print("bridge-check: FAILED: \(what)")
  }
}

func exercise() throws {
  let vm = try LuaVM(sandboxed: true, limits: LuaLimits(memory: 16 << 20, instructions: 5_000_000))
  try vm.register(
    LuaObjectType<Payload>(
      name: "Payload",
      methods: [
        (
          "text",
          { (L) throws(LuaHostError) -> Int32 in
            let p: Payload = try L.checkObject(1, "Payload")
            L.pushString(p.text)
            return 1
          }
        )
      ]))
  vm.setGlobalFunction("fail") { (L) throws(LuaHostError) -> Int32 in
    throw .message("host error \(L.top)")
  }
  vm.setGlobalFunction("make") { (L) throws(LuaHostError) -> Int32 in
    L.pushObject(Payload("payload \(try L.checkInteger(1))"))
    return 1
  }
  vm.setGlobalFunction("big") { (L) throws(LuaHostError) -> Int32 in
    L.newTable()
    for i in 1...300_000 {
      L.pushString("row \(i)")
      L.rawSet(-2, i)
    }
    return 1
  }
  // Host errors caught by pcall, many times.
  try vm.run(
    """
    local n = 0
    for i = 1, 20000 do
      local ok, err = pcall(fail)
      if not ok then n = n + 1 end
      local p = make(i)
      assert(p:text() == "payload " .. i)
    end
    assert(n == 20000)
    """, chunkname: "=check")
  // An uncaught error, a limit, a memory error: each leaves the VM usable.
  do { try vm.run("fail()") } catch { check(error.message.contains("host error"), "uncaught") }
  do { try vm.run("while true do end") } catch {
    check(error.kind == .limit(.instructions), "limit")
  }
  do { try vm.run("keep = big()") } catch { check(error.kind == .memory, "memory in callback") }
  do { try vm.run("local t = {} for i = 1, 1e7 do t[i] = {} end") } catch {
    check(error.kind == .memory, "memory")
  }
  try vm.run("return 6 * 7", results: 1)
  check(vm.state.integer(at: -1) == 42, "usable afterwards")
  vm.state.pop()
  vm.close()
  check(vm.liveObjects == 0, "objects released")
}

// `folio-bridge-check calls N` makes N Lua→Swift calls and nothing else, for callgrind;
// `ccalls N` makes N calls of a C function (`math.abs`) for comparison.
if CommandLine.arguments.count == 3, ["calls", "ccalls"].contains(CommandLine.arguments[1]),
  let n = Int(CommandLine.arguments[2])
{
  let vm = try LuaVM(sandboxed: true)
  vm.setGlobalFunction("nop") { (_) throws(LuaHostError) -> Int32 in 0 }
  let f = CommandLine.arguments[1] == "calls" ? "nop" : "math.abs"
  try vm.run("local f = \(f) for i = 1, \(n) do f(1) end")
  exit(0)
}

// `folio-bridge-check tokens N` pushes N token strings (cut from one text) into a Lua array.
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "tokens",
  let n = Int(CommandLine.arguments[2])
{
  let vm = try LuaVM(sandboxed: true)
  let text = Array(String(repeating: "word ", count: max(1, n)).utf8)
  text.withUnsafeBufferPointer { buffer in
    guard let base = buffer.baseAddress else { return }
    vm.state.newTable(array: Int32(n))
    for i in 0..<n {
      vm.state.pushBytes(base + i * 5, 4)
      vm.state.rawSet(-2, i + 1)
    }
  }
  exit(0)
}

do { try exercise() } catch { check(false, "unexpected error: \(error)") }
print(failures == 0 ? "bridge-check: ok" : "bridge-check: \(failures) failures")
if failures > 0 { exit(1) }

#if canImport(Glibc)
  import Glibc
#endif
