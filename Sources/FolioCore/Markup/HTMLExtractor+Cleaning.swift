import Foundation

extension HTMLExtractor {
  // MARK: Cleaning the article

  func count(_ name: String, under node: Int) -> Int {
    var n = 0
    var work = [node]
    while let k = work.popLast() {
      guard !removed[k] else { continue }
      if tree.names[k] == name, k != node { n += 1 }
      work.append(contentsOf: tree.children[k])
    }
    return n
  }

  mutating func drop(_ node: Int) {
    removed[node] = true
    var a = tree.parents[node]
    while a >= 0 {
      length[a] -= length[node]
      linkLength[a] -= tree.names[node] == "a" ? length[node] : linkLength[node]
      commas[a] -= commas[node]
      a = tree.parents[a]
    }
  }

  /// Drops blocks inside the article that look like furniture: link lists, image galleries,
  /// "share" bars, blocks that score below zero (Readability's conditional cleaning).
  mutating func clean(_ root: Int, weigh: Bool) {
    // Inner blocks first, so an outer block is judged on what is left.
    let nodes =
      tree.all("div", under: root) + tree.all("ul", under: root) + tree.all("ol", under: root)
      + tree.all("table", under: root) + tree.all("section", under: root)
    for node in nodes.sorted(by: >) where node != root && !removed[node] {
      var k = tree.parents[node]
      var gone = false
      while k >= 0, k != root {
        if removed[k] { gone = true }
        k = tree.parents[k]
      }
      if gone { continue }
      let key = classAndId(node)
      if weigh && (key.contains("share") || key.contains("social")) && length[node] < 500 {
        drop(node)
        continue
      }
      let weight = classWeight(node, enabled: weigh)
      if weight + (score[node] ?? 0) < 0 {
        drop(node)
        continue
      }
      guard commas[node] < 10 else { continue }
      let name = tree.names[node]
      // Lists and tables of text (ingredients, steps, figures) are content, not link lists.
      if linkDensity(node) < 0.15,
        name == "ul" || name == "ol" || name == "table" || count("li", under: node) >= 2
      {
        continue
      }
      let isList = name == "ul" || name == "ol"
      let p = count("p", under: node)
      let img = count("img", under: node)
      let li = count("li", under: node) - 100
      let inputs = count("input", under: node)
      let embeds =
        count("embed", under: node) + count("object", under: node) + count("iframe", under: node)
      let density = linkDensity(node)
      let n = length[node]
      let inFigure = tree.ancestor(node, named: "figure") != nil
      let junk =
        (img > 1 && Double(p) / Double(img) < 0.5 && !inFigure)
        || (!isList && li > p)
        || (inputs > p / 3)
        || (!isList && n < 25 && (img == 0 || img > 2) && !inFigure)
        || (!isList && weight < 25 && density > 0.2)
        || (weight >= 25 && density > 0.5)
        || ((embeds == 1 && n < 75) || embeds > 1)
        || (isList && density > 0.5)
      if junk { drop(node) }
    }
  }
}
