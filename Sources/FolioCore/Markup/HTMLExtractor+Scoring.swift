import Foundation

extension HTMLExtractor {
  // MARK: Scoring

  mutating func initialise(_ node: Int, weigh: Bool) {
    guard score[node] == nil else { return }
    var s: Double
    switch tree.names[node] {
    case "div", "article": s = 5
    case "pre", "td", "blockquote": s = 3
    case "address", "ol", "ul", "dl", "dd", "dt", "li", "form": s = -3
    case "h1", "h2", "h3", "h4", "h5", "h6", "th": s = -5
    default: s = 0
    }
    score[node] = s + classWeight(node, enabled: weigh)
  }

  mutating func extract(stripUnlikely: Bool, weighClasses: Bool, clean cleaning: Bool)
    -> String
  {
    removed = Array(repeating: false, count: tree.names.count)
    score = [:]
    removeFurniture(stripUnlikely: stripUnlikely)
    measure()
    let body = tree.first("body") ?? 0
    // Score paragraphs into their ancestors.
    var candidates: [Int] = []
    var work = [body]
    while let node = work.popLast() {
      guard !removed[node] else { continue }
      let name = tree.names[node]
      let scored =
        Self.paragraphLike.contains(name) || (name == "div" && !hasBlockChild(node))
      if scored && length[node] >= 25 {
        var ancestors: [Int] = []
        var a = tree.parents[node]
        while a >= 0, ancestors.count < 5 {
          ancestors.append(a)
          if a == body { break }
          a = tree.parents[a]
        }
        let points = 1 + Double(commas[node]) + min(Double(length[node] / 100), 3)
        for (level, ancestor) in ancestors.enumerated() {
          if score[ancestor] == nil {
            initialise(ancestor, weigh: weighClasses)
            candidates.append(ancestor)
          }
          let divider = level == 0 ? 1 : level == 1 ? 2 : Double(level) * 3
          score[ancestor, default: 0] += points / divider
        }
      }
      work.append(contentsOf: tree.children[node].reversed())
    }
    var ranked = candidates.map { ($0, (score[$0] ?? 0) * (1 - linkDensity($0))) }
    for (node, s) in ranked { score[node] = s }
    ranked.sort { $0.1 > $1.1 }
    // A container the page declares as the article's body (schema.org's articleBody, or a
    // class such as entry-content) is the article when it holds enough text.
    if let declared = declaredBody(body) {
      if cleaning { clean(declared, weigh: weighClasses) }
      return render([declared])
    }
    guard var top = ranked.first?.0, top != body else { return render([body]) }
    let topScore = ranked[0].1
    // Several near-best candidates under one ancestor: that ancestor is the article.
    let alternatives = ranked.dropFirst().prefix(4).filter { $0.1 / topScore >= 0.75 }.map(\.0)
    if alternatives.count >= 3 {
      var parent = tree.parents[top]
      while parent >= 0, parent != body {
        let holds = alternatives.filter { isAncestor(parent, of: $0) }.count
        if holds >= 3 {
          top = parent
          break
        }
        parent = tree.parents[parent]
      }
    }
    if score[top] == nil { initialise(top, weigh: weighClasses) }
    // Climb while the parent scores better.
    var lastScore = score[top] ?? 0
    var parent = tree.parents[top]
    while parent >= 0, parent != body {
      guard let parentScore = score[parent] else {
        parent = tree.parents[parent]
        continue
      }
      if parentScore < lastScore / 3 { break }
      if parentScore > lastScore {
        top = parent
        break
      }
      lastScore = parentScore
      parent = tree.parents[parent]
    }
    while tree.parents[top] >= 0, tree.parents[top] != body, children(tree.parents[top]).count == 1
    {
      top = tree.parents[top]
    }
    // Siblings that score near the top candidate, or look like paragraphs of the story.
    let best = score[top] ?? 0
    let threshold = max(10, best * 0.2)
    var parts: [Int] = []
    let siblings = tree.parents[top] >= 0 ? children(tree.parents[top]) : [top]
    let topClass = tree.attribute(top, "class") ?? ""
    for sibling in siblings {
      if sibling == top {
        parts.append(sibling)
        continue
      }
      guard !tree.names[sibling].isEmpty else { continue }
      var bonus = 0.0
      if !topClass.isEmpty, tree.attribute(sibling, "class") == topClass { bonus = best * 0.2 }
      if let s = score[sibling], s + bonus >= threshold {
        parts.append(sibling)
      } else if isLead(sibling) {
        parts.append(sibling)
      } else if tree.names[sibling] == "p" {
        let density = linkDensity(sibling)
        let n = length[sibling]
        let text = tree.rawText(sibling)
        if n > 80 && density < 0.25 {
          parts.append(sibling)
        } else if n > 0 && n <= 80 && density == 0 && (text.contains(". ") || text.hasSuffix(".")) {
          parts.append(sibling)
        }
      }
    }
    if cleaning { for part in parts { clean(part, weigh: weighClasses) } }
    return render(parts)
  }

  /// Class and id names of article bodies (WordPress, news CMSs), for `declaredBody`.
  static let bodyNames = [
    "article-body", "articlebody", "article__body", "article-content", "articlecontent",
    "article__content", "entry-content", "post-content", "postcontent", "post-body",
    "story-body", "storybody", "story-content", "article-text", "articletext", "post-entry",
    "single-content", "td-post-content", "blog-post-body", "news-content", "text-content",
  ]

  /// The element the page marks as the article's text (`itemprop="articleBody"`, then a
  /// class or id of `bodyNames`), when exactly one holds at least 250 characters with few
  /// links; nil otherwise.
  func declaredBody(_ body: Int) -> Int? {
    func usable(_ k: Int) -> Bool {
      !removed[k] && length[k] >= 250 && linkDensity(k) < 0.5
        && !isRemovedBelow(k, body)
    }
    var marked: [Int] = []
    var work = [body]
    while let k = work.popLast() {
      guard !removed[k] else { continue }
      if tree.attribute(k, "itemprop")?.lowercased() == "articlebody" { marked.append(k) }
      work.append(contentsOf: tree.children[k])
    }
    let items = marked.filter(usable)
    if items.count == 1 { return items[0] }
    if !items.isEmpty { return nil }
    var named: [Int] = []
    work = [body]
    while let k = work.popLast() {
      guard !removed[k] else { continue }
      let key = classAndId(k)
      if !key.isEmpty, Self.bodyNames.contains(where: { Self.contains(key, $0) }), usable(k) {
        named.append(k)
        continue  // one inside another names the same article
      }
      work.append(contentsOf: tree.children[k])
    }
    return named.count == 1 ? named[0] : nil
  }

  /// Whether an ancestor of `k` below `body` was removed.
  func isRemovedBelow(_ k: Int, _ body: Int) -> Bool {
    var a = tree.parents[k]
    while a >= 0, a != body {
      if removed[a] { return true }
      a = tree.parents[a]
    }
    return false
  }

  /// Class and id names of a story's lead paragraph, often a sibling of its body.
  static let leadNames = [
    "lead", "intro", "standfirst", "teaser-text", "summary", "abstract", "excerpt", "kicker-text",
    "deck",
  ]

  /// Whether `node` is the story's lead: named so, some text, few links.
  func isLead(_ node: Int) -> Bool {
    guard length[node] >= 40, linkDensity(node) < 0.3 else { return false }
    let key = classAndId(node)
    return !key.isEmpty && Self.leadNames.contains { Self.contains(key, $0) }
  }

  func isAncestor(_ a: Int, of node: Int) -> Bool {
    var k = tree.parents[node]
    while k >= 0 {
      if k == a { return true }
      k = tree.parents[k]
    }
    return false
  }
}
