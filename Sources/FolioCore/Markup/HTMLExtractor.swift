import Foundation

/// Main-text extraction from a news or article page, in the manner of Mozilla's Readability:
/// page furniture is removed (`script`, `style`, `nav`, `header`, `footer`, `aside`, forms,
/// comments, hidden elements, and containers whose class or id says "comment", "sidebar",
/// "share", ...); paragraphs score their ancestors by length and commas; the best-scoring
/// container, with the siblings that score near it, is the article; lists of links and other
/// low-text blocks inside it are dropped; blocks become paragraphs.
///
/// Also collects metadata: `<title>`, `<html lang>`, `<meta name=description|author|date|...>`,
/// `og:` and `article:` properties.
struct HTMLExtractor {
  private var tree: MarkupTree
  private var removed: [Bool]
  private var length: [Int]
  private var linkLength: [Int]
  private var commas: [Int]
  private var score: [Int: Double] = [:]

  init(_ tree: MarkupTree) {
    self.tree = tree
    removed = Array(repeating: false, count: tree.names.count)
    length = Array(repeating: 0, count: tree.names.count)
    linkLength = length
    commas = length
  }

  static let furniture: Set<String> = [
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
    "button", "select", "textarea", "template", "object", "embed", "canvas", "input", "label",
    "dialog", "menu", "head", "fieldset", "link", "meta", "figcaption", "h1",
  ]
  static let furnitureRoles: Set<String> = [
    "menu", "menubar", "complementary", "navigation", "alert", "alertdialog", "dialog",
    "banner", "contentinfo", "search",
  ]
  static let unlikely = [
    "-ad-", "ai2html", "banner", "breadcrumb", "combx", "comment", "community", "cover-wrap",
    "disqus", "extra", "footer", "gdpr", "header", "legends", "menu", "related", "remark",
    "replies", "rss", "shoutbox", "sidebar", "skyscraper", "social", "sponsor", "supplemental",
    "ad-break", "agegate", "pagination", "pager", "popup", "yom-remote", "newsletter", "promo",
    "subscribe", "cookie", "modal",
  ]
  static let maybe = ["and", "article", "body", "column", "content", "main", "shadow"]
  /// Class or id words that mark furniture even inside a container whose name says "article"
  /// or "content" (`article-tags`, `content-related`).
  static let furnitureNames = [
    "tags", "tag-list", "taglist", "author-bio", "authorbio", "about-author", "credit",
    "copyright",
  ]
  static let negative = [
    "hidden", "banner", "combx", "comment", "com-", "contact", "foot", "footnote", "gdpr",
    "masthead", "media", "meta", "outbrain", "promo", "related", "scroll", "share", "shoutbox",
    "sidebar", "skyscraper", "sponsor", "shopping", "tags", "tool", "widget",
  ]
  static let positive = [
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "pagination",
    "post", "text", "blog", "story",
  ]
  static let blocks: Set<String> = [
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul", "caption",
    "details", "summary", "center",
  ]
  static let paragraphLike: Set<String> = [
    "p", "td", "pre", "section", "h2", "h3", "h4", "h5", "h6",
  ]

  /// The article text.
  ///
  /// When a pass finds under 500 characters, the next is less strict: first
  /// unlikely-looking containers are kept, then class names stop counting, then the article is
  /// not cleaned; when every pass finds little, the longest result wins.
  mutating func articleText() -> String {
    var best = ""
    for (strip, weigh, clean) in [
      (true, true, true), (false, true, true), (false, false, true), (false, false, false),
    ] {
      let text = Self.cutTail(extract(stripUnlikely: strip, weighClasses: weigh, clean: clean))
      let n = text.unicodeScalars.count
      if n >= 500 { return text }
      if n > best.unicodeScalars.count { best = text }
    }
    return best
  }

  /// The page's visible text: everything but scripts, styles, controls and hidden elements
  /// (navigation, headers and footers included), for a page whose article comes out empty.
  mutating func visibleText() -> String {
    removed = Array(repeating: false, count: tree.names.count)
    var work = [0]
    while let node = work.popLast() {
      if Self.invisible.contains(tree.names[node]) || (node != 0 && isHidden(node)) {
        removed[node] = true
        continue
      }
      work.append(contentsOf: tree.children[node])
    }
    return render([tree.first("body") ?? 0])
  }

  /// Elements whose text a reader never sees.
  static let invisible: Set<String> = [
    "script", "style", "noscript", "template", "head", "svg", "canvas", "object", "embed",
    "iframe", "select", "textarea", "input", "button", "link", "meta",
  ]

  /// Headings that open what follows an article, in the languages of the web.
  ///
  /// Comments, related stories, sharing, newsletters, tags. Lowercase; matched at the start of
  /// a short block, as whole words.
  static let tailCues = [
    "kommentar", "comments", "comment:", "comentario", "commentaires", "komentarz",
    "keine kommentare", "leave a reply", "leave a comment", "post a comment", "write a comment",
    "schreibe einen kommentar", "deja un comentario", "laisser un commentaire",
    "das könnte sie auch interessieren", "das könnte dich auch interessieren", "lesen sie auch",
    "lesen sie dazu auch", "lies auch", "weitere artikel", "weitere beiträge", "weitere themen",
    "weitere meldungen", "weitere nachrichten", "weitere pressemitteilungen", "ähnliche artikel",
    "ähnliche beiträge", "verwandte artikel", "passende artikel", "mehr zum thema",
    "mehr zu diesem thema", "mehr dazu", "mehr artikel", "mehr beiträge", "zum weiterlesen",
    "auch interessant", "related articles", "related posts", "related stories",
    "related content", "related news", "you may also like", "you might also like",
    "you may also enjoy", "more stories", "more from", "more on this", "more articles",
    "more news", "read more", "read next", "read also", "recommended for you",
    "noticias relacionadas", "artículos relacionados", "te puede interesar", "lire aussi",
    "à lire aussi", "sur le même sujet", "articles similaires", "zobacz też", "zobacz także",
    "czytaj też", "czytaj także", "leggi anche", "neueste artikel", "meistgelesen",
    "top-artikel", "teilen", "artikel teilen", "share this", "share on",
    "war der artikel nützlich", "ist dieser artikel hilfreich", "newsletter", "abonnieren",
    "jetzt anmelden", "jetzt abonnieren", "subscribe", "tags", "schlagwörter", "schlagworte",
    "stichworte", "etiquetas", "mots-clés", "mehr lesen", "auch lesen", "kontakt",
    "pressekontakt", "unsere produktempfehlungen", "teilen mit", "gefällt mir", "fotostrecke",
    "downloads", "weitere infos", "weiterführende links", "suggested citation",
    "zitiervorschlag", "descarga la app",
  ]

  /// Lines that introduce something other than the story inside it.
  ///
  /// A teaser with its title ("Lea: ...", "Schon gelesen? ..."), a call to follow the site, a
  /// posting line. Each drops only its own block, wherever it is.
  static let teaserCues = [
    "lea:", "lee también", "le puede interesar", "dowiedz się więcej", "czytaj więcej",
    "schon gelesen", "mehr zu", "mehr über", "follow us", "follow the", "folgen sie uns",
    "posted by", "veröffentlicht unter", "to view the full story", "audios et vidéos",
    "vidéos sur le sujet", "der beitrag wurde am", "titelbild", "beitragsbild", "foto:",
    "fotos:", "bild:", "bildquelle", "quelle:", "photo:", "image:", "credit:", "zum angebot",
    "zurück", "weiterlesen", "puede escribirnos", "if you enjoyed", "get regular updates",
    "mira lo que tiene", "dieser artikel kann links", "wird geladen", "aufrufe:",
    "kommentare insgesamt", "verraten sie", "weitere infos unter", "hier geht es zu",
    "porträtfotos", "mehr informationen unter", "subscribe to",
  ]

  /// Labels of advertisements: a block that is only the label is dropped.
  static let adLabels = [
    "anzeige", "werbung", "advertisement", "publicidad", "reklama", "sponsored",
  ]

  /// The article without what follows it and without teasers inside it.
  ///
  /// From the first short block past 40% of the text that is a `tailCues` heading ("Das
  /// könnte Sie auch interessieren", "3 Kommentare", "Related articles"), the rest is dropped;
  /// a tail cue followed by text of its own ("Lesen Sie auch: Title"), a `teaserCues` line and
  /// a bare advertisement label drop only their block.
  static func cutTail(_ text: String) -> String {
    let blocks = text.components(separatedBy: "\n\n")
    guard blocks.count > 1 else { return text }
    let total = text.utf8.count
    var kept: [String] = []
    var position = 0
    func letters(after cue: Int, in block: String) -> Int {
      block.dropFirst(cue).filter(\.isLetter).count
    }
    for (i, block) in blocks.enumerated() {
      let start = position
      position += block.utf8.count + 2
      let trimmed = block.trimmingCharacters(in: .whitespacesAndNewlines)
      guard i > 0, trimmed.count < 120 else {
        kept.append(block)
        continue
      }
      if let cue = cue(trimmed, Self.tailCues) {
        // "Lire aussi | Title", "Read more: Title": a teaser inside the story.
        if letters(after: cue, in: trimmed) > 3 { continue }
        if start * 10 > total * 4 { break }
        kept.append(block)
      } else if cue(trimmed, Self.teaserCues) != nil {
        continue
      } else if let cue = cue(trimmed, Self.adLabels), letters(after: cue, in: trimmed) <= 3 {
        continue
      } else {
        kept.append(block)
      }
    }
    return kept.joined(separator: "\n\n")
  }

  /// The length in characters of the cue of `cues` that `block` opens with (after a count such
  /// as "3 "), as a whole word, or nil.
  static func cue(_ block: String, _ cues: [String]) -> Int? {
    let lower = block.lowercased()
    let digits = lower.prefix { $0.isNumber || $0 == " " }
    let head = lower.dropFirst(digits.count)
    for cue in cues where head.hasPrefix(cue) {
      let next = head.dropFirst(cue.count).first
      if let next, next.isLetter { continue }
      return digits.count + cue.count
    }
    return nil
  }

  // MARK: Page furniture

  /// Whether `needle` occurs in `haystack`, compared byte for byte (class names and ids).
  static func contains(_ haystack: String, _ needle: String) -> Bool {
    var haystack = haystack
    var needle = needle
    return haystack.withUTF8 { h in
      needle.withUTF8 { n in
        guard let first = n.first else { return true }
        guard h.count >= n.count else { return false }
        var i = 0
        while i <= h.count - n.count {
          if h[i] == first {
            var k = 1
            while k < n.count, h[i + k] == n[k] { k += 1 }
            if k == n.count { return true }
          }
          i += 1
        }
        return false
      }
    }
  }

  private func classAndId(_ node: Int) -> String {
    ((tree.attribute(node, "class") ?? "") + " " + (tree.attribute(node, "id") ?? "")).lowercased()
  }

  private func isHidden(_ node: Int) -> Bool {
    if tree.attribute(node, "hidden") != nil { return true }
    if tree.attribute(node, "aria-hidden") == "true", tree.names[node] != "img" { return true }
    if let style = tree.attribute(node, "style")?.lowercased().replacingOccurrences(
      of: " ", with: "")
    {
      return style.contains("display:none") || style.contains("visibility:hidden")
    }
    return false
  }

  private mutating func removeFurniture(stripUnlikely: Bool) {
    var work = [0]
    while let node = work.popLast() {
      let name = tree.names[node]
      if !name.isEmpty && node != 0 {
        let role = tree.attribute(node, "role") ?? ""
        var drop =
          Self.furniture.contains(name) || Self.furnitureRoles.contains(role) || isHidden(node)
        // A form around the whole page (ASP.NET wraps every page in one) is not furniture; nor
        // is a header of paragraphs inside an article (HTML5 allows both).
        if drop, name == "form", tree.first("p", under: node) != nil { drop = false }
        if drop, name == "header", tree.ancestor(node, named: "article") != nil,
          tree.all("p", under: node).count >= 2
        {
          drop = false
        }
        if !drop, stripUnlikely, name != "body", name != "a", name != "article", name != "main" {
          let key = classAndId(node)
          if (Self.furnitureNames.contains(where: { Self.contains(key, $0) })
            || (Self.unlikely.contains(where: { Self.contains(key, $0) })
              && !Self.maybe.contains(where: { Self.contains(key, $0) })))
            && tree.ancestor(node, named: "table") == nil
            && tree.ancestor(node, named: "code") == nil
          {
            drop = true
          }
        }
        if drop {
          removed[node] = true
          continue
        }
      }
      work.append(contentsOf: tree.children[node])
    }
  }

  // MARK: Measures

  /// Text length (whitespace runs count one), link text length and commas, bottom up.
  private mutating func measure() {
    let n = tree.names.count
    length = Array(repeating: 0, count: n)
    linkLength = length
    commas = length
    for node in stride(from: n - 1, through: 0, by: -1) {
      guard !removed[node] else { continue }
      if tree.names[node].isEmpty {
        var n = 0
        var c = 0
        var space = true
        for s in tree.texts[node].unicodeScalars {
          if s.value < 0x80
            ? s.value == 0x20 || (0x09...0x0D).contains(s.value) : s.properties.isWhitespace
          {
            if !space { n += 1 }
            space = true
          } else {
            n += 1
            space = false
            if s == "," || s == "，" || s == "、" { c += 1 }
          }
        }
        length[node] = n
        commas[node] = c
      }
      let parent = tree.parents[node]
      if parent >= 0 {
        length[parent] += length[node]
        commas[parent] += commas[node]
        linkLength[parent] += tree.names[node] == "a" ? length[node] : linkLength[node]
      }
    }
  }

  private func linkDensity(_ node: Int) -> Double {
    length[node] == 0 ? 0 : min(1, Double(linkLength[node]) / Double(length[node]))
  }

  private func classWeight(_ node: Int, enabled: Bool) -> Double {
    guard enabled else { return 0 }
    var weight = 0.0
    for attr in ["class", "id"] {
      guard let value = tree.attribute(node, attr)?.lowercased(), !value.isEmpty else { continue }
      if Self.negative.contains(where: { Self.contains(value, $0) }) { weight -= 25 }
      if Self.positive.contains(where: { Self.contains(value, $0) }) { weight += 25 }
    }
    return weight
  }

  private func hasBlockChild(_ node: Int) -> Bool {
    tree.children[node].contains { !removed[$0] && Self.blocks.contains(tree.names[$0]) }
  }

  private func children(_ node: Int) -> [Int] {
    tree.children[node].filter { !removed[$0] }
  }

  // MARK: Scoring

  private mutating func initialise(_ node: Int, weigh: Bool) {
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

  private mutating func extract(stripUnlikely: Bool, weighClasses: Bool, clean cleaning: Bool)
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
  private func declaredBody(_ body: Int) -> Int? {
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
  private func isRemovedBelow(_ k: Int, _ body: Int) -> Bool {
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
  private func isLead(_ node: Int) -> Bool {
    guard length[node] >= 40, linkDensity(node) < 0.3 else { return false }
    let key = classAndId(node)
    return !key.isEmpty && Self.leadNames.contains { Self.contains(key, $0) }
  }

  private func isAncestor(_ a: Int, of node: Int) -> Bool {
    var k = tree.parents[node]
    while k >= 0 {
      if k == a { return true }
      k = tree.parents[k]
    }
    return false
  }

  // MARK: Cleaning the article

  private func count(_ name: String, under node: Int) -> Int {
    var n = 0
    var work = [node]
    while let k = work.popLast() {
      guard !removed[k] else { continue }
      if tree.names[k] == name, k != node { n += 1 }
      work.append(contentsOf: tree.children[k])
    }
    return n
  }

  private mutating func drop(_ node: Int) {
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
  private mutating func clean(_ root: Int, weigh: Bool) {
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

  // MARK: Text

  private func render(_ nodes: [Int]) -> String {
    var out = TextBuilder()
    for node in nodes { render(node, into: &out, pre: false) }
    return out.text
  }

  private func render(_ node: Int, into out: inout TextBuilder, pre: Bool) {
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

/// Builds text from blocks and inline runs: whitespace runs collapse to one space, blocks are
/// separated by blank lines, `pre` keeps its whitespace.
struct TextBuilder {
  private var bytes: [UInt8] = []
  private var pendingSpace = false
  private var pendingBreaks = 0

  var text: String { String(decoding: bytes, as: UTF8.self) }

  mutating func lineBreak(_ n: Int) {
    pendingBreaks = max(pendingBreaks, n)
    pendingSpace = false
  }

  mutating func space() { pendingSpace = true }

  mutating func add(_ s: String, pre: Bool) {
    var s = s
    s.withUTF8 { utf8 in
      var i = 0
      while i < utf8.count {
        let b = utf8[i]
        if b < 0x80 {
          i += 1
          if pre, b == 0x0A {
            lineBreak(1)
            flush()
          } else if !pre, b == 0x20 || (0x09...0x0D).contains(b) {
            pendingSpace = true
          } else {
            flush()
            bytes.append(b)
          }
          continue
        }
        // A multi-byte scalar (valid UTF-8: it comes from a String).
        let (scalar, length) = Sentences.scalar(utf8, i)
        let end = i + length
        if !pre, Sentences.isSpace(scalar) {
          pendingSpace = true
        } else {
          flush()
          bytes.append(contentsOf: utf8[i..<end])
        }
        i = end
      }
    }
  }

  private mutating func flush() {
    if pendingBreaks > 0 {
      if !bytes.isEmpty { bytes.append(contentsOf: repeatElement(0x0A, count: pendingBreaks)) }
      pendingBreaks = 0
      pendingSpace = false
    } else if pendingSpace {
      if !bytes.isEmpty, bytes.last != 0x0A { bytes.append(0x20) }
      pendingSpace = false
    }
  }
}
