/// A document as CoNLL-U (one word a line, ten columns) or as CWB's vertical format (VRT),
/// the forms tagged corpora travel in: scorers read CoNLL-U, CQPweb, Sketch Engine, BlackLab
/// and NoSketch Engine index VRT.
extension Document {
  /// The words of each sentence (token indices), sentences in text order; tokens outside
  /// every sentence go with the nearest one before them.
  public func tokensBySentence() -> [[Int]] {
    let sentences = spans("sentence").map { $0.start..<$0.end }
    var out: [[Int]] = []
    var s = 0
    var current: [Int] = []
    for (i, t) in tokens.enumerated() {
      var ended = false
      while s < sentences.count && sentences[s].upperBound <= Int(t.start) {
        s += 1
        ended = true
      }
      if ended && !current.isEmpty {
        out.append(current)
        current = []
      }
      current.append(i)
    }
    if !current.isEmpty { out.append(current) }
    return out
  }

  /// The document as CoNLL-U.
  ///
  /// `# newdoc id`, then per sentence `# sent_id`, `# text` and a line per word (FORM, LEMMA, UPOS, XPOS from a tagger, `_` where there is none; MISC
  /// `SpaceAfter=No` where the next word follows without a space). A word a tagger split from
  /// one token (`do` `n't` of `don't`) is under a multi-word token line `2-3 don't`.
  public func conllu() -> [UInt8] {
    let utf8 = Array(text.utf8)
    let tokens = self.tokens
    // The UAX #29 tokens: a tagger's words that share one make a multi-word token.
    let surface =
      tokenColumns.isEmpty || tokenColumns["mwt"] != nil ? tokens : Tokenizer.tokenize(text)
    let docID: String = if case .string(let s)? = meta["newdoc_id"] { s } else { id }
    var out = "# newdoc id = \(Self.oneLine(docID))\n"
    var sentenceNumber = 0
    var u = 0
    let sentenceIDs = spans("sentence").map { span -> String? in
      span.attributes.first { $0.0 == "sent_id" }.flatMap {
        if case .string(let s) = $0.1 { s } else { nil }
      }
    }
    for sentence in tokensBySentence() {
      sentenceNumber += 1
      let first = Int(tokens[sentence[0]].start)
      let last = Int(tokens[sentence[sentence.count - 1]].end)
      let given = sentenceNumber <= sentenceIDs.count ? sentenceIDs[sentenceNumber - 1] : nil
      out += "# sent_id = \(Self.oneLine(given ?? "\(docID)-\(sentenceNumber)"))\n"
      out += "# text = \(Self.oneLine(String(decoding: utf8[first..<last], as: UTF8.self)))\n"
      var k = 0
      while k < sentence.count {
        let t = tokens[sentence[k]]
        while u < surface.count && surface[u].end <= t.start { u += 1 }
        // The words inside one surface token: as the file said (`mwt`, from CoNLL-U), else
        // the words a tagger split from one UAX #29 token.
        var group = 1
        if let mwt = tokenColumns["mwt"] {
          let parts = mwt[sentence[k]].split(separator: "\t", maxSplits: 2)
          if parts.count == 3, let n = Int(parts[0]), n > 1, k + n <= sentence.count {
            group = n
            out += "\(k + 1)-\(k + n)\t\(parts[2])\t_\t_\t_\t_\t_\t_\t_\t\(parts[1])\n"
          }
        } else if u < surface.count, surface[u].start <= t.start, surface[u].end > t.end {
          while k + group < sentence.count && tokens[sentence[k + group]].end <= surface[u].end {
            group += 1
          }
          let s = surface[u]
          let form = String(decoding: utf8[Int(s.start)..<Int(s.end)], as: UTF8.self)
          let space = Int(s.end) < utf8.count && !Self.isSpace(utf8[Int(s.end)])
          out +=
            "\(k + 1)-\(k + group)\t\(form)\t_\t_\t_\t_\t_\t_\t_\t\(space ? "SpaceAfter=No" : "_")\n"
        }
        for g in 0..<group {
          let i = sentence[k + g]
          let w = tokens[i]
          let form = String(decoding: utf8[Int(w.start)..<Int(w.end)], as: UTF8.self)
          func column(_ name: String) -> String {
            let v = tokenAttribute(name, at: i) ?? "_"
            return v.isEmpty ? "_" : Self.oneLine(v)
          }
          let inGroup = group > 1
          let space = !inGroup && Int(w.end) < utf8.count && !Self.isSpace(utf8[Int(w.end)])
          // MISC as read from CoNLL-U, else SpaceAfter=No where no space follows.
          let misc = tokenAttribute("misc", at: i) ?? (space ? "SpaceAfter=No" : "_")
          out +=
            "\(k + g + 1)\t\(form)\t\(column("lemma"))\t\(column("pos"))\t\(column("tag"))\t\(column("feats"))\t\(column("head"))\t\(column("deprel"))\t\(column("deps"))\t\(Self.oneLine(misc))\n"
        }
        k += group
      }
      out += "\n"
    }
    return Array(out.utf8)
  }

  /// The document as VRT.
  ///
  /// `<text id=... META=...>`, `<s>` per sentence, a line per token
  /// (word, pos, tag, lemma: `_` where no tagger set them) and each span layer's spans as
  /// elements (`<entity label="PERSON">`) around their tokens; a span that would cross a
  /// sentence or another span's end (which XML cannot nest) is left out.
  public func vrt() -> [UInt8] {
    let utf8 = Array(text.utf8)
    let tokens = self.tokens
    var out = "<text id=\"\(Self.xml(id))\""
    for (key, value) in meta.entries where Self.isName(key) {
      out += " \(key)=\"\(Self.xml(value.description))\""
    }
    out += ">\n"
    for sentence in tokensBySentence() {
      out += "<s>\n"
      // Spans of every layer as token ranges inside this sentence, longest first at each start.
      let lo = Int(tokens[sentence[0]].start)
      let hi = Int(tokens[sentence[sentence.count - 1]].end)
      var opens: [Int: [(end: Int, tag: String, name: String)]] = [:]
      for name in layerNames where Self.isName(name) {
        for span in spans(name) where span.start >= lo && span.end <= hi && span.end > span.start {
          guard let a = sentence.firstIndex(where: { Int(tokens[$0].end) > span.start }),
            let b = sentence.lastIndex(where: { Int(tokens[$0].start) < span.end }), a <= b
          else { continue }
          var tag = name
          if let label = span.label { tag += " label=\"\(Self.xml(label))\"" }
          for (k, v) in span.attributes where Self.isName(k) {
            tag += " \(k)=\"\(Self.xml(v.description))\""
          }
          opens[a, default: []].append((b, tag, name))
        }
      }
      var stack: [(end: Int, name: String)] = []
      for (k, i) in sentence.enumerated() {
        for o in (opens[k] ?? []).sorted(by: { $0.end > $1.end }) {
          // Nested in every open element, or left out.
          if let top = stack.last, o.end > top.end { continue }
          out += "<\(o.tag)>\n"
          stack.append((o.end, o.name))
        }
        let t = tokens[i]
        let word = String(decoding: utf8[Int(t.start)..<Int(t.end)], as: UTF8.self)
        let columns = [word] + ["pos", "tag", "lemma"].map { tokenAttribute($0, at: i) ?? "_" }
        out += columns.map { Self.xml(Self.oneLine($0)) }.joined(separator: "\t") + "\n"
        while let top = stack.last, top.end == k {
          out += "</\(top.name)>\n"
          stack.removeLast()
        }
      }
      out += "</s>\n"
    }
    out += "</text>\n"
    return Array(out.utf8)
  }

  static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

  /// `s` with tabs and line ends as spaces (one CoNLL-U or VRT field).
  static func oneLine(_ s: String) -> String {
    guard s.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
      return s
    }
    return String(
      s.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
  }

  static func xml(_ s: String) -> String { TableFormat.escapeXML(s) }

  /// Whether `s` can be an XML element or attribute name as CWB takes them (ASCII letters,
  /// digits and `_`, not starting with a digit).
  static func isName(_ s: String) -> Bool {
    guard let f = s.unicodeScalars.first, f.isASCII, f.properties.isAlphabetic || f == "_" else {
      return false
    }
    return s.unicodeScalars.allSatisfy {
      $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_")
    }
  }
}

extension Document {
  /// The code point count before each byte offset of the text (one more entry than bytes).
  func codepointOffsets() -> [Int] {
    var table: [Int] = []
    table.reserveCapacity(byteCount + 1)
    var n = 0
    for b in text.utf8 {
      table.append(n)
      if b & 0xC0 != 0x80 { n += 1 }
    }
    table.append(n)
    return table
  }

  /// The header of `tokenRows`.
  public static let tokenHeader = "id,sentence,start,end,word,kind,pos,tag,lemma\n"

  /// One CSV row a token (RFC 4180 quoting): the document's id, the sentence's number from 1,
  /// the offsets in `unit`, the word, its kind, and the `pos`, `tag` and `lemma` a tagger set
  /// (empty where none did) — the table pandas, R and spreadsheets read.
  public func tokenRows(offsets unit: OffsetUnit) -> [UInt8] {
    let utf8 = Array(text.utf8)
    let table = unit == .codepoints ? codepointOffsets() : []
    func at(_ byte: Int32) -> String { String(unit == .codepoints ? table[Int(byte)] : Int(byte)) }
    let attributes = ["pos", "tag", "lemma"].map { tokenColumns[$0] }
    let id = TableFormat.csvEscape(id)
    let tokens = self.tokens
    var out = ""
    for (s, sentence) in tokensBySentence().enumerated() {
      for i in sentence {
        let t = tokens[i]
        let word = String(decoding: utf8[Int(t.start)..<Int(t.end)], as: UTF8.self)
        out += [
          id, String(s + 1), at(t.start), at(t.end), TableFormat.csvEscape(word), t.kind.name,
        ]
        .joined(separator: ",")
        for column in attributes {
          out += "," + (column.map { i < $0.count ? TableFormat.csvEscape($0[i]) : "" } ?? "")
        }
        out += "\n"
      }
    }
    return Array(out.utf8)
  }
}
