import Foundation
import Testing

@Suite("folio query") struct QueryCommandTests {
  static let files = [
    "c/a.txt": "Big money talks. Small money walks.\nThe money, they said, was gone.\n",
    "c/b.txt": "No money here. Money!\n",
  ]

  @Test("a concordance, counts and groups, with the kwic table's options")
  func concordance() throws {
    let dir = try CLI.workspace(Self.files)
    defer { try? FileManager.default.removeItem(at: dir) }
    let lines = try CLI.run(["query", "c", "\"money\"%c", "-j", "1", "-q"], in: dir)
    #expect(lines.status == 0)
    #expect(
      lines.stdout == """
        document\tposition\tleft\tkeyword\tright
        a.txt\t5\t                                    Big \tmoney\t talks. Small money walks. The money, th
        a.txt\t24\t                 Big money talks. Small \tmoney\t walks. The money, they said, was gone. 
        a.txt\t41\tBig money talks. Small money walks. The \tmoney\t, they said, was gone. 
        b.txt\t4\t                                     No \tmoney\t here. Money! 
        b.txt\t16\t                         No money here. \tMoney\t! 

        """)
    let context = try CLI.run(
      ["query", "c", "\"money\" [] within s", "--context", "2", "-q", "--sort", "R1"], in: dir)
    // R1 is the next word, punctuation skipped and case folded: money, small, the, they.
    #expect(
      context.stdout == """
        document\tposition\tleft\tkeyword\tright
        b.txt\t4\t     No \tmoney here\t. Money
        a.txt\t5\t    Big \tmoney talks\t. Small
        a.txt\t24\t. Small \tmoney walks\t. The
        a.txt\t41\t  . The \tmoney,\t they said

        """)
    let count = try CLI.run(["query", "c", "\"money\"%c", "--count", "-q"], in: dir)
    #expect(count.stdout == "hits\tdocuments\tper_million\n5\t2\t312500\n")
    let groups = try CLI.run(
      [
        "query", "c", "a:[] \"money\"%c", "--group-by", "a.lower", "--group-by", "meta.path", "-q",
        "--top", "2",
      ], in: dir)
    #expect(
      groups.stdout
        == "a.lower\tmeta.path\thits\tper_million\n.\tb.txt\t1\t62500\nbig\ta.txt\t1\t62500\n")
  }

  @Test("a syntax error exits 64 before any document is read, with a caret")
  func errors() throws {
    let dir = try CLI.workspace(Self.files)
    defer { try? FileManager.default.removeItem(at: dir) }
    let bad = try CLI.run(["query", "c", "\"money\" [pos=\"ADJ\""], in: dir)
    #expect(bad.status == 64)
    #expect(
      bad.stderr == """
        Error: CQL syntax error at column 19: expected ']' to close the token pattern, or '&' or '|', found the end of the query
          "money" [pos="ADJ"
                            ^

        """)
    let regex = try CLI.run(["query", "c", "[word=\"(\"]"], in: dir)
    #expect(regex.status == 64)
    #expect(
      regex.stderr.hasPrefix(
        "Error: word=\"(\" is not a regular expression: invalid regex at byte 2"))
    let none = try CLI.run(["query", "c"], in: dir)
    #expect(none.status == 64)
    #expect(none.stderr.hasPrefix("Error: give a corpus and a query"))
    let untagged = try CLI.run(["query", "c", "[pos=\"NOUN\"]", "-j", "1"], in: dir)
    #expect(untagged.status == 65)
    #expect(
      untagged.stderr.hasPrefix(
        "Error: plugin 'kwic': the tokens of a.txt have no 'pos' - run a tagger that sets it first (-p pos) - while reading document a.txt"
      ))
  }

  @Test(
    "with the shipped tagger: attributes, groups by lemma, and a query as a layer",
    .enabled(if: CLI.has("seeds"), "needs ../shared/corpora/seeds"))
  func tagged() throws {
    let seeds = try #require(CLI.sharedCorpus("seeds"))
    let groups = try CLI.run(
      [
        "query", seeds.path, "-p", "pos", "[pos=\"ADJ\"] [pos=\"NOUN\"]", "--group-by", "lemma",
        "--top", "3", "-q",
      ])
    #expect(
      groups.stdout == """
        lemma\thits\tper_million
        independent journalism\t2\t2919.7
        western ally\t2\t2919.7
        Russian airstrike\t1\t1459.9

        """)
    let say = try CLI.run(
      [
        "query", seeds.path, "-p", "pos", "[pos=\"PROPN\"]+ [lemma=\"say\"] within s", "--count",
        "-q",
      ])
    #expect(say.stdout == "hits\tdocuments\tper_million\n3\t2\t4379.6\n")
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let layer = try CLI.run(
      [
        "run", seeds.path, "-p", "pos", "-p", "query:cql=[pos=\"ADJ\"]+ [pos=\"NOUN\"],layer=np",
        "-p", "spans", "-q",
      ], in: dir)
    #expect(layer.status == 0)
    #expect(layer.stdout.contains("np\t\t42\t2"))
  }
}

@Suite("folio index") struct IndexCommandTests {
  @Test("queries answered from the index print what the scan prints; a changed file makes it scan")
  func sameAsScan() throws {
    let dir = try CLI.workspace(QueryCommandTests.files)
    defer { try? FileManager.default.removeItem(at: dir) }
    let built = try CLI.run(["index", "c"], in: dir)
    #expect(built.status == 0)
    #expect(built.stderr.hasPrefix("folio: indexed 2 documents, 23 tokens in "))
    #expect(built.stderr.contains("into c.folio-index ("))
    let queries = [
      ["a:[] \"money\"%c within s", "--count"],
      ["a:[] \"money\"%c", "--group-by", "a.lower", "--group-by", "meta.path"],
      ["\"money\"%c [] | <s> \"The\"", "--width", "12"],
      ["[kind=\"punct\"] </s>", "--group-by", "word"],
    ]
    for q in queries {
      let indexed = try CLI.run(["query", "c"] + q, in: dir)
      let scanned = try CLI.run(["query", "c"] + q + ["--no-index"], in: dir)
      #expect(indexed.status == 0)
      #expect(indexed.stderr.hasPrefix("folio: answered from the index c.folio-index (2 documents"))
      #expect(!indexed.stdout.isEmpty)
      #expect(indexed.stdout == scanned.stdout, "\(q)")
    }
    // A file that changes after the build: the query scans, and says why.
    try Data("Money, money, money.\n".utf8).write(to: dir.appendingPathComponent("c/b.txt"))
    let stale = try CLI.run(["query", "c", "\"money\"%c", "--count", "-q"], in: dir)
    #expect(stale.stdout == "hits\tdocuments\tper_million\n6\t2\t400000\n")
    #expect(
      stale.stderr.hasPrefix(
        "Note: the index c.folio-index is stale (b.txt changed since it was built): scanning the corpus - folio index --update brings it up to date"
      ))
    // A new file: the folder's time changed.
    _ = try CLI.run(["index", "c", "-q"], in: dir)
    try Data("More money.\n".utf8).write(to: dir.appendingPathComponent("c/new.txt"))
    let added = try CLI.run(["query", "c", "\"money\"%c", "--count", "-q"], in: dir)
    #expect(added.stdout == "hits\tdocuments\tper_million\n7\t3\t411764.7\n")
    #expect(
      added.stderr.hasPrefix(
        "Note: the index c.folio-index is stale (a file was added to or removed from the corpus folder since it was built)"
      ))
    let missing = try CLI.run(["query", "c", "\"money\"", "--index", "nowhere"], in: dir)
    #expect(missing.status == 64)
    #expect(missing.stderr.hasPrefix("Error: no index at nowhere - while opening the index"))
  }

  @Test("--update indexes new and changed files into a segment; queries answer as a rebuild does")
  func update() throws {
    let dir = try CLI.workspace([
      "c/a.txt": "Big money talks. Small money walks.\n",
      "c/m.jsonl": #"{"text": "Money here."}"# + "\n" + #"{"text": "No cash."}"# + "\n",
      "c/sub/x.txt": "Money, money.\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try CLI.run(["index", "c", "-q"], in: dir).status == 0)
    func write(_ name: String, _ text: String) throws {
      try Data(text.utf8).write(to: dir.appendingPathComponent("c/" + name))
    }
    try write("n.txt", "New money. Old money.\n")
    try write("m.jsonl", #"{"text": "Money here."}"# + "\n" + #"{"text": "Some money."}"# + "\n")
    try FileManager.default.removeItem(at: dir.appendingPathComponent("c/sub/x.txt"))
    let updated = try CLI.run(["index", "c", "--update"], in: dir)
    #expect(updated.status == 0)
    #expect(updated.stderr.hasPrefix("folio: updated the index c.folio-index in "))
    #expect(
      updated.stderr.hasSuffix(
        " s (files: 1 new, 1 changed, 1 gone; 3 documents indexed); it holds 4 documents, 20 tokens in 2 segments\n"
      ))
    #expect(try CLI.run(["index", "c", "-o", "fresh.idx", "-q"], in: dir).status == 0)
    for q in [
      ["\"money\"%c", "--count"], ["\"money\"%c", "--width", "10"],
      ["[] \"money\"%c", "--group-by", "word", "--group-by", "meta.path"],
    ] {
      let segmented = try CLI.run(["query", "c"] + q, in: dir)
      let fresh = try CLI.run(["query", "c", "--index", "fresh.idx"] + q + ["-q"], in: dir)
      let scanned = try CLI.run(["query", "c"] + q + ["--no-index", "-q"], in: dir)
      #expect(
        segmented.stderr.hasPrefix("folio: answered from the index c.folio-index (4 documents"))
      #expect(segmented.stdout == fresh.stdout, "\(q)")
      #expect(segmented.stdout == scanned.stdout, "\(q)")
    }
    let same = try CLI.run(["index", "c", "--update"], in: dir)
    #expect(same.stderr == "folio: the index c.folio-index is up to date (4 documents)\n")
    // Both files of the first update change again: its segment goes, a new one comes.
    try write("n.txt", "No money.\n")
    try write("m.jsonl", #"{"text": "Money."}"# + "\n")
    #expect(try CLI.run(["index", "c", "--update", "-q"], in: dir).status == 0)
    let folders = try FileManager.default.contentsOfDirectory(
      atPath: dir.appendingPathComponent("c.folio-index").path
    ).filter { $0.hasPrefix("update-") }
    #expect(folders == ["update-2"])
    let count = try CLI.run(["query", "c", "\"money\"%c", "--count"], in: dir)
    #expect(count.stdout == "hits\tdocuments\tper_million\n4\t3\t444444.4\n")
    #expect(count.stderr.contains("(3 documents, 13 tokens)"))
    let plugins = try CLI.run(["index", "c", "--update", "-p", "entities"], in: dir)
    #expect(plugins.status == 64)
    #expect(
      plugins.stderr.hasPrefix(
        "Error: the index c.folio-index was built with no plugins; --update indexes new files the same way - while reading the command line"
      ))
    let none = try CLI.run(["index", "c", "--update", "-o", "none.idx"], in: dir)
    #expect(none.status == 64)
    #expect(
      none.stderr.hasPrefix("Error: no index at none.idx to update - while opening the index"))
  }

  @Test(
    "corpus:query and q[[...]] in the REPL answer from the index beside the corpus",
    .enabled(if: CLI.has("seeds"), "needs ../shared/corpora/seeds"))
  func repl() throws {
    let seeds = try #require(CLI.sharedCorpus("seeds"))
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.copyItem(at: seeds, to: dir.appendingPathComponent("s"))
    let lua = #"""
      for _, r in ipairs(corpus:query([[ a:[pos="ADJ"] [pos="NOUN"] ]], {width = 12})) do
        print(r.doc, r.first, r.last, r.left, r.match, r.right)
      end
      """# + "\n"
    // Without an index the tokens have no parts of speech until the tagger runs.
    let untagged = try CLI.run(["repl", "s"], in: dir, input: lua)
    #expect(untagged.stderr.contains("have no 'pos' - run a tagger that sets it first (-p pos)"))
    let tagged = try CLI.run(["repl", "s"], in: dir, input: ".run pos\n" + lua)
    #expect(try CLI.run(["index", "s", "-p", "pos", "-q"], in: dir).status == 0)
    let indexed = try CLI.run(["repl", "s"], in: dir, input: lua)
    #expect(indexed.stderr == "")
    #expect(indexed.stdout.split(separator: "\n").count == 42)
    #expect(tagged.stdout.hasSuffix(indexed.stdout))
    #expect(
      indexed.stdout.hasPrefix(
        "000_a329563865bc35fc.txt\t194\t215\twith the UN \tundersecretary general\t for politic\n"))
  }

  @Test(
    "span attributes in tags are answered from the index as from the scan",
    .enabled(if: CLI.has("seeds"), "needs ../shared/corpora/seeds"))
  func spanAttributes() throws {
    let seeds = try #require(CLI.sharedCorpus("seeds"))
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let built = try CLI.run(
      ["index", seeds.path, "-p", "entities", "-o", "seeds.idx", "-q"], in: dir)
    #expect(built.status == 0)
    for q in [
      ["<entity source=\"gazetteer\"/>", "--group-by", "word"],
      ["<entity label=\"PERSON\" source!=\"gazetteer\"/> []", "--width", "20"],
      ["<entity entry=\"Russia|Ukraine\" nothing!=\"x\"> []+ </entity>", "--count"],
      ["<entity nothing=\".*\"/>", "--count"],
    ] {
      let indexed = try CLI.run(
        ["query", seeds.path, "--index", "seeds.idx"] + q, in: dir)
      let scanned = try CLI.run(
        ["query", seeds.path, "-p", "entities"] + q + ["-q", "--no-index"], in: dir)
      #expect(indexed.stderr.hasPrefix("folio: answered from the index seeds.idx"), "\(q)")
      #expect(!indexed.stdout.isEmpty)
      #expect(indexed.stdout == scanned.stdout, "\(q)")
    }
  }

  @Test(
    "an index built with the tagger answers attribute queries as the tagged scan does",
    .enabled(if: CLI.has("seeds"), "needs ../shared/corpora/seeds"))
  func tagged() throws {
    let seeds = try #require(CLI.sharedCorpus("seeds"))
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let built = try CLI.run(["index", seeds.path, "-p", "pos", "-o", "seeds.idx", "-q"], in: dir)
    #expect(built.status == 0)
    for q in [
      ["[pos=\"ADJ\"] [pos=\"NOUN\"]", "--group-by", "lemma", "--top", "5"],
      ["[pos=\"PROPN\"]+ [lemma=\"say\"] within s"],
      ["a:[pos=\"ADJ\"] b:[pos=\"NOUN\"] :: a.lemma != \"Russian\"", "--count"],
    ] {
      let indexed = try CLI.run(
        ["query", seeds.path, "--index", "seeds.idx"] + q + ["-q"], in: dir)
      let scanned = try CLI.run(
        ["query", seeds.path, "-p", "pos"] + q + ["-q", "--no-index"], in: dir)
      #expect(indexed.status == 0)
      #expect(indexed.stdout == scanned.stdout, "\(q)")
    }
    let untagged = try CLI.run(["index", seeds.path, "-o", "plain.idx", "-q"], in: dir)
    #expect(untagged.status == 0)
    let noPos = try CLI.run(
      ["query", seeds.path, "--index", "plain.idx", "[pos=\"ADJ\"]", "--count"], in: dir)
    #expect(noPos.status == 1)
    #expect(
      noPos.stderr.hasPrefix(
        "Error: the index plain.idx has no token attribute 'pos' - build it with the tagger that sets it: folio index CORPUS -p pos - while querying the index plain.idx"
      ))
  }
}
