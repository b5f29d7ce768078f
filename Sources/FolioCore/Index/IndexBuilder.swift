import Foundation

/// Builds an index from `IndexRecord`s given in corpus order, then writes it to a folder that
/// appears whole (staging folder, then rename).
///
/// Attributes with more than 1,024 values (words, lemmas) get postings, found by value without
/// reading the streams; small ones (parts of speech, kinds) are scanned, 4 or 5 bits a token.
public final class IndexBuilder {
  private let words = Counter(capacity: 1 << 16)
  private var wordIDs: [Int32] = []
  private var kinds: [UInt8] = []
  private struct Column {
    /// Missing values are "" (number 0).
    var numbers = ValueNumbers([""])
    var ids: [Int32] = []
  }
  private var columns: [String: Column] = [:]
  private var columnNames: [String] = []
  /// The white space before each token, as an attribute (`space`): the text comes back whole.
  private let spaces = Counter(capacity: 1 << 8)
  private var spaceIDs: [Int32] = []
  private var docStarts: [Int] = [0]
  private var docIDs: [String] = []
  private var docTails: [String] = []
  private var docMeta = ByteWriter()
  private var docMetaOffsets = ByteBuffer()
  /// The number of each document's source file (in `write`'s `sources`).
  private var docSources: [Int] = []
  /// Per span, a value number of a label or attribute.
  private struct SpanColumn {
    var numbers = ValueNumbers()
    var ids: [Int] = []

    mutating func append(_ value: String) { ids.append(numbers.number(value)) }
  }
  private struct LayerBuild {
    var starts: [Int] = []
    var counts: [Int] = []
    var labels = SpanColumn()
    var attributes: [String: SpanColumn] = [:]
    var attributeNames: [String] = []
  }
  private var layers: [String: LayerBuild] = [:]
  private var layerNames: [String] = []
  public var tokenCount: Int { wordIDs.count }
  /// Attributes with more values than this get postings (tests lower it).
  var postingsAbove = 1024
  /// Values on more tokens than this get no positions in the postings.
  ///
  /// Nil: 1 % of the tokens, at least 4,096; tests lower it. A query never starts from such a
  /// frequent value.
  var postingsMost: Int?
  /// Attributes with at most this many values may share the stream of tuples.
  static let tupleAttributeMost = 1024
  /// The most tuples the shared stream may number (a test on it stays a table lookup).
  static let tuplesMost = 4096
  public var documentCount: Int { docIDs.count }

  public init() {
    docMetaOffsets.u64(0)
  }

  /// Makes room for about `tokens` tokens at once (growing step by step copies the streams).
  public func reserve(tokens: Int) {
    wordIDs.reserveCapacity(tokens)
    spaceIDs.reserveCapacity(tokens)
    kinds.reserveCapacity(tokens)
  }

  /// Adds a document's record (see `IndexRecord.encode`), read from source file number
  /// `source`.
  public func add(_ record: [UInt8], source: Int = 0) throws(IndexError) {
    guard let d = IndexRecord.decode(record) else {
      throw IndexError("a document's index record is damaged")
    }
    let base = wordIDs.count
    let n = d.tokenCount
    // Each of the document's distinct words and spaces is looked up once.
    func append(
      _ lexicon: IndexRecord.Lexicon, _ codes: [Int32], to counter: Counter,
      _ ids: inout [Int32]
    ) {
      var numbers = [Int32](repeating: 0, count: lexicon.count)
      lexicon.blob.withUnsafeBufferPointer { b in
        let p = b.baseAddress.unsafelyUnwrapped
        var start = 0
        for (i, end) in lexicon.ends.enumerated() {
          numbers[i] = Int32(counter.intern(p + start, end - start, readable: b.count - start))
          start = end
        }
      }
      let at = ids.count
      ids.append(contentsOf: repeatElement(0, count: codes.count))
      numbers.withUnsafeBufferPointer { map in
        ids.withUnsafeMutableBufferPointer { out in
          for (i, c) in codes.enumerated() { out[at + i] = map[Int(c)] }
        }
      }
    }
    append(d.words, d.wordCodes, to: words, &wordIDs)
    append(d.spaces, d.spaceCodes, to: spaces, &spaceIDs)
    // Columns: every document has every column (missing values are "").
    kinds.append(contentsOf: d.kinds)
    for column in d.columns where columns[column.name] == nil {
      columnNames.append(column.name)
      columns[column.name] = Column(ids: [Int32](repeating: 0, count: base))
    }
    for name in columnNames {
      var column = columns[name] ?? Column()
      if let given = d.columns.first(where: { $0.name == name }) {
        let global = given.values.map { column.numbers.number($0) }
        for c in given.codes { column.ids.append(Int32(global[c])) }
      } else {
        column.ids.append(contentsOf: repeatElement(0, count: n))
      }
      columns[name] = column
    }
    for (name, spans) in d.layers {
      if layers[name] == nil {
        layerNames.append(name)
        layers[name] = LayerBuild()
      }
      var layer = layers[name] ?? LayerBuild()
      for span in spans where span.count > 0 {
        for (key, _) in span.attributes where layer.attributes[key] == nil {
          // Spans before the first with this attribute have none.
          var column = SpanColumn()
          for _ in layer.starts { column.append(IndexRecord.missing) }
          layer.attributes[key] = column
          layer.attributeNames.append(key)
        }
        layer.starts.append(base + span.start)
        layer.counts.append(span.count)
        layer.labels.append(span.label)
        for key in layer.attributeNames {
          let value = span.attributes.first { $0.0 == key }?.1 ?? IndexRecord.missing
          layer.attributes[key]?.append(value)
        }
      }
      layers[name] = layer
    }
    docStarts.append(wordIDs.count)
    docSources.append(source)
    docIDs.append(d.id)
    docTails.append(String(decoding: d.tail, as: UTF8.self))
    docMeta.varint(d.meta.count)
    for (k, v) in d.meta {
      docMeta.string(k)
      docMeta.string(v)
    }
    docMetaOffsets.u64(docMeta.bytes.count)
  }

  /// Writes the index to `path`, replacing what is there only when everything is written.
  public func write(
    to path: String, plugins: [String], sources: [IndexManifest.Source], root: String? = nil,
    reader: ReaderOptions? = nil
  ) throws(IndexError) {
    // The attributes are written on all cores, one each.
    var jobs: [AttributeJob] = [
      AttributeJob(name: "word", values: Self.strings(words), ids: wordIDs),
      AttributeJob(
        name: "kind", values: TokenKind.allCases.map(\.name),
        ids: kinds.map { Int32($0) }),
      AttributeJob(name: "space", values: Self.strings(spaces), ids: spaceIDs, postings: false),
    ]
    for name in columnNames where !["word", "kind", "space"].contains(name) {
      if let c = columns[name] {
        jobs.append(AttributeJob(name: name, values: c.numbers.values, ids: c.ids))
      }
    }
    // Small attributes (kind, parts of speech, features, white space) share one stream.
    let candidates = jobs.indices.filter {
      jobs[$0].name != "word" && jobs[$0].values.count <= Self.tupleAttributeMost
    }.sorted { (jobs[$0].name == "space" ? 1 : 0) < (jobs[$1].name == "space" ? 1 : 0) }
    let tuples = Self.tuples(candidates.map { jobs[$0].ids })
    if let tuples {
      for (k, member) in candidates.enumerated() {
        if let map = tuples.maps[k] { jobs[member].tupleMap = map }
      }
    }
    let most = postingsMost ?? max(4096, wordIDs.count / 100)
    for k in jobs.indices { jobs[k].postingsMost = most }
    // One slot per attribute, written by the thread that makes it.
    final class Slot: @unchecked Sendable {
      var files: [(String, [UInt8])] = []
      var info: IndexManifest.Attribute?
    }
    let slots = jobs.map { _ in Slot() }
    let threshold = postingsAbove
    let work = jobs
    DispatchQueue.concurrentPerform(iterations: work.count) { k in
      (slots[k].files, slots[k].info) = work[k].write(number: k, postingsAbove: threshold)
    }
    var files = slots.flatMap(\.files)
    let attributes = slots.compactMap(\.info)
    if let tuples {
      files.append(
        (
          "tuples.ids",
          PackedInts.pack(tuples.stream, width: PackedInts.width(for: tuples.count - 1))
        ))
    }
    var layerInfo: [IndexManifest.Layer] = []
    let positionBits = PackedInts.width(for: wordIDs.count)
    for (k, name) in layerNames.enumerated() {
      guard let l = layers[name] else { continue }
      files.append(("l\(k).start", PackedInts.pack(l.starts, width: positionBits)))
      files.append(("l\(k).count", PackedInts.pack(l.counts, width: positionBits)))
      func column(_ c: SpanColumn, _ name: String) {
        let table = StringTable.build(c.numbers.values)
        files.append(
          (name, PackedInts.pack(c.ids, width: PackedInts.width(for: c.numbers.values.count))))
        files.append((name + ".lex", table.blob))
        files.append((name + ".lex.idx", table.offsets))
      }
      column(l.labels, "l\(k).label")
      for (j, key) in l.attributeNames.enumerated() {
        if let c = l.attributes[key] { column(c, "l\(k).a\(j)") }
      }
      let disjoint = zip(l.starts.dropFirst(), zip(l.starts, l.counts)).allSatisfy {
        $0 >= $1.0 + $1.1
      }
      layerInfo.append(
        .init(
          name: name, spans: l.starts.count, labels: l.labels.numbers.values.count,
          disjoint: disjoint,
          attributes: l.attributeNames.isEmpty ? nil : l.attributeNames))
    }
    var starts = ByteBuffer()
    for s in docStarts { starts.u64(s) }
    files.append(("docs.start", starts.bytes))
    let ids = StringTable.build(docIDs)
    files.append(("docs.id", ids.blob))
    files.append(("docs.id.idx", ids.offsets))
    let tails = StringTable.build(docTails)
    files.append(("docs.tail", tails.blob))
    files.append(("docs.tail.idx", tails.offsets))
    files.append(("docs.meta", docMeta.bytes))
    files.append(("docs.meta.idx", docMetaOffsets.bytes))
    files.append(
      ("docs.src", PackedInts.pack(docSources, width: PackedInts.width(for: sources.count))))
    let manifest = IndexManifest(
      format: CorpusIndex.format, documents: docIDs.count, tokens: wordIDs.count,
      words: kinds.reduce(0) { $0 + ($1 == TokenKind.word.rawValue ? 1 : 0) },
      tuples: tuples?.count,
      attributes: attributes, layers: layerInfo, plugins: plugins, sources: sources, root: root,
      folders: root.map { IndexManifest.folders(root: $0, sources: sources) }, reader: reader)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    guard let json = try? encoder.encode(manifest) else {
      throw IndexError("cannot encode the index manifest")
    }
    files.append(("index.json", Array(json)))
    try Self.replace(path, with: files)
  }

  /// The distinct strings of `counter`, in number order.
  private static func strings(_ counter: Counter) -> [String] {
    (0..<counter.count).map { id in counter.withKey(id) { String(decoding: $0, as: UTF8.self) } }
  }

  /// The shared stream of the small attributes, and per attribute its value in each tuple.
  ///
  /// Each distinct combination of their values at a token is a tuple, numbered. Streams
  /// are taken in order while the tuples stay at most `tuplesMost` (those left out keep their
  /// own stream: nil in `maps`). Nil when fewer than two streams would share.
  ///
  /// Parts of speech, tags, features and kinds of novels100 make 308 tuples: 9 bits a token
  /// instead of 23.
  static func tuples(_ streams: [[Int32]]) -> (
    stream: [Int32], count: Int, maps: [[Int32]?]
  )? {
    guard streams.count >= 2, let first = streams.first else { return nil }
    let n = first.count
    var stream = [Int32](repeating: 0, count: n)
    var count = 1
    var maps: [[Int32]?] = Array(repeating: nil, count: streams.count)
    var members: [Int] = []
    for (k, ids) in streams.enumerated() {
      let values = Int(ids.max() ?? 0) + 1
      // The tuple of (current tuple, this value), through a dense table.
      var table = [Int32](repeating: -1, count: count * values)
      var parent: [Int32] = []
      var value: [Int32] = []
      var next = [Int32](repeating: 0, count: n)
      var fits = true
      for p in 0..<n {
        let key = Int(stream[p]) * values + Int(ids[p])
        var t = table[key]
        if t < 0 {
          t = Int32(parent.count)
          table[key] = t
          parent.append(stream[p])
          value.append(ids[p])
          if parent.count > tuplesMost {
            fits = false
            break
          }
        }
        next[p] = t
      }
      guard fits else { continue }
      for m in members { maps[m] = parent.map { maps[m].unsafelyUnwrapped[Int($0)] } }
      maps[k] = value
      members.append(k)
      stream = next
      count = parent.count
    }
    return members.count >= 2 ? (stream, count, maps) : nil
  }

  /// One token attribute to write: its values and a value number per position.
  struct AttributeJob: Sendable {
    var name: String
    var values: [String]
    var ids: [Int32]
    var postings = true
    /// For a member of the shared stream: its value number per tuple.
    var tupleMap: [Int32]?
    var postingsMost = Int.max

    /// The attribute's files (`aK.*`, K = `number`) and its entry in the manifest: the lexicon
    /// sorted by bytes, the stream renumbered to match, postings for a large lexicon.
    func write(number k: Int, postingsAbove: Int) -> ([(String, [UInt8])], IndexManifest.Attribute)
    {
      let table = StringTable.build(values)
      let order = table.sortedOrder()
      var renumber = [Int32](repeating: 0, count: values.count)
      for (new, old) in order.enumerated() { renumber[old] = Int32(new) }
      let stream = renumber.withUnsafeBufferPointer { map in ids.map { map[Int($0)] } }
      let bits = PackedInts.width(for: max(0, values.count - 1))
      let sorted = StringTable.build(order.map { values[$0] })
      let withPostings = postings && values.count > postingsAbove
      // The packed stream and the postings are made at once, on two threads.
      final class Parts: @unchecked Sendable {
        var packed: [UInt8] = []
        var postings: (data: [UInt8], offsets: [UInt8], counts: [UInt8])?
      }
      let parts = Parts()
      let count = values.count
      let most = postingsMost
      let map = tupleMap.map { m in renumber.withUnsafeBufferPointer { r in m.map { r[Int($0)] } } }
      DispatchQueue.concurrentPerform(iterations: withPostings ? 2 : 1) { task in
        if task == 0 {
          parts.packed = PackedInts.pack(map ?? stream, width: bits)
        } else {
          parts.postings = Postings.build(stream, values: count, most: most)
        }
      }
      var files = [
        ("a\(k).lex", sorted.blob), ("a\(k).lex.idx", sorted.offsets),
        (map == nil ? "a\(k).ids" : "a\(k).map", parts.packed),
      ]
      if let p = parts.postings {
        files.append(("a\(k).post", p.data))
        files.append(("a\(k).post.idx", p.offsets))
        files.append(("a\(k).post.n", p.counts))
      }
      return (
        files,
        .init(
          name: name, values: values.count, bits: bits, postings: withPostings,
          tuple: map == nil ? nil : true, postingsMost: withPostings ? postingsMost : nil)
      )
    }
  }

  /// Writes `bytes` to a new file at `path` straight from the array (no copy).
  private static func write(_ bytes: [UInt8], to path: String) throws(IndexError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw IndexError("cannot create \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    let failure: Int32 = bytes.withUnsafeBytes { raw in
      var done = 0
      while done < raw.count {
        let n = Foundation.write(fd, raw.baseAddress.unsafelyUnwrapped + done, raw.count - done)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return n == 0 ? EIO : errno }
        done += n
      }
      return 0
    }
    if failure != 0 {
      throw IndexError("cannot write \(path): \(String(cString: strerror(failure)))")
    }
  }

  /// Writes `files` into a staging folder beside `path`, then swaps it in.
  static func replace(_ path: String, with files: [(String, [UInt8])]) throws(IndexError) {
    let fm = FileManager.default
    let url = URL(fileURLWithPath: path)
    let parent = url.deletingLastPathComponent()
    let staging = parent.appendingPathComponent(
      ".\(url.lastPathComponent).\(UUID().uuidString.prefix(8))")
    do {
      try fm.createDirectory(at: staging, withIntermediateDirectories: true)
      for (name, bytes) in files {
        try write(bytes, to: staging.appendingPathComponent(name).path)
      }
      if fm.fileExists(atPath: path) {
        let old = parent.appendingPathComponent(
          ".\(url.lastPathComponent).old-\(UUID().uuidString.prefix(8))")
        try fm.moveItem(atPath: path, toPath: old.path)
        try fm.moveItem(at: staging, to: url)
        try? fm.removeItem(at: old)
      } else {
        try fm.moveItem(at: staging, to: url)
      }
    } catch let error as IndexError {
      try? fm.removeItem(at: staging)
      throw error
    } catch {
      try? fm.removeItem(at: staging)
      throw IndexError("cannot write the index \(path): \((error as NSError).localizedDescription)")
    }
  }
}
