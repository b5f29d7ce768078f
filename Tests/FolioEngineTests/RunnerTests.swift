import FolioCore
import FolioLua
import Foundation
import Testing

@testable import FolioEngine

/// The engine as a library: runs, shards and merges, outputs and options, without the CLI.
@Suite("Runner as a library", .serialized) struct RunnerTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let news = root.appendingPathComponent("Examples/news").path
  static let resolver = PluginResolver(searchPath: [root.appendingPathComponent("Plugins")])

  static func temporaryFolder() throws -> URL {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("folio-runner-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }

  static func wordfreq(_ configure: (inout RunConfiguration) -> Void = { _ in }) throws
    -> RunSummary
  {
    var configuration = RunConfiguration(
      corpus: [news],
      plugins: [PluginReference(target: "wordfreq", options: [.init(key: "top", value: "5")])],
      jobs: 1)
    configure(&configuration)
    return try Runner(configuration, resolver: resolver).run()
  }

  @Test("a report's table and the summary do not depend on the number of workers")
  func workers() throws {
    let one = try Self.wordfreq()
    let two = try Self.wordfreq { $0.jobs = 2 }
    #expect(one.read == 24 && one.kept == 24 && one.failed == 0)
    #expect(two.jobs == 2)
    let table = try #require(one.reports.first)
    #expect(table.columns.prefix(3) == ["rank", "word", "count"])
    #expect(table.rows.count == 5)
    #expect(table.rows.first?.dropFirst().first == MetaValue.string("the"))
    #expect(two.reports.first?.rows == table.rows)
  }

  @Test("two shards saved and merged give the report of one run")
  func shardsMerged() throws {
    let dir = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    var paths: [String] = []
    for i in 1...2 {
      let path = dir.appendingPathComponent("s\(i).state").path
      let summary = try Self.wordfreq {
        $0.shard = Shard(index: i, count: 2)
        $0.saveState = path
      }
      #expect(summary.reports.isEmpty)
      paths.append(path)
    }
    let (reports, merged) = try StateMerger.merge(paths.reversed(), resolver: Self.resolver)
    #expect(merged.read == 24)
    #expect(reports.first?.rows == (try Self.wordfreq()).reports.first?.rows)
  }

  @Test("a filter's drops and a plugin's failures are counted; each error is told once")
  func outcomes() throws {
    let dir = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let plugin = dir.appendingPathComponent("picky.lua")
    try """
    local M = {}
    function M.keep(doc)
      if doc.text:find(",") then error("no commas here") end
      return #doc.text > 400
    end
    return M
    """.write(to: plugin, atomically: true, encoding: .utf8)
    var lines: [String] = []
    let configuration = RunConfiguration(
      corpus: [Self.news], plugins: [PluginReference(target: plugin.path)], jobs: 2)
    let summary = try Runner(configuration, resolver: Self.resolver) { lines.append($0) }.run()
    #expect(summary.read == 24)
    #expect(summary.kept + summary.dropped + summary.failed == 24)
    #expect(summary.failed == 21)
    #expect(summary.kept + summary.dropped == 3)
    #expect(lines.filter { $0.hasPrefix("Error: ") }.count == 1, "\(lines)")
    #expect(
      lines.first { $0.hasPrefix("Error: ") }?.contains("picky.lua:3: no commas here") == true)
    #expect(
      lines.contains {
        $0.hasPrefix("(the same error happened in \(summary.failed - 1) more documents: ")
      }, "\(lines)")
    #expect(summary.exitCode != 0)
  }

  @Test("the report format comes from --format or the output's extension; a wrong one is refused")
  func formats() throws {
    #expect(try ReportOutput.format("auto", output: "words.csv") == .csv)
    #expect(try ReportOutput.format("md", output: nil) == .markdown)
    #expect(throws: FolioError.self) { try ReportOutput.format("auto", output: "words.xlsx") }
    do {
      _ = try ReportOutput.format("tvs", output: nil)
      Issue.record("tvs was accepted")
    } catch {
      #expect(error.rendered.contains("unknown format 'tvs'"))
      #expect(error.rendered.contains("did you mean 'tsv'?"))
      #expect(error.exit == .usage)
    }
  }

  @Test("--allow values are parsed by plugin, and one without a plugin is a usage error")
  func allow() throws {
    let grants = try AllowOption.parse(["a:read", "b:write=/tmp/out", "a:write=/tmp/a"])
    #expect(grants["a"]?.read == true)
    #expect(grants["a"]?.writeFolder != nil)
    #expect(grants["b"]?.read == false)
    do {
      _ = try AllowOption.parse([":read"])
      Issue.record("accepted")
    } catch {
      #expect(error.what == "--allow ':read' names no plugin")
      #expect(error.activity == "reading the command line")
      #expect(error.message == "--allow ':read' names no plugin - while reading the command line")
      #expect(error.exit == .usage)
    }
  }

  @Test("WorkerThreads runs each body once and join waits for all of them")
  func workerThreads() {
    final class Box: @unchecked Sendable {
      let lock = NSLock()
      var seen: [Int] = []
    }
    let box = Box()
    let threads = WorkerThreads(count: 4) { i in
      usleep(useconds_t(20_000 * (4 - i)))
      box.lock.lock()
      box.seen.append(i)
      box.lock.unlock()
    }
    threads.join()
    #expect(threads.isFinished)
    #expect(box.seen.sorted() == [0, 1, 2, 3])
  }
}
