import Foundation

extension HTMLExtractor {
  // MARK: Metadata

  /// `title`, `lang`, and the page's `<meta>` names and properties that describe it.
  func metadata() -> [(String, String)] {
    var out: [(String, String)] = []
    var seen: Set<String> = []
    func add(_ key: String, _ value: String) {
      let v = value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      guard !v.isEmpty, seen.insert(key).inserted else { return }
      out.append((key, v))
    }
    if let title = tree.first("title") { add("title", tree.rawText(title)) }
    if let html = tree.first("html"), let lang = tree.attribute(html, "lang") { add("lang", lang) }
    for node in tree.all("meta") {
      guard let content = tree.attribute(node, "content") else { continue }
      let key = (tree.attribute(node, "name") ?? tree.attribute(node, "property") ?? "")
        .lowercased()
      switch key {
      case "description", "author", "date", "keywords", "byline", "pubdate", "publishdate",
        "dc.date", "dc.creator", "dc.title", "dc.language", "parsely-pub-date", "sailthru.date":
        add(key, content)
      default:
        if key.hasPrefix("og:") || key.hasPrefix("article:") { add(key, content) }
      }
    }
    if seen.contains("title") == false, let og = out.first(where: { $0.0 == "og:title" }) {
      add("title", og.1)
    }
    if !seen.contains("date") {
      for key in [
        "article:published_time", "pubdate", "publishdate", "dc.date", "parsely-pub-date",
        "sailthru.date",
      ] {
        if let d = out.first(where: { $0.0 == key }) {
          add("date", d.1)
          break
        }
      }
    }
    return out
  }
}
