import FolioCore
import LuaRuntime

/// `Corpus` in Lua: `#corpus`, `corpus[i]`, `corpus:get(id)`, `corpus:docs()`, `corpus:filter(fn)`,
/// `corpus:sample(n [, seed])`, `corpus:kwic(...)`, `corpus:freq(...)`, `corpus:search(...)`.
///
/// The same `Document` userdata comes back for the same position (a cache in the corpus's
/// user value), so spans a tagger adds in the REPL are there the next time.
extension FolioLua {
  static let corpusCacheSlot: Int32 = 1

  /// Pushes `corpus` as a `Corpus` userdata. Stack: [-0, +1, m]
  public static func push(_ corpus: Corpus, _ L: LuaState) {
    L.pushObject(corpus, userValues: 1)
  }

  static func corpusType(context: FolioLuaContext) -> LuaObjectType<Corpus> {
    LuaObjectType<Corpus>(
      name: "Corpus",
      methods: methods(of: "Corpus", context) + [("_subset", corpusSubset)],
      getter: { (L) throws(LuaHostError) -> Int32 in
        let corpus: Corpus = try L.checkObject(1, "Corpus")
        guard L.type(at: 2) == .number, let i = L.integer(at: 2), i >= 1, i <= corpus.count
        else {
          L.pushNil()
          return 1
        }
        pushDocument(corpus, at: i - 1, corpusIndex: 1, L)
        return 1
      },
      metamethods: [
        (
          "__len",
          { (L) throws(LuaHostError) -> Int32 in
            let corpus: Corpus = try L.checkObject(1, "Corpus")
            L.pushInteger(corpus.count)
            return 1
          }
        ),
        (
          "__tostring",
          { (L) throws(LuaHostError) -> Int32 in
            let corpus: Corpus = try L.checkObject(1, "Corpus")
            L.pushString(corpus.description)
            return 1
          }
        ),
      ],
      luaMethods: String(decoding: PackageResources.corpus_methods_lua, as: UTF8.self))
  }

  /// Pushes document `i` (0-based) of the corpus whose userdata is at `corpusIndex`, from the cache when it was pushed before. Stack: [-0, +1, m]
  static func pushDocument(_ corpus: Corpus, at i: Int, corpusIndex: Int32, _ L: LuaState) {
    let c = L.absolute(corpusIndex)
    if L.getUserValue(c, corpusCacheSlot) != .table {
      L.pop()
      L.newTable(array: Int32(clamping: min(corpus.count, 1 << 16)))
      L.pushValue(-1)
      L.setUserValue(c, corpusCacheSlot)
    }
    if L.rawGet(-1, i + 1) != .userdata {
      L.pop()
      push(corpus.documents[i], L)
      L.pushValue(-1)
      L.rawSet(-3, i + 1)
    }
    L.remove(-2)
  }

  static func corpusGet(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let corpus: Corpus = try L.checkObject(1, "Corpus")
    let id = try L.checkString(2)
    guard let i = corpus.position(of: id) else {
      L.pushNil()
      return 1
    }
    pushDocument(corpus, at: i, corpusIndex: 1, L)
    return 1
  }

  /// `corpus:_subset(positions)`: the sub-corpus behind `filter`.
  static func corpusSubset(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let corpus: Corpus = try L.checkObject(1, "Corpus")
    try L.checkTable(2)
    var picked: [Int] = []
    for k in 0..<L.rawLength(2) {
      L.rawGet(2, k + 1)
      if let i = L.integer(at: -1), i >= 1, i <= corpus.count { picked.append(i - 1) }
      L.pop()
    }
    push(corpus.subset(picked), L)
    return 1
  }

  static func corpusSample(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let corpus: Corpus = try L.checkObject(1, "Corpus")
    let n = try L.checkInteger(2)
    let seed = try L.optInteger(3, 1)
    push(corpus.sample(n, seed: UInt64(bitPattern: Int64(seed))), L)
    return 1
  }

  /// The pattern argument of `kwic` and `search`: a `Regex`, or a string compiled with the flags given.
  static func patternArgument(_ L: LuaState, _ arg: Int32, flags: String) throws(LuaHostError)
    -> RegularExpression
  {
    if let re = L.object(at: arg, as: RegularExpression.self) { return re }
    let pattern = try L.checkString(arg)
    do { return try RegularExpression(pattern, flags: flags) } catch {
      throw .argument(arg, error.message)
    }
  }

  /// `corpus:kwic(pattern [, {width = 40, ignore_case = false, regex = false, limit}])`.
  ///
  /// A string is a word matched as a whole token (`Kolokoltsev` also finds `Kolokoltsev’s`);
  /// a `folio.re` pattern or `regex = true` matches anywhere. Rows: doc, left, match, right,
  /// first, last (byte positions as `string.find` gives them), n (the document's position).
  static func corpusKwic(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let corpus: Corpus = try L.checkObject(1, "Corpus")
    var width = 40
    var ignoreCase = false
    var asRegex = L.object(at: 2, as: RegularExpression.self) != nil
    var limit = Int.max
    if !L.isNoneOrNil(3) {
      try L.checkTable(3)
      width = try L.integerField(3, "width", width, in: 0...100_000)
      if L.rawGet(3, "ignore_case") != .nil { ignoreCase = L.bool(at: -1) }
      L.pop()
      if L.rawGet(3, "regex") != .nil { asRegex = asRegex || L.bool(at: -1) }
      L.pop()
      limit = try L.integerField(3, "limit", limit, in: 0...Int.max)
    }
    let lines: [Corpus.Line]
    if asRegex {
      let re = try patternArgument(L, 2, flags: ignoreCase ? "i" : "")
      do {
        lines = try corpus.concordance(
          regex: re, width: width, limit: limit, stop: { L.limitsTripped })
      } catch { throw .message(error.message) }
    } else {
      let word = try L.checkString(2)
      lines = corpus.concordance(
        word: word, ignoreCase: ignoreCase, width: width, limit: limit,
        stop: { L.limitsTripped })
    }
    if L.limitsTripped { return 0 }  // the trampoline raises the limit's error
    return pushLines(lines, L) ? 1 : 0
  }

  /// Pushes concordance lines as a List of rows {doc, left, match, right, first, last, n};
  /// false (and nothing pushed that matters) when a limit tripped on the way.
  static func pushLines(_ lines: [Corpus.Line], _ L: LuaState) -> Bool {
    L.newTable(array: Int32(clamping: lines.count))
    for (i, line) in lines.enumerated() {
      if i % 4096 == 4095 && L.limitsTripped { return false }
      L.newTable(hash: 7)
      L.pushString(line.id)
      L.rawSet(-2, "doc")
      L.pushString(line.left)
      L.rawSet(-2, "left")
      L.pushString(line.match)
      L.rawSet(-2, "match")
      L.pushString(line.right)
      L.rawSet(-2, "right")
      L.pushInteger(line.range.lowerBound + 1)
      L.rawSet(-2, "first")
      L.pushInteger(line.range.upperBound)
      L.rawSet(-2, "last")
      L.pushInteger(line.document + 1)
      L.rawSet(-2, "n")
      L.rawSet(-2, i + 1)
    }
    makeRows(L, columns: ["doc", "left", "match", "right"], rightAligned: ["left"])
    return true
  }

  /// `corpus:freq([{n = 20, lower = true, kinds = {"word"}}])` → rows word, count, per_million,
  /// most frequent first (ties by word); `n = 0` gives every word.
  static func corpusFreq(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let corpus: Corpus = try L.checkObject(1, "Corpus")
    var n = 20
    var lower = true
    var kinds: Set<TokenKind> = [.word]
    if !L.isNoneOrNil(2) {
      try L.checkTable(2)
      n = try L.integerField(2, "n", n, in: 0...LuaState.integerLimit)
      if L.rawGet(2, "lower") != .nil { lower = L.bool(at: -1) }
      L.pop()
      kinds = try countOptions(L, 2).kinds
    }
    // Ctrl-C (any thread may ask: the counting runs on several).
    let counter = corpus.frequencies(kinds: kinds, lower: lower) { LuaInterrupt.isRequested }
    if L.limitsTripped { return 0 }  // the trampoline raises the limit's error
    let ranked = counter.ranked(limit: n <= 0 ? .max : n)
    let total = Double(max(1, counter.total))
    L.newTable(array: Int32(clamping: ranked.count))
    for (i, k) in ranked.enumerated() {
      L.newTable(hash: 3)
      counter.withKey(k) { key in
        if let base = key.baseAddress { L.pushBytes(base, key.count) } else { L.pushString("") }
      }
      L.rawSet(-2, "word")
      L.pushInteger(counter.count(at: k))
      L.rawSet(-2, "count")
      L.pushNumber((Double(counter.count(at: k)) * 1e6 / total * 10).rounded() / 10)
      L.rawSet(-2, "per_million")
      L.rawSet(-2, i + 1)
    }
    makeRows(L, columns: ["word", "count", "per_million"], rightAligned: [])
    return 1
  }

  /// `corpus:search(pattern [, flags])` → the sub-corpus of documents whose text matches.
  static func corpusSearch(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let corpus: Corpus = try L.checkObject(1, "Corpus")
    let re = try patternArgument(L, 2, flags: try L.optString(3) ?? "")
    let found: [Int]
    do { found = try corpus.search(re, stop: { L.limitsTripped }) } catch {
      throw .message(error.message)
    }
    if L.limitsTripped { return 0 }  // the trampoline raises the limit's error
    push(corpus.subset(found), L)
    return 1
  }
}
