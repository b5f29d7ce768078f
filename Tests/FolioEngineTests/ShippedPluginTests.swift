import Foundation
import Testing

@testable import FolioEngine

/// Each test of each shipped plugin is a test case here, run in this process.
@Suite("Shipped plugins' own tests") struct ShippedPluginTests {
  static let cases = (try? PluginTester(resolver: RunnerTests.resolver) { _ in }.list([])) ?? []

  @Test("the shipped plugins declare 129 tests, each named once")
  func count() {
    #expect(Self.cases.count == 129)
    #expect(Set(Self.cases).count == Self.cases.count)
  }

  @Test(arguments: cases)
  func passes(_ test: PluginTester.Case) throws {
    final class Lines: @unchecked Sendable { var text = "" }
    let lines = Lines()
    let tester = PluginTester(resolver: RunnerTests.resolver) { lines.text += $0 }
    let result = try tester.run([test.plugin], only: test.label)
    #expect(result == PluginTester.Result(passed: 1, failed: 0), "\(lines.text)")
  }

  @Test("a test named twice in one table is refused with both lines; groups may reuse names")
  func namedTwice() {
    let source = """
      local T = folio.test
      return {
        ["counts words"] = function() end,
        group = {
          ["counts words"] = function() end,
        },
        other = {
          ["counts words"] = function() end,
        },
        ["counts words"] = function() end,
        single = function() end,
      }
      """
    let twice = PluginTester.namedTwice(source)
    #expect(twice.map(\.name) == ["counts words"])
    #expect(twice.map(\.first) == [3])
    #expect(twice.map(\.second) == [10])
  }
}
