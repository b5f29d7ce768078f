import FolioCore
import Testing

@testable import FolioEngine

@Suite("Cutting a corpus into chunks") struct PlanTests {
  func entries(_ n: Int, bytes: Int) -> [CorpusEntry] {
    (0..<n).map {
      CorpusEntry(
        path: "/c/\($0).txt", id: "\($0).txt", folder: "", displayPath: "c/\($0).txt", bytes: bytes)
    }
  }

  @Test("a small corpus still gives two chunks a worker, in order; one worker gets one chunk")
  func smallCorpus() {
    // 24 articles of 2 KB: by bytes alone (256 KB at least) they were one chunk, and a slow
    // plugin ran on one worker whatever -j said.
    let small = entries(24, bytes: 2000)
    let two = Runner.plan(small, jobs: 2, split: true)
    #expect(two.map(\.count) == [6, 6, 6, 6])
    #expect(Array(two.joined()) == small)
    #expect(Runner.plan(small, jobs: 1, split: true).map(\.count) == [24])
    #expect(Runner.plan(Array(small.prefix(3)), jobs: 2, split: true).map(\.count) == [1, 1, 1])
    #expect(Runner.plan(small, jobs: 2, split: false).map(\.count) == [24])
  }

  @Test("a large corpus is cut by bytes: about two chunks a worker, at most 64 MB each")
  func largeCorpus() {
    let books = entries(100, bytes: 800_000)  // 80 MB, like novels100
    #expect(Runner.plan(books, jobs: 2, split: true).map(\.count) == [25, 25, 25, 25])
    #expect(Runner.plan(books, jobs: 1, split: true).map(\.count) == [84, 16])
  }
}
