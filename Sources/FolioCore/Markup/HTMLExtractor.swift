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
  var tree: MarkupTree
  var removed: [Bool]
  var length: [Int]
  var linkLength: [Int]
  var commas: [Int]
  var score: [Int: Double] = [:]

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

  func classAndId(_ node: Int) -> String {
    ((tree.attribute(node, "class") ?? "") + " " + (tree.attribute(node, "id") ?? "")).lowercased()
  }

  func isHidden(_ node: Int) -> Bool {
    if tree.attribute(node, "hidden") != nil { return true }
    if tree.attribute(node, "aria-hidden") == "true", tree.names[node] != "img" { return true }
    if let style = tree.attribute(node, "style")?.lowercased().replacingOccurrences(
      of: " ", with: "")
    {
      return style.contains("display:none") || style.contains("visibility:hidden")
    }
    return false
  }

  mutating func removeFurniture(stripUnlikely: Bool) {
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
  mutating func measure() {
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

  func linkDensity(_ node: Int) -> Double {
    length[node] == 0 ? 0 : min(1, Double(linkLength[node]) / Double(length[node]))
  }

  func classWeight(_ node: Int, enabled: Bool) -> Double {
    guard enabled else { return 0 }
    var weight = 0.0
    for attr in ["class", "id"] {
      guard let value = tree.attribute(node, attr)?.lowercased(), !value.isEmpty else { continue }
      if Self.negative.contains(where: { Self.contains(value, $0) }) { weight -= 25 }
      if Self.positive.contains(where: { Self.contains(value, $0) }) { weight += 25 }
    }
    return weight
  }

  func hasBlockChild(_ node: Int) -> Bool {
    tree.children[node].contains { !removed[$0] && Self.blocks.contains(tree.names[$0]) }
  }

  func children(_ node: Int) -> [Int] {
    tree.children[node].filter { !removed[$0] }
  }

}

/// Builds text from blocks and inline runs: whitespace runs collapse to one space, blocks are
/// separated by blank lines, `pre` keeps its whitespace.
struct TextBuilder {
  var bytes: [UInt8] = []
  var pendingSpace = false
  var pendingBreaks = 0

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

  mutating func flush() {
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
