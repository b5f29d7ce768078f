import Foundation
import Testing

/// How runs stop and clean up (issue #19): --fail-fast, the early stop on a repeated failure,
/// SIGTERM, leftovers of killed runs, outputs that cannot be written.
@Suite("runs stop and clean up", .serialized) struct RunSafetyTests {
  /// A tagger that spends `seconds` on each document, then fails (or not).
  static func slowPlugin(seconds: Double, fails: Bool) -> [String: String] {
    var files: [String: String] = [
      "slow/plugin.toml": """
      name = "slow"
      version = "1.0.0"
      kind = "tagger"
      summary = "spends time on each document"
      writes = ["x"]
      """,
      "slow/init.lua": """
      local M = {}
      function M.tag(doc, ctx)
        local t = os.clock()
        while os.clock() - t < \(seconds) do end
        \(fails ? "error(\"boom\", 0)" : "")
      end
      return M
      """,
    ]
    for i in 1...30 { files["corpus/d\(i).txt"] = "Document \(i) of the corpus." }
    return files
  }

  @Test("--fail-fast stops at the first failed document, not after every chunk")
  func failFast() throws {
    let dir = try CLI.workspace(Self.slowPlugin(seconds: 0.2, fails: true))
    defer { try? FileManager.default.removeItem(at: dir) }
    let start = Date()
    let r = try CLI.run(["run", "corpus", "-p", "./slow", "--fail-fast", "-j", "1"], in: dir)
    #expect(r.status == 65)
    #expect(
      r.stderr
        == "Error: plugin 'slow': boom - while tagging document d1.txt\nHelp: the run stopped at the first failure (--fail-fast)\n"
    )
    // 31 documents at 0.2 s: the whole run would take 6 s.
    #expect(Date().timeIntervalSince(start) < 2.5)
  }

  @Test("a run whose first 10 documents fail the same way stops, with one message")
  func earlyStop() throws {
    let dir = try CLI.workspace(Self.slowPlugin(seconds: 0, fails: true))
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "./slow", "-j", "1", "-q"], in: dir)
    #expect(r.status == 65)
    #expect(
      r.stderr
        == """
        Error: plugin 'slow': boom - while tagging document d1.txt
        Error: the first 10 documents all failed with the same error, so the run stopped: plugin 'slow': boom
        Help: fix the plugin and run again; --stop-after 0 goes on whatever fails

        """)
    let all = try CLI.run(
      ["run", "corpus", "-p", "./slow", "-j", "1", "--stop-after", "0"], in: dir)
    #expect(all.status == 65)
    #expect(all.stderr.contains("(the same error happened in 30 more documents"))
    #expect(all.stderr.contains("31 failed"))
  }

  /// Starts `folio run` on the slow plugin writing documents to `out.jsonl`; returns once its
  /// temporary output file exists.
  func startSlowRun(in dir: URL) throws -> Process {
    let p = Process()
    p.executableURL = CLI.binary
    p.arguments = ["run", "corpus", "-p", "./slow", "-o", "out/out.jsonl", "-j", "1", "-q"]
    p.currentDirectoryURL = dir
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    // The run's own temporary file: the one still there 150 ms later (the check of the outputs
    // before the run makes and removes one of its own at once).
    let out = dir.appendingPathComponent("out")
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
      let seen = temporaries(in: out)
      if !seen.isEmpty {
        usleep(150_000)
        if temporaries(in: out) == seen { break }
      } else {
        usleep(20_000)
      }
    }
    return p
  }

  func temporaries(in dir: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter {
      $0.contains(".folio-")
    }
  }

  @Test("SIGTERM stops a run as Ctrl-C does: no output, no temporary file")
  func sigterm() throws {
    let dir = try CLI.workspace(Self.slowPlugin(seconds: 0.3, fails: false))
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
    let p = try startSlowRun(in: dir)
    #expect(temporaries(in: dir.appendingPathComponent("out")).count == 1)
    p.terminate()  // SIGTERM
    p.waitUntilExit()
    #expect(p.terminationReason == .exit)
    #expect(p.terminationStatus == 130)
    #expect(temporaries(in: dir.appendingPathComponent("out")).isEmpty)
    #expect(
      !FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/out.jsonl").path))
  }

  @Test("the temporary file of a killed run is removed by the next run into that folder")
  func leftovers() throws {
    let dir = try CLI.workspace(Self.slowPlugin(seconds: 0.3, fails: false))
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let p = try startSlowRun(in: dir)
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    let left = temporaries(in: out)
    try #require(left.count == 1)
    // The next run into the folder removes it, and keeps its own while it writes.
    let live = try startSlowRun(in: dir)
    let deadline = Date().addingTimeInterval(20)
    while (temporaries(in: out).contains(left[0]) || temporaries(in: out).isEmpty)
      && Date() < deadline
    {
      usleep(20_000)
    }
    // The output check before the run makes and removes a temporary file of its own: the
    // run's is the one that stays.
    var own = temporaries(in: out)
    var seen = 0
    while seen < 5, Date() < deadline {
      usleep(50_000)
      let now = temporaries(in: out)
      seen = now == own && !now.isEmpty ? seen + 1 : 0
      own = now
    }
    #expect(own.count == 1 && !own.contains(left[0]), "\(own)")
    // A third run into the folder leaves the live run's temporary file alone.
    let r = try CLI.run(
      ["run", "corpus", "-p", "wordfreq:top=1", "-o", "out/words.tsv", "-q"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(temporaries(in: out) == own)
    live.terminate()
    live.waitUntilExit()
    #expect(temporaries(in: out).isEmpty)
  }

  @Test(
    "an output that cannot be written is refused before the run",
    arguments: [
      (
        "/dev/full",
        "Error: cannot write /dev/full: No space left on device - while checking the outputs"
      ),
      (
        "missing/out.tsv",
        "Error: cannot write missing/out.tsv: No such file or directory - while checking the outputs"
      ),
    ])
  func unwritableOutput(path: String, expected: String) throws {
    let dir = try CLI.workspace(Self.slowPlugin(seconds: 1, fails: false))
    defer { try? FileManager.default.removeItem(at: dir) }
    let start = Date()
    let r = try CLI.run(["run", "corpus", "-p", "./slow", "-p", "wordfreq", "-o", path], in: dir)
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix(expected), "\(r.stderr)")
    #expect(Date().timeIntervalSince(start) < 5)
  }

  @Test("two reports are refused one CSV file, with a hint, and nothing is written")
  func twoReportsOneCSV() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(
      ["run", "corpus", "-p", "wordfreq", "-p", "ngrams:min=1", "-o", "both.csv", "-q"], in: dir)
    #expect(r.status == 64)
    #expect(
      r.stderr
        == "Error: 2 reports cannot share one CSV file - while writing the reports\nHelp: run each report on its own with -o NAME.csv, or write them together as TSV, Markdown, HTML or JSON\n"
    )
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("both.csv").path))
    let one = try CLI.run(
      ["run", "corpus", "-p", "wordfreq:top=1", "-o", "one.csv", "-q"], in: dir)
    #expect(one.status == 0)
  }
}
