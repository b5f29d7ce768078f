/// A typed metadata value (DESIGN.md §4).
public enum MetaValue: Sendable, Equatable, Hashable, CustomStringConvertible {
  case string(String)
  case integer(Int)
  case number(Double)
  case bool(Bool)
  case list([MetaValue])

  public var description: String {
    switch self {
    case .string(let s): s
    case .integer(let i): String(i)
    case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    case .bool(let b): b ? "true" : "false"
    case .list(let items): items.map(\.description).joined(separator: ", ")
    }
  }

  /// The value as a Lua literal: strings quoted, lists in braces.
  public var literal: String {
    switch self {
    case .string(let s):
      "\""
        + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
          of: "\"", with: "\\\""
        )
        .replacingOccurrences(of: "\n", with: "\\n") + "\""
    case .list(let items): "{" + items.map(\.literal).joined(separator: ", ") + "}"
    default: description
    }
  }
}

/// Ordered metadata: keys keep the order in which they were first set.
public struct Metadata: Sendable, Equatable {
  public private(set) var keys: [String] = []
  private var values: [String: MetaValue] = [:]

  public init() {}

  public subscript(key: String) -> MetaValue? {
    get { values[key] }
    set {
      if let newValue {
        if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
      } else if values.removeValue(forKey: key) != nil {
        keys.removeAll { $0 == key }
      }
    }
  }

  /// The entries in order.
  public var entries: [(key: String, value: MetaValue)] {
    keys.compactMap { k in values[k].map { (k, $0) } }
  }

  public var count: Int { keys.count }

  /// Makes room for `n` entries, so that setting them does not grow the storage step by step.
  public mutating func reserveCapacity(_ n: Int) {
    keys.reserveCapacity(n)
    values.reserveCapacity(n)
  }
}
