import FolioCore
import Foundation
import Testing

@Suite("Decoding") struct DecodingTests {
  @Test("a BOM is removed and CRLF and CR become LF")
  func bomAndNewlines() {
    let d = TextDecoder.decode([0xEF, 0xBB, 0xBF] + Array("a\r\nb\rc\n\r\n".utf8))
    #expect(d.text == "a\nb\nc\n\n")
    #expect(d.invalidSequences == 0)
  }

  @Test("invalid UTF-8 is replaced by U+FFFD and counted, with the first offset")
  func invalidBytes() {
    let d = TextDecoder.decode(Array("£5 ".utf8) + [0xA3] + Array("10 ".utf8) + [0xC3] + [0x28])
    #expect(d.text == "£5 \u{FFFD}10 \u{FFFD}(")
    #expect(d.invalidSequences == 2)
    #expect(d.firstInvalidOffset == 4)
  }

  @Test(
    "invalid bytes next to CR, LF and CRLF: U+FFFD for each ill-formed sequence, CR and CRLF to LF")
  func invalidBytesAndNewlines() {
    // The reference: Swift's own replacement of ill-formed sequences, then CR and CRLF to LF
    // (U+FFFD is neither, so a CR before an invalid byte ends its line there).
    func reference(_ bytes: [UInt8]) -> (String, Int) {
      let replaced = Array(String(decoding: bytes, as: UTF8.self).utf8)
      var out: [UInt8] = []
      var previousCR = false
      for c in replaced {
        if c == 0x0D {
          out.append(0x0A)
        } else if !(c == 0x0A && previousCR) {
          out.append(c)
        }
        previousCR = c == 0x0D
      }
      let text = String(decoding: out, as: UTF8.self)
      return (text, text.unicodeScalars.filter { $0 == "\u{FFFD}" }.count)
    }
    let pieces: [[UInt8]] = [
      [0x61], [0x0D], [0x0A], [0x0D, 0x0A], [0xFF], [0xC3], [0xC3, 0xA9], [0xE2, 0x82], [0x20],
      // Three bytes of a four-byte sequence: its U+FFFD is as long as they are.
      [0xF0, 0x9F, 0x98],
    ]
    var state: UInt64 = 5
    for round in 0..<3_300 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      // Long inputs too: a text with many non-ASCII runs is made in one piece past 64 runs.
      let n = round < 3_000 ? Int(state >> 59) : Int(state >> 52)
      var bytes: [UInt8] = []
      for _ in 0..<n {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        bytes += pieces[Int(state >> 33) % pieces.count]
      }
      let d = TextDecoder.decode(bytes)
      let (text, replaced) = reference(bytes)
      #expect(d.text == text, "\(bytes)")
      #expect(d.invalidSequences == replaced, "\(bytes)")
    }
  }

  @Test("binary files are recognised; text with a stray NUL is not")
  func binary() {
    let binary: [UInt8] = (0..<2000).map { UInt8($0 % 7) }
    #expect(binary.withUnsafeBytes { TextDecoder.looksBinary($0) })
    let text = Array(String(repeating: "plain words ", count: 200).utf8) + [0] + Array("end".utf8)
    #expect(!text.withUnsafeBytes { TextDecoder.looksBinary($0) })
  }
}

@Suite("Tokens") struct TokenizerTests {
  func tokens(_ s: String) -> [String] {
    let bytes = Array(s.utf8)
    return Tokenizer.tokenize(s).map {
      String(decoding: bytes[Int($0.start)..<Int($0.end)], as: UTF8.self) + "/" + $0.kind.name
    }
  }

  @Test(
    "words, numbers and punctuation",
    arguments: [
      (
        "Kolokoltsev’s arrival, 2024-06-27.",
        [
          "Kolokoltsev’s/word", "arrival/word", ",/punct", "2024/number", "-/punct", "06/number",
          "-/punct", "27/number", "./punct",
        ]
      ),
      (
        "U.S. pays $3.5 bn (1,200 jobs)",
        [
          "U.S/word", "./punct", "pays/word", "$/symbol", "3.5/number", "bn/word", "(/punct",
          "1,200/number", "jobs/word", ")/punct",
        ]
      ),
      ("don't co-operate", ["don't/word", "co/word", "-/punct", "operate/word"]),
      ("北京欢迎你 café", ["北/word", "京/word", "欢/word", "迎/word", "你/word", "café/word"]),
      (
        "hi 👍🏽 👨‍👩‍👧 🇺🇦! © ™",
        ["hi/word", "👍🏽/emoji", "👨‍👩‍👧/emoji", "🇺🇦/emoji", "!/punct", "©/symbol", "™/symbol"]
      ),
      ("", []),
      (
        "See https://example.com/a_(b)?q=1. Or www.bbc.co.uk/news, (http://x.org/y).",
        [
          "See/word", "https://example.com/a_(b)?q=1/url", "./punct", "Or/word",
          "www.bbc.co.uk/news/url", ",/punct", "(/punct", "http://x.org/y/url", ")/punct",
          "./punct",
        ]
      ),
      (
        "HTTP://X.ORG and FTP://f.org/a or Www.a.com, hTtPs://b.c then www and http: ftp wwwx",
        [
          "HTTP://X.ORG/url", "and/word", "FTP://f.org/a/url", "or/word", "Www.a.com/url",
          ",/punct", "hTtPs://b.c/url", "then/word", "www/word", "and/word", "http/word",
          ":/punct", "ftp/word", "wwwx/word",
        ]
      ),
      (
        "Mail ann.lee+news@mail.example.co.uk or @ann_lee about #Brexit, #1 and a@b.",
        [
          "Mail/word", "ann.lee+news@mail.example.co.uk/email", "or/word", "@ann_lee/handle",
          "about/word", "#Brexit/hashtag", ",/punct", "#/punct", "1/number", "and/word", "a/word",
          "@/punct", "b/word", "./punct",
        ]
      ),
      (
        "カタカナ ひらがな 3rd mp3 a_b",
        ["カタカナ/word", "ひ/word", "ら/word", "が/word", "な/word", "3rd/word", "mp3/word", "a_b/word"]
      ),
      ("สวัสดีครับ", ["ส/word", "วั/word", "ส/word", "ดี/word", "ค/word", "รั/word", "บ/word"]),
      ("שלום עולם ٣٤ Ελλάδα", ["שלום/word", "עולם/word", "٣٤/number", "Ελλάδα/word"]),
    ])
  func kinds(text: String, expected: [String]) {
    #expect(tokens(text) == expected)
  }
}

@Suite("Documents") struct DocumentTests {
  @Test("a cut shifts later spans, drops spans inside it and shrinks spans across it")
  func cut() {
    let doc = Document(id: "d", text: "date 2024-06-27 Russia asked the UN.")
    doc.add(Span(start: 16, end: 22, label: "GPE"), to: "entity")  // Russia
    doc.add(Span(start: 5, end: 15), to: "date")  // 2024-06-27
    doc.add(Span(start: 0, end: 22), to: "all")
    doc.cut(0..<16)
    #expect(doc.text == "Russia asked the UN.")
    #expect(doc.layer("entity")?.spans == [Span(start: 0, end: 6, label: "GPE")])
    #expect(doc.layer("date")?.spans == [])
    #expect(doc.layer("all")?.spans == [Span(start: 0, end: 6)])
    #expect(doc.tokens.count == 5)
  }

  @Test("spans are kept in text order")
  func order() {
    var layer = Layer(name: "x")
    layer.add(Span(start: 5, end: 9))
    layer.add(Span(start: 1, end: 3))
    layer.add(Span(start: 5, end: 7))
    #expect(layer.spans.map { [$0.start, $0.end] } == [[1, 3], [5, 7], [5, 9]])
  }
}

@Suite("Corpus reader") struct CorpusReaderTests {
  static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../shared/corpora").standardizedFileURL

  @Test("folders are read recursively in sorted order with path, folder and bytes")
  func folders() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("folio-\(UUID())")
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("b"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("a"), withIntermediateDirectories: true)
    try Data("two".utf8).write(to: dir.appendingPathComponent("b/2.txt"))
    try Data("one\r\n".utf8).write(to: dir.appendingPathComponent("a/1.txt"))
    try Data("skip".utf8).write(to: dir.appendingPathComponent("a/x.bin"))
    defer { try? FileManager.default.removeItem(at: dir) }
    let reader = CorpusReader()
    let entries = try reader.list([dir.path])
    #expect(entries.map(\.id) == ["a/1.txt", "b/2.txt"])
    let doc = try #require(try reader.readAll(entries[0]) { _ in }.first)
    #expect(doc.text == "one\n")
    #expect(doc.meta["path"] == .string("a/1.txt"))
    #expect(doc.meta["folder"] == .string("a"))
    #expect(doc.meta["bytes"] == .integer(5))
  }

  @Test(
    "README, LICENSE and COPYING files are documentation, not documents; Shaw_Licence_1901 is",
    arguments: [
      ("README.md", true), ("UPSTREAM-README.md", true), ("LICENSE.txt", true),
      ("readme.txt", true),
      ("COPYING", true), ("Dickens_Bleak_1853.txt", false), ("READMEANDWEEP.txt", false),
      ("my_ReadMe-notes.MD", false), ("Licence", true), ("licensed.txt", false),
      ("", false), ("-readme.txt", true), ("readme-", true), ("xreadme", false),
      ("notes.readme", false), ("a__copying__b", false), ("Shaw_Licence_1901.txt", false),
      ("LICENSE-MIT.txt", true), ("my_readme.txt", true),
    ])
  func documentation(name: String, skipped: Bool) {
    #expect(CorpusReader.isDocumentation(name) == skipped)
  }

  @Test(
    "the extension that decides the format ignores case and a .gz after it",
    arguments: [
      ("a.txt", "txt"), ("A.TXT.GZ", "txt"), ("notes.Md", "md"), ("x.gz", "gz"), ("README", ""),
      ("a.b.JsonL.gz", "jsonl"), ("été.HTML", "html"), ("x.NDJSON", "ndjson"), ("x.xhtml", "xhtml"),
      ("x.sgmlx", "sgmlx"), ("a.", ""), ("a.textfile", "textfile"), ("a.tx", "tx"),
    ])
  func formatExtension(name: String, ext: String) {
    #expect(CorpusReader.formatExtension(name) == ext)
    #expect(CorpusReader.hasTextExtension(name) == CorpusReader.textExtensions.contains(ext))
    #expect(CorpusReader.hasGzipSuffix(name) == name.lowercased().hasSuffix(".gz"))
  }

  @Test("a missing path is an error naming it")
  func missing() {
    #expect(throws: CorpusError.notFound("/no/such/corpus")) {
      try CorpusReader().list(["/no/such/corpus"])
    }
  }

  @Test("the BBC file with a Latin-1 byte loads with one warning naming it")
  func bbcInvalidByte() throws {
    let path = Self.shared.appendingPathComponent("bbc/sport/199.txt").path
    guard FileManager.default.fileExists(atPath: path) else {
      print("skipped: ../shared/corpora is absent")
      return
    }
    var warnings: [CorpusWarning] = []
    let entries = try CorpusReader().list([path])
    let doc = try #require(try CorpusReader().readAll(entries[0]) { warnings.append($0) }.first)
    #expect(warnings.count == 1)
    #expect(
      warnings.first?.message
        == "1 invalid UTF-8 sequence replaced by U+FFFD (first at byte 257) - it reads cleanly as windows-1252: try --encoding windows-1252"
    )
    #expect(doc.meta["invalid_bytes"] == .integer(1))
    #expect(doc.text.contains("\u{FFFD}"))
  }
}

@Suite("Counting") struct CountingTests {
  @Test(
    "top(n) equals the sorted prefix, for small and large n", arguments: [0, 1, 3, 10, 50, 100])
  func top(limit: Int) {
    var rng = SystemRandomNumberGenerator()
    let values = (0..<100).map { _ in Int.random(in: 0..<20, using: &rng) }
    let pairs = values.enumerated().map { ($0.offset, $0.element) }
    func before(_ a: (Int, Int), _ b: (Int, Int)) -> Bool { a.1 != b.1 ? a.1 > b.1 : a.0 < b.0 }
    #expect(
      pairs.top(limit, by: before).map(\.0)
        == Array(pairs.sorted(by: before).prefix(limit)).map(\.0))
  }

  @Test("a counter counts, lowercases, merges and travels as bytes")
  func counter() {
    let a = Counter()
    for word in ["The", "the", "THE", "cat", "Éclair", "éclair"] {
      var w = word
      w.withUTF8 { a.add($0.baseAddress!, $0.count, lower: true) }
    }
    let b = Counter()
    a.encoded().withUnsafeBytes { #expect(b.merge(encoded: $0)) }
    b.merge(a)
    let ranked = b.ranked(limit: 10).map { k in
      b.withKey(k) { String(decoding: $0, as: UTF8.self) } + "=\(b.count(at: k))"
    }
    #expect(ranked == ["the=6", "éclair=4", "cat=2"])
    #expect(b.total == 12)
    #expect(!b.merge(encoded: UnsafeRawBufferPointer(start: nil, count: 0)))
    b.merge(b)  // with itself: every count doubles
    #expect(b.ranked(limit: 1).map { b.count(at: $0) } == [12])
    #expect(b.total == 24)
  }

  @Test(
    "a counter agrees with a dictionary: short and long keys, word loads and byte loops, growth")
  func counterAgainstDictionary() {
    // Keys of 0 to 12 bytes from letters of both cases, '@', '[', '`', '{', digits and 'É', read
    // from a buffer with bytes after them (the 8-byte word load) and without (the byte loop).
    let letters = Array("aZqQ@[`{09É")
    var state: UInt64 = 7
    func next(_ n: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(n))
    }
    let counter = Counter(capacity: 16)
    var expected: [String: Int] = [:]
    for round in 0..<20_000 {
      let word = String((0..<next(13)).map { _ in letters[next(letters.count)] })
      expected[word.lowercased(), default: 0] += 1
      var padded = word + "XXXXXXXX"
      let n = word.utf8.count
      padded.withUTF8 { b in
        counter.add(b.baseAddress!, n, lower: true, readable: round % 2 == 0 ? b.count : 0)
      }
    }
    var got: [String: Int] = [:]
    for k in 0..<counter.count {
      got[counter.withKey(k) { String(decoding: $0, as: UTF8.self) }] = counter.count(at: k)
    }
    #expect(got == expected)
    #expect(counter.total == 20_000)
    // Merged into small counters (their tables made large enough at once), as a counter and
    // as the bytes it travels as: the same keys, order and counts.
    let merged = Counter(capacity: 16)
    merged.merge(counter)
    let decoded = Counter(capacity: 16)
    counter.encoded().withUnsafeBytes { #expect(decoded.merge(encoded: $0)) }
    #expect(merged.encoded() == counter.encoded())
    #expect(decoded.encoded() == counter.encoded())
    for k in 0..<counter.count {
      counter.withKey(k) { key in
        #expect(decoded.index(of: key.baseAddress!, key.count, lower: false) == k)
      }
    }
    var probe = "ZZQ@XXXXXXXX"
    probe.withUTF8 { b in
      #expect(
        counter.index(of: b.baseAddress!, 4, lower: true, readable: b.count)
          == counter.index(of: b.baseAddress!, 4, lower: true))
    }
  }

  @Test(
    "counting a document's tokens ahead (prefetched) gives the keys, order and counts of adding them one by one"
  )
  func tokensAhead() {
    // Words of many shapes, with a non-ASCII word now and then (counted through Unicode case
    // mapping, in its place in the order), enough distinct ones for the table to grow.
    let shapes = ["the", "The", "Straße", "STRASSE", "naïve", "x", "encyclopaedias", "É", "42"]
    var state: UInt64 = 11
    func next(_ n: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(n))
    }
    var words: [String] = []
    for _ in 0..<30_000 {
      let shape = shapes[next(shapes.count)]
      words.append(next(3) == 0 ? shape + String(next(5_000)) + "w" : shape)
    }
    let doc = Document(id: "d", text: words.joined(separator: " ") + ", the end.")
    for lower in [true, false] {
      for kinds: Set<TokenKind> in [[.word], [.word, .number, .punct]] {
        let ahead = Counter(capacity: 16)
        doc.addTokens(to: ahead, kinds: kinds, lower: lower)
        let one = Counter(capacity: 16)
        var text = doc.text
        text.withUTF8 { b in
          for t in doc.tokens where kinds.contains(t.kind) {
            let n = Int(t.end - t.start)
            one.add(b.baseAddress! + Int(t.start), n, lower: lower)
          }
        }
        #expect(ahead.count > 5_000)
        #expect(ahead.total == one.total)
        #expect(ahead.encoded() == one.encoded(), "lower \(lower), kinds \(kinds)")
      }
    }
  }

  @Test(
    "counting straight from the tokenizer gives the keys, order and counts of counting its tokens"
  )
  func countingFromTheTokenizer() {
    // Words, numbers, URLs, e-mails, handles and hashtags (the '@' and '#' texts take the
    // other path), CJK and emoji, enough distinct words for the table to grow.
    let shapes = [
      "the", "The", "Straße", "naïve", "3.14", "1,000", "don't", "U.S.A.", "https://x.org/a?b=1",
      "東京で", "👍🏽", "--", "é", "ＡＢＣ",
    ]
    let social = ["@folio", "#tag", "ann@example.org"]
    var state: UInt64 = 17
    func next(_ n: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(n))
    }
    for round in 0..<40 {
      var words: [String] = []
      for _ in 0..<(round == 0 ? 40_000 : 300) {
        let shape = shapes[next(shapes.count)]
        words.append(next(3) == 0 ? shape + String(next(5_000)) : shape)
        if round % 2 == 1 && next(50) == 0 { words.append(social[next(social.count)]) }
      }
      var text = words.joined(separator: next(2) == 0 ? " " : ",\n")
      let tokens = Tokenizer.tokenize(text)
      for lower in [true, false] {
        for kinds: Set<TokenKind> in [[.word], [.word, .number, .url, .handle, .email, .emoji]] {
          let mask = kinds.reduce(0 as UInt32) { $0 | 1 << $1.rawValue }
          let direct = Counter(capacity: 16)
          let counted = Counter(capacity: 16)
          text.withUTF8 { b in
            direct.add(text: b, mask: mask, lower: lower)
            tokens.withUnsafeBufferPointer {
              counted.add(tokens: $0, mask: mask, in: b, lower: lower)
            }
          }
          #expect(direct.total == counted.total)
          #expect(direct.encoded() == counted.encoded(), "round \(round), lower \(lower)")
        }
      }
    }
  }
}

@Suite("CSV") struct CSVTests {
  @Test("RFC 4180: quoted separators, doubled quotes, line breaks in fields, CRLF")
  func rfc4180() throws {
    let records = CSVParser.parse(
      "id,text\r\n1,\"a, \"\"b\"\"\"\r\n2,\"two\nlines\"\n\n3,plain")
    #expect(
      records.map(\.fields) == [
        ["id", "text"], ["1", "a, \"b\""], ["2", "two\nlines"], ["3", "plain"],
      ])
    #expect(records.map(\.line) == [1, 2, 3, 6])
  }

  @Test("tabs, empty fields, and an unclosed quote reported with its line")
  func tabsAndErrors() throws {
    #expect(CSVParser.parse("a\t\tc\n", separator: 0x09).map(\.fields) == [["a", "", "c"]])
    var problems: [CSVParser.BadQuote] = []
    #expect(
      CSVParser.parse("x\n\"open\ny\n", problems: &problems).map(\.fields) == [
        ["x"], ["\"open"], ["y"],
      ])
    #expect(problems == [CSVParser.BadQuote(line: 2, closedAt: nil)])
    // A quote closed rows later with text after it swallowed the rows between: they come back.
    problems = []
    let rows = CSVParser.parse("id,text\n1,\"hello\n2,world\n3,\"ok\"\n", problems: &problems)
    #expect(
      rows.map(\.fields) == [["id", "text"], ["1", "\"hello"], ["2", "world"], ["3", "ok"]])
    #expect(rows.map(\.line) == [1, 2, 3, 4])
    #expect(problems == [CSVParser.BadQuote(line: 2, closedAt: 4)])
  }
}
