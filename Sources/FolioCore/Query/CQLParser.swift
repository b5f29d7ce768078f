/// Recursive descent over the characters of a query.
struct CQLParser {
  private let chars: [Character]
  private let source: String
  private var i = 0
  private var labels: [String] = []
  private static let maxRepeat = 1000

  init(_ source: String) {
    self.source = source
    chars = Array(source)
  }

  struct Parsed {
    var pattern: CQLNode
    var within: [CQLStructure] = []
    var containing: [(negated: Bool, query: CQLNode)] = []
    var constraint: CQLConstraint?
    var labels: [String]
  }

  private func fail(_ message: String, at column: Int? = nil) -> CQLError {
    CQLError(source: source, column: (column ?? i) + 1, message: message)
  }

  private mutating func skipSpace() {
    while i < chars.count, chars[i].isWhitespace { i += 1 }
  }

  private mutating func peek(_ s: String) -> Bool {
    skipSpace()
    var j = i
    for c in s {
      guard j < chars.count, chars[j] == c else { return false }
      j += 1
    }
    return true
  }

  private mutating func take(_ s: String) -> Bool {
    guard peek(s) else { return false }
    i += s.count
    return true
  }

  private mutating func expect(_ s: String, _ what: String) throws(CQLError) {
    guard take(s) else { throw fail("expected \(what)\(found)") }
  }

  /// ", found X" for the current place.
  private var found: String {
    guard i < chars.count else { return ", found the end of the query" }
    return ", found '\(chars[i])'"
  }

  private static func isNameStart(_ c: Character) -> Bool { c.isLetter || c == "_" }
  private static func isName(_ c: Character) -> Bool {
    c.isLetter || c.isNumber || c == "_" || c == "-"
  }

  private mutating func peekName() -> String? {
    skipSpace()
    guard i < chars.count, Self.isNameStart(chars[i]) else { return nil }
    var j = i
    while j < chars.count, Self.isName(chars[j]) { j += 1 }
    return String(chars[i..<j])
  }

  private mutating func name(_ what: String) throws(CQLError) -> String {
    guard let n = peekName() else { throw fail("expected \(what)\(found)") }
    i += n.count
    return n
  }

  /// A keyword as a whole word (`within` but not `withinx`).
  private mutating func keyword(_ k: String) -> Bool {
    guard peekName() == k else { return false }
    i += k.count
    return true
  }

  /// `=` (false) or `!=` (true); the error says where one was expected.
  private mutating func comparison(_ place: String) throws(CQLError) -> Bool {
    if take("!=") { return true }
    try expect("=", "'=' or '!=' \(place)")
    return false
  }

  private mutating func string() throws(CQLError) -> (String, CQLFlags) {
    skipSpace()
    guard i < chars.count, chars[i] == "\"" || chars[i] == "'" else {
      throw fail("expected a quoted value such as \"NOUN\"\(found)")
    }
    let quote = chars[i]
    let start = i
    i += 1
    var out = ""
    while true {
      guard i < chars.count else {
        throw fail("this quoted value is not closed: add \(quote)", at: start)
      }
      let c = chars[i]
      if c == quote {
        // CQP doubles a quote to write it inside a value.
        if i + 1 < chars.count, chars[i + 1] == quote {
          out.append(c)
          i += 2
          continue
        }
        i += 1
        break
      }
      if c == "\\", i + 1 < chars.count, chars[i + 1] == quote {
        out.append(quote)
        i += 2
        continue
      }
      out.append(c)
      i += 1
    }
    var flags = CQLFlags()
    if i < chars.count, chars[i] == "%" {
      i += 1
      let at = i
      while i < chars.count, chars[i].isLetter {
        switch chars[i] {
        case "c": flags.ignoreCase = true
        case "d": flags.ignoreDiacritics = true
        case "l": flags.literal = true
        default:
          throw fail(
            "unknown flag '%\(chars[i])' (flags: %c ignore case, %d ignore diacritics, %l literal)")
        }
        i += 1
      }
      if i == at { throw fail("expected flags after % (c, d or l)") }
    }
    return (out, flags)
  }

  mutating func parseQuery() throws(CQLError) -> Parsed {
    skipSpace()
    if i == chars.count {
      throw fail("the query is empty: write a token such as \"word\" or [pos=\"NOUN\"]")
    }
    var parsed = Parsed(pattern: try alternation(), labels: [])
    while true {
      if keyword("within") {
        parsed.within.append(try structure())
      } else if peekName() == "not" || peekName() == "containing" {
        let negated = keyword("not")
        guard keyword("containing") else { throw fail("expected 'containing' after 'not'\(found)") }
        parsed.containing.append((negated, try alternation()))
      } else {
        break
      }
    }
    if take("::") {
      parsed.constraint = try constraintOr()
    }
    skipSpace()
    if i < chars.count {
      if chars[i] == ")" { throw fail("this ')' closes nothing") }
      if chars[i] == "]" { throw fail("this ']' closes nothing") }
      throw fail(
        "expected a token pattern, '|', 'within', 'containing', '::' or the end of the query\(found)"
      )
    }
    parsed.labels = labels
    return parsed
  }

  private mutating func alternation() throws(CQLError) -> CQLNode {
    var options = [try sequence()]
    while peek("|") {
      i += 1
      options.append(try sequence())
    }
    return options.count == 1 ? options[0] : .alternation(options)
  }

  private mutating func atItemStart() -> Bool {
    skipSpace()
    guard i < chars.count else { return false }
    let c = chars[i]
    if c == "[" || c == "\"" || c == "'" || c == "(" || c == "<" || c == "@" { return true }
    if let n = peekName(), n != "within", n != "containing", n != "not" {
      let j = i + n.count
      var k = j
      while k < chars.count, chars[k].isWhitespace { k += 1 }
      return k < chars.count && chars[k] == ":" && !(k + 1 < chars.count && chars[k + 1] == ":")
    }
    return false
  }

  private mutating func sequence() throws(CQLError) -> CQLNode {
    var items: [(node: CQLNode, column: Int)] = []
    while atItemStart() {
      let column = i
      items.append((try item(), column))
    }
    if items.isEmpty {
      if let n = peekName(), n != "within", n != "containing", n != "not" {
        throw fail(
          "expected a token pattern such as \"\(n)\" or [lemma=\"\(n)\"], found the bare word '\(n)' (quote words; a label needs a colon: a:[...])"
        )
      }
      throw fail("expected a token pattern such as \"word\", [pos=\"NOUN\"] or []\(found)")
    }
    let nodes = try pairTags(items)
    return nodes.count == 1 ? nodes[0] : .sequence(nodes)
  }

  /// Turns `<x ...> ... </x>` in one sequence into regions (the same span opens and closes);
  /// tags left unpaired stay anchors.
  private func pairTags(_ items: [(node: CQLNode, column: Int)]) throws(CQLError) -> [CQLNode] {
    var out: [CQLNode] = []
    var open: [(structure: CQLStructure, at: Int)] = []
    for (node, _) in items {
      if case .close(let layer) = node,
        let k = open.lastIndex(where: { $0.structure.layer == layer })
      {
        let (structure, start) = open[k]
        let inner = Array(out[(start + 1)...])
        out.removeSubrange(start...)
        open.removeSubrange(k...)
        let innerNode: CQLNode? =
          inner.isEmpty ? nil : inner.count == 1 ? inner[0] : .sequence(inner)
        out.append(.region(structure, inner: innerNode))
        continue
      }
      if case .open(let s) = node { open.append((s, out.count)) }
      out.append(node)
    }
    return out
  }

  private mutating func item() throws(CQLError) -> CQLNode {
    var label: String? = nil
    if let n = peekName() {
      let column = i
      i += n.count
      try expect(":", "':' after the label '\(n)'")
      if n == "match" || n == "matchend" || n == "target" || n == "meta" {
        throw fail("'\(n)' is a reserved name: choose another label", at: column)
      }
      label = n
    }
    if take("@") {
      if label != nil { throw fail("a token takes a label or @, not both") }
      label = "target"
    }
    if let label, !labels.contains(label) { labels.append(label) }
    let column = i
    var node = try primary(label: label)
    while true {
      skipSpace()
      guard i < chars.count else { break }
      var range: (Int, Int?)
      let at = i
      switch chars[i] {
      case "?": range = (0, 1)
      case "*": range = (0, nil)
      case "+": range = (1, nil)
      case "{":
        i += 1
        skipSpace()
        let lo = number() ?? 0
        var hi: Int? = lo
        if take(",") {
          skipSpace()
          hi = number()
        }
        try expect("}", "'}' to close the repetition {n,m}")
        if let h = hi, h < lo {
          throw fail("{\(lo),\(h)}: the maximum is below the minimum", at: at)
        }
        if (hi ?? lo) > Self.maxRepeat {
          throw fail("repetitions go up to {0,\(Self.maxRepeat)}", at: at)
        }
        range = (lo, hi)
        i -= 1
      default:
        return node
      }
      i += 1
      switch node {
      case .open, .close:
        throw fail("a tag takes no token, so it cannot repeat", at: at)
      default: break
      }
      if label != nil, range != (1, 1) {
        throw fail("a labelled token cannot repeat (it names one position)", at: column)
      }
      node = .repeated(node, min: range.0, max: range.1)
    }
    return node
  }

  private mutating func number() -> Int? {
    skipSpace()
    var j = i
    while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
    guard j > i, let n = Int(String(chars[i..<j])) else { return nil }
    i = j
    return min(n, Int(Int32.max))
  }

  private mutating func primary(label: String?) throws(CQLError) -> CQLNode {
    skipSpace()
    guard i < chars.count else { throw fail("expected a token pattern\(found)") }
    switch chars[i] {
    case "[":
      let open = i
      i += 1
      if take("]") { return .token(.any, label: label) }
      skipSpace()
      if i == chars.count {
        throw fail("this '[' is not closed: add ']' ([] is any token)", at: open)
      }
      let test = try testOr()
      try expect("]", "']' to close the token pattern, or '&' or '|'")
      return .token(test, label: label)
    case "\"", "'":
      let (value, flags) = try string()
      return .token(
        .compare(attribute: "word", negated: false, value: value, flags: flags), label: label)
    case "(":
      i += 1
      let inner = try alternation()
      try expect(")", "')' to close the group")
      if label != nil { throw fail("a label names one token: put it inside the group") }
      return inner
    case "<":
      if label != nil { throw fail("a label names one token, not a tag") }
      if peek("</") {
        i += 2
        let layer = try name("a layer name after '</'")
        try expect(">", "'>' to close the tag </\(layer)")
        return .close(Self.layerName(layer))
      }
      i += 1
      let s = try tagBody()
      if take("/>") { return .region(s, inner: nil) }
      try expect(">", "'>' or '/>' to close the tag <\(s.layer)")
      return .open(s)
    default:
      throw fail("expected a token pattern such as \"word\", [pos=\"NOUN\"] or []\(found)")
    }
  }

  /// `s` and `sentence` both name the sentences.
  private static func layerName(_ n: String) -> String { n == "s" ? "sentence" : n }

  private mutating func tagBody() throws(CQLError) -> CQLStructure {
    let layer = try name("a layer name after '<', such as <s> or <entity>")
    var conditions: [CQLSpanCondition] = []
    while let a = peekName() {
      i += a.count
      let negated = try comparison("after the attribute '\(a)'")
      let (value, flags) = try string()
      conditions.append(
        CQLSpanCondition(attribute: a, negated: negated, value: value, flags: flags))
    }
    return CQLStructure(layer: Self.layerName(layer), conditions: conditions)
  }

  private mutating func structure() throws(CQLError) -> CQLStructure {
    if take("<") {
      let s = try tagBody()
      if take("/>") { return s }
      try expect(">", "'>' to close <\(s.layer)")
      return s
    }
    guard let n = peekName() else {
      throw fail("expected a structure after 'within', such as s or <entity>\(found)")
    }
    i += n.count
    return CQLStructure(layer: Self.layerName(n), conditions: [])
  }

  /// A boolean expression over the comparisons `comparison` parses: `!`, `&` before `|`,
  /// parentheses (token tests and global constraints share it).
  private mutating func boolean<T>(
    _ comparison: (inout CQLParser) throws(CQLError) -> T, not: (T) -> T, and: ([T]) -> T,
    or: ([T]) -> T
  ) throws(CQLError) -> T {
    func unary(_ p: inout CQLParser) throws(CQLError) -> T {
      if !p.peek("!=") && p.take("!") { return not(try unary(&p)) }
      if p.take("(") {
        let inner = try p.boolean(comparison, not: not, and: and, or: or)
        try p.expect(")", "')' to close the group")
        return inner
      }
      return try comparison(&p)
    }
    func conjunction(_ p: inout CQLParser) throws(CQLError) -> T {
      var parts = [try unary(&p)]
      while p.take("&") { parts.append(try unary(&p)) }
      return parts.count == 1 ? parts[0] : and(parts)
    }
    var parts = [try conjunction(&self)]
    while take("|") { parts.append(try conjunction(&self)) }
    return parts.count == 1 ? parts[0] : or(parts)
  }

  private mutating func testOr() throws(CQLError) -> CQLTest {
    try boolean(
      { (p) throws(CQLError) in try p.testComparison() }, not: CQLTest.not, and: CQLTest.and,
      or: CQLTest.or)
  }

  private mutating func testComparison() throws(CQLError) -> CQLTest {
    if peek("!=") { throw fail("expected an attribute before '!='") }
    skipSpace()
    if i < chars.count, chars[i] == "\"" || chars[i] == "'" {
      throw fail(
        "expected an attribute such as word, lemma or pos before the value: [word=\"...\"]")
    }
    let a = try name("an attribute such as word, lemma or pos")
    let negated = try comparison("after '\(a)'")
    let (value, flags) = try string()
    return .compare(attribute: a, negated: negated, value: value, flags: flags)
  }

  private mutating func constraintOr() throws(CQLError) -> CQLConstraint {
    try boolean(
      { (p) throws(CQLError) in try p.constraintComparison() }, not: CQLConstraint.not,
      and: CQLConstraint.and, or: CQLConstraint.or)
  }

  private mutating func constraintComparison() throws(CQLError) -> CQLConstraint {
    let a = try operand()
    let negated = try comparison("in the constraint")
    let b = try operand()
    if case .string = a, case .string = b {
      throw fail("a constraint compares a label's attribute or meta.FIELD, not two values")
    }
    return .compare(a, negated: negated, b)
  }

  private mutating func operand() throws(CQLError) -> CQLOperand {
    skipSpace()
    if i < chars.count, chars[i] == "\"" || chars[i] == "'" {
      let (v, f) = try string()
      return .string(v, f)
    }
    let column = i
    let first = try name("a label's attribute (a.lemma), meta.FIELD or a quoted value")
    try expect(".", "'.' after '\(first)' (a.lemma, meta.folder)")
    let second = try name("an attribute after '\(first).'")
    if first == "meta" { return .meta(second) }
    if first == "match", second == "meta" {
      try expect(".", "'.' after 'match.meta'")
      return .meta(try name("a metadata field after 'match.meta.'"))
    }
    if first != "match", first != "matchend", !labels.contains(first) {
      let known = (["match", "matchend", "meta"] + labels).joined(separator: ", ")
      throw fail("unknown label '\(first)' (known: \(known))", at: column)
    }
    return .label(first, attribute: second)
  }
}
