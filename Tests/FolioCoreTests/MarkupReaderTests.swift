import FolioCore
import Foundation
import Testing

@Suite("Readers: HTML, SGML, gzip, globs") struct MarkupReaderTests {
  @Test(
    "a file whose size the system does not know in advance (/proc) is read to its end",
    .enabled(if: FileManager.default.fileExists(atPath: "/proc/filesystems")))
  func unknownSize() throws {
    let reader = CorpusReader()
    let entries = try reader.list(["/proc/filesystems"])
    #expect(entries.first?.bytes == 0)
    let documents = try reader.readAll(entries[0]) { _ in }
    let expected = try String(contentsOfFile: "/proc/filesystems", encoding: .utf8)
    #expect(expected.utf8.count > 100)
    #expect(documents.first?.text == expected)
  }

  @Test("a folder's files are listed in the byte order of their paths, folders and files mixed")
  func listingOrder() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "folio-order-\(getpid())")
    defer { try? FileManager.default.removeItem(at: dir) }
    let paths = [
      "a.txt", "a/x.txt", "a-b/y.txt", "a/b/z.txt", "a0.txt", "b.txt", "B.txt", "é.txt",
      "e/é.txt", "e.txt", "a/.hidden.txt", ".hidden/c.txt",
    ]
    for p in paths {
      let url = dir.appendingPathComponent(p)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try "text".write(to: url, atomically: false, encoding: .utf8)
    }
    let ids = try CorpusReader().list([dir.path]).map(\.id)
    let expected = paths.filter { !$0.contains("/.") && !$0.hasPrefix(".") }.sorted {
      Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
    }
    #expect(ids == expected)
    #expect(ids.first == "B.txt")
    #expect(ids.firstIndex(of: "a-b/y.txt")! < ids.firstIndex(of: "a.txt")!)
    #expect(ids.firstIndex(of: "a.txt")! < ids.firstIndex(of: "a/b/z.txt")!)
  }

  @Test("a file that grew or shrank after it was listed is read whole, as it is when read")
  func changedAfterListing() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "folio-changed-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let grows = dir.appendingPathComponent("grows.txt")
    let shrinks = dir.appendingPathComponent("shrinks.txt")
    let same = dir.appendingPathComponent("same.txt")
    try "one two".write(to: grows, atomically: false, encoding: .utf8)
    try String(repeating: "long text ", count: 500).write(
      to: shrinks, atomically: false, encoding: .utf8)
    try "exactly this".write(to: same, atomically: false, encoding: .utf8)
    let reader = CorpusReader()
    let entries = try reader.list([dir.path])
    #expect(entries.map(\.bytes) == [7, 12, 5000])  // grows, same, shrinks
    let longer = "one two " + String(repeating: "three ", count: 20_000)
    try longer.write(to: grows, atomically: false, encoding: .utf8)
    try "short".write(to: shrinks, atomically: false, encoding: .utf8)
    let texts = try entries.map { e in try reader.readAll(e) { _ in }.first?.text }
    #expect(texts == [longer, "exactly this", "short"])
  }

  static let page = """
    <!DOCTYPE html>
    <html lang="en-GB"><head>
    <title>Minister resigns &amp; leaves</title>
    <meta name="description" content="A minister resigned.">
    <meta name="author" content="Ann Lee">
    <meta property="og:site_name" content="The Daily">
    <meta property="article:published_time" content="2024-06-27T10:00:00Z">
    <style>p { color: red }</style>
    <script>var ads = "<p>not text</p>";</script>
    </head><body>
    <header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
    <!-- a comment <p>hidden</p> -->
    <div class="sidebar"><p>Most read: ten stories you missed, with pictures and more.</p></div>
    <article class="story-body">
    <h1>Minister resigns</h1>
    <p>The minister resigned on Thursday, saying the job had become impossible, aides said.</p>
    <p>Her office said she would stay in parliament &mdash; and in politics &ndash; for now,
    and that the party&#39;s leader, who is abroad, had been told.</p>
    <ul><li>First point, which matters.</li><li>Second point.</li></ul>
    <p>Line one<br>line two &copy; 2024 &#x263A; &unknown; &amp</p>
    </article>
    <aside><p>Related articles: five more stories about ministers, resignations and parliament.</p></aside>
    <form><input name="q"><button>Search</button></form>
    <footer><p>Copyright The Daily. All rights reserved, everywhere, always.</p></footer>
    </body></html>
    """

  @Test("HTML: the article's text with paragraphs, no page furniture, and the page's metadata")
  func html() throws {
    let s = try Scratch(["page.html": Array(Self.page.utf8)])
    defer { s.clean() }
    let (docs, warnings) = try s.read(["page.html"])
    #expect(warnings.isEmpty)
    let doc = try #require(docs.first)
    // The headline is the page's title (meta.title), not running text.
    #expect(
      doc.text == """
        The minister resigned on Thursday, saying the job had become impossible, aides said.

        Her office said she would stay in parliament — and in politics – for now, and that the party's leader, who is abroad, had been told.

        First point, which matters.
        Second point.

        Line one
        line two © 2024 ☺ &unknown; &
        """)
    #expect(doc.meta["title"] == .string("Minister resigns & leaves"))
    #expect(doc.meta["lang"] == .string("en-GB"))
    #expect(doc.meta["description"] == .string("A minister resigned."))
    #expect(doc.meta["author"] == .string("Ann Lee"))
    #expect(doc.meta["og:site_name"] == .string("The Daily"))
    #expect(doc.meta["date"] == .string("2024-06-27T10:00:00Z"))
  }

  @Test("HTML: broken markup (unclosed tags, stray '<', unterminated comment) still gives text")
  func brokenHTML() throws {
    let s = try Scratch([
      "a.html": Array("<p>one < two and <b>bold <i>both</b> three<p>four".utf8),
      "b.html": Array("<div><p>before</p><!-- never closed <p>lost</p>".utf8),
      "c.html": Array("<p title=\"unterminated>text".utf8),
    ])
    defer { s.clean() }
    let (docs, _) = try s.read(["a.html", "b.html", "c.html"])
    #expect(docs.map(\.text) == ["one < two and bold both three\n\nfour", "before", ""])
  }

  @Test("HTML: pages without <body>, wrapped in a form, or with the post in a template script")
  func htmlStructures() throws {
    let story =
      "<p>"
      + String(
        repeating: "The council met on Tuesday and agreed the budget, after a long debate. ",
        count: 4) + "</p>"
    let s = try Scratch([
      "nobody.html": Array(
        "<html><head><title>T</title><meta charset=utf-8><div>\(story)</div></html>".utf8),
      "form.html": Array(
        "<body><form id=aspnetForm><nav>Home</nav><div>\(story)</div></form></body>".utf8),
      "blog.html": Array(
        "<body><div class=post-body><script type='text/template'>\(story)</script></div><div>Blog description here.</div></body>"
          .utf8),
    ])
    defer { s.clean() }
    let (docs, warnings) = try s.read(["blog.html", "form.html", "nobody.html"])
    #expect(warnings.isEmpty)
    for d in docs { #expect(d.text.hasPrefix("The council met on Tuesday"), "\(d.id): \(d.text)") }
  }

  @Test("HTML: the declared article body wins; what follows the story is cut at its heading")
  func htmlArticleBody() throws {
    let para =
      "<p>" + String(repeating: "Rates rose again, the bank said, and markets fell. ", count: 3)
      + "</p>"
    let comments = (1...6).map {
      "<p>Reader \($0): I think, honestly, that this is wrong, and so on.</p>"
    }.joined()
    let page = """
      <body><div class=page><div itemprop="articleBody">\(para)\(para)
      <p>Lesen Sie auch: Zinsen steigen weiter</p><p>Foto: Getty Images</p>\(para)
      <h3>Das könnte Sie auch interessieren</h3><p>Ten cheap holidays for this summer, ranked.</p></div>
      <div class=discussion>\(comments)\(comments)</div></div></body>
      """
    let s = try Scratch(["a.html": Array(page.utf8)])
    defer { s.clean() }
    let (docs, _) = try s.read(["a.html"])
    let text = docs.first?.text ?? ""
    #expect(text.hasPrefix("Rates rose again"))
    #expect(!text.contains("Reader 1"))
    #expect(!text.contains("Lesen Sie auch"))
    #expect(!text.contains("Getty"))
    #expect(!text.contains("interessieren"))
    #expect(!text.contains("holidays"))
    #expect(text.components(separatedBy: "Rates rose again").count == 10)
  }

  @Test("HTML: a page whose article comes out empty keeps its visible text, with a warning")
  func htmlFallback() throws {
    let s = try Scratch([
      "a.html": Array(
        "<body><header><h1>Opening hours</h1></header><footer>Open daily 9-5</footer></body>".utf8),
      "b.html": Array("<body><script>var x = 1;</script></body>".utf8),
    ])
    defer { s.clean() }
    let (docs, warnings) = try s.read(["a.html", "b.html"])
    #expect(docs.map(\.text) == ["Opening hours\n\nOpen daily 9-5", ""])
    #expect(docs[0].meta["extraction"] == .string("fallback"))
    #expect(
      warnings == [
        "no article found; its visible text is kept instead (meta.extraction = \"fallback\")",
        "the page has no visible text",
      ])
  }

  static let sgml = """
    <!DOCTYPE lewis SYSTEM "lewis.dtd">
    <REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" NEWID="1">
    <DATE>26-FEB-1987 15:01:01.79</DATE>
    <TOPICS><D>cocoa</D><D>grain</D></TOPICS>
    <PLACES><D>el-salvador</D></PLACES>
    <PEOPLE></PEOPLE>
    <TEXT>&#2;
    <TITLE>BAHIA COCOA &lt;REVIEW&gt;</TITLE>
    <DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued
    throughout the week &amp; beyond.
     Reuter
    &#3;</BODY></TEXT>
    </REUTERS>
    <REUTERS TOPICS="NO" NEWID="2">
    <DATE>26-FEB-1987</DATE>
    <TOPICS></TOPICS>
    <TEXT TYPE="BRIEF">&#2;
    <TITLE>SHORT ONE</TITLE>
    &#3;</TEXT>
    </REUTERS>
    """

  @Test("SGML records: text from TITLE and BODY, fields and lists to meta, references decoded")
  func sgml() throws {
    let s = try Scratch(["reut.sgm": Array(Self.sgml.utf8)])
    defer { s.clean() }
    let (docs, warnings) = try s.read(["reut.sgm"])
    #expect(warnings.isEmpty)
    #expect(docs.map(\.id) == ["reut.sgm#1", "reut.sgm#2"])
    #expect(
      docs[0].text
        == "BAHIA COCOA <REVIEW>\n\nShowers continued\nthroughout the week & beyond.\n Reuter")
    #expect(docs[0].meta["topics"] == .list([.string("cocoa"), .string("grain")]))
    #expect(docs[0].meta["places"] == .list([.string("el-salvador")]))
    #expect(docs[0].meta["people"] == .list([]))
    #expect(docs[0].meta["date"] == .string("26-FEB-1987 15:01:01.79"))
    #expect(docs[0].meta["dateline"] == .string("SALVADOR, Feb 26 -"))
    #expect(docs[0].meta["reuters.topics"] == .string("YES"))
    #expect(docs[0].meta["lewissplit"] == .string("TRAIN"))
    #expect(docs[1].text == "SHORT ONE")
    #expect(docs[1].meta["topics"] == .list([]))
  }

  @Test("XML: --record, --text-field and --id-field pick records, text and ids")
  func xml() throws {
    let tei = """
      <?xml version="1.0" encoding="UTF-8"?>
      <teiCorpus><TEI xml:id="a"><teiHeader><title>First</title></teiHeader>
      <text><body><p>Alpha text.</p><p>More.</p></body></text></TEI>
      <TEI xml:id="b"><teiHeader><title>Second</title></teiHeader><text><body><p>Beta.</p></body></text></TEI>
      </teiCorpus>
      """
    let s = try Scratch(["c.xml": Array(tei.utf8)])
    defer { s.clean() }
    let (docs, _) = try s.read(["c.xml"], ReaderOptions(textField: "body", record: "TEI"))
    #expect(docs.map(\.id) == ["c.xml#a", "c.xml#b"])
    #expect(docs.map(\.text) == ["Alpha text.\nMore.", "Beta."])
    #expect(docs[0].meta["title"] == .string("First"))
  }

  @Test("XML: block elements end with a line break, words with a space, inline ones with nothing")
  func xmlSiblings() throws {
    let xml = """
      <docs><doc id="1"><head>Title one</head><p>First para.</p><p>Second <hi>bold</hi>text, un<m>fold</m>.</p></doc>
      <doc id="2"><s><w>The</w><w>cat</w><pc>.</pc></s><note>Aside</note></doc>
      <doc id="3"><unknown><a>Alpha</a><b>Beta</b></unknown></doc></docs>
      """
    let s = try Scratch(["c.xml": Array(xml.utf8)])
    defer { s.clean() }
    let (docs, _) = try s.read(["c.xml"])
    #expect(
      docs.map(\.text) == [
        "Title one\nFirst para.\nSecond boldtext, unfold.", "The cat .\nAside", "Alpha\nBeta",
      ])
    // A field asked for that repeats in a record gives all of its texts, in document order.
    let (paras, _) = try s.read(["c.xml"], ReaderOptions(textField: "p,head"))
    #expect(paras[0].text == "Title one\n\nFirst para.\n\nSecond boldtext, unfold.")
  }

  @Test("SGML: an unprocessed Reuters story is its TEXT, not its metadata")
  func reutersUnprocessed() throws {
    let sgml = """
      <REUTERS TOPICS="YES" NEWID="99"><DATE>26-FEB-1987 16:34:34.40</DATE>
      <TOPICS><D>money-supply</D></TOPICS><PLACES><D>usa</D></PLACES>
      <UNKNOWN>RM A f0031reute</UNKNOWN>
      <TEXT TYPE="UNPROC">&#2;
      FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26
       Net free reserves.............644 vs.....1,337
      &#3;</TEXT></REUTERS>
      """
    let s = try Scratch(["r.sgm": Array(sgml.utf8)])
    defer { s.clean() }
    let (docs, _) = try s.read(["r.sgm"])
    #expect(
      docs.map(\.text) == [
        "FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26\n Net free reserves.............644 vs.....1,337"
      ])
    #expect(docs[0].meta["topics"] == .list([.string("money-supply")]))
    #expect(docs[0].meta["unknown"] == .string("RM A f0031reute"))
  }

  @Test("a replaced byte is counted in the record it is in, not in every record of the file")
  func invalidBytesPerRecord() throws {
    var sgml = Array("<R NEWID=\"1\"><BODY>clean</BODY></R><R NEWID=\"2\"><BODY>bad ".utf8)
    sgml += [0xFF, 0xFE]
    sgml += Array(" byte</BODY></R><R NEWID=\"3\"><BODY>clean too</BODY></R>".utf8)
    var csv = Array("id,text\na,fine\nb,caf".utf8)
    csv += [0xE9]
    csv += Array("\n".utf8)
    let s = try Scratch(["r.sgm": sgml, "t.csv": csv])
    defer { s.clean() }
    let (docs, warnings) = try s.read(["r.sgm", "t.csv"])
    #expect(docs.map(\.meta["invalid_bytes"]) == [nil, .integer(2), nil, nil, .integer(1)])
    #expect(warnings.count == 2)
  }

  @Test("records without text are left out with one warning a file, unless --keep-empty")
  func emptyRecords() throws {
    let index = """
      <udhrs><udhr f='007' iso639-3='cri' n='Sãotomense'/><udhr f='008' iso639-3='pov' n='Crioulo'/></udhrs>
      """
    let s = try Scratch([
      "index.xml": Array(index.utf8),
      "r.jsonl": Array("{\"text\":\"one\"}\n{\"text\":\" \"}\n".utf8),
    ])
    defer { s.clean() }
    let (docs, warnings) = try s.read(["index.xml", "r.jsonl"])
    #expect(docs.map(\.id) == ["r.jsonl#1"])
    #expect(
      warnings == [
        "all 2 records have no text (first: index.xml#Sãotomense); left out - --keep-empty keeps them",
        "1 of 2 records have no text (first: r.jsonl#2); left out - --keep-empty keeps them",
      ])
    var keep = ReaderOptions()
    keep.keepEmpty = true
    let (all, _) = try s.read(["index.xml", "r.jsonl"], keep)
    #expect(all.count == 4)
    #expect(all[0].meta["iso639-3"] == .string("cri"))
  }

  @Test("CSV columns are typed: integers, numbers, booleans, ISO dates; --types overrides")
  func csvTypes() throws {
    let csv = """
      id,score,ratio,ok,date,zip,mixed,text
      1,4,0.5,true,2024-06-27,007,3,Good film.
      2,-2,1e3,FALSE,2024-02-29T10:00:00Z,12345,x,Bad film.
      3,,,,,,,Odd one.
      """
    let s = try Scratch(["r.csv": Array(csv.utf8)])
    defer { s.clean() }
    let (docs, warnings) = try s.read(["r.csv"])
    #expect(warnings.isEmpty)
    #expect(docs[0].meta["id"] == .integer(1))
    #expect(docs[0].meta["score"] == .integer(4))
    #expect(docs[1].meta["score"] == .integer(-2))
    #expect(docs[1].meta["ratio"] == .number(1000))
    #expect(docs[1].meta["ok"] == .bool(false))
    #expect(docs[1].meta["date"] == .string("2024-02-29T10:00:00Z"))
    // A leading zero keeps the column text; a column with any text is text.
    #expect(docs[0].meta["zip"] == .string("007"))
    #expect(docs[0].meta["mixed"] == .string("3"))
    // Empty values of typed columns are missing, not "".
    #expect(docs[2].meta["score"] == nil)
    #expect(docs[2].meta["zip"] == .string(""))
    var options = ReaderOptions()
    options.columnTypes = ["score": .string, "ok": .integer]
    let (typed, problems) = try s.read(["r.csv"], options)
    #expect(typed[0].meta["score"] == .string("4"))
    #expect(typed[0].meta["ok"] == .string("true"))
    #expect(
      problems == [
        "column 'ok': 'true' is not an integer (nor are 1 more values); kept as text"
      ])
    #expect(ColumnType.infer(["2024-02-30"]) == .string)
    #expect(ColumnType.infer(["1.5", "2"]) == .number)
    #expect(ColumnType.infer(["inf", "nan"]) == .string)
    #expect(ColumnType.infer(["1,000"]) == .string)
  }

  @Test(
    "XML: the repeated element is found past the first 64 KB; a tie goes to the name seen first")
  func xmlRecordsFoundLate() throws {
    let long = "<intro>" + String(repeating: "word ", count: 20_000) + "</intro>\n"
    let late = long + "<rec n=\"1\">one</rec><rec n=\"2\">two</rec><rec n=\"3\">three</rec>"
    let tie = "<x>a</x><y>b</y><x>c</x><y>d</y>"
    let s = try Scratch(["late.xml": Array(late.utf8), "tie.xml": Array(tie.utf8)])
    defer { s.clean() }
    let (docs, _) = try s.read(["late.xml", "tie.xml"])
    #expect(docs.map(\.id) == ["late.xml#1", "late.xml#2", "late.xml#3", "tie.xml#1", "tie.xml#2"])
    #expect(docs.map(\.text) == ["one", "two", "three", "a", "c"])
  }

  @Test("gzip: a .jsonl.gz reads as its .jsonl; a truncated one is skipped with a warning")
  func gzip() throws {
    let jsonl = Array("{\"text\":\"one\"}\n{\"text\":\"two\"}\n".utf8)
    let s = try Scratch(["a.jsonl": jsonl])
    defer { s.clean() }
    let gz = Process()
    gz.executableURL = URL(fileURLWithPath: "/bin/gzip")
    gz.arguments = ["-k", s.path("a.jsonl")]
    try gz.run()
    gz.waitUntilExit()
    let zipped = try Array(Data(contentsOf: URL(fileURLWithPath: s.path("a.jsonl.gz"))))
    try s.write("cut.txt.gz", Array(zipped.prefix(zipped.count / 2)))
    // Two members back to back read as one stream.
    try s.write("twice.jsonl.gz", zipped + zipped)
    let (docs, warnings) = try s.read(["a.jsonl.gz", "cut.txt.gz", "twice.jsonl.gz"])
    #expect(docs.map(\.text) == ["one", "two", "one", "two", "one", "two"])
    #expect(docs.first?.id == "a.jsonl.gz#1")
    #expect(warnings == ["the gzip stream is truncated; skipped"])
  }

  @Test("a quoted glob names files; ids are relative to the folder before the wildcard")
  func glob() throws {
    let s = try Scratch([
      "x/page.html": Array("<p>x</p>".utf8), "y/page.html": Array("<p>y</p>".utf8),
    ])
    defer { s.clean() }
    let entries = try CorpusReader().list([s.path() + "/*/page.html"])
    #expect(entries.map(\.id) == ["x/page.html", "y/page.html"])
    #expect(entries.map(\.folder) == ["x", "y"])
    #expect(throws: CorpusError.notFound(s.path() + "/*/none.html")) {
      try CorpusReader().list([s.path() + "/*/none.html"])
    }
  }

  @Test("a JSON list of strings is a corpus; other non-objects are one warning for the file")
  func jsonStrings() throws {
    let s = try Scratch(["s.json": Array(#"["one", "two", 3, 4, null]"#.utf8)])
    defer { s.clean() }
    let (docs, warnings) = try s.read(["s.json"])
    #expect(docs.map(\.text) == ["one", "two"])
    #expect(warnings == ["not a JSON object or string; skipped (and 2 more records like it)"])
  }

  @Test(
    "shared corpora: document counts as the issue names them",
    .enabled(
      if: ["reuters21578", "readability-news", "udhr", "bbc", "novels100"].allSatisfy(hasShared),
      "needs ../shared/corpora"))
  func counts() throws {
    for (pattern, expected) in [
      ("reuters21578/*.sgm", 21_578), ("readability-news/*/source.html", 38), ("udhr/*.txt", 435),
      ("bbc", 2_225), ("novels100", 98),
    ] {
      let base = try #require(
        sharedCorpus(pattern.split(separator: "/").first.map(String.init) ?? ""))
      let path = base + pattern.drop { $0 != "/" }
      let reader = CorpusReader()
      var n = 0
      try CorpusScan.scan(try reader.list([path]), reader: reader, jobs: 2) {
        n += $0.documents.count
      }
      #expect(n == expected, "\(pattern)")
    }
  }
}
