/// One attribute of every token of a document (`pos`, `tag`, `lemma`, `feats`): the distinct
/// values once, a code per token.
public struct TokenColumn: Sendable, Equatable {
  /// The distinct values, in order of first use.
  public private(set) var values: [String] = []
  /// Per token: the index of its value.
  public private(set) var codes: [UInt32] = []
  private var index: [String: UInt32] = [:]

  public init() {}

  public init(_ list: some Sequence<String>) {
    for v in list { append(v) }
  }

  public mutating func append(_ value: String) {
    if let c = index[value] {
      codes.append(c)
    } else {
      let c = UInt32(values.count)
      values.append(value)
      index[value] = c
      codes.append(c)
    }
  }

  /// Appends `values[id]`, its code remembered in `codes[id]` (-1: not yet used) so that a
  /// value used again costs no lookup.
  mutating func append(_ id: Int, of values: [String], codes known: inout [Int32]) {
    let c = known[id]
    if c >= 0 {
      codes.append(UInt32(c))
    } else {
      append(values[id])
      known[id] = Int32(codes[codes.count - 1])
    }
  }

  /// The code of `value`, or nil when no token has it.
  public func code(of value: String) -> UInt32? { index[value] }

  public var count: Int { codes.count }

  public subscript(i: Int) -> String { values[Int(codes[i])] }

  public static func == (a: TokenColumn, b: TokenColumn) -> Bool {
    a.count == b.count && a.codes.indices.allSatisfy { a[$0] == b[$0] }
  }
}

extension Document {
  /// Replaces the tokens with `words` (a finer or coarser segmentation of the same text, as a
  /// tagger needs) carrying the attribute `columns`, one value per word each.
  public func setWords(_ words: [Token], columns: [(name: String, column: TokenColumn)]) {
    replaceTokens(words, columns: columns)
  }

  /// The value of attribute `name` for token `i`, or nil.
  public func tokenAttribute(_ name: String, at i: Int) -> String? {
    guard let c = tokenColumns[name], i >= 0, i < c.count else { return nil }
    return c[i]
  }

  /// Adds the values of attribute `attribute` (or the token texts, when nil) of the tokens
  /// whose kind is in `kinds` and, with `pos`, whose `pos` attribute is one of those.
  public func addAttribute(
    _ attribute: String?, to counter: Counter, kinds: Set<TokenKind>, pos: Set<String>?,
    lower: Bool, distinct: Bool = false
  ) {
    let tokens = self.tokens
    let mask = kinds.reduce(0 as UInt32) { $0 | 1 << $1.rawValue }
    var allowed: Set<UInt32>? = nil
    if let pos {
      let column = tokenColumns["pos"]
      allowed = Set(pos.compactMap { column?.code(of: $0) })
    }
    let posCodes = tokenColumns["pos"]?.codes
    let values = attribute.flatMap { tokenColumns[$0] }
    if attribute != nil && values == nil { return }
    var seen = Set<String>()
    var text = self.text
    text.withUTF8 { buffer in
      guard let base = buffer.baseAddress else { return }
      for (i, t) in tokens.enumerated() where mask & (1 << t.kind.rawValue) != 0 {
        if let allowed {
          guard let codes = posCodes, i < codes.count, allowed.contains(codes[i]) else { continue }
        }
        if let values {
          guard i < values.count else { continue }
          var v = values[i]
          if lower { v = v.lowercased() }
          if distinct && !seen.insert(v).inserted { continue }
          v.withUTF8 { counter.add($0.baseAddress.unsafelyUnwrapped, $0.count, count: 1) }
        } else {
          let p = base + Int(t.start)
          let n = Int(t.end - t.start)
          if distinct {
            let s = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
            if !seen.insert(lower ? s.lowercased() : s).inserted { continue }
          }
          counter.add(p, n, lower: lower)
        }
      }
    }
  }
}
