import FolioCore
import LuaRuntime

/// `folio.counter([bytes])`: counts kept in Swift across documents: the bulk state of reports
/// such as word lists and collocations. It travels between workers and shards as one string
/// (`__folio_plain`) and `merge` takes a counter or such a string.
///
/// From a worker to the merging VM of the same run (`context.handoff` set), the string is a
/// ticket of 11 bytes and the counter's keys move with no copy (see `LuaHandoff`); the
/// worker's counter is left empty. To a state file, it is the counter's bytes.
extension FolioLua {
  static func counterType(context: FolioLuaContext) -> LuaObjectType<Counter> {
    LuaObjectType<Counter>(
      name: "Counter",
      methods: methods(of: "Counter", context),
      metamethods: [
        (
          "__len",
          { (L) throws(LuaHostError) -> Int32 in
            let c: Counter = try L.checkObject(1, "Counter")
            L.pushInteger(c.count)
            return 1
          }
        ),
        (
          "__tostring",
          { (L) throws(LuaHostError) -> Int32 in
            let c: Counter = try L.checkObject(1, "Counter")
            L.pushString("Counter(\(c.count) keys, \(c.total) in all)")
            return 1
          }
        ),
        (
          "__folio_plain",
          { (L) throws(LuaHostError) -> Int32 in
            let c: Counter = try L.checkObject(1, "Counter")
            if let handoff = context.handoff, let userdata = L.pointer(at: 1) {
              let ticket =
                handoff.ticket(for: userdata) ?? handoff.hand(c.takeAll(), from: userdata)
              // Its storage went with the ticket: this VM no longer answers for it.
              settle(c, L)
              var bytes = Array(ticketPrefix.utf8)
              withUnsafeBytes(of: ticket.littleEndian) { bytes.append(contentsOf: $0) }
              bytes.withUnsafeBytes { L.pushBytes($0) }
            } else {
              c.encoded().withUnsafeBytes { L.pushBytes($0) }
            }
            return 1
          }
        ),
      ])
  }

  static func counterTotal(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: Counter = try L.checkObject(1, "Counter")
    L.pushInteger(c.total)
    return 1
  }

  static func counterNew(_ L: LuaState) throws(LuaHostError) -> Int32 {
    // A counter handed over from a worker becomes this one, with no copy.
    if let handed = try takeHanded(L, 1) {
      L.pushObject(handed)
      settle(handed, L)
      return 1
    }
    let counter = Counter()
    if !L.isNoneOrNil(1) {
      // Room for the copy first, as c:merge asks.
      try L.reserveHost(counter.footprint + incomingBytes(L, 1))
      try mergeInto(counter, L, 1)
    }
    L.pushObject(counter)
    settle(counter, L)
    return 1
  }

  /// About the bytes merging the counter (or counter bytes) at `arg` adds.
  private static func incomingBytes(_ L: LuaState, _ arg: Int32) -> Int {
    if let other = L.object(at: arg, as: Counter.self) { return other.footprint }
    return L.type(at: arg) == .string ? L.rawLength(arg) * 2 : 0
  }

  /// Charges the counter's storage to the VM's memory budget (DESIGN.md §3).
  ///
  /// The account goes with the counter and gives the bytes back when it is collected. A counter past the limit
  /// makes the trampoline raise Lua's memory error once the host function returns.
  static func settle(_ c: Counter, _ L: LuaState) {
    let account: HostAccount
    if let owned = c.owner as? HostAccount {
      account = owned
    } else {
      account = L.hostAccount()
      c.owner = account
    }
    account.settle(c.footprint)
  }

  /// What a handed-over counter's string starts with (then its ticket, 8 bytes).
  static let ticketPrefix = "FH1"

  /// The counter handed over from a worker that the string at `arg` is the ticket of; nil
  /// when it is not such a string.
  private static func takeHanded(_ L: LuaState, _ arg: Int32) throws(LuaHostError)
    -> Counter?
  {
    guard L.type(at: arg) == .string,
      let ticket = L.withBytes(
        at: arg,
        { b -> UInt64? in
          guard b.count == 11, b.prefix(3).elementsEqual(ticketPrefix.utf8) else { return nil }
          return UInt64(littleEndian: b.loadUnaligned(fromByteOffset: 3, as: UInt64.self))
        }) ?? nil
    else { return nil }
    guard let counter = LuaHandoff.take(ticket) as? Counter else {
      throw .argument(
        arg,
        "this counter, handed over from a worker, was taken already (a handed-over counter can be used once; it cannot be read from another run)"
      )
    }
    return counter
  }

  private static func mergeInto(_ counter: Counter, _ L: LuaState, _ arg: Int32)
    throws(LuaHostError)
  {
    if let other = L.object(at: arg, as: Counter.self) {
      counter.merge(other)
    } else if let handed = try takeHanded(L, arg) {
      counter.absorb(handed)
    } else if L.type(at: arg) == .string {
      let ok = L.withBytes(at: arg) { counter.merge(encoded: $0) } ?? false
      if !ok { throw .argument(arg, "not the bytes of a counter") }
    } else {
      throw .type(arg, expected: "Counter")
    }
  }

  /// `c:add(key [, n])`.
  static func counterAdd(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: Counter = try L.checkObject(1, "Counter")
    _ = try L.checkString(2)
    let n = try L.optInteger(3, 1)
    // Room for the buffers' next doubling first: the limit is checked before memory is taken.
    try L.reserveHost(c.growth(forKey: L.rawLength(2)))
    defer { settle(c, L) }
    let ok =
      L.withBytes(at: 2) { b -> Bool in
        guard let base = b.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
        // Counts and the total stay within ±2^53 (exact as Lua floats too), checked first.
        let limit = LuaState.integerLimit
        let (count, o1) = c.count(of: base, b.count).addingReportingOverflow(n)
        let (total, o2) = c.total.addingReportingOverflow(n)
        guard !o1, !o2, count.magnitude <= limit, total.magnitude <= limit else { return false }
        c.add(base, b.count, count: n)
        return true
      } ?? true
    if !ok { throw .argument(3, "the count would leave the range -2^53 to 2^53") }
    return 0
  }

  /// `c:add_tokens(doc [, {lower, kinds, ngram, breaks, distinct, attr, pos}])` → how many were added; with `distinct`, each different token once (document frequencies); `attr` counts a token attribute (`lemma`, `pos`) instead of the text, `pos` only tokens with one of those parts of speech.
  static func counterAddTokens(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: Counter = try L.checkObject(1, "Counter")
    let doc: Document = try L.checkObject(2, "Document")
    let o = try countOptions(L, 3)
    var distinct = false
    var attribute: String?
    var pos: Set<String>?
    if L.type(at: 3) == .table {
      if L.rawGet(3, "distinct") != .nil { distinct = L.bool(at: -1) }
      L.pop()
      if L.rawGet(3, "attr") == .string { attribute = L.string(at: -1) }
      L.pop()
      pos = try tagList(L, 3, "pos")
    }
    try L.reserveHost(c.growth(forKey: 0))
    defer { settle(c, L) }
    let before = c.total
    if attribute != nil || pos != nil {
      for name in [attribute, pos == nil ? nil : "pos"].compactMap({ $0 })
      where doc.tokenColumns[name] == nil {
        throw .message(
          "c:add_tokens: the tokens of \(doc.id) have no '\(name)' - run a tagger that sets it first (-p pos)"
        )
      }
      guard o.ngram == 1 else {
        throw .message("c:add_tokens: 'attr' and 'pos' count single tokens (ngram = 1)")
      }
      doc.addAttribute(
        attribute, to: c, kinds: o.kinds, pos: pos, lower: o.lower, distinct: distinct)
    } else if o.ngram > 2 || (o.ngram == 2 && o.breaks != nil) {
      if distinct {
        let once = Counter(capacity: max(64, doc.tokens.count))
        doc.addNgrams(
          to: once, n: o.ngram, kinds: o.kinds, breaks: o.breaks ?? [], sentences: o.sentences,
          lower: o.lower)
        c.merge(once, distinct: true)
      } else {
        doc.addNgrams(
          to: c, n: o.ngram, kinds: o.kinds, breaks: o.breaks ?? [], sentences: o.sentences,
          lower: o.lower)
      }
    } else if o.ngram == 2 {
      // Pairs are nearly all distinct within a document: counted straight in.
      doc.addBigrams(to: c, kinds: o.kinds, lower: o.lower, distinct: distinct)
    } else if distinct {
      c.merge(doc.countTokens(kinds: o.kinds, lower: o.lower), distinct: true)
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
    let c: Counter = try L.checkObject(1, "Counter")
    try L.reserveHost(c.growth(forKey: 0) + incomingBytes(L, 2))
    defer { settle(c, L) }
    try mergeInto(c, L, 2)
    L.pushValue(1)
    return 1
  }

  /// `c:get(key)` → the count (0 when never added).
  static func counterGet(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: Counter = try L.checkObject(1, "Counter")
    _ = try L.checkString(2)
    let n = L.withBytes(at: 2) { b -> Int in
      guard let base = b.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
      return c.count(of: base, b.count)
    }
    L.pushInteger(n ?? 0)
    return 1
  }

  private static func minimum(_ L: LuaState, _ arg: Int32) throws(LuaHostError) -> Int {
    guard !L.isNoneOrNil(arg) else { return 1 }
    try L.checkTable(arg)
    return try L.integerField(arg, "min", 1, in: -LuaState.integerLimit...LuaState.integerLimit)
  }

  /// `c:top(n [, {min = 1}])` → List of `{key, count}`, by count then key (n ≤ 0: all).
  static func counterTop(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: Counter = try L.checkObject(1, "Counter")
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
    let c: Counter = try L.checkObject(1, "Counter")
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

  /// `c:associations(words [, {measure = "pmi", min = 1, n = words:total(), top = 0}])` → List
  /// of rows `{pair, count, first, second, score}`, best first.
  static func counterAssociations(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let c: Counter = try L.checkObject(1, "Counter")
    let words: Counter = try L.checkObject(2, "Counter")
    var measure = Association.pmi
    var minimum = 1
    var n = Double(words.total)
    var top = 0
    var negative = true
    if !L.isNoneOrNil(3) {
      try L.checkTable(3)
      if L.rawGet(3, "measure") != .nil {
        let name = L.string(at: -1) ?? L.typeName(at: -1)
        guard let m = Association(rawValue: name) else {
          let names = Association.allCases.map(\.rawValue).joined(separator: ", ")
          throw .argument(3, "measure must be one of \(names), got '\(name)'")
        }
        measure = m
      }
      L.pop()
      minimum = try L.integerField(
        3, "min", minimum, in: -LuaState.integerLimit...LuaState.integerLimit)
      if L.rawGet(3, "n") != .nil { n = L.number(at: -1) ?? n }
      L.pop()
      top = try L.integerField(3, "top", top, in: 0...LuaState.integerLimit)
      if L.rawGet(3, "negative") != .nil { negative = L.bool(at: -1) }
      L.pop()
    }
    let rows = c.associations(
      words: words, measure: measure, minimum: minimum, n: n, limit: top, negative: negative,
      stop: { L.limitsTripped })
    if L.limitsTripped { return 0 }  // the trampoline raises the limit's error
    L.newTable(array: Int32(clamping: rows.count))
    for (i, row) in rows.enumerated() {
      L.newTable(hash: 5)
      c.withKey(row.index) { key in
        if let base = key.baseAddress { L.pushBytes(base, key.count) } else { L.pushString("") }
      }
      L.rawSet(-2, "pair")
      L.pushInteger(row.count)
      L.rawSet(-2, "count")
      L.pushInteger(row.first)
      L.rawSet(-2, "first")
      L.pushInteger(row.second)
      L.rawSet(-2, "second")
      L.pushNumber(row.score)
      L.rawSet(-2, "score")
      L.rawSet(-2, i + 1)
    }
    makeRows(L, columns: ["pair", "count", "first", "second", "score"], rightAligned: [])
    return 1
  }
}
