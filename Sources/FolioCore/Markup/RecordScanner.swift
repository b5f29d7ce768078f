#if canImport(Glibc)
  import Glibc
#endif

/// The tags, text and CDATA of SGML/XML, read forgivingly from UTF-8 bytes without allocating.
///
/// Comments, declarations (`<!DOCTYPE ...>`) and processing instructions are skipped; a `<`
/// that starts no tag is text; quotes may hide a `>` inside a tag. Any bytes give some events.
struct TagLexer {
  enum Event {
    /// Text between tags, references not yet decoded.
    case text(Range<Int>)
    /// The raw content of `<![CDATA[...]]>`.
    case cdata(Range<Int>)
    /// A start tag: its name and the bytes holding its attributes.
    case start(name: Range<Int>, attributes: Range<Int>, selfClosing: Bool)
    case end(name: Range<Int>)
    case eof
  }

  let b: UnsafeBufferPointer<UInt8>
  private var i = 0
  private var textStart = 0

  init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

  @inline(__always)
  static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

  @inline(__always)
  static func isNameByte(_ c: UInt8) -> Bool {
    c > 0x20 && c != 0x3E && c != 0x2F && c != 0x3D && c != 0x3C
  }

  @inline(__always)
  private static func isLetter(_ c: UInt8) -> Bool {
    (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
  }

  /// The index of `needle` (lowercase ASCII) at or after `from`, compared case-insensitively.
  private func find(_ needle: StaticString, from: Int) -> Int? {
    find(UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount), from: from)
  }

  private func find(_ needle: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
    let m = needle.count
    var j = from
    // A first byte that is not a letter has one case: memchr jumps to each candidate.
    let jump = !Self.isLetter(needle[0])
    while j + m <= b.count {
      if jump {
        guard let base = b.baseAddress, let p = memchr(base + j, Int32(needle[0]), b.count - j)
        else { return nil }
        j = UnsafeRawPointer(p) - UnsafeRawPointer(base)
        if j + m > b.count { return nil }
      }
      if matches(needle, at: j) { return j }
      j += 1
    }
    return nil
  }

  /// Whether `needle` (lowercase ASCII) is at `j`, compared case-insensitively.
  private func matches(_ needle: UnsafeBufferPointer<UInt8>, at j: Int) -> Bool {
    guard j >= 0, j + needle.count <= b.count else { return false }
    for k in 0..<needle.count where Self.lower(b[j + k]) != needle[k] { return false }
    return true
  }

  private func matches(_ needle: StaticString, at j: Int) -> Bool {
    matches(
      UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount), at: j)
  }

  /// The next '<' at or after `from`, or the end.
  @inline(__always)
  private func nextTagOpen(_ from: Int) -> Int {
    guard from < b.count, let base = b.baseAddress,
      let p = memchr(base + from, 0x3C, b.count - from)
    else { return b.count }
    return UnsafeRawPointer(p) - UnsafeRawPointer(base)
  }

  mutating func next() -> Event {
    let n = b.count
    while true {
      i = nextTagOpen(i)
      guard i + 1 < n else {
        i = n
        if textStart < n {
          defer { textStart = n }
          return .text(textStart..<n)
        }
        return .eof
      }
      let c = b[i + 1]
      let closing = c == 0x2F
      if c != 0x21 && c != 0x3F {
        let j = closing ? i + 2 : i + 1
        guard j < n, Self.isLetter(b[j]) else {
          i += 1
          continue
        }
      }
      if textStart < i {
        defer { textStart = i }
        return .text(textStart..<i)
      }
      if c == 0x21 {  // <!
        if i + 3 < n, b[i + 2] == 0x2D, b[i + 3] == 0x2D {
          i = find("-->", from: i + 4).map { $0 + 3 } ?? n
        } else if matches("[cdata[", at: i + 2) {
          let start = i + 9
          let end = find("]]>", from: start) ?? n
          i = min(end + 3, n)
          textStart = i
          return .cdata(start..<end)
        } else {
          i = (find(">", from: i + 2) ?? n - 1) + 1
        }
        textStart = i
        continue
      }
      if c == 0x3F {  // <? processing instruction
        i = (find(">", from: i + 2) ?? n - 1) + 1
        textStart = i
        continue
      }
      var j = closing ? i + 2 : i + 1
      let nameStart = j
      while j < n, Self.isNameByte(b[j]) { j += 1 }
      let name = nameStart..<j
      let attributesStart = j
      var selfClosing = false
      // Attributes up to the closing '>' (quotes may hide a '>').
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
        while j < n, Self.isNameByte(b[j]) { j += 1 }
        if j == a {
          j += 1
          continue
        }
        while j < n, b[j] <= 0x20 { j += 1 }
        if j < n, b[j] == 0x3D {
          j += 1
          while j < n, b[j] <= 0x20 { j += 1 }
          if j < n, b[j] == 0x22 || b[j] == 0x27 {
            let quote = b[j]
            j += 1
            while j < n, b[j] != quote { j += 1 }
            j += 1
          } else {
            while j < n, b[j] > 0x20, b[j] != 0x3E { j += 1 }
          }
        }
      }
      let attributes = attributesStart..<min(j, n)
      i = min(j + 1, n)
      textStart = i
      return closing
        ? .end(name: name) : .start(name: name, attributes: attributes, selfClosing: selfClosing)
    }
  }

  /// Skips the raw text of an element such as `script` (up to `</NAME`, any case, and the end
  /// of that tag) and returns its range: markup inside it is not read.
  mutating func skipRawText(closing name: String) -> Range<Int> {
    let needle = Array(("</" + name).utf8)
    let end = needle.withUnsafeBufferPointer { find($0, from: i) } ?? b.count
    let body = i..<end
    i = (find(">", from: end) ?? b.count - 1) + 1
    textStart = i
    return body
  }

  /// The attributes in `range` (from a start tag): lowercased names and decoded values, in order.
  func attributes(_ range: Range<Int>) -> [(String, String)] {
    var out: [(String, String)] = []
    out.reserveCapacity(8)
    var j = range.lowerBound
    let n = range.upperBound
    while j < n {
      let ch = b[j]
      if ch <= 0x20 || ch == 0x2F {
        j += 1
        continue
      }
      let a = j
      while j < n, Self.isNameByte(b[j]) { j += 1 }
      if j == a {
        j += 1
        continue
      }
      let name = lowered(a..<j)
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
          value = string(v..<j)
          j += 1
        } else {
          let v = j
          while j < n, b[j] > 0x20, b[j] != 0x3E { j += 1 }
          value = string(v..<j)
        }
        value = CharacterReferences.decode(value)
      }
      out.append((name, value))
    }
    return out
  }

  func string(_ range: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
  }

  /// ASCII-lowercased bytes as a string (names of tags and attributes).
  func lowered(_ range: Range<Int>) -> String {
    String(unsafeUninitializedCapacity: range.count) { out in
      for (k, j) in range.enumerated() { out[k] = Self.lower(b[j]) }
      return range.count
    }
  }
}

/// Element names of one file, each lowercased once and numbered.
private struct NameTable {
  private(set) var names: [String] = []
  private var bytes: [[UInt8]] = []
  private var slots = [Int32](repeating: -1, count: 64)
  // The name that came after each name the last time (-1: none yet), and the last name
  // looked up: records repeat their elements in the same order, so the name that followed
  // last time is tried before hashing.
  private var follows: [Int32] = []
  private var last = -1

  /// The number of `range`'s name in `b`, adding it when new.
  mutating func id(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
    if last >= 0 {
      let guess = Int(follows[last])
      if guess >= 0 && matches(guess, b, range) {
        last = guess
        return guess
      }
    }
    let id = lookUp(b, range)
    if last >= 0 { follows[last] = Int32(id) }
    last = id
    return id
  }

  /// `id` by the hash table.
  private mutating func lookUp(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for j in range { h = (h ^ UInt64(TagLexer.lower(b[j]))) &* 0x100_0000_01b3 }
    var slot = Int(truncatingIfNeeded: h) & (slots.count - 1)
    while slots[slot] >= 0 {
      let id = Int(slots[slot])
      let known = bytes[id]
      if known.count == range.count
        && known.indices.allSatisfy({ known[$0] == TagLexer.lower(b[range.lowerBound + $0]) })
      {
        return id
      }
      slot = (slot + 1) & (slots.count - 1)
    }
    let id = names.count
    let lowered = range.map { TagLexer.lower(b[$0]) }
    bytes.append(lowered)
    follows.append(-1)
    names.append(String(decoding: lowered, as: UTF8.self))
    slots[slot] = Int32(id)
    if names.count * 2 > slots.count { grow() }
    return id
  }

  /// Whether `range` in `b` spells name `id` (any case).
  @inline(__always)
  func matches(_ id: Int, _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
    let known = bytes[id]
    guard known.count == range.count else { return false }
    var j = range.lowerBound
    for c in known {
      if TagLexer.lower(b[j]) != c { return false }
      j += 1
    }
    return true
  }

  private mutating func grow() {
    slots = [Int32](repeating: -1, count: slots.count * 2)
    for (id, known) in bytes.enumerated() {
      var h: UInt64 = 0xcbf2_9ce4_8422_2325
      for c in known { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
      var slot = Int(truncatingIfNeeded: h) & (slots.count - 1)
      while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
      slots[slot] = Int32(id)
    }
  }
}

/// Splits an SGML/XML collection into records in one streaming pass over its bytes
/// (`MarkupReader.records` says which records and what goes where).
///
/// Each record's text nodes are appended, decoded, to one buffer in document order, so the
/// text of any element is a contiguous range of it; per element only its name, parent, text
/// range and a few facts about its children are kept.
struct RecordScanner {
  /// Which elements are records.
  enum Target: Equatable {
    /// Every outermost element with this name.
    case named(Int)
    /// Elements with this name that are children of the root (depth 1) or of the first
    /// top-level element (depth 2).
    case repeated(Int, depth: Int)
    /// The whole file is one record.
    case file
  }

  private let b: UnsafeBufferPointer<UInt8>
  private var names: NameTable
  // Names the records' fields are looked up by, numbered in `names` up front so that a
  // record compares numbers, not strings.
  private let textFields: [Int]?
  private let defaultText: [Int]
  private let idKeys: [(name: String, id: Int)]
  private let lists: [Int]
  private let items: [Int]
  // Element names that are blocks (a line break at either end) and words (a space), by number.
  private let blocks: [Int]
  private let words: [Int]
  private let textElement: Int

  /// An element of the current record: its name, parent, text range and facts about its
  /// children.
  private struct Element {
    var name: Int
    var parent: Int
    var textStart: Int
    var textEnd: Int
    var elements = 0  // element children
    var nodes = 0  // child nodes of any kind
    var childName = -1  // the first element child's name
    var mixed = false  // element children with different names
    var deep = false  // an element child has element children
    var blank = true  // every text child is blank
  }

  // The current record's elements; element 0 is the record itself.
  private var elements: [Element] = []
  // `finish`'s working arrays, kept from record to record: the first element of each name by
  // name number (-1: none), those names and elements in order, the names used so far and
  // the text's parts.
  private var firstOf: [Int32] = []
  private var fieldNames: [Int] = []
  private var fields: [Int] = []
  private var used: [Int] = []
  private var parts: [Range<Int>] = []
  private var recordAttributes: Range<Int> = 0..<0
  private var text: [UInt8] = []
  // Where a separator goes between two elements' texts that would otherwise touch
  // ("Title one" + "First para."), and which: a line feed or a space. In offset order.
  private var breaks: [(offset: Int, byte: UInt8)] = []
  private var rendered: [UInt8] = []

  init(_ b: UnsafeBufferPointer<UInt8>, textFields: [String]?, idField: String?) {
    self.b = b
    var names = NameTable()
    func number(_ name: String) -> Int {
      var name = name
      return name.withUTF8 { names.id($0, 0..<$0.count) }
    }
    self.textFields = textFields?.map(number)
    defaultText = ["title", "body"].map(number)
    idKeys = (idField.map { [$0] } ?? ["newid", "id", "xml:id", "n"]).map { ($0, number($0)) }
    lists = MarkupReader.listElements.map(number)
    items = MarkupReader.itemNames.map(number)
    blocks = MarkupReader.blockElements.map(number)
    words = MarkupReader.wordElements.map(number)
    textElement = number("text")
    self.names = names
  }

  /// The number of an attribute's name, for comparing it with element names.
  private mutating func number(_ name: String) -> Int {
    var name = name
    return name.withUTF8 { names.id($0, 0..<$0.count) }
  }

  /// Counts element names where records may be: children of the root and children of the
  /// first top-level element, each name counted in order of first appearance.
  private struct Census {
    var top: [(name: Int, count: Int)] = []
    var inner: [(name: Int, count: Int)] = []
    var topLevel = 0

    mutating func start(_ id: Int, depth: Int) {
      if depth == 0 {
        topLevel += 1
        Self.count(id, &top)
      } else if depth == 1 && topLevel == 1 {
        Self.count(id, &inner)
      }
    }

    private static func count(_ id: Int, _ list: inout [(name: Int, count: Int)]) {
      if let k = list.firstIndex(where: { $0.name == id }) {
        list[k].count += 1
      } else {
        list.append((id, 1))
      }
    }

    /// The element that repeats under the root, else under the first top-level element, else
    /// the whole file (ties go to the name seen first).
    var target: Target {
      func most(_ list: [(name: Int, count: Int)]) -> Int? {
        var best: (name: Int, count: Int)? = nil
        for entry in list where entry.count > (best?.count ?? 1) { best = entry }
        return best?.name
      }
      if let id = most(top) { return .repeated(id, depth: 1) }
      if let id = most(inner) { return .repeated(id, depth: 2) }
      return .file
    }
  }

  /// A guess at the records' element from the first `limit` bytes (`records` checks it).
  mutating func guess(limit: Int = 65536) -> Target {
    var lexer = TagLexer(UnsafeBufferPointer(rebasing: b[0..<min(limit, b.count)]))
    var stack: [Int] = []
    var census = Census()
    while true {
      switch lexer.next() {
      case .eof: return census.target
      case .text, .cdata: continue
      case .start(let range, _, let selfClosing):
        let id = names.id(b, range)
        census.start(id, depth: stack.count)
        if !selfClosing { stack.append(id) }
      case .end(let range):
        let id = names.id(b, range)
        if let k = stack.lastIndex(of: id) { stack.removeSubrange(k...) }
      }
    }
  }

  /// The target for records named `name` (any case).
  mutating func named(_ name: String) -> Target {
    var name = name
    return .named(name.withUTF8 { names.id($0, 0..<$0.count) })
  }

  /// The records of `target`, in document order, and the target the whole file's element
  /// census gives (as `guess` would with no limit).
  mutating func records(_ target: Target) -> (records: [MarkupReader.Record], census: Target) {
    var out: [MarkupReader.Record] = []
    var lexer = TagLexer(b)
    // Open elements: name and, inside a record, the element's index in the record.
    var stack: [(name: Int, element: Int)] = []
    var recordDepth: Int? = nil  // the record's position in `stack` (-1: the whole file)
    var census = Census()
    if case .file = target {
      begin(name: -1, attributes: 0..<0)
      recordDepth = -1
    }
    func pop(to k: Int) {
      for entry in stack[k...] where entry.element >= 0 {
        elements[entry.element].textEnd = text.count
      }
      stack.removeSubrange(k...)
    }
    loop: while true {
      switch lexer.next() {
      case .eof:
        break loop
      case .text(let range):
        guard recordDepth != nil else { continue }
        let start = text.count
        CharacterReferences.decode(UnsafeBufferPointer(rebasing: b[range]), into: &text)
        addText(from: start, to: innermost(stack))
      case .cdata(let range):
        guard recordDepth != nil else { continue }
        let start = text.count
        text.append(contentsOf: UnsafeBufferPointer(rebasing: b[range]))
        addText(from: start, to: innermost(stack))
      case .start(let range, let attributes, let selfClosing):
        let id = names.id(b, range)
        let depth = stack.count
        census.start(id, depth: depth)
        var element = -1
        if recordDepth != nil {
          element = addElement(id, parent: innermost(stack))
        } else if Self.starts(target, id, depth: depth, topLevel: census.topLevel) {
          begin(name: id, attributes: attributes)
          element = 0
          recordDepth = depth
        }
        if selfClosing {
          if element >= 0 { elements[element].textEnd = text.count }
          if element == 0 {
            out.append(finish())
            recordDepth = nil
          }
        } else {
          stack.append((id, element))
        }
      case .end(let range):
        // Most end tags close the innermost element: compare with it before hashing.
        let k: Int
        if let top = stack.last, names.matches(top.name, b, range) {
          k = stack.count - 1
        } else {
          let id = names.id(b, range)
          guard let found = stack.lastIndex(where: { $0.name == id }) else { continue }
          k = found
        }
        pop(to: k)
        if let depth = recordDepth, depth >= 0, k <= depth {
          out.append(finish())
          recordDepth = nil
        }
      }
    }
    if recordDepth != nil {
      pop(to: 0)
      elements[0].textEnd = text.count
      out.append(finish())
    }
    return (out, census.target)
  }

  private static func starts(_ target: Target, _ id: Int, depth: Int, topLevel: Int) -> Bool {
    switch target {
    case .named(let name): return id == name
    case .repeated(let name, let at):
      return id == name && depth == at - 1 && (at == 1 || topLevel == 1)
    case .file: return false
    }
  }

  private func innermost(_ stack: [(name: Int, element: Int)]) -> Int {
    stack.last.map { max($0.element, 0) } ?? 0
  }

  private mutating func begin(name: Int, attributes: Range<Int>) {
    elements.removeAll(keepingCapacity: true)
    text.removeAll(keepingCapacity: true)
    recordAttributes = attributes
    _ = addElement(name, parent: -1)
  }

  private mutating func addElement(_ name: Int, parent: Int) -> Int {
    let k = elements.count
    elements.append(Element(name: name, parent: parent, textStart: text.count, textEnd: text.count))
    if parent >= 0 {
      elements.withUnsafeMutableBufferPointer { e in
        e[parent].elements += 1
        e[parent].nodes += 1
        if e[parent].childName < 0 {
          e[parent].childName = name
        } else if e[parent].childName != name {
          e[parent].mixed = true
        }
        let grandparent = e[parent].parent
        if grandparent >= 0 { e[grandparent].deep = true }
      }
    }
    return k
  }

  private mutating func addText(from start: Int, to element: Int) {
    elements[element].nodes += 1
    if elements[element].blank {
      for k in start..<text.count where !Self.isSpace(text[k]) {
        elements[element].blank = false
        break
      }
    }
  }

  @inline(__always)
  private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }

  /// The byte range of element `k`'s text without ASCII whitespace at either end.
  private func trimmedRange(_ k: Int) -> Range<Int> {
    var lo = elements[k].textStart
    var hi = elements[k].textEnd
    while lo < hi, Self.isSpace(text[lo]) { lo += 1 }
    while hi > lo, Self.isSpace(text[hi - 1]) { hi -= 1 }
    return lo..<hi
  }

  /// The text of element `k`, without ASCII whitespace at either end.
  private mutating func trimmedText(_ k: Int) -> String {
    render([trimmedRange(k)])
  }

  /// The separators between elements: a block element (by name, or any element child of an
  /// element whose own text is blank, as `<head>` and `<p>` in `<doc>`) is set off by line
  /// feeds, a word element (`<w>`) by spaces, where its text would touch its neighbour's.
  private mutating func findBreaks() {
    breaks.removeAll(keepingCapacity: true)
    func add(_ offset: Int, _ byte: UInt8) {
      guard offset > 0, offset < text.count, !Self.isSpace(text[offset - 1]),
        !Self.isSpace(text[offset])
      else { return }
      breaks.append((offset, byte))
    }
    for k in 1..<elements.count {
      let e = elements[k]
      let byte: UInt8
      if words.contains(e.name) {
        byte = 0x20
      } else if blocks.contains(e.name) || elements[e.parent].blank {
        byte = 0x0A
      } else {
        continue
      }
      add(e.textStart, byte)
      add(e.textEnd, byte)
    }
    guard breaks.count > 1 else { return }
    // By offset; where two elements meet at one offset a line feed wins over a space.
    breaks.sort { $0.offset != $1.offset ? $0.offset < $1.offset : $0.byte > $1.byte }
    var kept = 0
    for b in breaks {
      if kept > 0 && breaks[kept - 1].offset == b.offset {
        breaks[kept - 1] = b
      } else {
        breaks[kept] = b
        kept += 1
      }
    }
    breaks.removeSubrange(kept...)
  }

  /// The text of `ranges` joined by blank lines, with the separators of `breaks` inside them.
  private mutating func render(_ ranges: [Range<Int>]) -> String {
    rendered.removeAll(keepingCapacity: true)
    for (n, range) in ranges.enumerated() {
      if n > 0 { rendered += [0x0A, 0x0A] }
      // The first break after the range's start (binary search).
      var lo = 0
      var hi = breaks.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if breaks[mid].offset <= range.lowerBound { lo = mid + 1 } else { hi = mid }
      }
      var from = range.lowerBound
      while lo < breaks.count, breaks[lo].offset < range.upperBound {
        rendered += text[from..<breaks[lo].offset]
        rendered.append(breaks[lo].byte)
        from = breaks[lo].offset
        lo += 1
      }
      rendered += text[from..<range.upperBound]
    }
    return String(decoding: rendered, as: UTF8.self)
  }

  /// Whether element `k` lies inside another element named one of `names`.
  private func nested(_ k: Int, in names: [Int]) -> Bool {
    var p = elements[k].parent
    while p > 0 {
      if names.contains(elements[p].name) { return true }
      p = elements[p].parent
    }
    return false
  }

  private func name(_ k: Int) -> String {
    elements[k].name < 0 ? "#root" : names.names[elements[k].name]
  }

  /// The record from the elements gathered since `begin`.
  private mutating func finish() -> MarkupReader.Record {
    // The first element of each name, in document order, found through `firstOf` (by name
    // number) and undone at the end: the arrays are the scanner's, kept from record to record.
    if firstOf.count < names.names.count {
      firstOf += repeatElement(-1, count: names.names.count - firstOf.count)
    }
    fieldNames.removeAll(keepingCapacity: true)
    fields.removeAll(keepingCapacity: true)
    for k in 1..<elements.count where firstOf[elements[k].name] < 0 {
      firstOf[elements[k].name] = Int32(k)
      fieldNames.append(elements[k].name)
      fields.append(k)
    }
    defer { for name in fieldNames { firstOf[name] = -1 } }
    func field(_ id: Int) -> Int? {
      id < firstOf.count && firstOf[id] >= 0 ? Int(firstOf[id]) : nil
    }
    findBreaks()
    // The text's fields: those asked for, else title and body where present, else a `text`
    // element (Reuters' unprocessed stories). They start the list of names already used.
    used.removeAll(keepingCapacity: true)
    for id in textFields ?? defaultText where textFields != nil || field(id) != nil {
      used.append(id)
    }
    if used.isEmpty, textFields == nil, field(textElement) != nil { used.append(textElement) }
    var text: String
    if used.isEmpty {
      text = trimmedText(0)
    } else {
      // Every element of the wanted names (a field repeated in a record gives all of its
      // texts), in document order, trimmed and joined by blank lines; one inside another
      // wanted one is part of that one's text.
      parts.removeAll(keepingCapacity: true)
      for k in 1..<elements.count where used.contains(elements[k].name) {
        guard !nested(k, in: used) else { continue }
        let range = trimmedRange(k)
        if !range.isEmpty { parts.append(range) }
      }
      text = render(parts)
      if text.isEmpty && textFields == nil { text = trimmedText(0) }
    }
    var meta: [(String, MetaValue)] = []
    meta.reserveCapacity(fields.count + 8)
    for (id, k) in zip(fieldNames, fields) where !used.contains(id) {
      if elements[k].elements == 0 {
        let value = trimmedText(k)
        let emptyList = value.isEmpty && elements[k].nodes == 0 && lists.contains(id)
        meta.append((names.names[id], emptyList ? .list([]) : .string(value)))
        used.append(id)
      } else if !elements[k].mixed, !elements[k].deep, elements[k].blank {
        let item = elements[k].childName
        guard elements[k].elements > 1 || items.contains(item) else { continue }
        var values: [MetaValue] = []
        values.reserveCapacity(elements[k].elements)
        var e = k + 1
        while values.count < elements[k].elements && e < elements.count {
          if elements[e].parent == k { values.append(.string(trimmedText(e))) }
          e += 1
        }
        meta.append((names.names[id], .list(values)))
        used.append(id)
        used.append(item)
      }
    }
    let recordName = name(0)
    let attributes = TagLexer(b).attributes(recordAttributes)
    for (name, value) in attributes {
      meta.append((used.contains(number(name)) ? recordName + "." + name : name, .string(value)))
    }
    var id: String?
    for key in idKeys {
      var v = attributes.first(where: { $0.0 == key.name })?.1
      if v == nil, let k = field(key.id) { v = trimmedText(k) }
      if let v, !v.isEmpty {
        id = v
        break
      }
    }
    return MarkupReader.Record(id: id, text: text, meta: meta)
  }
}
