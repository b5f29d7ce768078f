// Exercises the Lua bridge end to end, and FolioLua's objects over it (documents, corpora,
// tokens, spans, counters, gazetteers, regexes, taggers), so that valgrind can check them for
// leaks and memory errors (Scripts/test runs it under `valgrind --leak-check=full`). Exits 1 on
// a wrong result.
import FolioCore
import FolioLua
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

/// FolioLua's objects, made, used, failed on and collected in a sandboxed plugin VM.
func exerciseFolioLua() throws {
  let vm = try LuaVM(sandboxed: true, limits: .plugin)
  let context = FolioLuaContext()
  try FolioLua.install(in: vm, context: context)
  let L = vm.state
  let docs = (1...40).map { i in
    Document(
      id: "d\(i)",
      text:
        "Interior Minister Vladimir Kolokoltsev said on Monday \(i). The money went to Moscow.\n"
        + "Kolokoltsev's office said nothing more. Prices rose \(i * 3)% in Domodedovo.")
  }
  FolioLua.push(Corpus(documents: docs, sources: ["check"]), L)
  L.setGlobal("corpus")
  let tagger = POSTrainer.train(
    [
      .init(
        words: ["The", "money", "went"], upos: ["DET", "NOUN", "VERB"], xpos: ["DT", "NN", "VBD"])
    ],
    dev: [], iterations: 2)
  FolioLua.push(tagger, L)
  L.setGlobal("tagger")
  try vm.run(
    """
    local words, pairs_ = folio.counter(), folio.counter()
    local g = folio.gazetteer({"Vladimir Kolokoltsev", "Moscow"}, {label = "NAME"})
    local re = folio.re.compile([[(\\p{Lu}\\w+)]])
    local n = 0
    for round = 1, 3 do
      for i = 1, #corpus do
        local doc = corpus[i]
        words:add_tokens(doc, {lower = true})
        pairs_:add_tokens(doc, {ngram = 2})
        for _, t in ipairs(doc:tokens()) do
          if t.kind == "word" then n = n + #t.text + #t.norm end
          local nx = t:next()
          if nx then assert(nx.first > t.first) end
        end
        g:tag(doc, "name")
        re:tag(doc, "caps")
        tagger:tag(doc)
        for _, s in ipairs(doc:sentences()) do
          for _, e in ipairs(s:within("name")) do assert(e:covering("sentence")[1]) end
        end
        doc:add("note", 1, 8, "HEAD", {score = 1.5, ok = true})
        doc.meta.round = round
        assert(#doc:spans("note") >= 1)
        assert(#doc:query('[word="Moscow"]') == 1)
        doc:remove("note")
        local sig = doc:minhash()
        assert(#sig == 64)
        local ok, err = pcall(doc.add, doc, "note", 5, 1)
        assert(not ok and err)
        ok = pcall(words.add, words, nil)
        assert(not ok)
        local s = folio.json.encode({id = doc.id, tokens = #doc:tokens(), pos = doc:tokens()[2].pos})
        assert(folio.json.decode(s).id == doc.id)
        assert(re:gsub(doc.text, "X") ~= nil)
      end
      local copy = folio.counter(words)
      copy:merge(pairs_)
      assert(#copy:top(5) == 5)
    end
    local rows = words:associations(words, {measure = "log_dice", min = 2, top = 10})
    assert(#corpus:kwic("Moscow") == #corpus)
    assert(#corpus:freq({n = 5}) == 5)
    assert(#corpus:search("Domodedovo") == #corpus)
    assert(#corpus:filter(function(d) return d.id < "d2" end) > 0)
    local t = folio.table{title = "t", columns = {"a", "b"}}
    t:add({"x", "y"})
    assert(n > 0 and rows)
    """, chunkname: "=foliolua")
  // A document closed while Lua still holds its tokens: reading one is an error, not a crash.
  FolioLua.push(Document(id: "x", text: "short lived text"), L)
  L.setGlobal("tmp")
  try vm.run("held = tmp:tokens()")
  do { try vm.run("tmp = nil; collectgarbage(); collectgarbage(); return held[1].text") } catch {
    check(false, "a held token after collection: \(error.message)")
  }
  vm.close()
  check(vm.liveObjects == 0, "FolioLua objects released")
}

do { try exercise() } catch { check(false, "unexpected error: \(error)") }
do { try exerciseFolioLua() } catch { check(false, "unexpected FolioLua error: \(error)") }
print(failures == 0 ? "bridge-check: ok" : "bridge-check: \(failures) failures")
if failures > 0 { exit(1) }

#if canImport(Glibc)
  import Glibc
#endif
