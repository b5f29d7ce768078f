import LuaRuntime
let vm = try LuaVM(sandboxed: false, limits: LuaLimits(memory: 4 << 20))
vm.setGlobalFunction("big") { (L) throws(LuaHostError) -> Int32 in
  L.newTable()
  for i in 1...200_000 {
    L.pushString("item \(i)")
    L.rawSet(-2, i)
  }
  return 1
}
do { try vm.run("keep = big()") } catch { print("1:", error, vm.memoryUsed) }
do { try vm.run("return tostring((function() return select('#', pcall(big)) end)())", results: 1); print(vm.state.string(at: -1) ?? "?") } catch { print("3:", error, vm.memoryUsed) }
do { try vm.run("return tostring((function() return keep end)())", results: 1); print(vm.state.string(at: -1) ?? "?") } catch { print("4:", error, vm.memoryUsed) }
