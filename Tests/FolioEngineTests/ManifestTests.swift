import FolioEngine
import FolioLua
import Foundation
import Testing

@Suite("Plugin manifests") struct ManifestTests {
  func folder(_ name: String, _ toml: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "folio-m-\(UUID())/\(name)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try Data(toml.utf8).write(to: dir.appendingPathComponent("plugin.toml"))
    return dir
  }

  @Test("a valid manifest gives name, kind, options with types and defaults, writes")
  func valid() throws {
    let dir = try folder(
      "ents",
      """
      name = "ents"
      version = "1.2.3"
      kind = "tagger"
      summary = "entities"
      folio = ">=0.1"
      writes = ["entity"]
      [options.min]
      type = "integer"
      default = 2
      """)
    let spec = try PluginManifest.load(folder: dir, displayFolder: "plugins/ents")
    #expect(spec.name == "ents")
    #expect(spec.kind == .tagger)
    #expect(spec.writes == ["entity"])
    #expect(spec.options == [OptionSpec(name: "min", type: .integer, defaultValue: .integer(2))])
    #expect(spec.chunkName == "@plugins/ents/init.lua")
  }

  @Test(
    "manifest errors are coded and say how to fix them",
    arguments: [
      (
        "name = \"other\"\nversion = \"1.0.0\"\nkind = \"report\"\n",
        "[F101] plugins/p/plugin.toml: name 'other' differs from its folder 'p' - while reading the manifest"
      ),
      (
        "name = \"p\"\nversion = \"one\"\nkind = \"report\"\n",
        "[F101] plugins/p/plugin.toml: 'version' is missing or not a semantic version - while reading the manifest"
      ),
      (
        "name = \"p\"\nversion = \"1.0.0\"\nkind = \"reprot\"\n",
        "[F101] plugins/p/plugin.toml: 'kind' must be filter, tagger or report, got 'reprot' - while reading the manifest"
      ),
      (
        "name = \"p\"\nversion = \"1.0.0\"\nkind = \"report\"\nfolio = \">=2.0\"\n",
        "[F107] plugin 'p' needs Folio API >=2.0, and this Folio has 0.1.0 - while loading plugin"
      ),
      (
        "name = \"p\"\nversion = [\n",
        "[F100] plugins/p/plugin.toml:2: Error while parsing array: encountered end-of-file - while reading the manifest"
      ),
    ])
  func errors(toml: String, message: String) throws {
    let dir = try folder("p", toml)
    #expect(throws: FolioError.self) {
      try PluginManifest.load(folder: dir, displayFolder: "plugins/p")
    }
    do { _ = try PluginManifest.load(folder: dir, displayFolder: "plugins/p") } catch {
      #expect(error.message == message)
    }
  }

  @Test(
    "version ranges",
    arguments: [
      (">=0.1", "0.1.0", true), ("^0.1", "0.2.0", false), ("^1.0", "1.4.2", true),
      ("^1.0", "2.0.0", false),
      ("~1.2", "1.2.9", true), (">=0.1, <0.2", "0.1.5", true), ("1.0.0", "1.0.1", true),
    ])
  func ranges(range: String, version: String, accepted: Bool) throws {
    let r = try #require(VersionRequirement(range))
    #expect(r.accepts(try #require(SemanticVersion(version))) == accepted)
  }
}

@Suite("Plugin references") struct PluginReferenceTests {
  @Test(
    "-p values: options, quoted values with commas, colons in paths",
    arguments: [
      ("kwic", "kwic", [String]()),
      ("kwic:word=Moscow,width=30", "kwic", ["word=Moscow", "width=30"]),
      ("gazetteer:file=/tmp/a:b/names.txt", "gazetteer", ["file=/tmp/a:b/names.txt"]),
      (#"regex:pattern="\d{1,2}, \"x\"",layer=d"#, "regex", [#"pattern=\d{1,2}, "x""#, "layer=d"]),
      ("./p/a:b.lua:k=v", "./p/a:b.lua", ["k=v"]),
      ("./p/a:b.lua", "./p/a:b.lua", []),
    ])
  func parse(text: String, target: String, options: [String]) throws {
    let r = try PluginReference.parse(text)
    #expect(r.target == target)
    #expect(r.options.map { "\($0.key)=\($0.value)" } == options)
  }

  @Test("a malformed option is a usage error")
  func malformed() {
    #expect(throws: FolioError.self) { try PluginReference.parse("kwic:word") }
    #expect(throws: FolioError.self) { try PluginReference.parse(#"regex:pattern="open"#) }
  }
}
