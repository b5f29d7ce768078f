/// A parsed CQL query (the Corpus Query Language of CQP, Sketch Engine and BlackLab), ready to
/// be compiled into a `QueryProgram` on each thread that runs it.
///
/// The grammar (Sources/FolioCore/Query/README.md teaches it):
///
///     query      := alternation { "within" structure | ["not"] "containing" alternation }
///                   [ "::" constraint ]
///     alternation:= sequence { "|" sequence }
///     sequence   := item { item }
///     item       := [ NAME ":" ] [ "@" ] primary { "?" | "*" | "+" | "{" n [ "," [ m ] ] "}" }
///     primary    := "[" [ test ] "]" | STRING [ flags ] | "(" alternation ")"
///                 | "<" NAME { attribute } ( ">" | "/>" ) | "</" NAME ">"
///     test       := and { "|" and }      and := unary { "&" unary }
///     unary      := "!" unary | "(" test ")" | NAME ( "=" | "!=" ) STRING [ flags ]
///     structure  := NAME | "<" NAME { attribute } ( ">" | "/>" )
///     constraint := the same and/or/not shape over `operand ( "=" | "!=" ) operand`, where an
///                   operand is a STRING, `label.attribute`, `match.meta.FIELD` or `meta.FIELD`
public struct CQLQuery: Sendable, Equatable, CustomStringConvertible {
  /// The query as the user wrote it.
  public let source: String
  public let pattern: CQLNode
  /// `within STRUCTURE` clauses (all must hold).
  public let within: [CQLStructure]
  /// `containing Q` and `not containing Q` clauses.
  public let containing: [(negated: Bool, query: CQLNode)]
  public let constraint: CQLConstraint?
  /// Labels in order of first use (`a:`, and `target` for `@`).
  public let labels: [String]

  public var description: String { source }

  public static func == (a: CQLQuery, b: CQLQuery) -> Bool { a.source == b.source }

  init(source: String, pattern: CQLNode) {
    self.source = source
    self.pattern = pattern
    within = []
    containing = []
    constraint = nil
    labels = []
  }

  /// Parses `source`; the error names the column and what was expected there.
  public init(_ source: String) throws(CQLError) {
    var parser = CQLParser(source)
    let parsed = try parser.parseQuery()
    self.source = source
    pattern = parsed.pattern
    within = parsed.within
    containing = parsed.containing
    constraint = parsed.constraint
    labels = parsed.labels
  }

  /// The token attributes the query reads (besides `word`, `lower`, `norm` and `kind`, which
  /// every token has), sorted.
  public var attributes: [String] {
    var names = Set<String>()
    func visitTest(_ test: CQLTest) {
      switch test {
      case .any: break
      case .compare(let a, _, _, _): names.insert(a)
      case .not(let t): visitTest(t)
      case .and(let l), .or(let l): l.forEach(visitTest)
      }
    }
    func visit(_ node: CQLNode) {
      switch node {
      case .token(let t, _): visitTest(t)
      case .sequence(let l), .alternation(let l): l.forEach(visit)
      case .repeated(let n, _, _): visit(n)
      case .region(_, let inner): if let inner { visit(inner) }
      case .open, .close: break
      }
    }
    visit(pattern)
    containing.forEach { visit($0.query) }
    func visitConstraint(_ c: CQLConstraint) {
      switch c {
      case .not(let x): visitConstraint(x)
      case .and(let l), .or(let l): l.forEach(visitConstraint)
      case .compare(let a, _, let b):
        for o in [a, b] { if case .label(_, let attr) = o { names.insert(attr) } }
      }
    }
    if let constraint { visitConstraint(constraint) }
    return names.subtracting(CQLTest.builtinAttributes).sorted()
  }
}

/// A syntax error: the column (1-based, in characters) and what was expected there.
public struct CQLError: Error, Sendable, Equatable, CustomStringConvertible {
  public var source: String
  public var column: Int
  public var message: String

  /// The message, then the query with a caret under the column.
  public var description: String {
    let line = source.replacingOccurrences(of: "\n", with: " ")
    return "CQL syntax error at column \(column): \(message)\n  \(line)\n  "
      + String(repeating: " ", count: max(0, column - 1)) + "^"
  }
}

/// How a value is compared: `%c` ignores case, `%d` diacritics, `%l` takes the value
/// literally instead of as a regular expression.
public struct CQLFlags: Sendable, Equatable, Hashable {
  public var ignoreCase = false
  public var ignoreDiacritics = false
  public var literal = false
  public init() {}
}

/// A condition on one token (the inside of `[...]`).
public indirect enum CQLTest: Sendable, Equatable {
  /// `[]`: every token.
  case any
  /// `attr = "regex"` (or `!=` when `negated`): the whole value must match.
  case compare(attribute: String, negated: Bool, value: String, flags: CQLFlags)
  case not(CQLTest)
  case and([CQLTest])
  case or([CQLTest])

  /// Attributes every token has, without a tagger.
  public static let builtinAttributes: Set<String> = ["word", "lower", "norm", "kind"]
}

/// A condition on a span's label or attributes, in a tag: `label="PERSON"`.
public struct CQLSpanCondition: Sendable, Equatable {
  public var attribute: String
  public var negated: Bool
  public var value: String
  public var flags: CQLFlags
}

/// A structure: sentences (`s`, `sentence`) or the spans of a layer, with conditions.
public struct CQLStructure: Sendable, Equatable {
  public var layer: String
  public var conditions: [CQLSpanCondition]
}

/// A part of a token pattern.
public indirect enum CQLNode: Sendable, Equatable {
  /// One token meeting the test; `label` names its position (`target` for `@`).
  case token(CQLTest, label: String?)
  case sequence([CQLNode])
  case alternation([CQLNode])
  /// `max` nil: unbounded.
  case repeated(CQLNode, min: Int, max: Int?)
  /// `<layer ...>`: a span starts here (takes no token).
  case open(CQLStructure)
  /// `</layer>`: a span ends here (takes no token).
  case close(String)
  /// `<layer ...> inner </layer>` or `<layer .../>`: the tokens of one whole span, which
  /// `inner` must match exactly.
  case region(CQLStructure, inner: CQLNode?)
}

/// A global constraint after `::`.
public indirect enum CQLConstraint: Sendable, Equatable {
  case compare(CQLOperand, negated: Bool, CQLOperand)
  case not(CQLConstraint)
  case and([CQLConstraint])
  case or([CQLConstraint])
}

/// One side of a comparison in a global constraint.
public enum CQLOperand: Sendable, Equatable {
  case string(String, CQLFlags)
  /// `a.lemma`: attribute of the token at a label (`match` is the first, `matchend` the last
  /// token of the hit).
  case label(String, attribute: String)
  /// `match.meta.folder` or `meta.folder`.
  case meta(String)
}
