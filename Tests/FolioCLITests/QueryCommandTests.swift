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

  @Test("with the shipped tagger: attributes, groups by lemma, and a query as a layer")
  func tagged() throws {
    guard let seeds = CLI.sharedCorpus("seeds") else { return }
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
