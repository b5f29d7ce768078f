import FolioCore
import LuaRuntime

extension FolioLua {
  /// `doc:counts([{lower = false, kinds = {"word"}, ngram = 1, breaks}])` → `{[text] = count}`,
  /// total: token texts (or with `ngram = n` sequences "a b c") counted in Swift; only the
  /// distinct texts cross into Lua.
  static func counts(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    let options = try countOptions(L, 2)
    let counter: Counter
    if options.ngram > 2 || (options.ngram == 2 && options.breaks != nil) {
      counter = Counter(capacity: max(64, doc.tokens.count))
      doc.addNgrams(
        to: counter, n: options.ngram, kinds: options.kinds, breaks: options.breaks ?? [],
        sentences: options.sentences, lower: options.lower)
    } else if options.ngram == 2 {
      counter = doc.countBigrams(kinds: options.kinds, lower: options.lower)
    } else {
      counter = doc.countTokens(kinds: options.kinds, lower: options.lower)
    }
    L.newTable(hash: Int32(clamping: counter.count))
    let t = L.top
    for i in 0..<counter.count {
      counter.withKey(i) { key in
        if let base = key.baseAddress { L.pushBytes(base, key.count) } else { L.pushString("") }
      }
      L.pushInteger(counter.count(at: i))
      L.rawSetTop(t)
    }
    L.pushInteger(counter.total)
    return 2
  }

  /// Reads `{lower = false, kinds = {"word"}, ngram = 1}` at `arg` (absent: the defaults).
  static func countOptions(_ L: LuaState, _ arg: Int32) throws(LuaHostError) -> CountOptions {
    var o = CountOptions()
    guard !L.isNoneOrNil(arg) else { return o }
    try L.checkTable(arg)
    if L.rawGet(arg, "lower") != .nil { o.lower = L.bool(at: -1) }
    L.pop()
    if L.rawGet(arg, "ngram") != .nil {
      guard let n = L.integer(at: -1), (1...6).contains(n) else {
        L.pop()
        throw .argument(arg, "'ngram' must be 1 to 6")
      }
      o.ngram = n
    }
    L.pop()
    o.kinds = try kindList(L, arg, "kinds")?.kinds ?? o.kinds
    // What ends a run of n-grams: token kinds, and "sentence" for sentence ends.
    if let breaks = try kindList(L, arg, "breaks", extra: "sentence") {
      o.breaks = breaks.kinds
      o.sentences = breaks.extra
    }
    return o
  }

  /// What `countOptions` reads.
  struct CountOptions {
    var lower = false
    var kinds: Set<TokenKind> = [.word]
    var ngram = 1
    /// Nil: n-grams of adjacent counted tokens, whatever lies between (as before `breaks`).
    var breaks: Set<TokenKind>?
    var sentences = false
  }

  /// The token kinds listed in field `key` of the table at `arg` (nil when absent), and
  /// whether it holds `extra`, one more name the list may hold that is not a kind.
  static func kindList(_ L: LuaState, _ arg: Int32, _ key: String, extra: String? = nil)
    throws(LuaHostError) -> (kinds: Set<TokenKind>, extra: Bool)?
  {
    let type = L.rawGet(arg, key)
    defer { L.pop() }
    if type == .nil { return nil }
    guard type == .table else { throw .argument(arg, "'\(key)' must be a list of token kinds") }
    var kinds: Set<TokenKind> = []
    var sawExtra = false
    for i in 0..<L.rawLength(-1) {
      L.rawGet(-1, i + 1)
      defer { L.pop() }
      guard let name = L.string(at: -1) else {
        throw .argument(arg, "'\(key)' must be a list of token kinds")
      }
      if name == extra {
        sawExtra = true
        continue
      }
      guard let kind = TokenKind.allCases.first(where: { $0.name == name }) else {
        var names = TokenKind.allCases.map(\.name)
        if let extra { names.append(extra) }
        throw .argument(
          arg, "unknown token kind in '\(key)' (kinds: \(names.joined(separator: ", ")))")
      }
      kinds.insert(kind)
    }
    return (kinds, sawExtra)
  }

  /// `doc:find_tokens(word [, {ignore_case = false, possessive = false}])` → List of the
  /// tokens `{text, first, last, kind}` equal to `word`, found in Swift.
  static func findTokens(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let doc: Document = try L.checkObject(1, "Document")
    let word = try L.checkString(2)
    var ignoreCase = false
    var possessive = false
    if !L.isNoneOrNil(3) {
      try L.checkTable(3)
      if L.rawGet(3, "ignore_case") != .nil { ignoreCase = L.bool(at: -1) }
      L.pop()
      if L.rawGet(3, "possessive") != .nil { possessive = L.bool(at: -1) }
      L.pop()
    }
    let found = doc.findTokens(word, ignoreCase: ignoreCase, possessive: possessive)
    L.newTable(array: Int32(clamping: found.count))
    var text = doc.text
    text.withUTF8 { buffer in
      for (i, t) in found.enumerated() {
        pushTokenTable(t, in: buffer, L)
        L.rawSet(-2, i + 1)
      }
    }
    makeList(L)
    return 1
  }

  /// `doc:add(layer, first, last [, label [, attrs]])`: positions as `string.find` gives them.
}
