/// One text with its metadata and stand-off layers (DESIGN.md §4).
///
/// A reference type: plugins in a pipeline see and change the same document. Not `Sendable`:
/// a document belongs to one worker at a time and is handed over whole.
public final class Document {
  /// Stable identifier: the path relative to the corpus root, or `path#record`.
  public let id: String
  /// Decoded UTF-8 text: no BOM, LF line ends, invalid bytes replaced by U+FFFD.
  public private(set) var text: String
  public var meta: Metadata
  /// Named layers other than the built-in `token` layer, in the order they were created.
  public private(set) var layerNames: [String] = []
  private var layers: [String: Layer] = [:]
  private var cachedTokens: [Token]?
  /// Attributes of the tokens (`pos`, `lemma`, ...), set with the tokens by a tagger; gone
  /// when the text changes.
  public private(set) var tokenColumns: [String: TokenColumn] = [:]
  /// The names of `tokenColumns`, in the order they were set.
  public private(set) var tokenColumnNames: [String] = []
  private var cachedCounts: (tokens: Int, words: Int)?
  private var cachedSentences: (revision: Int, ranges: [Range<Int>])?
  /// Byte ranges of the original text removed by `cut`, in order of the current text.
  public private(set) var cuts: [(at: Int, length: Int)] = []
  /// Changes each time the text changes (caches of derived data compare it).
  public private(set) var revision = 0

  public init(id: String, text: String, meta: Metadata = Metadata()) {
    self.id = id
    var text = text
    text.makeContiguousUTF8()
    self.text = text
    self.meta = meta
  }

  /// The text's UTF-8 length in bytes.
  public var byteCount: Int { text.utf8.count }

  /// Tokens of the text (computed on first use, then cached until the text changes).
  public var tokens: [Token] {
    if let cachedTokens { return cachedTokens }
    let t = Tokenizer.tokenize(text)
    cachedTokens = t
    return t
  }

  /// How many tokens and words the text has (from the cached tokens, else counted without
  /// making them).
  public var tokenCounts: (tokens: Int, words: Int) {
    if let cachedCounts { return cachedCounts }
    var counts: (tokens: Int, words: Int)
    if let cachedTokens {
      counts = (cachedTokens.count, cachedTokens.reduce(0) { $0 + ($1.kind == .word ? 1 : 0) })
    } else {
      var text = text
      counts = text.withUTF8 { Tokenizer.count(utf8: $0) }
    }
    cachedCounts = counts
    return counts
  }

  /// Sentence ranges of the text (bytes, computed on first use, cached until the text changes).
  public var sentences: [Range<Int>] {
    if let cachedSentences, cachedSentences.revision == revision { return cachedSentences.ranges }
    let ranges = Sentences.split(text)
    cachedSentences = (revision, ranges)
    return ranges
  }

  public func layer(_ name: String) -> Layer? { layers[name] }

  /// Sets the tokens and their attribute columns (`setWords`).
  func replaceTokens(_ tokens: [Token], columns: [(name: String, column: TokenColumn)]) {
    cachedTokens = tokens
    cachedCounts = nil
    revision += 1
    for (name, column) in columns where column.count == tokens.count {
      if tokenColumns.updateValue(column, forKey: name) == nil { tokenColumnNames.append(name) }
    }
  }

  /// The spans of layer `name`; `sentence`, unless a plugin stored its own, is computed from
  /// the text (`Sentences`).
  public func spans(_ name: String) -> [Span] {
    if let layer = layers[name] { return layer.spans }
    if name == "sentence" {
      return sentences.map { Span(start: $0.lowerBound, end: $0.upperBound) }
    }
    return []
  }

  /// Counts pairs of adjacent tokens whose kind is in `kinds` (other tokens are skipped, as
  /// punctuation is by most collocation tools), as `first second`, lowercased when `lower`.
  public func countBigrams(kinds: Set<TokenKind> = [.word], lower: Bool = false) -> Counter {
    let counter = Counter(capacity: max(64, tokens.count / 2))
    addBigrams(to: counter, kinds: kinds, lower: lower)
    return counter
  }

  /// Adds the pairs `countBigrams` counts to `counter`; with `distinct`, each different pair
  /// once (document frequencies).
  public func addBigrams(
    to counter: Counter, kinds: Set<TokenKind> = [.word], lower: Bool = false,
    distinct: Bool = false
  ) {
    let tokens = self.tokens
    var text = self.text
    let mask = kinds.reduce(0 as UInt32) { $0 | 1 << $1.rawValue }
    text.withUTF8 { buffer in
      tokens.withUnsafeBufferPointer {
        counter.addPairs(tokens: $0, mask: mask, in: buffer, lower: lower, distinct: distinct)
      }
    }
  }

  /// Adds each run of `n` consecutive tokens whose kind is in `kinds`, as their texts joined by
  /// spaces (lowercased when `lower`), within runs that a token of a `breaks` kind, or with
  /// `sentences` a sentence end, ends; tokens of other kinds are skipped.
  ///
  /// "He won. The match ended 3-1." with breaks punct and number gives "he won", "the match",
  /// "match ended" — no "won the", no "ended 3".
  public func addNgrams(
    to counter: Counter, n: Int, kinds: Set<TokenKind> = [.word],
    breaks: Set<TokenKind> = [], sentences: Bool = false, lower: Bool = false
  ) {
    guard n >= 1 else { return }
    let tokens = self.tokens
    let ends = sentences ? self.sentences.map(\.upperBound) : []
    var text = self.text
    let mask = kinds.reduce(0 as UInt32) { $0 | 1 << $1.rawValue }
    let breakMask = breaks.reduce(0 as UInt32) { $0 | 1 << $1.rawValue }
    text.withUTF8 { buffer in
      guard let base = buffer.baseAddress else { return }
      var run: [Token] = []
      var bytes: [UInt8] = []
      var ranges: [Range<Int>] = []
      bytes.reserveCapacity(buffer.count * n)
      ranges.reserveCapacity(tokens.count)
      func flush() {
        if run.count >= n {
          for i in 0...(run.count - n) {
            let start = bytes.count
            for k in i..<(i + n) {
              if k > i { bytes.append(0x20) }
              let t = run[k]
              bytes.append(
                contentsOf: UnsafeBufferPointer(
                  start: base + Int(t.start), count: Int(t.end - t.start)))
            }
            ranges.append(start..<bytes.count)
          }
        }
        run.removeAll(keepingCapacity: true)
      }
      var s = 0
      for t in tokens {
        var ended = false
        while s < ends.count && ends[s] <= Int(t.start) {
          s += 1
          ended = true
        }
        if ended { flush() }
        let bit: UInt32 = 1 << t.kind.rawValue
        if mask & bit != 0 {
          run.append(t)
        } else if breakMask & bit != 0 {
          flush()
        }
      }
      flush()
      bytes.withUnsafeBufferPointer { counter.add(ranges, in: $0, lower: lower) }
    }
  }

  /// Counts the texts of the tokens whose kind is in `kinds`, lowercased when `lower` is set.
  public func countTokens(kinds: Set<TokenKind> = [.word], lower: Bool = false) -> Counter {
    let counter = Counter(capacity: max(64, tokens.count / 8))
    addTokens(to: counter, kinds: kinds, lower: lower)
    return counter
  }

  /// Adds the token texts `countTokens` counts to `counter`.
  public func addTokens(
    to counter: Counter, kinds: Set<TokenKind> = [.word], lower: Bool = false
  ) {
    // The tokens are made and kept (not counted as the tokenizer finds them, as
    // `Corpus.frequencies` does): plugins often count a document more than once (words and
    // pairs, counts and document frequencies), and tokenising twice costs more than keeping.
    let tokens = self.tokens
    var text = self.text
    // A bit per kind: a Set lookup per token costs more than the rest of the loop.
    let mask = kinds.reduce(0 as UInt32) { $0 | 1 << $1.rawValue }
    text.withUTF8 { buffer in
      tokens.withUnsafeBufferPointer {
        counter.add(tokens: $0, mask: mask, in: buffer, lower: lower)
      }
    }
  }

  /// Adds a span to `layer`, creating the layer on first use.
  public func add(_ span: Span, to layer: String) {
    ensureLayer(layer)
    layers[layer]?.add(span)
  }

  /// Creates `layer` empty unless it exists (an empty layer still says it was run).
  public func ensureLayer(_ layer: String) {
    if layers[layer] == nil {
      layers[layer] = Layer(name: layer)
      layerNames.append(layer)
    }
  }

  /// Removes the spans of `layer` that satisfy `predicate`; returns how many went.
  @discardableResult
  public func removeSpans(from layer: String, where predicate: (Span) -> Bool) -> Int {
    let before = layers[layer]?.spans.count ?? 0
    layers[layer]?.removeAll(where: predicate)
    return before - (layers[layer]?.spans.count ?? 0)
  }

  /// The span after (`offset` 1) or before (`offset` -1) the span `start..<end` of `layer`, in
  /// the layer's order (by start, then end); nil at either end or when no such span exists.
  public func neighbour(in layer: String, start: Int, end: Int, offset: Int) -> Span? {
    let spans = self.spans(layer)
    var lo = 0
    var hi = spans.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if (spans[mid].start, spans[mid].end) < (start, end) { lo = mid + 1 } else { hi = mid }
    }
    guard lo < spans.count, spans[lo].start == start, spans[lo].end == end else { return nil }
    let k = lo + offset
    return k >= 0 && k < spans.count ? spans[k] : nil
  }

  /// Where a position of the current text was in the text as read, before any `cut`.
  ///
  /// A position where text was cut maps to the end of the removed text when `start` (a span
  /// beginning after the cut) and to its beginning otherwise (a span ending before it).
  public func originalOffset(_ position: Int, start: Bool = true) -> Int {
    var p = position
    for (at, length) in cuts.reversed() where p > at || (start && p == at) { p += length }
    return p
  }

  /// Removes a whole layer.
  public func removeLayer(_ name: String) {
    if layers.removeValue(forKey: name) != nil { layerNames.removeAll { $0 == name } }
  }

  /// Removes the bytes `range` of the text: later spans shift, spans inside the cut are dropped, spans across it shrink.
  ///
  /// `range` must lie on UTF-8 scalar boundaries or it is widened to them.
  public func cut(_ range: Range<Int>) {
    let utf8 = Array(text.utf8)
    var lower = max(0, min(range.lowerBound, utf8.count))
    var upper = max(lower, min(range.upperBound, utf8.count))
    while lower > 0, lower < utf8.count, utf8[lower] & 0xC0 == 0x80 { lower -= 1 }
    while upper < utf8.count, utf8[upper] & 0xC0 == 0x80 { upper += 1 }
    let length = upper - lower
    guard length > 0 else { return }
    text = String(decoding: utf8[..<lower] + utf8[upper...], as: UTF8.self)
    cachedTokens = nil
    tokenColumns = [:]
    tokenColumnNames = []
    cachedCounts = nil
    revision += 1
    cuts.append((lower, length))
    for name in layerNames {
      layers[name]?.mapSpans { span in
        func shift(_ p: Int) -> Int { p <= lower ? p : (p >= upper ? p - length : lower) }
        var s = span
        if span.start >= lower && span.end <= upper { return nil }
        s.start = shift(span.start)
        s.end = shift(span.end)
        return s
      }
    }
  }
}

extension Document: CustomStringConvertible {
  public var description: String {
    let start = text.drop { $0.isWhitespace }
    let words = start.prefix(40).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
    let ellipsis = start.dropFirst(words.count).isEmpty ? "" : "…"
    let layerList = layerNames.isEmpty ? "" : ", layers: " + layerNames.joined(separator: ", ")
    return "<Document \(id) \"\(words)\(ellipsis)\" \(tokens.count) tokens\(layerList)>"
  }
}
