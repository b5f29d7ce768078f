import Testing

@testable import FolioCore

@Suite("CoNLL-U and the part-of-speech tagger") struct POSTaggerTests {
  static let conllu = """
    # newdoc id = d1
    # sent_id = 1
    # text = I don't know.
    1\tI\tI\tPRON\tPRP\tCase=Nom\t3\tnsubj\t3:nsubj\t_
    2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_
    2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t4:aux\t_
    3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t4:advmod\t_
    4\tknow\tknow\tVERB\tVB\t_\t0\troot\t0:root\tSpaceAfter=No
    4.1\tthat\t_\t_\t_\t_\t_\t_\t_\t_
    5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t4:punct\t_

    # sent_id = 2
    1\tYes\tyes\tINTJ\tUH\t_\t0\troot\t0:root\t_

    """

  @Test("CoNLL-U: comments, words, multi-word tokens, empty nodes and SpaceAfter")
  func parse() throws {
    let sentences = try CoNLLU.parse(Self.conllu)
    #expect(sentences.count == 2)
    let s = sentences[0]
    #expect(s.comment("newdoc id") == "d1")
    #expect(s.comment("text") == "I don't know.")
    #expect(s.words.map(\.form) == ["I", "do", "n't", "know", "."])
    #expect(s.words.map(\.upos) == ["PRON", "AUX", "PART", "VERB", "PUNCT"])
    #expect(s.words[2].lemma == "not")
    #expect(s.words[3].noSpaceAfter)
    #expect(s.multiword.count == 1 && s.multiword[0].form == "don't")
    #expect(s.other == ["4.1\tthat\t_\t_\t_\t_\t_\t_\t_\t_"])
    #expect(sentences[1].words.map(\.xpos) == ["UH"])
  }

  @Test("CoNLL-U: a line without ten columns or with a bad id names its line")
  func parseErrors() {
    #expect(
      throws: CoNLLU.Failure(line: 2, message: "3 columns where CoNLL-U has 10 (tab-separated)")
    ) {
      try CoNLLU.parse("# x\n1\tI\tI\n")
    }
    #expect(throws: CoNLLU.Failure(line: 1, message: "'x' is no word id")) {
      try CoNLLU.parse("x\tI\tI\tPRON\tPRP\t_\t0\troot\t_\t_\n")
    }
  }

  /// Sentences where the tag of "can" follows from its neighbours.
  static func toy() -> [POSTrainer.Sentence] {
    var out: [POSTrainer.Sentence] = []
    for (subject, object) in [("I", "fish"), ("you", "swim"), ("we", "go"), ("they", "win")] {
      out.append(
        .init(
          words: [subject, "can", object], upos: ["PRON", "AUX", "VERB"], xpos: ["PRP", "MD", "VB"])
      )
      out.append(
        .init(
          words: ["the", "can", "is", "red"], upos: ["DET", "NOUN", "AUX", "ADJ"],
          xpos: ["DT", "NN", "VBZ", "JJ"]))
    }
    return out
  }

  @Test("the tagger learns from context, the same with the same seed, and survives its bytes")
  func train() throws {
    let data = Self.toy()
    let a = POSTrainer.train(data, dev: [], iterations: 5, seed: 7)
    let b = POSTrainer.train(data, dev: [], iterations: 5, seed: 7)
    #expect(a.encoded() == b.encoded())
    #expect(a.tag(["we", "can", "fish"]).upos == ["PRON", "AUX", "VERB"])
    #expect(a.tag(["the", "can", "is", "red"]).xpos == ["DT", "NN", "VBZ", "JJ"])
    #expect(a.accuracy(data).upos == 1)
    let back = try #require(POSModel(bytes: a.encoded()))
    #expect(back.encoded() == a.encoded())
    let stored = try a.stored()
    #expect(stored.starts(with: [0x1F, 0x8B]) && stored.count < a.encoded().count)
    #expect(try #require(POSModel(bytes: stored)).encoded() == a.encoded())
    #expect(back.tag(["they", "can", "go"]).xpos == ["PRP", "MD", "VB"])
    #expect(POSModel(bytes: Array("FOLIO-POS 2\n{}".utf8)) == nil)
    #expect(POSModel(bytes: a.encoded().dropLast(3).map { $0 }) == nil)
  }

  @Test("a session's memory of words changes no tag, however small, and long texts go in pieces")
  func session() {
    let model = POSTrainer.train(Self.toy(), dev: [], iterations: 5, seed: 7)
    let sentences = [
      ["we", "can", "fish"], ["the", "can", "is", "red"], ["they", "can", "win"],
      ["the", "red", "can"], ["you", "can", "swim", "."],
    ]
    let expected = sentences.map { model.tag($0).xpos }
    #expect(expected[0] == ["PRP", "MD", "VB"])
    for capacity in [1, 3, 1 << 15] {
      let session = POSSession(model, capacity: capacity)
      for _ in 0..<2 {
        for (s, want) in zip(sentences, expected) {
          let (bytes, ranges) = POSFeatures.concatenated(s)
          let x = bytes.withUnsafeBufferPointer { session.decide(bytes: $0, ranges: ranges).xpos }
          #expect(x.map { model.labels[1][$0] } == want, "capacity \(capacity): \(s)")
        }
      }
    }
    let long = Array(repeating: ["the", "can", "is", "red"], count: 700).flatMap { $0 }
    let tagged = model.tag(long)
    #expect(tagged.xpos.count == 2800 && tagged.lemmas.isEmpty)
    #expect(tagged.xpos[1000..<1004] == ["DT", "NN", "VBZ", "JJ"])
  }

  @Test("training reports each iteration and stops when the dev score stops improving")
  func patience() {
    let data = Self.toy()
    var seen: [Int] = []
    _ = POSTrainer.train(data, dev: data, iterations: 50, patience: 2, seed: 1) { i, _, _, _ in
      seen.append(i)
    }
    // Perfect on dev from early on: two passes without improvement end it.
    #expect(seen.count < 50)
    #expect(seen == Array(1...seen.count))
  }

  @Test("the lemmatiser learns endings, exceptions and casing from tagged words")
  func lemmas() throws {
    let words: [(form: String, upos: String, xpos: String, lemma: String)] = [
      ("walked", "VERB", "VBD", "walk"), ("talked", "VERB", "VBD", "talk"),
      ("jumped", "VERB", "VBD", "jump"), ("said", "VERB", "VBD", "say"),
      ("was", "AUX", "VBD", "be"), ("The", "DET", "DT", "the"), ("I", "PRON", "PRP", "I"),
      ("i", "PRON", "PRP", "I"), ("Bush", "PROPN", "NNP", "Bush"), ("cats", "NOUN", "NNS", "cat"),
      ("dogs", "NOUN", "NNS", "dog"), ("n't", "PART", "RB", "not"),
    ]
    let l = Lemmatizer.train(words)
    #expect(l.lemma("kicked", upos: "VERB", xpos: "VBD") == "kick")
    #expect(l.lemma("Kicked", upos: "VERB", xpos: "VBD") == "kick")
    #expect(l.lemma("said", upos: "VERB", xpos: "VBD") == "say")
    #expect(l.lemma("was", upos: "AUX", xpos: "VBD") == "be")
    #expect(l.lemma("i", upos: "PRON", xpos: "PRP") == "I")
    #expect(l.lemma("Obama", upos: "PROPN", xpos: "NNP") == "Obama")
    #expect(l.lemma("birds", upos: "NOUN", xpos: "NNS") == "bird")
    #expect(l.lemma("THE", upos: "DET", xpos: "DT") == "the")
    let back = try #require(Lemmatizer(lines: l.lines.map { Substring($0) }))
    #expect(back.lines == l.lines)
    #expect(Lemmatizer(lines: ["?x\ty\tz\tL0|"]) == nil)
  }

  @Test("the lemmatiser trusts rules many words make, prefers known lemmas, drops what EWT drops")
  func lemmaEvidence() throws {
    var words: [(form: String, upos: String, xpos: String, lemma: String)] = [
      ("Sept.", "PROPN", "NNP", "September"), ("Lt.", "PROPN", "NNP", "Lt."),
      ("St.", "PROPN", "NNP", "St."), ("India", "PROPN", "NNP", "India"),
      ("climbed", "VERB", "VBD", "climb"), ("combed", "VERB", "VBD", "comb"),
      ("walked", "VERB", "VBD", "walk"), ("bomb", "VERB", "VB", "bomb"),
    ]
    for n in 1...12 { words.append(("\(n),\(100 + 67 * n)", "NUM", "CD", "\(n)\(100 + 67 * n)")) }
    let l = Lemmatizer.train(words)
    // One word ("Sept.") makes the rule "strip . add ember": not enough to apply it elsewhere.
    #expect(l.lemma("Sept.", upos: "PROPN", xpos: "NNP") == "September")
    #expect(l.lemma("Capt.", upos: "PROPN", xpos: "NNP") == "Capt.")
    // "-mbed" says strip 3 (climbed, combed); "bom" is no known verb, "bomb" is.
    #expect(l.lemma("bombed", upos: "VERB", xpos: "VBD") == "bomb")
    #expect(l.lemma("india", upos: "PROPN", xpos: "NNP") == "India")
    #expect(l.lemma("INDIA", upos: "PROPN", xpos: "NNP") == "India")
    #expect(l.lemma("1,234,567", upos: "NUM", xpos: "CD") == "1234567")
    let back = try #require(Lemmatizer(lines: l.lines.map { Substring($0) }))
    #expect(back.lines == l.lines)
    #expect(back.lemma("1,5", upos: "NUM", xpos: "CD") == "15")
  }
}

@Suite("word segmentation for the tagger") struct WordSegmenterTests {
  func words(_ text: String) -> [String] {
    var t = text
    return t.withUTF8 { b in
      WordSegmenter.words(Tokenizer.tokenize(utf8: b), in: b).map {
        String(
          decoding: UnsafeBufferPointer(rebasing: b[Int($0.start)..<Int($0.end)]), as: UTF8.self)
      }
    }
  }

  @Test("clitics split, prefixes and abbreviations joined, runs of punctuation kept whole")
  func segments() {
    #expect(
      words("I don't know, John's can't.") == [
        "I", "do", "n't", "know", ",", "John", "'s", "ca", "n't", ".",
      ])
    #expect(
      words("She’ll say we’re gonna win") == ["She", "’ll", "say", "we", "’re", "gon", "na", "win"])
    #expect(
      words("an e-mail to co-workers about long-term plans") == [
        "an", "e-mail", "to", "co-workers", "about", "long", "-", "term", "plans",
      ])
    #expect(
      words("Mr. Smith of the U.S. met J. Doe at 10:30 on 08/16/2000...") == [
        "Mr.", "Smith", "of", "the", "U.S.", "met", "J.", "Doe", "at", "10:30", "on", "08/16/2000",
        "...",
      ])
    #expect(words("It is 5 p.m. Now!!") == ["It", "is", "5", "p.m.", "Now", "!!"])
    #expect(
      words("On 2024-05-06 a 25-year-old won 3-1; call 713-853-3989 - or 1 - 2.") == [
        "On", "2024-05-06", "a", "25", "-", "year", "-", "old", "won", "3-1", ";", "call",
        "713-853-3989", "-", "or", "1", "-", "2", ".",
      ])
    #expect(words("cannot") == ["can", "not"])
  }
}

@Suite("CoNLL-U as a corpus") struct CoNLLUCorpusTests {
  static let file = """
    # newdoc id = n1
    # sent_id = s1
    # text = I don't know.
    1\tI\tI\tPRON\tPRP\tCase=Nom\t3\tnsubj\t3:nsubj\t_
    2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_
    2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t4:aux\t_
    3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t4:advmod\t_
    4\tknow\tknow\tVERB\tVB\t_\t0\troot\t0:root\tSpaceAfter=No
    5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t4:punct\t_

    # sent_id = s2
    # text = Yes!
    1\tYes\tyes\tINTJ\tUH\t_\t0\troot\t0:root\tSpaceAfter=No
    2\t!\t!\tPUNCT\t.\t_\t1\tpunct\t1:punct\t_

    # newdoc id = n2
    # sent_id = s3
    # text = No.
    1\tNo\tno\tINTJ\tUH\t_\t0\troot\t0:root\tSpaceAfter=No
    2\t.\t.\tPUNCT\t.\t_\t1\tpunct\t1:punct\t_


    """

  @Test("documents from newdoc, text from SpaceAfter, words with every column, sentences kept")
  func read() throws {
    let docs = CoNLLU.documents(try CoNLLU.parse(Self.file), id: "f.conllu")
    #expect(docs.map(\.id) == ["f.conllu#n1", "f.conllu#n2"])
    let d = docs[0]
    #expect(d.text == "I don't know.\nYes!")
    var text = d.text
    let words = text.withUTF8 { b in
      d.tokens.map {
        String(
          decoding: UnsafeBufferPointer(rebasing: b[Int($0.start)..<Int($0.end)]), as: UTF8.self)
      }
    }
    #expect(words == ["I", "do", "n't", "know", ".", "Yes", "!"])
    #expect(d.tokenAttribute("lemma", at: 2) == "not")
    #expect(d.tokenAttribute("deprel", at: 3) == "root")
    #expect(d.spans("sentence").map { $0.end - $0.start } == [13, 4])
  }

  @Test("written back, every word line, multi-word token, sent_id and text are the same")
  func roundTrip() throws {
    let docs = CoNLLU.documents(try CoNLLU.parse(Self.file), id: "f.conllu")
    let out = docs.map { String(decoding: $0.conllu(), as: UTF8.self) }.joined()
    let original = Self.file.split(separator: "\n").filter { !$0.isEmpty }
    #expect(out.split(separator: "\n").filter { !$0.isEmpty } == original)
  }
}
