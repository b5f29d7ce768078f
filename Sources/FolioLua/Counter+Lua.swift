import FolioCore
import LuaRuntime

/// `folio.counter([bytes])`: counts kept in Swift across documents: the bulk state of reports
/// such as word lists and collocations. It travels between workers and shards as one string
/// (`__folio_plain`) and `merge` takes a counter or such a string.
extension FolioLua {
  static func counterType() -> LuaObjectType<TermCounter> {
    LuaObjectType<TermCounter>(
      name: "Counter",
      methods: [
        ("add", counterAdd),
        ("add_tokens", counterAddTokens),
        ("merge", counterMerge),
        ("get", counterGet),
        (
          "total",
          { (L) throws(LuaHostError) -> Int32 in
            let c: TermCounter = try L.checkObject(1, "Counter")
            L.pushInteger(c.total)
            return 1
          }
        ),
        ("top", counterTop),
        ("items", counterItems),
      ],
      metamethods: [
        (
          "__len",
          { (L) throws(LuaHostError) -> Int32 in
            let c: TermCounter = try L.checkObject(1, "Counter")
            L.pushInteger(c.count)
            return 1
          }
        ),
        (
          "__tostring",
          { (L) throws(LuaHostError) -> Int32 in
            let c: TermCounter = try L.checkObject(1, "Counter")
            L.pushString("Counter(\(c.count) keys, \(c.total) in all)")
            return 1
          }
        ),
        (
          "__folio_plain",
          { (L) throws(LuaHostError) -> Int32 in
            let c: TermCounter = try L.checkObject(1, "Counter")
            c.encoded().withUnsafeBytes { L.pushBytes($0) }
            return 1
          }
        ),
      ])
  }

  static func counterNew(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let counter = TermCounter()
    if !L.isNoneOrNil(1) { try mergeInto(counter, L, 1) }
    L.pushObject(counter)
    return 1
  }

  private static func mergeInto(_ counter: TermCounter, _ L: LuaState, _ arg: Int32)
    throws(LuaHostError)
  {
    if let other = L.object(at: arg, as: TermCounter.self) {
      counter.merge(other)
    } else if L.type(at: arg) == .string {
      let ok = L.withBytes(at: arg) { counter.merge(encoded: $0) } ?? false
      if !ok { throw .argument(arg, "not the bytes of a counter") }
    } else {
      throw .type(arg, expected: "Counter")
    }
  }

  /// `c:add(key [, n])`.
  static func counterAdd(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: TermCounter = try L.checkObject(1, "Counter")
    _ = try L.checkString(2)
    let n = try L.optInteger(3, 1)
    L.withBytes(at: 2) { b in
      if let base = b.baseAddress?.assumingMemoryBound(to: UInt8.self) {
        c.add(base, b.count, count: n)
      }
    }
    return 0
  }

  /// `c:add_tokens(doc [, {lower, kinds, ngram, distinct}])` → how many were added; with `distinct`, each different token once (document frequencies).
  static func counterAddTokens(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: TermCounter = try L.checkObject(1, "Counter")
    let doc: Document = try L.checkObject(2, "Document")
    let o = try countOptions(L, 3)
    var distinct = false
    if L.type(at: 3) == .table {
      if L.rawGet(3, "distinct") != .nil { distinct = L.bool(at: -1) }
      L.pop()
    }
    let before = c.total
    if distinct {
      c.merge(
        o.ngram == 2
          ? doc.countBigrams(kinds: o.kinds, lower: o.lower)
          : doc.countTokens(kinds: o.kinds, lower: o.lower), distinct: true)
    } else if o.ngram == 2 {
      // Pairs are nearly all distinct within a document: count them straight in.
      doc.addBigrams(to: c, kinds: o.kinds, lower: o.lower)
    } else {
      // Straight into the large table: the counter fetches each word's slot a few tokens
      // ahead, so its cache misses overlap.
      doc.addTokens(to: c, kinds: o.kinds, lower: o.lower)
    }
    L.pushInteger(c.total - before)
    return 1
  }

  /// `c:merge(other)`: another counter or the string it travels as.
  static func counterMerge(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: TermCounter = try L.checkObject(1, "Counter")
    try mergeInto(c, L, 2)
    L.pushValue(1)
    return 1
  }

  /// `c:get(key)` → the count (0 when never added).
  static func counterGet(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: TermCounter = try L.checkObject(1, "Counter")
    _ = try L.checkString(2)
    let n = L.withBytes(at: 2) { b -> Int in
      guard let base = b.baseAddress?.assumingMemoryBound(to: UInt8.self),
        let k = c.index(of: base, b.count, lower: false)
      else { return 0 }
      return c.count(at: k)
    }
    L.pushInteger(n ?? 0)
    return 1
  }

  private static func minimum(_ L: LuaState, _ arg: Int32) throws(LuaHostError) -> Int {
    guard !L.isNoneOrNil(arg) else { return 1 }
    try L.checkTable(arg)
    defer { L.pop() }
    L.rawGet(arg, "min")
    return L.integer(at: -1) ?? 1
  }

  /// `c:top(n [, {min = 1}])` → List of `{key, count}`, by count then key (n ≤ 0: all).
  static func counterTop(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: TermCounter = try L.checkObject(1, "Counter")
    let n = try L.checkInteger(2)
    let min = try minimum(L, 3)
    let order = c.ranked(limit: n <= 0 ? .max : n, minimum: min)
    L.newTable(array: Int32(clamping: order.count))
    for (i, k) in order.enumerated() {
      L.newTable(array: 2)
      c.withKey(k) { key in
        if let base = key.baseAddress { L.pushBytes(base, key.count) } else { L.pushString("") }
      }
      L.rawSet(-2, 1)
      L.pushInteger(c.count(at: k))
      L.rawSet(-2, 2)
      L.rawSet(-2, i + 1)
    }
    makeList(L)
    return 1
  }

  /// `c:items([{min = 1}])` → a plain table `{[key] = count}` of the keys counted at least `min`.
  static func counterItems(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: TermCounter = try L.checkObject(1, "Counter")
    let min = try minimum(L, 2)
    L.newTable()
    let t = L.top
    for k in 0..<c.count where c.count(at: k) >= min {
      c.withKey(k) { key in
        if let base = key.baseAddress { L.pushBytes(base, key.count) } else { L.pushString("") }
      }
      L.pushInteger(c.count(at: k))
      L.rawSetTop(t)
    }
    return 1
  }
}
