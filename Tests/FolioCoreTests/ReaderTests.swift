import FolioCore
import Foundation
import Testing

/// A temporary folder with files, removed by `clean()`.
struct Scratch {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("folio-\(UUID())")

  init(_ files: [String: [UInt8]] = [:]) throws {
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    for (name, bytes) in files { try write(name, bytes) }
  }

  func write(_ name: String, _ bytes: [UInt8]) throws {
    let file = url.appendingPathComponent(name)
    try FileManager.default.createDirectory(
      at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: file)
  }

  func path(_ name: String = "") -> String { url.appendingPathComponent(name).path }
  func clean() { try? FileManager.default.removeItem(at: url) }

  /// Every document of `paths` (relative to the folder), with the warnings.
  func read(_ paths: [String], _ options: ReaderOptions = ReaderOptions()) throws -> (
    [Document], [String]
  ) {
    var warnings: [String] = []
    let reader = CorpusReader(options: options)
    var documents: [Document] = []
    for entry in try reader.list(paths.map { path($0) }) {
      documents += try reader.readAll(entry) { warnings.append($0.message) }
    }
    return (documents, warnings)
  }
}

/// Whether `../shared/corpora/RELATIVE` is here; the tests that need it are disabled with that
/// reason where it is not.
func hasShared(_ relative: String) -> Bool {
  var dir = URL(fileURLWithPath: #filePath)
  for _ in 0..<4 { dir.deleteLastPathComponent() }
  return FileManager.default.fileExists(
    atPath: dir.appendingPathComponent("shared/corpora/" + relative).path)
}

/// `../shared/corpora/RELATIVE`, or nil when it is absent (the test is disabled then).
func sharedCorpus(_ relative: String) -> String? {
  var dir = URL(fileURLWithPath: #filePath)
  for _ in 0..<4 { dir.deleteLastPathComponent() }
  let path = dir.appendingPathComponent("shared/corpora/" + relative).path
  return FileManager.default.fileExists(atPath: path) ? path : nil
}

@Suite("Readers: encodings") struct EncodingReaderTests {
  @Test(
    "each legacy CJK file read with --encoding equals its UTF-8 twin",
    .enabled(
      if: hasShared("messy/cjk-legacy-encodings"),
      "needs ../shared/corpora/messy/cjk-legacy-encodings"),
    arguments: [
      "big5", "big5hkscs", "cp949", "euc_jisx0213", "euc_jp", "euc_kr", "gb18030", "gb2312", "gbk",
      "hz",
      "iso2022_jp", "iso2022_kr", "johab", "shift_jis", "shift_jisx0213",
    ])
  func legacy(name: String) throws {
    let dir = try #require(sharedCorpus("messy/cjk-legacy-encodings"))
    let reader = CorpusReader(options: ReaderOptions(encoding: name))
    let entry = try #require(try reader.list([dir + "/\(name).txt"]).first)
    var warnings: [CorpusWarning] = []
    let doc = try #require(try reader.readAll(entry) { warnings.append($0) }.first)
    let twin = try String(contentsOfFile: dir + "/\(name)-utf8.txt", encoding: .utf8)
    #expect(warnings.isEmpty)
    #expect(doc.text == twin)
    #expect(doc.meta["encoding"] == .string(name))
  }

  @Test(
    "without --encoding, legacy files load with U+FFFD and a warning naming the likely encoding",
    .enabled(
      if: hasShared("messy/cjk-legacy-encodings"),
      "needs ../shared/corpora/messy/cjk-legacy-encodings"))
  func suggestion() throws {
    let dir = try #require(sharedCorpus("messy/cjk-legacy-encodings"))
    let reader = CorpusReader()
    for (file, guess) in [
      ("shift_jis.txt", "shift_jis"), ("euc_kr.txt", "euc-kr"), ("big5.txt", "big5"),
      ("gb18030.txt", "gb18030"),
    ] {
      let entry = try #require(try reader.list([dir + "/" + file]).first)
      var warnings: [String] = []
      let doc = try #require(try reader.readAll(entry) { warnings.append($0.message) }.first)
      #expect(doc.text.contains("\u{FFFD}"))
      #expect(warnings.count == 1)
      #expect(warnings.first?.hasSuffix("try --encoding \(guess)") == true, "\(file): \(warnings)")
    }
    let entry = try #require(try reader.list([dir + "/iso2022_jp.txt"]).first)
    var warnings: [String] = []
    _ = try reader.readAll(entry) { warnings.append($0.message) }
    #expect(
      warnings == ["read as UTF-8, but it has ISO-2022-JP escapes - try --encoding iso-2022-jp"])
  }

  @Test("UTF-16 with a BOM, both byte orders; an unpaired surrogate is replaced and counted")
  func utf16() throws {
    let text = "Straße 東京 😀\r\nline two"
    var le: [UInt8] = [0xFF, 0xFE]
    var be: [UInt8] = [0xFE, 0xFF]
    for unit in text.utf16 {
      le += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
      be += [UInt8(unit >> 8), UInt8(unit & 0xFF)]
    }
    let broken: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x00, 0xD8, 0x42, 0x00]
    let s = try Scratch(["le.txt": le, "be.txt": be, "broken.txt": broken])
    defer { s.clean() }
    let (docs, warnings) = try s.read(["be.txt", "broken.txt", "le.txt"])
    #expect(docs.map(\.text) == ["Straße 東京 😀\nline two", "A\u{FFFD}B", "Straße 東京 😀\nline two"])
    #expect(
      docs.map { $0.meta["encoding"] } == [
        .string("utf-16be"), .string("utf-16le"), .string("utf-16le"),
      ])
    #expect(warnings == ["1 undecodable sequence replaced by U+FFFD (first at byte 4)"])
  }

  @Test(
    "CR-only line ends, NUL bytes in text, an empty file and a 600 KB line all load; binary is skipped"
  )
  func messyBytes() throws {
    let long = Array(String(repeating: "word ", count: 120_000).utf8)
    let s = try Scratch([
      "cr.txt": Array("old\rMac\rfile".utf8),
      "nul.txt": Array(String(repeating: "text ", count: 100).utf8) + [0] + Array("more".utf8),
      "empty.txt": [],
      "long.txt": long,
      "data.txt": (0..<4096).map { UInt8($0 % 5) },
    ])
    defer { s.clean() }
    let (docs, warnings) = try s.read([""])
    #expect(docs.map(\.id) == ["cr.txt", "empty.txt", "long.txt", "nul.txt"])
    #expect(docs[0].text == "old\nMac\nfile")
    #expect(docs[1].text == "")
    #expect(docs[2].byteCount == 600_000)
    #expect(docs[3].text.hasSuffix("\0more"))
    #expect(warnings == ["looks like a binary file; skipped"])
  }

  @Test("a declared charset is honoured; a page that declares gb2312 but is UTF-8 stays UTF-8")
  func declared() throws {
    let latin =
      Array("<html><head><meta charset=\"windows-1252\"><title>Caf".utf8) + [0xE9]
      + Array("</title></head><body><p>Un caf".utf8) + [0xE9] + Array(" cr".utf8) + [0xE8]
      + Array("me, s'il vous pla".utf8) + [0xEE] + Array("t, avec du sucre.</p></body></html>".utf8)
    let liar = Array(
      "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><p>腾讯新闻：中国的新闻网站，内容丰富。</p></body></html>"
        .utf8)
    let s = try Scratch(["latin.html": latin, "liar.html": liar])
    defer { s.clean() }
    let (docs, warnings) = try s.read(["latin.html", "liar.html"])
    #expect(warnings.isEmpty)
    #expect(docs[0].text == "Un café crème, s'il vous plaît, avec du sucre.")
    #expect(docs[0].meta["title"] == .string("Café"))
    #expect(docs[0].meta["encoding"] == .string("windows-1252"))
    #expect(docs[1].text == "腾讯新闻：中国的新闻网站，内容丰富。")
    #expect(docs[1].meta["encoding"] == nil)
    #expect(docs[1].meta["declared_encoding"] == .string("gb2312"))
  }
}
