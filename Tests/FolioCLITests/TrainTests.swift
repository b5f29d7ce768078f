import FolioCore
import Foundation
import Testing

@Suite("folio train pos and folio eval pos") struct TrainTests {
  static func conllu(_ sentences: [[(String, String, String)]]) -> String {
    sentences.map { s in
      s.enumerated().map { i, w in "\(i + 1)\t\(w.0)\t_\t\(w.1)\t\(w.2)\t_\t0\t_\t_\t_" }
        .joined(separator: "\n") + "\n"
    }.joined(separator: "\n")
  }

  @Test("a model trained on CoNLL-U scores on gold CoNLL-U; bad inputs are coded errors")
  func trainAndEval() throws {
    var sentences: [[(String, String, String)]] = []
    for (subject, verb) in [("I", "fish"), ("you", "swim"), ("we", "go"), ("they", "win")] {
      sentences.append([(subject, "PRON", "PRP"), ("can", "AUX", "MD"), (verb, "VERB", "VB")])
      sentences.append([("the", "DET", "DT"), ("can", "NOUN", "NN"), ("rusts", "VERB", "VBZ")])
    }
    let dir = try CLI.workspace([
      "train.conllu": Self.conllu(sentences), "bad.conllu": "1\tI\tI\n", "notamodel": "hello",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let t = try CLI.run(
      [
        "train", "pos", "train.conllu", "--dev", "train.conllu", "-o", "toy.pos", "--iterations",
        "12", "--patience", "12",
      ],
      in: dir)
    #expect(t.status == 0, "\(t.stderr)")
    #expect(
      t.stderr.hasPrefix(
        "folio: training on 8 sentences (24 words), 8 for development\niteration 1: training "))
    #expect(t.stderr.contains("features, written to toy.pos in "))
    let e = try CLI.run(["eval", "pos", "toy.pos", "train.conllu"], in: dir)
    #expect(e.status == 0)
    #expect(e.stdout.hasPrefix("words 24\nUPOS  100.00%\nXPOS  "))
    #expect(e.stdout.contains("%\nspeed "))
    let bad = try CLI.run(["train", "pos", "bad.conllu", "-o", "x.pos"], in: dir)
    #expect(bad.status == 65)
    #expect(
      bad.stderr.hasPrefix(
        "Error: bad.conllu: line 1: 3 columns where CoNLL-U has 10 (tab-separated) - while reading CoNLL-U"
      ))
    let missing = try CLI.run(["eval", "pos", "none.pos", "train.conllu"], in: dir)
    #expect(missing.status == 66)
    let notModel = try CLI.run(["eval", "pos", "notamodel", "train.conllu"], in: dir)
    #expect(notModel.status == 65)
    #expect(notModel.stderr.hasPrefix("Error: notamodel is not a Folio part-of-speech model"))
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.pos").path))
  }

  @Test("-p pos writes CoNLL-U (multi-word tokens, SpaceAfter) and VRT with span layers")
  func exports() throws {
    let dir = try CLI.workspace([
      "texts/a.txt": "I don't know, Mr. Smith said. The U.S. team won!\nBlair met Brown in London."
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "texts", "-p", "pos", "-o", "out.conllu"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let conllu = try String(contentsOf: dir.appendingPathComponent("out.conllu"), encoding: .utf8)
    let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("golden/pos-export.conllu")
    #expect(conllu == (try String(contentsOf: golden, encoding: .utf8)))
    let parsed = try CoNLLU.parse(conllu)
    #expect(parsed.map(\.words.count) == [9, 5, 6])
    #expect(parsed[0].multiword.map(\.form) == ["don't"])
    let v = try CLI.run(
      [
        "run", "texts", "-p", "pos", "-p", "regex:pattern=London,layer=place,label=PLACE", "-o",
        "out.vrt",
      ],
      in: dir)
    #expect(v.status == 0, "\(v.stderr)")
    let vrt = try String(contentsOf: dir.appendingPathComponent("out.vrt"), encoding: .utf8)
    #expect(
      vrt.hasPrefix(
        "<text id=\"a.txt\" path=\"a.txt\" folder=\"\" bytes=\"75\">\n<s>\nI\tPRON\tPRP\tI\ndo\tAUX\tVBP\tdo\nn't\tPART\tRB\tnot\n"
      ))
    #expect(vrt.contains("in\tADP\tIN\tin\n<place label=\"PLACE\""))
    #expect(vrt.hasSuffix("London\tPROPN\tNNP\tLondon\n</place>\n.\tPUNCT\t.\t.\n</s>\n</text>\n"))
  }

  @Test("tagged documents as JSONL keep their tokens' attributes and read back; CSV a row a token")
  func tokenExports() throws {
    let dir = try CLI.workspace([
      "texts/a.txt": "I don't know, Mr. Smith said. The U.S. team won!\nBlair met Brown in London."
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = try CLI.run(["run", "texts", "-p", "pos", "-o", "t.csv"], in: dir)
    #expect(csv.status == 0, "\(csv.stderr)")
    let rows = try String(contentsOf: dir.appendingPathComponent("t.csv"), encoding: .utf8)
      .split(separator: "\n")
    #expect(
      rows.prefix(6) == [
        "id,sentence,start,end,word,kind,pos,tag,lemma", "a.txt,1,0,1,I,word,PRON,PRP,I",
        "a.txt,1,2,4,do,word,AUX,VBP,do", "a.txt,1,4,7,n't,word,PART,RB,not",
        "a.txt,1,8,12,know,word,VERB,VB,know", "a.txt,1,12,13,\",\",punct,PUNCT,\",\",\",\"",
      ])
    #expect(rows.count == 21 && rows.last?.hasPrefix("a.txt,3,") == true)
    let jsonl = try CLI.run(["run", "texts", "-p", "pos", "-o", "t.jsonl"], in: dir)
    #expect(jsonl.status == 0, "\(jsonl.stderr)")
    let record = try String(contentsOf: dir.appendingPathComponent("t.jsonl"), encoding: .utf8)
    #expect(
      record.contains(
        "\"tokens\":[{\"start\":0,\"end\":1,\"kind\":\"word\",\"pos\":\"PRON\",\"tag\":\"PRP\",\"lemma\":\"I\",\"feats\":\"Case=Nom|Number=Sing|Person=1|PronType=Prs\"},{\"start\":2,"
      ))
    // Read back, the record's tokens are the tagger's: no tagging needed, the same table.
    let back = try CLI.run(
      ["corpus", "export", "t.jsonl", "--to", "tokens", "-o", "t2.csv"], in: dir)
    #expect(back.status == 0, "\(back.stderr)")
    #expect(
      try Data(contentsOf: dir.appendingPathComponent("t2.csv"))
        == Data(contentsOf: dir.appendingPathComponent("t.csv")))
    let counted = try CLI.run(["run", "t.jsonl", "-p", "wordfreq:by=lemma,pos=VERB"], in: dir)
    #expect(
      counted.stdout
        == "rank\tlemma\tcount\tper_million\n1\tknow\t1\t250000\n2\tmeet\t1\t250000\n3\tsay\t1\t250000\n4\twin\t1\t250000\n"
    )
  }

  /// The lines of CoNLL-U a round trip keeps: words and multi-word tokens (empty nodes, which
  /// Folio does not keep, left out), `# sent_id` and `# text`.
  static func kept(_ text: String) -> [Substring] {
    text.split(separator: "\n").filter { line in
      if line.hasPrefix("# sent_id") || line.hasPrefix("# text =") { return true }
      guard !line.hasPrefix("#"), let id = line.split(separator: "\t").first else { return false }
      return !id.contains(".")
    }
  }

  @Test(
    "EWT read and written back: every word, multi-word token, sent_id and text the same",
    .enabled(if: CLI.has("ud-english"), "needs ../shared/corpora/ud-english"))
  func ewtRoundTrip() throws {
    let ud = try #require(CLI.sharedCorpus("ud-english"))
    let dev = ud.appendingPathComponent("en_ewt-ud-dev.conllu")
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["corpus", "export", dev.path, "-o", "dev.conllu"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let original = try String(contentsOf: dev, encoding: .utf8)
    let back = try String(contentsOf: dir.appendingPathComponent("dev.conllu"), encoding: .utf8)
    #expect(Self.kept(original) == Self.kept(back))
    // Tagging keeps the file's words and writes predicted LEMMA, UPOS, XPOS and FEATS.
    let t = try CLI.run(["run", dev.path, "-p", "pos", "-o", "pred.conllu"], in: dir)
    #expect(t.status == 0, "\(t.stderr)")
    let pred = try CoNLLU.parse(
      String(contentsOf: dir.appendingPathComponent("pred.conllu"), encoding: .utf8))
    let gold = try CoNLLU.parse(original)
    #expect(pred.flatMap { $0.words.map(\.form) } == gold.flatMap { $0.words.map(\.form) })
    let words = pred.flatMap(\.words)
    let right = zip(words, gold.flatMap(\.words)).filter { $0.upos == $1.upos }.count
    #expect(Double(right) / Double(words.count) > 0.95)
    // FEATS come from the tags (and the word, where its own differ).
    let feats = zip(words, gold.flatMap(\.words)).filter { $0.feats == $1.feats }.count
    #expect(Double(feats) / Double(words.count) > 0.9)
  }

  @Test(
    "the shipped model's figures on EWT dev, pinned: tagging shortcuts change no tag",
    .enabled(if: CLI.has("ud-english"), "needs ../shared/corpora/ud-english"))
  func shippedModelFigures() throws {
    let ud = try #require(CLI.sharedCorpus("ud-english"))
    let dev = ud.appendingPathComponent("en_ewt-ud-dev.conllu")
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = CLI.root.appendingPathComponent("Plugins/pos/en-ewt.pos").path
    let r = try CLI.run(["eval", "pos", model, dev.path], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.prefix(4) == ["words 25147", "UPOS  95.63%", "XPOS  94.93%", "lemma 97.22%"])
    #expect(
      lines.last
        == "from the raw text (gold sentences): words F1 98.89%, UPOS F1 94.59%, lemma F1 96.23%")
  }
}
