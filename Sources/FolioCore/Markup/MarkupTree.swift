/// A forgiving HTML parser into a flat tree (SGML/XML records: `RecordScanner`).
///
/// Good enough for text extraction: tags,
/// attributes, comments, raw-text elements (`script`, `style`), void elements, implied end tags
/// (`p`, `li`, `td`, ...), character references. Never fails: any bytes give some tree.
///
/// Nodes live in arrays indexed by `Int`; node 0 is the root. A text node has the name `""`.
struct MarkupTree {
  var names: [String] = ["#root"]
  var attributes: [[(String, String)]] = [[]]
  var texts: [String] = [""]
  var parents: [Int] = [-1]
  // Children as links (an array per node cost a third of the parse).
  private var firstChild: [Int] = [-1]
  private var lastChild: [Int] = [-1]
  private var nextSibling: [Int] = [-1]

  /// The children of each node, in order: `tree.children[node]`.
  var children: Children { Children(tree: self) }

  struct Children {
    let tree: MarkupTree
    subscript(node: Int) -> [Int] {
      var out: [Int] = []
      var k = tree.firstChild[node]
      while k >= 0 {
        out.append(k)
        k = tree.nextSibling[k]
      }
      return out
    }
  }

  /// Calls `body` with each child of `node`, in order.
  @inline(__always)
  func forEachChild(_ node: Int, _ body: (Int) -> Void) {
    var k = firstChild[node]
    while k >= 0 {
      body(k)
      k = nextSibling[k]
    }
  }

  static let voidElements: Set<String> = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "keygen",
  ]
  static let rawTextElements: Set<String> = [
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext",
  ]
  /// Elements that belong in `head`; any other start tag closes an open `head`.
  static let headElements: Set<String> = [
    "title", "meta", "link", "style", "script", "base", "noscript", "template",
  ]

  /// Elements whose start closes an open `p` (HTML's "closes a p element" list).
  static let closesParagraph: Set<String> = [
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "table", "ul",
  ]

  func attribute(_ node: Int, _ name: String) -> String? {
    attributes[node].first { $0.0 == name }?.1
  }

  @discardableResult
  mutating func append(_ name: String, _ attrs: [(String, String)], text: String, to parent: Int)
    -> Int
  {
    let id = names.count
    names.append(name)
    attributes.append(attrs)
    texts.append(text)
    parents.append(parent)
    firstChild.append(-1)
    lastChild.append(-1)
    nextSibling.append(-1)
    if lastChild[parent] >= 0 {
      nextSibling[lastChild[parent]] = id
    } else {
      firstChild[parent] = id
    }
    lastChild[parent] = id
    return id
  }

  /// The deepest an element may be open.
  ///
  /// Deeper start tags still make nodes, as leaves of the deepest open element. Real pages stay under a hundred; a hostile one nested 100,000 deep
  /// would make closing tags quadratic and the tree's walks overflow the stack.
  static let maxDepth = 256

  init(_ text: String) {
    var source = text
    source.withUTF8 { parse($0) }
  }

  private mutating func parse(_ b: UnsafeBufferPointer<UInt8>) {
    var lexer = TagLexer(b)
    var stack = [0]
    // How many elements of each name are open: most closes (every block start closes an open
    // `p`) find none and return at once, instead of walking the stack.
    var open: [String: Int] = [:]
    func close(_ name: String, limit: Set<String> = []) {
      // Pops up to and including the nearest open `name`, unless a `limit` element (or the
      // root) comes first.
      guard (open[name] ?? 0) > 0 else { return }
      var k = stack.count - 1
      while k > 0 {
        let element = names[stack[k]]
        if element == name {
          for node in stack[k...] { open[names[node], default: 1] -= 1 }
          stack.removeSubrange(k...)
          return
        }
        if limit.contains(element) { return }
        k -= 1
      }
    }
    while true {
      switch lexer.next() {
      case .eof:
        return
      case .text(let range):
        append(
          "", [], text: CharacterReferences.decode(lexer.string(range)), to: stack[stack.count - 1])
      case .cdata(let range):
        append("", [], text: lexer.string(range), to: stack[stack.count - 1])
      case .end(let range):
        var name = lexer.lowered(range)
        if name == "p", (open["p"] ?? 0) == 0 { continue }
        if name == "script", (open["script-template"] ?? 0) > 0 { name = "script-template" }
        close(name)
      case .start(let range, let attributes, let selfClosing):
        let name = lexer.lowered(range)
        // Content ends a head left open (pages without <body>, or without </head>).
        if (open["head"] ?? 0) > 0, !Self.headElements.contains(name) { close("head") }
        if Self.closesParagraph.contains(name) {
          close("p", limit: ["button", "td", "th", "table"])
        }
        switch name {
        case "li": close("li", limit: ["ul", "ol", "menu"])
        case "dt", "dd":
          close("dd", limit: ["dl"])
          close("dt", limit: ["dl"])
        case "tr": close("tr", limit: ["table", "tbody", "thead", "tfoot"])
        case "td", "th":
          close("td", limit: ["tr", "table"])
          close("th", limit: ["tr", "table"])
        case "option": close("option", limit: ["select"])
        default: break
        }
        let attrs = lexer.attributes(attributes)
        // A script of HTML (Blogger's posts come as <script type="text/template">) is parsed
        // as markup.
        if name == "script", !selfClosing,
          let type = attrs.first(where: { $0.0 == "type" })?.1.lowercased(),
          type == "text/template" || type == "text/html" || type == "text/x-template"
        {
          let node = append("script-template", attrs, text: "", to: stack[stack.count - 1])
          stack.append(node)
          open["script-template", default: 0] += 1
          continue
        }
        let node = append(name, attrs, text: "", to: stack[stack.count - 1])
        if Self.rawTextElements.contains(name) && !selfClosing {
          let body = lexer.skipRawText(closing: name)
          if name == "title" || name == "textarea" {
            append("", [], text: CharacterReferences.decode(lexer.string(body)), to: node)
          } else if !body.isEmpty {
            // Script and style bodies are kept verbatim (JSON-LD metadata lives there).
            texts[node] = lexer.string(body)
          }
          continue
        }
        if selfClosing || Self.voidElements.contains(name) || stack.count > Self.maxDepth {
          continue
        }
        stack.append(node)
        open[name, default: 0] += 1
      }
    }
  }

  /// The text of a subtree with whitespace as in the source.
  func rawText(_ node: Int) -> String {
    if names[node].isEmpty { return texts[node] }
    var out = ""
    forEachChild(node) { out += rawText($0) }
    return out
  }

  /// The nearest ancestor (or the node itself) named `name`.
  func ancestor(_ node: Int, named name: String) -> Int? {
    var k = node
    while k >= 0 {
      if names[k] == name { return k }
      k = parents[k]
    }
    return nil
  }

  /// The first node named `name`, depth first.
  func first(_ name: String, under node: Int = 0) -> Int? {
    if names[node] == name { return node }
    var k = firstChild[node]
    while k >= 0 {
      if let found = first(name, under: k) { return found }
      k = nextSibling[k]
    }
    return nil
  }

  /// Every node named `name` under `node`, in document order.
  func all(_ name: String, under node: Int = 0) -> [Int] {
    var out: [Int] = []
    var work = [node]
    while let k = work.popLast() {
      if names[k] == name { out.append(k) }
      // Children pushed last first, so they pop in document order.
      let mark = work.count
      forEachChild(k) { work.append($0) }
      work[mark...].reverse()
    }
    return out
  }
}
