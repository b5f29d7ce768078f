import Foundation
import Testing

@Suite("folio corpus") struct CorpusCommandTests {
  static let files: [String: String] = [
    "news/a.txt": "Mr. Smith went to Washington. He met Dr. Jones.\n\nThe U.S. economy grew.",
    "news/b.html":
      "<html lang=\"en\"><head><title>Strike</title><meta name=\"author\" content=\"Ann Lee\"></head><body><nav>Home</nav><p>Dockworkers walked off the job on Monday, union leaders said, in a dispute over pay.</p></body></html>",
    "recs.jsonl": #"{"id":"r1","text":"One record, with a field.","site":"mt"}"# + "\n",
  ]

  @Test("info: counts, readers, metadata fields with examples and problems, exactly")
  func info() throws {
    let dir = try CLI.workspace(Self.files)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data([0x66, 0x6F, 0xA3, 0x0A]).write(to: dir.appendingPathComponent("news/latin.txt"))
    let r = try CLI.run(["corpus", "info", "news", "recs.jsonl", "-j", "1"], in: dir)
    #expect(r.status == 0)
    #expect(
      r.stdout == """
        files      4
        documents  4
        input      348 bytes (348 B)
        text       186 bytes (186 B)
        tokens     46
        words      34
        types      32 (distinct lowercased words)
        sentences  6
        readers    html 1, jsonl 1, text 2
        encodings  utf-8 4

        metadata fields (documents, example):
          path           4  a.txt
          folder         4  
          corpus         4  news
          bytes          3  71
          title          1  Strike
          lang           1  en
          author         1  Ann Lee
          invalid_bytes  1  1
          record         1  1
          id             1  r1
          site           1  mt

        decoding and reading problems: 1
          news/latin.txt: 1 invalid UTF-8 sequence replaced by U+FFFD (first at byte 2) - it reads cleanly as windows-1252: try --encoding windows-1252

        """)
  }

  @Test("export: JSONL that reads back the same, a folder of .txt, CSV of sentence spans")
  func export() throws {
    let dir = try CLI.workspace(Self.files)
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = try CLI.run(["corpus", "export", "news", "-o", "out.jsonl"], in: dir)
    #expect(a.status == 0)
    #expect(a.stderr == "2 documents written to out.jsonl\n")
    let b = try CLI.run(["corpus", "export", "out.jsonl", "-o", "again.jsonl"], in: dir)
    #expect(b.status == 0)
    let first = try String(contentsOf: dir.appendingPathComponent("out.jsonl"), encoding: .utf8)
    let second = try String(contentsOf: dir.appendingPathComponent("again.jsonl"), encoding: .utf8)
    #expect(first == second)
    let c = try CLI.run(["corpus", "export", "news", "--to", "txt", "-o", "texts/"], in: dir)
    #expect(c.status == 0)
    let html = try String(
      contentsOf: dir.appendingPathComponent("texts/b.html.txt"), encoding: .utf8)
    #expect(
      html
        == "Dockworkers walked off the job on Monday, union leaders said, in a dispute over pay.\n")
    let d = try CLI.run(
      ["corpus", "export", "news/a.txt", "--to", "csv", "--layers", "sentence", "-o", "s.csv"],
      in: dir)
    #expect(d.status == 0)
    let csv = try String(contentsOf: dir.appendingPathComponent("s.csv"), encoding: .utf8)
    #expect(
      csv == """
        id,layer,start,end,text,label,attrs
        a.txt,sentence,0,29,Mr. Smith went to Washington.,,
        a.txt,sentence,30,47,He met Dr. Jones.,,
        a.txt,sentence,49,71,The U.S. economy grew.,,

        """)
  }

  @Test("a missing corpus and a bad export format are coded errors; nothing is written")
  func errors() throws {
    let dir = try CLI.workspace(Self.files)
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = try CLI.run(["corpus", "info", "nowhere"], in: dir)
    #expect(a.status == 66)
    #expect(a.stderr == "Error: no such file or folder: nowhere - while listing the corpus\n")
    let b = try CLI.run(["corpus", "export", "news", "-o", "x.parquet"], in: dir)
    #expect(b.status == 64)
    #expect(b.stderr.hasPrefix("Error: unknown export format 'parquet'"))
    let c = try CLI.run(["corpus", "info", "news", "--encoding", "klingon"], in: dir)
    #expect(c.status == 64)
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.parquet").path))
  }

  @Test(
    "every file of ../shared/corpora/messy loads or is skipped with a warning",
    .enabled(if: CLI.has("messy"), "needs ../shared/corpora/messy"))
  func messy() throws {
    let messy = try #require(CLI.sharedCorpus("messy"))
    let r = try CLI.run(["corpus", "info", messy.path, "--brief"])
    #expect(r.status == 0)
    // blns.json holds "" and " " among its 515 strings: left out, and said so.
    #expect(r.stdout.contains("files      34\ndocuments  546\n"))
    #expect(
      r.stdout.contains(
        "naughty-strings/blns.json: 2 of 515 records have no text (first: naughty-strings/blns.json#1); left out - --keep-empty keeps them"
      ))
  }
}
