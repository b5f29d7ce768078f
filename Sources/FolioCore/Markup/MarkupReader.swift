/// HTML pages and SGML/XML record collections into documents.
enum MarkupReader {
  /// One HTML page: the article text and the page's metadata.
  static func page(_ text: String) -> (text: String, meta: [(String, String)]) {
    let tree = MarkupTree(text, dialect: .html)
    var extractor = HTMLExtractor(tree)
    return (extractor.articleText(), extractor.metadata())
  }

  /// One record of an SGML/XML collection.
  struct Record {
    var id: String?
    var text: String
    var meta: [(String, MetaValue)]
  }

  /// Splits a collection into records of element `record` (auto: the element that repeats at
  /// the top level or under the root, as `REUTERS` in Reuters-21578 or `doc` in many corpora;
  /// else the whole file is one record).
  ///
  /// `textFields` names the elements whose text makes the document's text (joined by blank
  /// lines; default: `title` and `body` where present, else all the record's text); `idField`
  /// an attribute or element holding the id (default: `newid`, `id`, `xml:id` or `n`). Other
  /// attributes and leaf elements go to meta; an element holding only repeated leaves (Reuters'
  /// `<TOPICS><D>grain</D><D>wheat</D></TOPICS>`) becomes a list.
  static func records(_ text: String, record: String?, textFields: [String]?, idField: String?)
    -> [Record]
  {
    let tree = MarkupTree(text, dialect: .xml)
    let nodes: [Int]
    if let record {
      nodes = tree.all(record.lowercased())
    } else {
      nodes =
        repeated(tree, under: 0) ?? tree.children[0].first(where: { !tree.names[$0].isEmpty })
        .flatMap { repeated(tree, under: $0) } ?? [0]
    }
    return nodes.map {
      one(tree, $0, textFields: textFields?.map { $0.lowercased() }, idField: idField?.lowercased())
    }
  }

  /// The element children of `node` that share the most common name, when it repeats.
  private static func repeated(_ tree: MarkupTree, under node: Int) -> [Int]? {
    var counts: [String: Int] = [:]
    for child in tree.children[node] where !tree.names[child].isEmpty {
      counts[tree.names[child], default: 0] += 1
    }
    guard let (name, n) = counts.max(by: { $0.value < $1.value }), n >= 2 else { return nil }
    return tree.children[node].filter { tree.names[$0] == name }
  }

  /// `s` without ASCII whitespace at either end.
  ///
  /// A byte scan: Foundation's trimming goes through UTF-16 and cost most of the reading time.
  /// Element names that mark list items even when a list has one (`<D>` in Reuters).
  static let itemNames = ["d", "li", "item", "value", "entry"]

  static func trimmed(_ s: String) -> String {
    var s = s
    return s.withUTF8 { b in
      func space(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
      var lo = 0
      var hi = b.count
      while lo < hi, space(b[lo]) { lo += 1 }
      while hi > lo, space(b[hi - 1]) { hi -= 1 }
      if lo == 0 && hi == b.count { return String(decoding: b, as: UTF8.self) }
      return String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self)
    }
  }

  /// Elements that hold lists in Reuters-21578; empty, they are empty lists, not "".
  static let listElements = ["topics", "places", "people", "orgs", "exchanges", "companies"]

  private static func one(_ tree: MarkupTree, _ node: Int, textFields: [String]?, idField: String?)
    -> Record
  {
    // A record has a dozen distinct element names: arrays searched in order beat hashing.
    var fields: [(name: String, node: Int)] = []
    func field(_ name: String) -> Int? { fields.first { $0.name == name }?.node }
    var work: [Int] = []
    tree.forEachChild(node) { work.append($0) }
    work.reverse()
    while let k = work.popLast() {
      let name = tree.names[k]
      guard !name.isEmpty else { continue }
      if field(name) == nil { fields.append((name, k)) }
      let mark = work.count
      tree.forEachChild(k) { work.append($0) }
      work[mark...].reverse()
    }
    let wanted = textFields ?? ["title", "body"].filter { field($0) != nil }
    var text: String
    if wanted.isEmpty {
      text = trimmed(tree.rawText(node))
    } else {
      text = wanted.compactMap { field($0).map { trimmed(tree.rawText($0)) } }.filter {
        !$0.isEmpty
      }
      .joined(separator: "\n\n")
      if text.isEmpty && textFields == nil { text = trimmed(tree.rawText(node)) }
    }
    var meta: [(String, MetaValue)] = []
    var used = wanted
    for (name, k) in fields where !used.contains(name) {
      let kids = tree.children[k]
      let elements = kids.filter { !tree.names[$0].isEmpty }
      if elements.isEmpty {
        let value = trimmed(tree.rawText(k))
        meta.append(
          (
            name,
            value.isEmpty && kids.isEmpty && listElements.contains(name)
              ? .list([]) : .string(value)
          ))
        used.append(name)
      } else if elements.allSatisfy({ tree.names[$0] == tree.names[elements[0]] }),
        elements.count > 1 || Self.itemNames.contains(tree.names[elements[0]]),
        elements.allSatisfy({ tree.children[$0].allSatisfy { tree.names[$0].isEmpty } }),
        kids.allSatisfy({ !tree.names[$0].isEmpty || trimmed(tree.texts[$0]).isEmpty })
      {
        meta.append((name, .list(elements.map { .string(trimmed(tree.rawText($0))) })))
        used.append(name)
        used.append(tree.names[elements[0]])
      }
    }
    let recordName = tree.names[node]
    for (name, value) in tree.attributes[node] {
      let key = used.contains(name) ? recordName + "." + name : name
      meta.append((key, .string(value)))
    }
    var id: String?
    for key in idField.map({ [$0] }) ?? ["newid", "id", "xml:id", "n"] {
      if let v = tree.attribute(node, key) ?? field(key).map({ trimmed(tree.rawText($0)) }),
        !v.isEmpty
      {
        id = v
        break
      }
    }
    return Record(id: id, text: text, meta: meta)
  }
}
