import FolioCore
import Foundation
import TOMLKit

/// The project file `folio.toml`: the pipeline `folio run` uses when no `-p` is given.
///
/// ```toml
/// [[pipeline]]
/// plugin = "inline-date"
///
/// [[pipeline]]
/// plugin = "wordfreq"
/// options = { top = 50 }
/// ```
public enum ProjectFile {
  /// The pipeline of `folio.toml` in `directory`, or nil when there is no such file.
  public static func pipeline(in directory: URL) throws(FolioError) -> [PluginReference]? {
    let url = directory.appendingPathComponent("folio.toml")
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
    let table: TOMLTable
    do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
      throw FolioError(
        "\(ErrorCode.f100.tag) folio.toml:\(error.source.begin.line): \(error.description)",
        while: "reading the project file",
        exit: .config)
    } catch {
      throw FolioError(
        "\(ErrorCode.f100.tag) folio.toml: \(error)", while: "reading the project file",
        exit: .config
      )
    }
    guard let steps = table["pipeline"]?.array else { return nil }
    var references: [PluginReference] = []
    for (i, step) in steps.enumerated() {
      guard let t = step.table, let plugin = t["plugin"]?.string else {
        throw FolioError(
          "\(ErrorCode.f106.tag) folio.toml: pipeline step \(i + 1) has no 'plugin'",
          while: "reading the project file",
          help: "each [[pipeline]] needs plugin = \"NAME\" and may have options = { key = value }",
          exit: .config)
      }
      var options: [PluginReference.Option] = []
      if let o = t["options"]?.table {
        for key in o.keys.sorted() {
          guard let v = o[key] else { continue }
          let text: String
          if let b = v.bool {
            text = b ? "true" : "false"
          } else if let n = v.int {
            text = String(n)
          } else if let d = v.double {
            text = String(d)
          } else {
            text = v.string ?? ""
          }
          options.append(PluginReference.Option(key: key, value: text))
        }
      }
      references.append(PluginReference(target: plugin, options: options))
    }
    return references
  }
}
