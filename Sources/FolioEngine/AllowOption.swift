import FolioCore
import FolioLua
import Foundation

/// `--allow NAME:PERMISSIONS` values, by plugin name.
public enum AllowOption {
  public static func parse(_ values: [String]) throws(FolioError) -> [String: Grants] {
    var out: [String: Grants] = [:]
    for value in values {
      guard let colon = value.firstIndex(of: ":"), colon != value.startIndex else {
        throw FolioError(
          "--allow '\(value)' names no plugin", while: "reading the command line",
          help: "write --allow NAME:read or --allow NAME:write=DIR", exit: .usage)
      }
      let name = String(value[..<colon])
      switch Grants.parse(String(value[value.index(after: colon)...])) {
      case .success(let grants):
        var merged = out[name] ?? Grants()
        merged.read = merged.read || grants.read
        merged.writeFolder = grants.writeFolder ?? merged.writeFolder
        out[name] = merged
      case .failure(let failure):
        throw FolioError(
          "--allow '\(value)': \(failure.message)", while: "reading the command line",
          help: "write --allow NAME:read or --allow NAME:write=DIR", exit: .usage)
      }
    }
    return out
  }
}
