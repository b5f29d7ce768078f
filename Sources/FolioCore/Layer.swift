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
