/// A compiled list of names matched against a document's tokens (`folio.gazetteer`): a trie over token ids, longest match first, matched tokens consumed.
///
/// A possessive `'s`/`’s` after the last token is allowed and left out of the span ("Kolokoltsev’s"
/// gives "Kolokoltsev").
public final class Gazetteer {
  /// One name and what it is.
  public struct Entry: Sendable, Equatable {
    public var name: String
    public var label: String?

    public init(name: String, label: String? = nil) {
      self.name = name
      self.label = label
    }
  }

  /// A match: UTF-8 byte offsets in the text (half-open) and the entry.
  public struct Match: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public var entry: Int
  }

  public let entries: [Entry]
  public let ignoreCase: Bool
  private let tokenIds = Counter(capacity: 256)
  // children[node][tokenId] = child; terminal[node] = entry index or -1.
  private var children: [[Int32: Int32]] = [[:]]
  private var terminal: [Int32] = [-1]

  /// Compiles `entries`; names are tokenised as documents are (white space between tokens is
  /// free, punctuation is matched as written).
  public init(entries: [Entry], ignoreCase: Bool = false) {
    self.entries = entries
    self.ignoreCase = ignoreCase
    for (index, entry) in entries.enumerated() {
      var name = entry.name
      let node: Int32? = name.withUTF8 { b in
        guard let base = b.baseAddress else { return nil }
        let tokens = Tokenizer.tokenize(utf8: b)
        guard !tokens.isEmpty else { return nil }
        var node: Int32 = 0
        for t in tokens {
          tokenIds.add(base + Int(t.start), Int(t.end - t.start), lower: ignoreCase)
          let id = Int32(
            tokenIds.index(of: base + Int(t.start), Int(t.end - t.start), lower: ignoreCase) ?? 0)
          if let next = children[Int(node)][id] {
            node = next
          } else {
            let next = Int32(children.count)
            children.append([:])
            terminal.append(-1)
            children[Int(node)][id] = next
            node = next
          }
        }
        return node
      }
      // The first of duplicate names wins.
      if let node, terminal[Int(node)] < 0 { terminal[Int(node)] = Int32(index) }
    }
  }

  /// The matches in `document`, in text order.
  public func matches(in document: Document) -> [Match] {
    let tokens = document.tokens
    var found: [Match] = []
    var text = document.text
    text.withUTF8 { b in
      guard let base = b.baseAddress else { return }
      // The id of each token, or -1 when no name contains it.
      var i = 0
      while i < tokens.count {
        var node: Int32 = 0
        var best: Match?
        var j = i
        while j < tokens.count {
          let t = tokens[j]
          let start = Int(t.start)
          let length = Int(t.end - t.start)
          var next: Int32?
          if let id = tokenIds.index(
            of: base + start, length, lower: ignoreCase, readable: b.count - start)
          {
            next = children[Int(node)][Int32(id)]
          }
          if next == nil, length > 2 {
            // A possessive on the last token of a name: Kolokoltsev’s, Moscow's.
            let stem = Self.possessiveStem(base + start, length)
            if stem < length, let id = tokenIds.index(of: base + start, stem, lower: ignoreCase),
              let child = children[Int(node)][Int32(id)], terminal[Int(child)] >= 0
            {
              best = Match(
                start: Int(tokens[i].start), end: start + stem, entry: Int(terminal[Int(child)]))
            }
            break
          }
          guard let child = next else { break }
          node = child
          if terminal[Int(node)] >= 0 {
            best = Match(
              start: Int(tokens[i].start), end: Int(t.end), entry: Int(terminal[Int(node)]))
          }
          j += 1
        }
        if let best {
          found.append(best)
          while i < tokens.count, Int(tokens[i].start) < best.end { i += 1 }
        } else {
          i += 1
        }
      }
    }
    return found
  }

  /// The length of a token without a final `'s` or `’s`, or the whole length.
  private static func possessiveStem(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
    if n > 2, p[n - 1] == 0x73 || p[n - 1] == 0x53 {
      if p[n - 2] == 0x27 { return n - 2 }
      if n > 4, p[n - 4] == 0xE2, p[n - 3] == 0x80, p[n - 2] == 0x99 { return n - 4 }
    }
    return n
  }
}
