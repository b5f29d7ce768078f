/// A stand-off annotation over a document's text: UTF-8 byte offsets, half-open.
public struct Span: Sendable, Equatable {
  /// First byte (0-based).
  public var start: Int
  /// One past the last byte.
  public var end: Int
  public var label: String?
  public var attributes: [(String, MetaValue)]

  public init(start: Int, end: Int, label: String? = nil, attributes: [(String, MetaValue)] = []) {
    self.start = start
    self.end = end
    self.label = label
    self.attributes = attributes
  }

  public static func == (a: Span, b: Span) -> Bool {
    a.start == b.start && a.end == b.end && a.label == b.label
      && a.attributes.elementsEqual(b.attributes) { $0.0 == $1.0 && $0.1 == $1.1 }
  }
}

/// A named set of spans, kept sorted by start then end.
///
/// Spans may overlap and nest.
public struct Layer: Sendable, Equatable {
  public let name: String
  public private(set) var spans: [Span] = []

  public init(name: String, spans: [Span] = []) {
    self.name = name
    for span in spans { add(span) }
  }

  /// Inserts `span` in order (stable for equal positions).
  public mutating func add(_ span: Span) {
    if let last = spans.last, (last.start, last.end) > (span.start, span.end) {
      var lo = 0
      var hi = spans.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if (spans[mid].start, spans[mid].end) <= (span.start, span.end) {
          lo = mid + 1
        } else {
          hi = mid
        }
      }
      spans.insert(span, at: lo)
    } else {
      spans.append(span)
    }
  }

  public mutating func removeAll(where predicate: (Span) -> Bool) {
    spans.removeAll(where: predicate)
  }

  mutating func mapSpans(_ transform: (Span) -> Span?) {
    spans = spans.compactMap(transform)
  }
}
