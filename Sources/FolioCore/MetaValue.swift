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
///
/// Entries live in one array searched in order, which beats hashing for the dozen or two keys
/// a document has; past 32 keys a dictionary index is kept as well.
public struct Metadata: Sendable, Equatable {
  private struct Entry: Sendable, Equatable {
    var key: String
    var value: MetaValue
  }
  private var items: [Entry] = []
  private var index: [String: Int]?
  private static let indexed = 32
  /// A bit per key (`bit(_:)`): a key whose bit is clear is not here, with no scan.
  ///
  /// Documents are made with a dozen keys set one by one, each of which would scan the others.
  private var keyBits: UInt64 = 0

  /// The key's bit, from its length and first byte (the last byte of a String costs more than
  /// the scan it would save).
  private static func bit(_ key: String) -> UInt64 {
    let u = key.utf8
    return 1 << UInt64((u.count &* 11 &+ Int(u.first ?? 0)) & 63)
  }

  public init() {}

  public static func == (a: Metadata, b: Metadata) -> Bool { a.items == b.items }

  /// The keys in order.
  public var keys: [String] { items.map(\.key) }

  /// The position of `key` in the order, or nil.
  public func position(of key: String) -> Int? { position(of: key, bit: Self.bit(key)) }

  /// `position(of:)` with the key's bit known.
  private func position(of key: String, bit: UInt64) -> Int? {
    if let index { return index[key] }
    if keyBits & bit == 0 { return nil }
    // Lengths first: comparing two different short strings is the slow path of `==`.
    let length = key.utf8.count
    return items.firstIndex { $0.key.utf8.count == length && $0.key == key }
  }

  /// The entry at `position` in the order, or nil past the end.
  public func entry(at position: Int) -> (key: String, value: MetaValue)? {
    position >= 0 && position < items.count ? (items[position].key, items[position].value) : nil
  }

  public subscript(key: String) -> MetaValue? {
    get { position(of: key).map { items[$0].value } }
    set {
      let bit = Self.bit(key)
      if let newValue {
        if let i = position(of: key, bit: bit) {
          items[i].value = newValue
        } else {
          items.append(Entry(key: key, value: newValue))
          keyBits |= bit
          if index != nil {
            index?[key] = items.count - 1
          } else if items.count > Self.indexed {
            index = Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1.key, $0) })
          }
        }
      } else if let i = position(of: key, bit: bit) {
        items.remove(at: i)
        keyBits = items.reduce(0) { $0 | Self.bit($1.key) }
        index =
          items.count > Self.indexed
          ? Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1.key, $0) }) : nil
      }
    }
  }

  /// The entries in order.
  public var entries: [(key: String, value: MetaValue)] { items.map { ($0.key, $0.value) } }

  public var count: Int { items.count }

  /// Makes room for `n` entries, so that setting them does not grow the storage step by step.
  public mutating func reserveCapacity(_ n: Int) { items.reserveCapacity(n) }
}
