import Foundation

extension HTMLExtractor {
  // MARK: Text

  func render(_ nodes: [Int]) -> String {
    var out = TextBuilder()
    for node in nodes { render(node, into: &out, pre: false) }
    return out.text
  }

  func render(_ node: Int, into out: inout TextBuilder, pre: Bool) {
    guard !removed[node] else { return }
    let name = tree.names[node]
    if name.isEmpty {
      out.add(tree.texts[node], pre: pre)
      return
    }
    switch name {
    case "br":
      out.lineBreak(1)
      return
    case "img":
      return
    case "td", "th":
      out.space()
    default: break
    }
    let block = Self.blocks.contains(name)
    let breaks = name == "li" || name == "tr" || name == "dt" || name == "dd" ? 1 : 2
    if block { out.lineBreak(breaks) }
    for child in tree.children[node] { render(child, into: &out, pre: pre || name == "pre") }
    if block { out.lineBreak(breaks) }
  }
}
