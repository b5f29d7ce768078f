import FolioCore
import LuaRuntime

/// CQL queries from Lua: `doc:query(cql [, opts])` and `corpus:query(cql [, opts])`.
extension FolioLua {
  /// The compiled query for the CQL text at `arg` with the options table at `options` (cached
  /// per VM); a syntax error is an argument error with the caret under the column.
  static func queryProgram(
    _ L: LuaState, _ arg: Int32, options: Int32, _ context: FolioLuaContext
  ) throws(LuaHostError) -> QueryProgram {
    let cql = try L.checkString(arg)
    var strategy = QueryStrategy.standard
    if !L.isNoneOrNil(options) {
      try L.checkTable(options)
      if L.rawGet(options, "strategy") != .nil {
        let name = L.string(at: -1) ?? ""
        guard let s = QueryStrategy(rawValue: name) else {
          throw .argument(
            options, "strategy must be standard, longest or shortest, not '\(name)'")
        }
        strategy = s
      }
      L.pop()
    }
    let key = strategy.rawValue + "\u{0}" + cql
    if let program = context.queries[key] { return program }
    let program: QueryProgram
    do {
      program = try QueryProgram(try CQLQuery(cql), strategy: strategy)
    } catch let error as CQLError {
      throw .raw(error.description)
    } catch let error as QueryFailure {
      throw .message(error.message)
    } catch {
      throw .message("\(error)")
    }
    if context.queries.count > 64 { context.queries.removeAll() }
    context.queries[key] = program
    return program
  }

  /// `doc:query(cql [, {strategy = "standard", limit}])` → List of hits `{doc, first, last,
  /// text, from, to, labels}`: byte positions as `string.find` gives them, token positions
  /// from 1, and each label's token position.
  static func documentQuery(_ L: LuaState, _ context: FolioLuaContext) throws(LuaHostError)
    -> Int32
  {
    let doc: Document = try L.checkObject(1, "Document")
    let program = try queryProgram(L, 2, options: 3, context)
    var limit = Int.max
    if !L.isNoneOrNil(3) { limit = try L.integerField(3, "limit", limit, in: 0...Int.max) }
    let hits: [QueryHit]
    // The message names the document and the fix; a code position would add nothing.
    do { hits = try program.hits(in: doc) } catch { throw .raw(error.message) }
    let tokens = doc.tokens
    let labels = program.query.labels
    L.newTable(array: Int32(clamping: min(limit, hits.count)))
    var text = doc.text
    text.withUTF8 { buffer in
      for (i, h) in hits.prefix(limit).enumerated() {
        let first = Int(tokens[h.start].start)
        let last = Int(tokens[h.end - 1].end)
        L.newTable(hash: 7)
        L.pushString(doc.id)
        L.rawSet(-2, "doc")
        L.pushInteger(first + 1)
        L.rawSet(-2, "first")
        L.pushInteger(last)
        L.rawSet(-2, "last")
        L.pushBytes(buffer.baseAddress.unsafelyUnwrapped + first, last - first)
        L.rawSet(-2, "text")
        L.pushInteger(h.start + 1)
        L.rawSet(-2, "from")
        L.pushInteger(h.end)
        L.rawSet(-2, "to")
        L.newTable(hash: Int32(labels.count))
        for (k, name) in labels.enumerated() where h.labels[k] >= 0 {
          L.pushInteger(h.labels[k] + 1)
          L.rawSet(-2, name)
        }
        L.rawSet(-2, "labels")
        L.rawSet(-2, i + 1)
      }
    }
    makeList(L)
    return 1
  }

  /// `corpus:query(cql [, {width = 40, limit, strategy}])` → rows `{doc, left, match, right,
  /// first, last, n}`, as `corpus:kwic` gives them.
  static func corpusQuery(_ L: LuaState, _ context: FolioLuaContext) throws(LuaHostError)
    -> Int32
  {
    let corpus: Corpus = try L.checkObject(1, "Corpus")
    let program = try queryProgram(L, 2, options: 3, context)
    var width = 40
    var limit = Int.max
    if !L.isNoneOrNil(3) {
      width = try L.integerField(3, "width", width, in: 0...100_000)
      limit = try L.integerField(3, "limit", limit, in: 0...Int.max)
    }
    let lines: [Corpus.Line]
    do {
      lines = try corpus.concordance(
        query: program, width: width, limit: limit, stop: { L.limitsTripped })
    } catch { throw .raw(error.message) }
    if L.limitsTripped { return 0 }  // the trampoline raises the limit's error
    return pushLines(lines, L) ? 1 : 0
  }

  /// `c:add_hits(doc, cql [, {by = {"lemma", "meta.folder"}, strategy}])` → the number of hits
  /// and of the document's words.
  ///
  /// Counts each hit of the query under its group, the values of `by` joined by tabs (an
  /// attribute: its values over the hit's tokens, joined by spaces; `a.lemma`: at label a;
  /// `meta.FIELD`: the document's). Without `by`, every hit counts under "".
  static func counterAddHits(_ L: LuaState, _ context: FolioLuaContext) throws(LuaHostError)
    -> Int32
  {
    let c: Counter = try L.checkObject(1, "Counter")
    let doc: Document = try L.checkObject(2, "Document")
    let program = try queryProgram(L, 3, options: 4, context)
    var by: [String] = []
    if !L.isNoneOrNil(4), L.rawGet(4, "by") != .nil {
      guard L.type(at: -1) == .table else { throw .argument(4, "'by' must be a list of names") }
      var i = 1
      while L.rawGet(-1, i) == .string {
        by.append(L.string(at: -1) ?? "")
        L.pop()
        i += 1
      }
      L.pop(2)
    } else if !L.isNoneOrNil(4) {
      L.pop()
    }
    let hits: [QueryHit]
    // The message names the document and the fix; a code position would add nothing.
    do { hits = try program.hits(in: doc) } catch { throw .raw(error.message) }
    let labels = program.query.labels
    let tokens = doc.tokens
    let bytes = Array(doc.text.utf8)
    func values(_ attribute: String, _ range: Range<Int>) throws(LuaHostError) -> String {
      var parts: [String] = []
      for i in range {
        switch attribute {
        case "word", "lower":
          let t = tokens[i]
          let w = String(decoding: bytes[Int(t.start)..<Int(t.end)], as: UTF8.self)
          parts.append(attribute == "lower" ? w.lowercased() : w)
        case "kind": parts.append(tokens[i].kind.name)
        default:
          guard let v = doc.tokenAttribute(attribute, at: i) else {
            throw .raw(
              "c:add_hits: the tokens of \(doc.id) have no '\(attribute)' - run a tagger that sets it first (-p pos)"
            )
          }
          parts.append(v)
        }
      }
      return parts.joined(separator: " ")
    }
    try L.reserveHost(c.growth(forKey: 64))
    defer { settle(c, L) }
    for h in hits {
      var key: [String] = []
      for name in by {
        if name.hasPrefix("meta.") {
          key.append(doc.meta[String(name.dropFirst(5))]?.description ?? "")
        } else if let dot = name.firstIndex(of: ".") {
          let label = String(name[..<dot])
          let attribute = String(name[name.index(after: dot)...])
          let at: Int
          if label == "match" {
            at = h.start
          } else if label == "matchend" {
            at = h.end - 1
          } else if let k = labels.firstIndex(of: label) {
            at = h.labels[k]
          } else {
            throw .raw(
              "c:add_hits: '\(name)' names no label of the query (labels: \((["match", "matchend"] + labels).joined(separator: ", ")))"
            )
          }
          key.append(at < 0 ? "" : try values(attribute, at..<(at + 1)))
        } else {
          key.append(try values(name, h.start..<h.end))
        }
      }
      // A terminating byte keeps the buffer non-empty for the empty key.
      let k = Array(key.joined(separator: "\t").utf8) + [0]
      k.withUnsafeBufferPointer { c.add($0.baseAddress.unsafelyUnwrapped, k.count - 1, count: 1) }
    }
    L.pushInteger(hits.count)
    L.pushInteger(doc.tokenCounts.words)
    return 2
  }
}
