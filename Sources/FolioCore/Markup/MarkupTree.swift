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

  init(_ text: String) {
    var source = text
    source.withUTF8 { parse($0) }
  }

  private mutating func parse(_ b: UnsafeBufferPointer<UInt8>) {
    var stack = [0]
    var textStart = 0
    var i = 0
    let n = b.count

    func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
    func isNameByte(_ c: UInt8) -> Bool {
      c > 0x20 && c != 0x3E && c != 0x2F && c != 0x3D && c != 0x3C
    }
    func flushText(_ end: Int) {
      guard end > textStart else { return }
      let raw = String(decoding: UnsafeBufferPointer(rebasing: b[textStart..<end]), as: UTF8.self)
      append("", [], text: CharacterReferences.decode(raw), to: stack[stack.count - 1])
    }
    /// The index of `needle` (lowercase ASCII) at or after `from`, comparing case-insensitively.
    func find(_ needle: [UInt8], from: Int) -> Int? {
      var j = from
      guard let first = needle.first else { return from }
      while j + needle.count <= n {
        if lower(b[j]) == first {
          var k = 1
          while k < needle.count, lower(b[j + k]) == needle[k] { k += 1 }
          if k == needle.count { return j }
        }
        j += 1
      }
      return nil
    }
    func close(_ name: String, limit: Set<String> = []) {
      // Pops up to and including the nearest open `name`, unless a `limit` element (or the
      // root) comes first.
      var k = stack.count - 1
      while k > 0 {
        let open = names[stack[k]]
        if open == name {
          stack.removeSubrange(k...)
          return
        }
        if limit.contains(open) { return }
        k -= 1
      }
    }

    while i < n {
      guard b[i] == 0x3C, i + 1 < n else {
        i += 1
        continue
      }
      let c = b[i + 1]
      if c == 0x21 {  // <!
        flushText(i)
        if i + 3 < n, b[i + 2] == 0x2D, b[i + 3] == 0x2D {
          let end = find([0x2D, 0x2D, 0x3E], from: i + 4)
          i = end.map { $0 + 3 } ?? n
        } else if i + 9 <= n,
          zip(b[(i + 2)..<(i + 9)], "[cdata[".utf8).allSatisfy({ lower($0) == $1 })
        {
          let end = find([0x5D, 0x5D, 0x3E], from: i + 9) ?? n
          let raw = String(decoding: UnsafeBufferPointer(rebasing: b[(i + 9)..<end]), as: UTF8.self)
          append("", [], text: raw, to: stack[stack.count - 1])
          i = min(end + 3, n)
        } else {
          i = (find([0x3E], from: i + 2) ?? n - 1) + 1
        }
        textStart = i
        continue
      }
      if c == 0x3F {  // <? processing instruction
        flushText(i)
        i = (find([0x3E], from: i + 2) ?? n - 1) + 1
        textStart = i
        continue
      }
      let closing = c == 0x2F
      var j = closing ? i + 2 : i + 1
      guard j < n, (b[j] >= 0x41 && b[j] <= 0x5A) || (b[j] >= 0x61 && b[j] <= 0x7A) else {
        i += 1
        continue
      }
      flushText(i)
      let nameStart = j
      while j < n, isNameByte(b[j]) { j += 1 }
      let name = lowered(UnsafeBufferPointer(rebasing: b[nameStart..<j]))
      // Attributes up to the closing '>' (quotes may hide a '>').
      var attrs: [(String, String)] = []
      var selfClosing = false
      while j < n, b[j] != 0x3E {
        let ch = b[j]
        if ch == 0x2F {
          selfClosing = true
          j += 1
          continue
        }
        if ch <= 0x20 {
          j += 1
          continue
        }
        selfClosing = false
        let a = j
        while j < n, isNameByte(b[j]) { j += 1 }
        if j == a {
          j += 1
          continue
        }
        let attrName = lowered(UnsafeBufferPointer(rebasing: b[a..<j]))
        while j < n, b[j] <= 0x20 { j += 1 }
        var value = ""
        if j < n, b[j] == 0x3D {
          j += 1
          while j < n, b[j] <= 0x20 { j += 1 }
          if j < n, b[j] == 0x22 || b[j] == 0x27 {
            let quote = b[j]
            let v = j + 1
            j = v
            while j < n, b[j] != quote { j += 1 }
            value = String(decoding: UnsafeBufferPointer(rebasing: b[v..<min(j, n)]), as: UTF8.self)
            j += 1
          } else {
            let v = j
            while j < n, b[j] > 0x20, b[j] != 0x3E { j += 1 }
            value = String(decoding: UnsafeBufferPointer(rebasing: b[v..<j]), as: UTF8.self)
          }
          value = CharacterReferences.decode(value)
        }
        if !closing { attrs.append((attrName, value)) }
      }
      i = min(j + 1, n)
      textStart = i
      if closing {
        if name == "p", !stack.contains(where: { names[$0] == "p" }) {
          continue
        }
        close(name)
        continue
      }
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
      let node = append(name, attrs, text: "", to: stack[stack.count - 1])
      if Self.rawTextElements.contains(name) && !selfClosing {
        let end = find(Array(("</" + name).utf8), from: i) ?? n
        if name == "title" || name == "textarea" {
          let raw = String(decoding: UnsafeBufferPointer(rebasing: b[i..<end]), as: UTF8.self)
          append("", [], text: CharacterReferences.decode(raw), to: node)
        } else if end > i {
          // Script and style bodies are kept verbatim (JSON-LD metadata lives there).
          let raw = String(decoding: UnsafeBufferPointer(rebasing: b[i..<end]), as: UTF8.self)
          texts[node] = raw
        }
        i = (find([0x3E], from: end) ?? n - 1) + 1
        textStart = i
        continue
      }
      if selfClosing || Self.voidElements.contains(name) { continue }
      stack.append(node)
    }
    flushText(n)
  }

  /// ASCII-lowercased bytes as a string (names of tags and attributes).
  private func lowered(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    String(unsafeUninitializedCapacity: bytes.count) { out in
      for (k, c) in bytes.enumerated() { out[k] = c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
      return bytes.count
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
