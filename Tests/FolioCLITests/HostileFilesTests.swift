import Foundation
import Testing

/// Hostile corpus files (issue #19): each is refused or read with a clear message, quickly, in
/// bounded memory, and the rest of the corpus is read.
@Suite("hostile files", .serialized) struct HostileFilesTests {
  /// Runs `sh -c script` in `dir`.
  func shell(_ script: String, in dir: URL) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", script]
    p.currentDirectoryURL = dir
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "\(script)")
  }

  @Test("a gzip bomb is refused at once; one past --max-document-size too")
  func gzipBomb() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    // 256 MiB of zeros in 256 KB: the guard stops at 16 MiB, long before.
    try shell("head -c 268435456 /dev/zero | gzip -1 > corpus/bomb.txt.gz", in: dir)
    let start = Date()
    let r = try CLI.run(["corpus", "info", "corpus"], in: dir)
    #expect(r.status == 0)
    #expect(
      r.stdout.contains(
        "corpus/bomb.txt.gz: it expands more than 100 times (16 MiB from "),
      "\(r.stdout)")
    #expect(r.stdout.contains("documents  1\n"))
    #expect(Date().timeIntervalSince(start) < 5)
    // Text that compresses as text does, past a limit of 1 MiB.
    try shell(
      "rm corpus/bomb.txt.gz; seq 1 400000 | gzip -1 > corpus/numbers.txt.gz", in: dir)
    let limited = try CLI.run(
      ["corpus", "info", "corpus", "--max-document-size", "1"], in: dir)
    #expect(
      limited.stdout.contains(
        "corpus/numbers.txt.gz: it expands past 1 MiB, the most a document may have (--max-document-size); skipped"
      ), "\(limited.stdout)")
    let read = try CLI.run(["corpus", "info", "corpus"], in: dir)
    #expect(read.stdout.contains("documents  2\n"), "\(read.stdout)")
    let bad = try CLI.run(["corpus", "info", "corpus", "--max-document-size", "4096"], in: dir)
    #expect(bad.status == 64)
    #expect(bad.stderr.hasPrefix("Error: --max-document-size must be 1 to 2047 (MiB), got 4096"))
  }

  @Test("HTML nested 100,000 deep is read in linear time")
  func deepHTML() throws {
    let n = 100_000
    let page =
      "<html><body>" + String(repeating: "<div>", count: n) + "deep text"
      + String(repeating: "</div>", count: n) + String(repeating: "<p>x", count: n)
      + "</body></html>"
    let dir = try CLI.workspace(["corpus/deep.html": page])
    defer { try? FileManager.default.removeItem(at: dir) }
    let start = Date()
    let r = try CLI.run(["corpus", "info", "corpus/deep.html"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("documents  1\n"))
    // The debug build; the release build reads it in about 0.5 s.
    #expect(Date().timeIntervalSince(start) < 30)
  }

  @Test("a crafted state file is refused without a large allocation")
  func craftedState() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let meta =
      #"{"shard":[1,1],"plugins":[{"target":"wordfreq","name":"wordfreq","version":"1.1.0","options":[]}],"reports":[true],"counts":{"read":1,"kept":1,"dropped":0,"failed":0}}"#
    // Two nested tables, each claiming 2^26 - 1 array and hash entries, in 19 bytes.
    var body: [UInt8] = []
    for _ in 0..<2 {
      body.append(0x7B)
      withUnsafeBytes(of: UInt32(0x3FF_FFFF).littleEndian) { body += $0 }
      withUnsafeBytes(of: UInt32(0x3FF_FFFF).littleEndian) { body += $0 }
    }
    let file = Array("FOLIO-STATE 1\n\(meta)\n\(body.count)\n".utf8) + body
    try Data(file).write(to: dir.appendingPathComponent("crafted.state"))
    let huge = Array("FOLIO-STATE 1\n\(meta)\n9223372036854775807\nx".utf8)
    try Data(huge).write(to: dir.appendingPathComponent("huge.state"))
    let r = try CLI.run(
      ["-c", "ulimit -v 1000000; exec \(CLI.binary.path) merge crafted.state"], in: dir,
      executable: "/bin/sh")
    #expect(r.stderr.contains("a copied state is truncated"), "\(r.stderr)")
    let h = try CLI.run(["merge", "huge.state"], in: dir)
    #expect(h.status == 65)
    #expect(h.stderr.hasPrefix("Error: huge.state is not a Folio state file (truncated)"))
  }

  @Test("a symbolic-link loop is read once, with a warning for each folder seen again")
  func linkLoop() throws {
    let dir = try CLI.workspace(["corpus/a/x.txt": "inside the loop"])
    defer { try? FileManager.default.removeItem(at: dir) }
    try shell("ln -s .. corpus/a/up && ln -s ../a corpus/a/same", in: dir)
    let r = try CLI.run(["run", "corpus", "-p", "wordfreq:top=1", "-q"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(
      r.stderr
        == "Warning: corpus: a/same is the folder a again (a symbolic link); read once\nWarning: corpus: a/up is the folder of the corpus again (a symbolic link); read once\n"
    )
    #expect(r.stdout.hasPrefix("rank\tword\tcount\tper_million\n1\tthe\t2\t"), "\(r.stdout)")
  }

  @Test("a file name that is not UTF-8 is read and shown escaped")
  func invalidName() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    try shell("printf 'caf\\351 au lait' > \"corpus/caf$(printf '\\351').txt\"", in: dir)
    let r = try CLI.run(["corpus", "info", "corpus"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("documents  2\n"))
    #expect(r.stdout.contains("corpus/caf\\xE9.txt: 1 invalid UTF-8 sequence"), "\(r.stdout)")
    let ids = try CLI.run(
      ["corpus", "export", "corpus", "--to", "jsonl", "-o", "/dev/stdout"], in: dir)
    #expect(ids.stdout.contains(#""id":"caf\\xE9.txt""#), "\(ids.stdout)")
  }

  @Test("a CSV row with an unbalanced quote is reported and the rows after it are kept")
  func csvQuote() throws {
    let dir = try CLI.workspace([
      "rows/a.csv": "id,text\n1,\"hello\n2,world\n3,\"ok\"\n"
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "rows", "-p", "wordfreq", "-q"], in: dir)
    #expect(r.status == 0)
    #expect(
      r.stderr
        == "Warning: rows/a.csv:2: a quote opens a field here and closes on line 4 with text after it; read with the quote as text\n"
    )
    #expect(r.stdout.contains("\tworld\t1\t"))
    let info = try CLI.run(["corpus", "info", "rows"], in: dir)
    #expect(info.stdout.contains("documents  3\n"))
    #expect(info.stdout.contains("decoding and reading problems: 1\n"))
  }

  @Test("only documentation at the top of a folder is left out, with a warning")
  func documentation() throws {
    let dir = try CLI.workspace([
      "corpus/README.md": "About this corpus.",
      "corpus/LICENSE-MIT.txt": "Permission is granted.",
      "corpus/Shaw_Licence_1901.txt": "A licence to sell spirits.",
      "corpus/sub/README.txt": "A document that happens to be called readme.",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(
      ["corpus", "export", "corpus", "--to", "jsonl", "-o", "/dev/stdout"], in: dir)
    #expect(
      r.stderr.hasPrefix(
        "Warning: corpus: left out LICENSE-MIT.txt, README.md: documentation, not documents (--keep-docs reads them)\n"
      ), "\(r.stderr)")
    let ids = r.stdout.split(separator: "\n").compactMap { line in
      line.range(of: #""id":"[^"]+""#, options: .regularExpression).map {
        String(line[$0].dropFirst(6).dropLast())
      }
    }
    #expect(ids == ["Shaw_Licence_1901.txt", "one.txt", "sub/README.txt"])
    let all = try CLI.run(
      ["corpus", "export", "corpus", "--keep-docs", "--to", "jsonl", "-o", "/dev/stdout"], in: dir)
    #expect(!all.stderr.contains("left out"))
    #expect(all.stdout.contains(#""id":"README.md""#))
  }
}
