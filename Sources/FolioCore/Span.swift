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
