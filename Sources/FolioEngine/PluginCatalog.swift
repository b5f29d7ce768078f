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
      // A range, when the manifest gives one, goes with the type: `integer ≥ 0`, `number 0–1`.
      func type(_ o: OptionSpec) -> String {
        func show(_ d: Double) -> String {
          d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        }
        switch (o.minimum.map(show), o.maximum.map(show)) {
        case (let l?, let h?): return "\(o.type.rawValue) \(l)–\(h)"
        case (let l?, nil): return "\(o.type.rawValue) ≥ \(l)"
        case (nil, let h?): return "\(o.type.rawValue) ≤ \(h)"
        default: return o.type.rawValue
        }
      }
      let table = ReportTable(
        title: "options", columns: ["option", "type", "default", "meaning"],
        rows: s.options.map {
          [.string($0.name), .string(type($0)), $0.defaultValue, .string($0.description)]
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
        "[F135] '\(name)' is not a plugin name - while creating a plugin",
        help: "use lowercase letters, digits and '-', starting with a letter (e.g. my-tagger)",
        exit: .usage)
    }
    let dir = folder.appendingPathComponent(name)
    guard !FileManager.default.fileExists(atPath: dir.path) else {
      throw FolioError(
        "[F136] \(dir.path) exists already - while creating a plugin",
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
        "cannot write \(dir.path): \(error.localizedDescription) - while creating a plugin")
    }
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

      | option | type | default | meaning |
      |---|---|---|---|
      | see plugin.toml | | | |

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
