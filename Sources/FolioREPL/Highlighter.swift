import FolioCore

/// Renders a document's text with the spans of its layers marked: colours per layer on a terminal, `[text]{layer:label}` otherwise.
struct Highlighter {
  var color: Bool

  static let palette = ["33", "36", "35", "32", "34", "31"]

  func render(_ doc: Document) -> String {
    struct Event {
      var position: Int
      var isOpen: Bool
      var length: Int
      var layer: Int
      var label: String?
    }
    var events: [Event] = []
    var legend: [String] = []
    for (i, name) in doc.layerNames.enumerated() {
      guard let layer = doc.layer(name) else { continue }
      legend.append(paint("\(name) (\(layer.spans.count))", i, dim: false))
      for s in layer.spans where s.end > s.start {
        events.append(
          Event(position: s.start, isOpen: true, length: s.end - s.start, layer: i, label: s.label))
        events.append(
          Event(position: s.end, isOpen: false, length: s.end - s.start, layer: i, label: s.label))
      }
    }
    // Closes before opens at one position; longer spans open first and close last.
    events.sort { a, b in
      if a.position != b.position { return a.position < b.position }
      if a.isOpen != b.isOpen { return !a.isOpen }
      return a.isOpen ? a.length > b.length : a.length < b.length
    }
    let bytes = Array(doc.text.utf8)
    var out = ""
    var at = 0
    var open: [Int] = []
    for e in events {
      let p = min(max(e.position, at), bytes.count)
      out += String(decoding: bytes[at..<p], as: UTF8.self)
      at = p
      let name = doc.layerNames[e.layer]
      let tag = e.label.map { "\(name):\($0)" } ?? name
      if e.isOpen {
        open.append(e.layer)
        out += color ? "\u{1B}[4;\(Self.palette[e.layer % Self.palette.count])m" : "["
      } else {
        if let k = open.lastIndex(of: e.layer) { open.remove(at: k) }
        if color {
          out += "\u{1B}[0m\u{1B}[2m{\(tag)}\u{1B}[0m"
          for l in open { out += "\u{1B}[4;\(Self.palette[l % Self.palette.count])m" }
        } else {
          out += "]{\(tag)}"
        }
      }
    }
    out += String(decoding: bytes[min(at, bytes.count)...], as: UTF8.self)
    if color && !open.isEmpty { out += "\u{1B}[0m" }
    var header = "\(doc.id)"
    if !legend.isEmpty { header += " · layers: " + legend.joined(separator: ", ") }
    return header + "\n" + out
  }

  /// The document a sentence a line, each token as `word/value/...` with the values of the
  /// token attributes `names` (`show(doc, {attrs = true})`); attributes dimmed on a terminal.
  func renderTokens(_ doc: Document, _ names: [String]) -> String {
    let bytes = Array(doc.text.utf8)
    let tokens = doc.tokens
    let columns = names.compactMap { doc.tokenColumns[$0] }
    var lines = ["\(doc.id) · word/" + names.joined(separator: "/")]
    for sentence in doc.tokensBySentence() {
      lines.append(
        sentence.map { i in
          let t = tokens[i]
          let word = String(decoding: bytes[Int(t.start)..<Int(t.end)], as: UTF8.self)
          let values = columns.map { i < $0.count ? $0[i] : "_" }.joined(separator: "/")
          return word + (color ? "\u{1B}[2m/\(values)\u{1B}[0m" : "/" + values)
        }.joined(separator: " "))
    }
    return lines.joined(separator: "\n")
  }

  func paint(_ s: String, _ layer: Int, dim: Bool) -> String {
    guard color else { return s }
    return "\u{1B}[\(Self.palette[layer % Self.palette.count])m\(s)\u{1B}[0m"
  }
}
