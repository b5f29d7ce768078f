import FolioCore
import FolioLua
import Foundation

/// `folio plugin list`, `info` and `new`.
public enum PluginCatalog {
  /// One row per plugin name on the search path: name, version, kind, where it comes from,
  /// summary.
  public static func list(_ resolver: PluginResolver) -> ReportTable {
    var rows: [[MetaValue?]] = []
    for (name, location) in resolver.available() {
      let origin = Self.origin(of: location, resolver)
      if let (spec, _) = try? resolver.resolve(location.path) {
        rows.append([
          .string(name), .string(spec.version), .string(spec.kind?.rawValue ?? "(from code)"),
          .string(origin), .string(spec.summary),
        ])
      } else {
        rows.append([
          .string(name), .string("?"), .string("?"), .string(origin),
          .string("(manifest does not load: folio plugin info \(name))"),
        ])
      }
    }
    return ReportTable(
      title: "plugins", columns: ["name", "version", "kind", "from", "summary"], rows: rows)
  }

  static func origin(of location: URL, _ resolver: PluginResolver) -> String {
    let path = location.standardizedFileURL.path
    let cwd = resolver.workingDirectory.standardizedFileURL.path
    if path.hasPrefix(cwd + "/plugins/") { return "project" }
    if path.hasPrefix(cwd + "/.folio/plugins/") { return "installed" }
    if let shipped = PluginResolver.shippedPlugins()?.standardizedFileURL.path,
      path.hasPrefix(shipped + "/")
    {
      return "shipped"
    }
    return "user"
  }

  /// The manifest, options and README summary of a plugin, as text.
  public static func info(_ target: String, _ resolver: PluginResolver) throws(FolioError) -> String
  {
    let (spec, source) = try resolver.resolve(target)
    let instance: PluginInstance
    do { instance = try PluginInstance(spec: spec, source: source) } catch {
      throw FolioError(error)
    }
    let s = instance.spec
    var out = "\(s.name) \(s.version) — \(s.kind?.rawValue ?? "?")\n"
    if !s.summary.isEmpty { out += s.summary + "\n" }
    out += "code: \(s.codePath)\n"
    out += "reads: \(s.reads.isEmpty ? "nothing" : s.reads.joined(separator: ", "))\n"
    out +=
      "writes: \((s.writes ?? []).isEmpty ? "nothing" : (s.writes ?? []).joined(separator: ", "))\n"
    out += instance.hasScan ? "two-pass: yes (scan)\n" : ""
    if !s.permissions.isEmpty {
      out +=
        "permissions: "
        + s.permissions.map { "\($0.rawValue) (\($0.meaning); grant with \($0.grantHint(s.name)))" }
        .joined(separator: ", ") + "\n"
    }
    if s.options.isEmpty {
      out += "options: none\n"
    } else {
      out += "options:\n"
      let table = ReportTable(
        title: "options", columns: ["option", "type", "default", "meaning"],
        rows: s.options.map {
          [.string($0.name), .string($0.shownType), $0.defaultValue, .string($0.description)]
        })
      out +=
        TableFormat.table.render(table).split(separator: "\n").map { "  " + $0 }.joined(
          separator: "\n") + "\n"
    }
    let folder =
      target.contains("/")
      ? URL(fileURLWithPath: target, relativeTo: resolver.workingDirectory)
      : resolver.available().first { $0.name == target }?.location
    let readme = (folder ?? resolver.workingDirectory).appendingPathComponent("README.md")
    if let text = try? String(contentsOf: readme, encoding: .utf8) {
      let paragraphs = text.components(separatedBy: "\n\n").filter {
        !$0.hasPrefix("#") && !$0.isEmpty
      }
      if let first = paragraphs.first {
        out += "\n" + first.replacingOccurrences(of: "\n", with: " ") + "\n"
      }
    }
    return out
  }

  /// The options table of a plugin's README, from its manifest (`folio plugin docs`).
  public static func optionsMarkdown(_ spec: PluginSpec) -> String {
    func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
    func value(_ v: MetaValue?) -> String {
      switch v {
      case .string(let s)?: s.isEmpty ? "" : "`\(cell(s))`"
      case .integer(let i)?: String(i)
      case .number(let d)?: d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
      case .bool(let b)?: String(b)
      default: ""
      }
    }
    var out = "| option | type | default | meaning |\n|---|---|---|---|\n"
    for o in spec.options {
      out +=
        "| `\(o.name)` | \(o.shownType) | \(value(o.defaultValue)) | \(cell(o.description)) |\n"
    }
    return out
  }

  /// The table of a folder's plugins (`Plugins/README.md`): filters, taggers, then reports.
  public static func pluginsMarkdown(_ specs: [PluginSpec]) -> String {
    let order: [PluginKind?] = [.filter, .tagger, .report, nil]
    let sorted = specs.sorted {
      (order.firstIndex(of: $0.kind) ?? 3, $0.name) < (order.firstIndex(of: $1.kind) ?? 3, $1.name)
    }
    var out = "| plugin | kind | what |\n|---|---|---|\n"
    for spec in sorted {
      let summary = spec.summary.replacingOccurrences(of: "|", with: "\\|")
      out += "| `\(spec.name)` | \(spec.kind?.rawValue ?? "") | \(summary) |\n"
    }
    return out
  }

  /// `text` with the part between `<!-- generated: NAME ... -->` and `<!-- end NAME -->`
  /// replaced by `body`; nil when the text has no such markers.
  public static func replacingGenerated(_ text: String, name: String, with body: String)
    -> String?
  {
    guard let start = text.range(of: "<!-- generated: \(name)"),
      let startEnd = text[start.upperBound...].range(of: "-->\n"),
      let end = text[startEnd.upperBound...].range(of: "<!-- end \(name) -->")
    else { return nil }
    return String(text[..<startEnd.upperBound]) + body + String(text[end.lowerBound...])
  }

  /// `folio plugin docs`: regenerates the generated tables of the READMEs of `folders`.
  ///
  /// Each folder is a plugin folder, or a folder of plugins whose own README lists them.
  /// Returns the READMEs that changed (with `check`, that would change).
  public static func regenerateDocs(_ folders: [URL], check: Bool) throws(FolioError) -> [String] {
    let fm = FileManager.default
    var stale: [String] = []
    func update(_ readme: URL, name: String, body: String) throws(FolioError) {
      guard let text = try? String(contentsOf: readme, encoding: .utf8),
        let updated = replacingGenerated(text, name: name, with: body), updated != text
      else { return }
      let cwd = fm.currentDirectoryPath + "/"
      let path = readme.standardizedFileURL.path
      stale.append(path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path)
      if check { return }
      do {
        let file = try AtomicFile(path: readme.path)
        try file.write(Array(updated.utf8))
        try file.commit()
      } catch {
        throw FolioError("\(error)", while: "writing \(readme.path)", exit: .failure)
      }
    }
    func spec(_ folder: URL) throws(FolioError) -> PluginSpec {
      try PluginManifest.load(folder: folder, displayFolder: folder.path)
    }
    for folder in folders {
      if fm.fileExists(atPath: folder.appendingPathComponent("plugin.toml").path) {
        try update(
          folder.appendingPathComponent("README.md"), name: "options",
          body: optionsMarkdown(try spec(folder)))
        continue
      }
      let names = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
      var specs: [PluginSpec] = []
      for name in names {
        let plugin = folder.appendingPathComponent(name)
        guard fm.fileExists(atPath: plugin.appendingPathComponent("plugin.toml").path) else {
          continue
        }
        let s = try spec(plugin)
        specs.append(s)
        try update(
          plugin.appendingPathComponent("README.md"), name: "options", body: optionsMarkdown(s))
      }
      try update(
        folder.appendingPathComponent("README.md"), name: "plugins", body: pluginsMarkdown(specs))
      try update(
        folder.appendingPathComponent("README.md"), name: "api",
        body: FolioLua.briefMarkdown(FolioLua.reference))
    }
    return stale
  }

  /// Creates `folder/NAME` with a manifest, code, README, a test and a fixture for `kind`; its
  /// tests pass as created.
  public static func scaffold(name: String, kind: PluginKind, in folder: URL) throws(FolioError)
    -> URL
  {
    let valid =
      name.first.map { $0.isLowercase && $0.isASCII } == true
      && name.allSatisfy { ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "-" }
    guard valid else {
      throw FolioError(
        "\(ErrorCode.f135.tag) '\(name)' is not a plugin name", while: "creating a plugin",
        help: "use lowercase letters, digits and '-', starting with a letter (e.g. my-tagger)",
        exit: .usage)
    }
    let dir = folder.appendingPathComponent(name)
    guard !FileManager.default.fileExists(atPath: dir.path) else {
      throw FolioError(
        "\(ErrorCode.f136.tag) \(dir.path) exists already", while: "creating a plugin",
        help: "choose another name or remove it", exit: .usage)
    }
    let files = Self.template(name: name, kind: kind)
    do {
      for (path, text) in files {
        let url = dir.appendingPathComponent(path)
        try FileManager.default.createDirectory(
          at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
      }
    } catch {
      throw FolioError(
        "cannot write \(dir.path): \(error.localizedDescription)", while: "creating a plugin")
    }
    // The README's option table, from the manifest just written.
    _ = try regenerateDocs([dir], check: false)
    return dir
  }

  static func template(name: String, kind: PluginKind) -> [(String, String)] {
    let manifest = """
      name = "\(name)"
      version = "0.1.0"
      kind = "\(kind.rawValue)"
      summary = "TODO: one line on what \(name) does"
      folio = ">=\(FolioLua.apiVersion)"
      reads = []
      writes = [\(kind == .tagger ? "\"$layer\"" : "")]

      """
    let code: String
    let options: String
    let test: String
    switch kind {
    case .filter:
      options = """
        [options.min_words]
        type = "integer"
        default = 5
        description = "drop documents with fewer words"

        """
      code = """
        -- \(name): a filter. keep(doc, ctx) returns whether the document stays; an optional
        -- edit(doc, ctx) may cut ranges with doc:cut(first, last).
        local M = {}

        function M.keep(doc, ctx)
          local _, words = doc:counts()
          return words >= ctx.options.min_words
        end

        return M

        """
      test = """
        local T = folio.test
        local assert = T.assert

        return {
          ["keeps long documents and drops short ones"] = function()
            local kept = T.run({ T.fixture("sample.txt"), "Too short." })
            assert.equal(#kept, 1)
          end,
        }

        """
    case .tagger:
      options = """
        [options.layer]
        type = "string"
        default = "capitalised"
        description = "the layer the spans go to"

        """
      code = """
        -- \(name): a tagger. tag(doc, ctx) adds spans with doc:add(layer, first, last, label);
        -- positions are string.find positions.
        local M = {}

        function M.tag(doc, ctx)
          for _, t in ipairs(doc:tokens()) do
            if t.kind == "word" and t.text:find("^%u") then
              doc:add(ctx.options.layer, t.first, t.last, "CAP")
            end
          end
        end

        return M

        """
      test = """
        local T = folio.test
        local assert = T.assert

        return {
          ["tags capitalised words"] = function()
            local docs = T.run({ "The UN met in Lisbon." })
            local texts = {}
            for i, s in ipairs(docs[1].layers.capitalised) do texts[i] = s.text end
            assert.equal(texts, { "The", "UN", "Lisbon" })
          end,
        }

        """
    case .report:
      options = """
        [options.top]
        type = "integer"
        default = 10
        description = "how many rows"

        """
      code = """
        -- \(name): a report. init(ctx) makes the state, each(state, doc, ctx) reads a
        -- document, merge(a, b) joins the states of two workers, finish(state, ctx) returns
        -- {columns = {...}, rows = {...}}.
        local M = {}

        function M.init(ctx)
          return { words = folio.counter() }
        end

        function M.each(state, doc, ctx)
          state.words:add_tokens(doc, { lower = true })
        end

        function M.merge(a, b)
          a.words:merge(b.words)
          return a
        end

        function M.finish(state, ctx)
          local rows = {}
          for i, pair in ipairs(state.words:top(ctx.options.top)) do
            rows[i] = { pair[1], pair[2] }
          end
          return { columns = { "word", "count" }, rows = rows }
        end

        return M

        """
      test = """
        local T = folio.test
        local assert = T.assert

        return {
          ["counts words"] = function()
            local report = T.run({ T.fixture("sample.txt") }, { top = 1 })
            assert.equal(report.rows, { { "the", 4 } })
          end,
        }

        """
    }
    let readme = """
      # \(name)

      TODO: what \(name) does, for whom, and what it reads and writes.

      <!-- generated: options (folio plugin docs, from plugin.toml) -->
      <!-- end options -->

      ```
      $ folio run CORPUS -p plugins/\(name)
      $ folio plugin test plugins/\(name)
      ```

      """
    return [
      ("plugin.toml", manifest + "\n" + options),
      ("init.lua", code),
      ("README.md", readme),
      ("tests/\(name)_test.lua", test),
      (
        "fixtures/sample.txt",
        "The harbour commission met on Tuesday. The port and the ferry were on the agenda.\n"
      ),
    ]
  }
}
