import Foundation
import Testing

/// Tables in the documentation that are generated are not stale.
@Suite struct DocTableTests {
  @Test func pluginTablesMatchManifests() throws {
    let r = try CLI.run(["plugin", "docs", "Plugins", "--check"])
    #expect(r.status == 0, "regenerate them: folio plugin docs Plugins\n\(r.stdout)\(r.stderr)")
    #expect(r.stdout == "")
  }

  @Test func apiMarkdownMatchesRegistry() throws {
    let r = try CLI.run(["doc", "--markdown"])
    let stored = try String(
      contentsOf: CLI.root.appendingPathComponent("Plugins/_meta/API.md"), encoding: .utf8)
    #expect(
      r.stdout == stored,
      "regenerate it: .build/debug/folio doc --markdown > Plugins/_meta/API.md")
  }

  /// A plugin author's README: the table follows plugin.toml; --check says what is stale.
  @Test func regeneratesAPluginsTable() throws {
    let dir = try CLI.workspace([
      "plugins/shout/plugin.toml": """
      name = "shout"
      version = "1.0.0"
      kind = "tagger"
      summary = "Tags words in capitals"
      folio = ">=0.1"
      writes = ["shout"]

      [options.min]
      type = "integer"
      min = 2
      default = 3
      description = "the fewest letters | a word needs"

      [options.layer]
      type = "string"
      default = "shout"
      description = "the layer to write"
      """,
      "plugins/shout/init.lua": "return {tag = function(doc) end}\n",
      "plugins/shout/README.md": """
      # shout

      <!-- generated: options -->
      | old |
      <!-- end options -->

      Text after.
      """,
    ])
    let check = try CLI.run(["plugin", "docs", "--check"], in: dir)
    #expect(check.status == 1)
    #expect(check.stdout == "stale: plugins/shout/README.md\n")
    #expect(
      check.stderr
        == "Error: 1 README table is older than plugin.toml - while checking the plugins' docs\nHelp: folio plugin docs plugins regenerates them\n"
    )
    let write = try CLI.run(["plugin", "docs"], in: dir)
    #expect(write.status == 0)
    #expect(write.stdout == "updated: plugins/shout/README.md\n")
    let readme = try String(
      contentsOf: dir.appendingPathComponent("plugins/shout/README.md"), encoding: .utf8)
    #expect(
      readme == """
        # shout

        <!-- generated: options -->
        | option | type | default | meaning |
        |---|---|---|---|
        | `min` | integer ≥ 2 | 3 | the fewest letters \\| a word needs |
        | `layer` | string | `shout` | the layer to write |
        <!-- end options -->

        Text after.
        """)
    #expect(try CLI.run(["plugin", "docs", "--check"], in: dir).status == 0)
  }
}
