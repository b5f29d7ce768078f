import Foundation
import Testing

/// Interrupts, progress, standard input: more of the engine suite (`.serialized` holds for these too).
extension EngineTests {
  @Test("Ctrl-C stops the workers within a second, exits 130 and writes no output")
  func interrupt() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "More text.",
      "spin.lua":
        "local M = {}\nfunction M.tag(doc)\n  print('spinning')\n  while true do end\nend\nreturn M\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let process = Process()
    process.executableURL = CLI.binary
    process.arguments = [
      "run", "corpus", "-p", "spin.lua", "-o", "out.jsonl", "-j", "2", "--max-instructions", "0",
      "--timeout", "0",
    ]
    process.currentDirectoryURL = dir
    let err = Pipe()
    process.standardError = err
    process.standardOutput = Pipe()
    try process.run()
    // Wait until a plugin runs (it prints to stderr), then press Ctrl-C.
    var stderr = ""
    let handle = err.fileHandleForReading
    while !stderr.contains("spinning") {
      let chunk = handle.availableData
      if chunk.isEmpty { break }
      stderr += String(decoding: chunk, as: UTF8.self)
    }
    let elapsed = Self.interrupt(process)
    stderr += String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 130)
    #expect(elapsed < 1.0)
    #expect(stderr.contains("interrupted, no output written"))
    #expect(leftovers(dir, expected: ["corpus", "spin.lua"]) == [])
  }

  /// Presses Ctrl-C (SIGINT) and waits up to 10 s for the process to end (then kills it);
  /// returns how long it took.
  static func interrupt(_ process: Process) -> TimeInterval {
    let sent = Date()
    kill(process.processIdentifier, SIGINT)
    while process.isRunning, Date().timeIntervalSince(sent) < 10 { usleep(10_000) }
    let elapsed = Date().timeIntervalSince(sent)
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return elapsed
  }

  @Test("Ctrl-C while standard input is quiet stops the run within a second")
  func interruptWaitingInput() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let process = Process()
    process.executableURL = CLI.binary
    process.arguments = ["run", "-", "-p", "wordfreq", "-o", "words.tsv"]
    process.currentDirectoryURL = dir
    let input = Pipe()
    let err = Pipe()
    process.standardInput = input
    process.standardError = err
    process.standardOutput = Pipe()
    try process.run()
    // One record, then nothing more for as long as the pipe stays open.
    input.fileHandleForWriting.write(Data("{\"text\":\"one\"}\n".utf8))
    usleep(500_000)
    let elapsed = Self.interrupt(process)
    try? input.fileHandleForWriting.close()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 130)
    #expect(elapsed < 1.0)
    #expect(stderr.contains("interrupted, no output written"))
    #expect(leftovers(dir, expected: ["corpus"]) == [])
  }

  @Test("on a terminal, a progress line shows after a second and is erased; never otherwise")
  func progressLine() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "More text.",
      "corpus/three.txt": "Last text.",
      "slow.lua": """
      local M = {}
      function M.tag(doc)
        local t = os.clock() while os.clock() - t < 0.6 do end
      end
      return M
      """,
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let command = "\(CLI.binary.path) run corpus -p slow.lua -j 1 -o out.jsonl"
    // script(1) runs the command on a pseudo-terminal, as a person's shell would.
    let tty = try CLI.run(["-qfec", command, "/dev/null"], in: dir, executable: "/usr/bin/script")
    #expect(tty.status == 0)
    let text = tty.stdout
    #expect(text.contains("\r\u{1B}[2K"))
    #expect(text.contains("docs  0.0 MB"))
    #expect(text.contains("ETA"))
    // The line is erased before the summary, which starts on a clean line.
    #expect(text.contains("\r\u{1B}[2Kfolio: 3 documents read, 3 kept"))
    let never = try CLI.run(
      ["-qfec", command + " --progress never", "/dev/null"], in: dir, executable: "/usr/bin/script")
    #expect(!never.stdout.contains("\u{1B}["))
    let piped = try CLI.run(
      ["run", "corpus", "-p", "slow.lua", "-j", "1", "-o", "out.jsonl"], in: dir)
    #expect(!piped.stderr.contains("\u{1B}["))
  }

  @Test("folio run - reads documents from standard input: the same reports and records as files")
  func standardInput() throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    let news = CLI.root.appendingPathComponent("Examples/news").path
    let export = try CLI.run(["corpus", "export", news, "-o", "news.jsonl"], in: dir)
    #expect(export.status == 0)
    let records = try String(contentsOf: dir.appendingPathComponent("news.jsonl"), encoding: .utf8)
    let pipeline = ["-p", "entities", "-p", "wordfreq:top=5", "-q"]
    let files = try CLI.run(["run", news] + pipeline, in: dir)
    let piped = try CLI.run(["run", "-"] + pipeline, in: dir, input: records)
    #expect(piped.status == 0)
    #expect(piped.stdout == files.stdout)
    // Documents to standard output as JSONL: the records a file run writes.
    let tagged = try CLI.run(["run", news, "-p", "entities", "-q", "-o", "tagged.jsonl"], in: dir)
    #expect(tagged.status == 0)
    let out = try CLI.run(["run", "-", "-p", "entities", "-q", "-o", "-"], in: dir, input: records)
    #expect(out.status == 0)
    #expect(
      out.stdout
        == (try String(contentsOf: dir.appendingPathComponent("tagged.jsonl"), encoding: .utf8)))
    // Three parts of the input, each naming its part, merged from one stream of states.
    let lines = records.split(separator: "\n").map { $0 + "\n" }
    let light = ["-p", "wordfreq:top=5", "-p", "kwic:word=said,width=20", "-q"]
    var states = Data()
    for i in 0..<3 {
      let part = lines[(lines.count * i / 3)..<(lines.count * (i + 1) / 3)].joined()
      let r = try CLI.run(
        ["run", "-", "--part", "\(i + 1)/3", "--save-state", "-"] + light, in: dir, input: part)
      #expect(r.status == 0)
      states += r.output
    }
    let merged = try CLI.run(["merge", "-", "-q"], in: dir, inputData: states)
    #expect(merged.status == 0)
    #expect(merged.stdout == (try CLI.run(["run", news] + light, in: dir)).stdout)
    #expect(merged.stdout.contains("# kwic said"))
    // A plugin that reads the corpus twice, from standard input in two steps: one run's report.
    let scan = try CLI.run(
      ["run", "-", "--part", "1/1", "--save-scan-state", "scan.state"] + pipeline, in: dir,
      input: records)
    #expect(scan.status == 0)
    let second = try CLI.run(
      ["run", "-", "--part", "1/1", "--scan-states", "scan.state", "--save-state", "-"] + pipeline,
      in: dir, input: records)
    let twoSteps = try CLI.run(["merge", "-", "-q"], in: dir, inputData: second.output)
    #expect(twoSteps.stdout == files.stdout)
    // CSV and text lines, with the stream's name in ids and warnings.
    let csv = try CLI.run(
      ["run", "-", "--as", "csv", "--stdin-name", "feed", "-p", "entities", "-q", "-o", "-"],
      in: dir, input: "text,n\n\"The UN met.\",1\nBad row\n")
    #expect(csv.status == 0)
    #expect(
      csv.stdout
        == "{\"id\":\"feed#1\",\"meta\":{\"path\":\"feed\",\"folder\":\"\",\"record\":1,\"n\":1},\"text\":\"The UN met.\",\"offsets\":\"codepoints\",\"layers\":{\"entity\":[{\"start\":4,\"end\":6,\"label\":\"ORG\",\"attrs\":{\"entity_id\":\"1\",\"entry\":\"UN\",\"source\":\"gazetteer\"}}]}}\n"
    )
    #expect(csv.stderr == "Warning: feed:3: 1 fields where the header has 2; skipped\n")
    // An empty input is an empty part (a Spark partition can be one), not an error.
    let empty = try CLI.run(["run", "-", "-p", "wordfreq", "-q"], in: dir, input: "")
    #expect(empty.status == 0)
    #expect(empty.stdout == "rank\tword\tcount\tper_million\n")
    // Outputs that would share standard output, and what standard input cannot be.
    let both = try CLI.run(
      ["run", "-", "-p", "wordfreq", "--docs-out", "-"], in: dir, input: records)
    #expect(both.status == 64)
    #expect(
      both.stderr
        == "Error: the reports and the documents would share standard output - while checking the outputs\nHelp: send all but one of them to a file (-o FILE, --docs-out FILE, --save-state FILE)\n"
    )
    let html = try CLI.run(["run", "-", "--as", "html", "-p", "wordfreq"], in: dir, input: "")
    #expect(html.status == 64)
    #expect(
      html.stderr.hasPrefix(
        "Error: standard input cannot be read --as html: its records must be lines"))
    let mixed = try CLI.run(["run", "-", "corpus", "-p", "wordfreq"], in: dir, input: "")
    #expect(mixed.status == 64)
    // Compressed or binary input fails at once, saying what to do.
    let gzipped = try CLI.run(
      ["run", "-", "-p", "wordfreq"], in: dir, inputData: Data([0x1F, 0x8B, 0x08, 0x00, 0x41]))
    #expect(gzipped.status == 65)
    #expect(
      gzipped.stderr
        == "Error: cannot read stdin: it holds gzip-compressed data, not text (pipe it through zcat first) - while reading standard input\n"
    )
    let partAndShard = try CLI.run(
      ["run", "-", "--part", "1/2", "--shard", "1/2", "-p", "wordfreq"], in: dir, input: "")
    #expect(partAndShard.status == 64)
    let shardOfInput = try CLI.run(
      ["run", "-", "--shard", "1/2", "-p", "wordfreq"], in: dir, input: "")
    #expect(shardOfInput.status == 64)
    #expect(
      shardOfInput.stderr.hasSuffix(
        "Help: to name the part of a larger corpus that standard input is, use --part 1/2\n"))
  }
}
