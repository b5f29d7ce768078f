import FolioCore
import Foundation
import LuaRuntime

/// "Did you mean ...?": the closest name by edit distance, if it is close enough.
public enum Suggest {
  /// "did you mean 'X'?" for the name closest to `name` among `names`, or nil.
  ///
  /// The one shape every suggestion of Folio takes. `shown` writes the name as the user would type it
  /// (`folio run`, `.mode`).
  public static func didYouMean(
    _ name: String, in names: [String], shown: (String) -> String = { $0 }
  ) -> String? {
    closest(name, in: names).map { "did you mean '\(shown($0))'?" }
  }

  public static func closest(_ word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, distance(Array(word.lowercased()), Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, word.count / 3) ? best.0 : nil
  }

  /// Edit distance counting a swap of two neighbours as one edit (optimal string alignment), so `.mdoe` is nearest to `.mode`.
  static func distance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var before = Array(repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in 1...b.count {
        current[j] = min(
          previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          current[j] = min(current[j], before[j - 2] + 1)
        }
      }
      before = previous
      previous = current
    }
    return previous[b.count]
  }
}
