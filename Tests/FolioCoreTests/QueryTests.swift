import Testing

@testable import FolioCore

/// A document whose tokens carry `pos` and `lemma` given by hand: "word/POS/lemma" items.
func taggedDocument(_ items: String, id: String = "d") -> Document {
  var text = ""
  var words: [Token] = []
  var pos = TokenColumn()
  var lemma = TokenColumn()
  for item in items.split(separator: " ") {
    let parts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    if !text.isEmpty { text += " " }
    let start = text.utf8.count
    text += parts[0]
    let first = parts[0].first ?? " "
    let kind: TokenKind = first.isLetter ? .word : first.isNumber ? .number : .punct
    words.append(Token(start: start, end: text.utf8.count, kind: kind))
    pos.append(parts.count > 1 ? parts[1] : "X")
    lemma.append(parts.count > 2 ? parts[2] : parts[0].lowercased())
  }
  let doc = Document(id: id, text: text)
  doc.setWords(words, columns: [("pos", pos), ("lemma", lemma)])
  return doc
}

@Suite("CQL queries") struct QueryTests {
  static var doc: Document { sample() }
  static func sample() -> Document {
    taggedDocument(
      "The/DET big/ADJ red/ADJ car/NOUN stopped/VERB/stop ./PUNCT "
        + "A/DET man/NOUN said/VERB/say that/SCONJ he/PRON said/VERB/say that/PRON ./PUNCT "
        + "Money/NOUN talks/VERB/talk ./PUNCT")
  }

  /// The hits of `cql` as the words they cover, joined by spaces.
  func hits(_ cql: String, _ doc: Document = Self.doc, strategy: QueryStrategy = .standard) throws
    -> [String]
  {
    let program = try QueryProgram(try CQLQuery(cql), strategy: strategy)
    let tokens = doc.tokens
    let bytes = Array(doc.text.utf8)
    return try program.hits(in: doc).map { h in
      (h.start..<h.end).map { i in
        String(decoding: bytes[Int(tokens[i].start)..<Int(tokens[i].end)], as: UTF8.self)
      }.joined(separator: " ")
    }
  }

  @Test("words, attributes, flags and token expressions")
  func tokens() throws {
    #expect(try hits("\"said\"") == ["said", "said"])
    #expect(try hits("\"money\"") == [])
    #expect(try hits("\"money\"%c") == ["Money"])
    #expect(try hits("[lemma=\"say\"]") == ["said", "said"])
    #expect(try hits("[pos=\"ADJ\" & word!=\"big\"]") == ["red"])
    #expect(try hits("[pos=\"DET\" | pos=\"PRON\"]") == ["The", "A", "he", "that"])
    #expect(try hits("[!(pos=\"NOUN\" | pos=\"PUNCT\" | pos=\"VERB\" | pos=\"DET\")]").count == 5)
    #expect(try hits("[word=\"s.*\"]") == ["stopped", "said", "said"], "the whole value")
    #expect(try hits("[lower=\"the|a\"]") == ["The", "A"])
    #expect(try hits("[kind=\"punct\"]") == [".", ".", "."])
    #expect(try hits("\"c.r\"%l") == [])
    #expect(try hits("\"car\"%l") == ["car"])
  }

  @Test("sequences, repetition and the standard matching strategy")
  func sequences() throws {
    #expect(try hits("[pos=\"ADJ\"] [pos=\"NOUN\"]") == ["red car"])
    #expect(try hits("[pos=\"ADJ\"]+ [pos=\"NOUN\"]") == ["big red car"])
    #expect(
      try hits("[pos=\"DET\"]? [pos=\"ADJ\"]* [pos=\"NOUN\"]") == [
        "The big red car", "A man", "Money",
      ])
    #expect(try hits("[lemma=\"say\"] []{0,3} \"that\"") == ["said that", "said that"])
    #expect(
      try hits("[lemma=\"say\"] []{0,3} \"that\"", strategy: .longest) == ["said that he said that"]
    )
    #expect(try hits("[pos=\"ADJ\"]+", strategy: .longest) == ["big red"])
    #expect(try hits("[pos=\"ADJ\"]+", strategy: .shortest) == ["big", "red"])
    #expect(try hits("\"big\" (\"red\" | \"blue\") \"car\"") == ["big red car"])
    #expect(try hits("[]{2}").count == 16, "one hit ending at each token but the first")
  }

  @Test("within sentences, layers as regions and anchors, containing")
  func structures() throws {
    #expect(try hits("[pos=\"VERB\"] [] [pos=\"DET\"]") == ["stopped . A"])
    #expect(try hits("[pos=\"VERB\"] [] [pos=\"DET\"] within s") == [])
    #expect(try hits("<s> [pos=\"DET\"]") == ["The", "A"])
    #expect(try hits("[pos=\"PUNCT\"] </s>") == [".", ".", "."])
    let doc = taggedDocument(
      "Tony/PROPN Blair/PROPN met/VERB Gordon/PROPN Brown/PROPN in/ADP London/PROPN")
    let text = doc.text
    func at(_ s: String) -> Int {
      text.utf8.distance(from: text.startIndex, to: text.range(of: s)!.lowerBound)
    }
    doc.add(Span(start: 0, end: 10, label: "PERSON"), to: "entity")
    doc.add(Span(start: at("Gordon"), end: at("Brown") + 5, label: "PERSON"), to: "entity")
    doc.add(Span(start: at("London"), end: at("London") + 6, label: "GPE"), to: "entity")
    #expect(try hits("<entity label=\"PERSON\"/>", doc) == ["Tony Blair", "Gordon Brown"])
    #expect(
      try hits("<entity label=\"PERSON\"> []+ </entity>", doc) == ["Tony Blair", "Gordon Brown"])
    #expect(try hits("<entity> [] </entity>", doc) == ["London"])
    #expect(
      try hits("[pos=\"VERB\"] []{0,3} <entity label=\"GPE\"/>", doc) == [
        "met Gordon Brown in London"
      ])
    #expect(try hits("[pos=\"VERB\"] <entity label!=\"GPE\">", doc) == ["met"])
    #expect(try hits("\"Brown\" within <entity label=\"PERSON\">", doc) == ["Brown"])
    #expect(try hits("<entity/> containing \"Blair\"", doc) == ["Tony Blair"])
    #expect(try hits("<entity/> not containing \"Blair\"", doc) == ["Gordon Brown", "London"])
  }

  @Test("labels, targets and global constraints")
  func labels() throws {
    let program = try QueryProgram(try CQLQuery("a:[pos=\"ADJ\"] @[pos=\"NOUN\"]"))
    let found = try program.hits(in: Self.doc)
    #expect(found == [QueryHit(start: 2, end: 4, labels: [2, 3])])
    #expect(try hits("a:[lemma=\"say\"] [] [] b:[] :: a.lemma = b.lemma") == ["said that he said"])
    #expect(try hits("a:[] b:[] :: a.pos = b.pos") == ["big red"])
    #expect(try hits("a:[] b:[] :: a.pos = \"ADJ\" & b.pos != \"ADJ\"") == ["red car"])
    let doc = Self.sample()
    #expect(try hits("\"car\" :: match.meta.folder = \"sport\"", doc) == [])
    doc.meta["folder"] = .string("sport")
    #expect(try hits("\"car\" :: meta.folder = \"sp.*\"", doc) == ["car"])
  }

  @Test("a missing attribute names the document and the fix")
  func missingAttribute() throws {
    let doc = Document(id: "plain.txt", text: "Nothing tagged here.")
    #expect(
      throws: QueryFailure(
        "the tokens of plain.txt have no 'pos' - run a tagger that sets it first (-p pos)")
    ) {
      try hits("[pos=\"NOUN\"]", doc)
    }
    #expect(try hits("\"tagged\"", doc) == ["tagged"])
  }

  @Test("syntax errors point at the column and say what was expected")
  func errors() {
    func error(_ q: String) -> String {
      do {
        _ = try CQLQuery(q)
        return "parsed"
      } catch {
        return error.description
      }
    }
    #expect(
      error("[pos=\"ADJ\" \"money\"") == """
        CQL syntax error at column 12: expected ']' to close the token pattern, or '&' or '|', found '"'
          [pos="ADJ" "money"
                     ^
        """)
    #expect(
      error("[pos=ADJ]") == """
        CQL syntax error at column 6: expected a quoted value such as "NOUN", found 'A'
          [pos=ADJ]
               ^
        """)
    #expect(
      error("money") == """
        CQL syntax error at column 1: expected a token pattern such as "money" or [lemma="money"], found the bare word 'money' (quote words; a label needs a colon: a:[...])
          money
          ^
        """)
    #expect(
      error("\"a\" []{3,1}").hasPrefix(
        "CQL syntax error at column 7: {3,1}: the maximum is below the minimum"))
    #expect(
      error("\"unclosed").hasPrefix(
        "CQL syntax error at column 1: this quoted value is not closed: add \""))
    #expect(
      error("\"a\" within").hasPrefix(
        "CQL syntax error at column 11: expected a structure after 'within', such as s or <entity>, found the end of the query"
      ))
    #expect(
      error("a:[] :: b.pos = \"x\"").hasPrefix(
        "CQL syntax error at column 9: unknown label 'b' (known: match, matchend, meta, a)"))
    #expect(error("\"a\"%q").hasPrefix("CQL syntax error at column 5: unknown flag '%q'"))
    #expect(error("").hasPrefix("CQL syntax error at column 1: the query is empty"))
    #expect(error("\"a\" )").hasPrefix("CQL syntax error at column 5: this ')' closes nothing"))
    #expect(
      error("<s>+").hasPrefix(
        "CQL syntax error at column 4: a tag takes no token, so it cannot repeat"))
    #expect(
      throws: QueryFailure(
        "the query matches no tokens: add a token pattern such as [] or \"word\"")
    ) {
      _ = try QueryProgram(try CQLQuery("<s>"))
    }
    #expect(
      throws: QueryFailure(
        "pos=\"(\" is not a regular expression: invalid regex at byte 2: missing closing parenthesis"
      )
    ) {
      _ = try QueryProgram(try CQLQuery("[pos=\"(\"]"))
    }
  }
}
