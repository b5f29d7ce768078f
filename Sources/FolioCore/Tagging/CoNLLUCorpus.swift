extension CoNLLU {
  /// The token attributes a CoNLL-U file gives, by column: LEMMA, UPOS, XPOS, FEATS, HEAD,
  /// DEPREL, DEPS, MISC.
  public static let attributeNames = [
    "lemma", "pos", "tag", "feats", "head", "deprel", "deps", "misc", "mwt",
  ]

  /// Documents from CoNLL-U sentences.
  ///
  /// A `# newdoc` starts one (its id after `#`), else the whole file is one. The text is rebuilt from the words (a multi-word token's surface once;
  /// a space after each unless `SpaceAfter=No`; a line break between sentences); the words are
  /// the tokens, with every column as a token attribute, and each sentence is a span of the
  /// `sentence` layer carrying its `sent_id`. The first word of a multi-word token has `mwt`:
  /// its number of words, the token's MISC and its surface, tab-separated (`2\t_\tdon't`); the
  /// others an empty `mwt`.
  public static func documents(_ sentences: [Sentence], id: String) -> [Document] {
    var groups: [(String?, [Sentence])] = []
    for s in sentences {
      if let newdoc = s.comment("newdoc id") ?? (s.comments.contains("newdoc") ? "" : nil) {
        groups.append((newdoc.isEmpty ? nil : newdoc, [s]))
      } else if groups.isEmpty {
        groups.append((nil, [s]))
      } else {
        groups[groups.count - 1].1.append(s)
      }
    }
    return groups.enumerated().map { n, group in
      let docID =
        group.0.map { "\(id)#\($0)" } ?? (groups.count > 1 ? "\(id)#\(n + 1)" : id)
      let doc = document(group.1, id: docID)
      if let given = group.0 { doc.meta["newdoc_id"] = .string(given) }
      return doc
    }
  }

  static func document(_ sentences: [Sentence], id: String) -> Document {
    var text: [UInt8] = []
    var tokens: [Token] = []
    var columns = attributeNames.map { _ in TokenColumn() }
    var sentenceSpans: [Span] = []
    for s in sentences {
      if !text.isEmpty { text.append(0x0A) }
      let start = text.count
      var k = 0
      while k < s.words.count {
        let w = s.words[k]
        var group = [w]
        var surface = w.form
        var misc = w.misc
        if let m = s.multiword.first(where: { $0.first == w.id && $0.last > $0.first }) {
          group = s.words.filter { $0.id >= m.first && $0.id <= m.last }
          surface = m.form
          misc = m.misc
        }
        let at = text.count
        text += surface.utf8
        let spells = group.map(\.form).joined() == surface
        var p = at
        for (gi, g) in group.enumerated() {
          let r = spells ? p..<(p + g.form.utf8.count) : at..<text.count
          p = r.upperBound
          tokens.append(Token(start: r.lowerBound, end: r.upperBound, kind: kind(g.upos, g.form)))
          let mwt = group.count > 1 && gi == 0 ? "\(group.count)\t\(misc)\t\(surface)" : ""
          let values = [g.lemma, g.upos, g.xpos, g.feats, g.head, g.deprel, g.deps, g.misc, mwt]
          for (c, v) in values.enumerated() { columns[c].append(v) }
        }
        k += max(1, group.count)
        let last = k >= s.words.count
        if !last && !misc.split(separator: "|").contains("SpaceAfter=No") { text.append(0x20) }
      }
      var attributes: [(String, MetaValue)] = []
      if let sid = s.comment("sent_id") { attributes.append(("sent_id", .string(sid))) }
      sentenceSpans.append(Span(start: start, end: text.count, attributes: attributes))
    }
    let doc = Document(id: id, text: String(decoding: text, as: UTF8.self))
    for span in sentenceSpans { doc.add(span, to: "sentence") }
    doc.setWords(tokens, columns: zip(attributeNames, columns).map { ($0, $1) })
    return doc
  }

  /// A token kind for a word: from its UPOS, else from its characters.
  static func kind(_ upos: String, _ form: String) -> TokenKind {
    switch upos {
    case "PUNCT": return .punct
    case "SYM": return .symbol
    case "NUM": return form.unicodeScalars.contains { $0.properties.isAlphabetic } ? .word : .number
    default:
      return form.unicodeScalars.contains {
        $0.properties.isAlphabetic || $0.properties.numericType != nil
      }
        ? .word : .punct
    }
  }
}
