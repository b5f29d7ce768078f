import Foundation

/// What an index holds and what it was built from (`index.json`).
public struct IndexManifest: Codable, Sendable, Equatable {
  public struct Attribute: Codable, Sendable, Equatable {
    public var name: String
    public var values: Int
    public var bits: Int
    public var postings: Bool
    /// Its value numbers are kept per tuple (`aK.map`) and the tokens' in the shared stream
    /// of tuples (`tuples.ids`).
    public var tuple: Bool?
    /// Values on more tokens than this have a count but no positions in the postings.
    public var postingsMost: Int?
  }
  public struct Layer: Codable, Sendable, Equatable {
    public var name: String
    public var spans: Int
    public var labels: Int
    /// No two spans overlap (sentences): the span holding a position is found by bisection.
    public var disjoint: Bool?
    /// The spans' attributes besides the label (`rule`), each stored like the labels.
    public var attributes: [String]?
  }
  /// A source file as it was when the index was built: a change makes the index stale.
  public struct Source: Codable, Sendable, Equatable {
    public var path: String
    public var bytes: Int
    public var modified: Double
    /// In `updates.json`: the segment holding the file's documents (nil: the first).
    public var segment: Int?

    public init(path: String, bytes: Int, modified: Double, segment: Int? = nil) {
      self.path = path
      self.bytes = bytes
      self.modified = modified
      self.segment = segment
    }
  }

  public var format: Int
  public var documents: Int
  public var tokens: Int
  /// Tokens of kind word (what counts per million words divide by).
  public var words: Int
  /// The distinct tuples of the small attributes' values (see `IndexBuilder.tuples`).
  public var tuples: Int?
  public var attributes: [Attribute]
  public var layers: [Layer]
  /// The plugins run before indexing (`-p pos`), as given.
  public var plugins: [String]
  public var sources: [Source]
  /// When the corpus is one folder: its absolute path, and the modification time of it and
  /// of every folder under it that holds a source (a file added or removed changes its
  /// folder's time), so that staleness is checked with a `stat` per file, no listing.
  public var root: String?
  public var folders: [Source]?
  /// How the files were read (`--as`, `--text-field`, ...): `folio index --update` reads new
  /// files the same way.
  public var reader: ReaderOptions?
}

extension IndexManifest.Source {
  /// The sources of a corpus's files as listed now: id, size and modification time.
  public static func of(_ entries: [CorpusEntry]) -> [IndexManifest.Source] {
    entries.map { e in
      IndexManifest.Source(path: e.id, bytes: e.bytes, modified: modificationTime(e.path) ?? 0)
    }
  }

  /// The modification time of `path` (seconds since 1970, with fractions), or nil.
  static func modificationTime(_ path: String) -> Double? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
  }

  static func size(_ path: String) -> Int? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return Int(st.st_size)
  }
}

extension IndexManifest {
  /// The folder of a corpus given as one folder, absolute, or nil.
  public static func folderRoot(_ corpus: [String]) -> String? {
    guard corpus.count == 1, let path = corpus.first else { return nil }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
      return nil
    }
    return URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
  }

  /// The folders to watch under `root` for sources with these ids (the root and every folder
  /// between it and a source), with their times now.
  static func folders(root: String, sources: [Source]) -> [Source] {
    var paths: Set<String> = [""]
    for s in sources {
      var parts = s.path.split(separator: "/").dropLast()
      while !parts.isEmpty {
        paths.insert(parts.joined(separator: "/"))
        parts = parts.dropLast()
      }
    }
    return paths.sorted().map { rel in
      let full = rel.isEmpty ? root : root + "/" + rel
      return Source(path: rel, bytes: 0, modified: Source.modificationTime(full) ?? 0)
    }
  }

  /// The files of `now` (the corpus's files as they are) that are not among the sources, those
  /// whose size or time changed, and the sources no longer there.
  public func changes(_ now: [Source]) -> (new: [String], changed: [String], gone: [String]) {
    let then = Dictionary(sources.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    var new: [String] = []
    var changed: [String] = []
    for s in now {
      guard let old = then[s.path] else {
        new.append(s.path)
        continue
      }
      if old.bytes != s.bytes || abs(old.modified - s.modified) > 0.001 { changed.append(s.path) }
    }
    let current = Set(now.map(\.path))
    return (new, changed, sources.map(\.path).filter { !current.contains($0) })
  }

  /// What changed in the sources since the index was built (nil: nothing): `now` lists the
  /// corpus's files as they are.
  public func staleness(_ now: [Source]) -> String? {
    let (new, changed, gone) = changes(now)
    let all =
      new.map { "\($0) is new" } + changed.map { "\($0) changed" } + gone.map { "\($0) is gone" }
    guard let first = all.first else { return nil }
    return all.count == 1 ? first : "\(first), and \(all.count - 1) more"
  }

  /// What changed since the build, read with a `stat` per source and folder (no listing), or
  /// nil when nothing did; only for an index whose manifest has `folders`.
  public func quickStaleness(root: String) -> String? {
    guard let folders else { return nil }
    for f in folders {
      let full = f.path.isEmpty ? root : root + "/" + f.path
      guard let t = Source.modificationTime(full) else {
        return "\(f.path.isEmpty ? root : f.path) is gone"
      }
      if abs(t - f.modified) > 0.001 {
        return
          "a file was added to or removed from \(f.path.isEmpty ? "the corpus folder" : f.path)"
      }
    }
    for s in sources {
      let full = root + "/" + s.path
      guard let size = Source.size(full), let t = Source.modificationTime(full) else {
        return "\(s.path) is gone"
      }
      if size != s.bytes || abs(t - s.modified) > 0.001 { return "\(s.path) changed" }
    }
    return nil
  }
}

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

/// A positional index of a corpus, mapped from its folder: per token attribute a sorted
/// lexicon, a packed stream of value numbers and (for large lexicons) postings; document
/// boundaries, ids and metadata; layers (sentences and taggers' spans) with their labels; the
/// white space before each token (`space`), so that a document's text comes back whole.
public final class CorpusIndex: @unchecked Sendable {
  public static let format = 2
  public let path: String
  public let manifest: IndexManifest

  struct Attribute {
    let info: IndexManifest.Attribute
    let lexicon: StringTable
    /// Per position, a value number, or for a member of the shared stream a tuple number.
    let ids: PackedInts
    /// For a member of the shared stream: the value number of each tuple.
    let map: PackedInts?
    /// How many numbers `ids` holds: values, or tuples.
    let streamValues: Int
    let postings: Postings?

    /// The value number at position `p`.
    @inline(__always) func value(at p: Int) -> Int {
      if let map { return map[ids[p]] }
      return ids[p]
    }

    /// The value number of stream number `id` (a tuple's for a member of the shared stream).
    @inline(__always) func value(ofStream id: Int) -> Int {
      if let map { return map[id] }
      return id
    }

    /// Whether the postings hold the positions of value `id` (a frequent value has its count only).
    func hasPositions(_ id: Int) -> Bool {
      guard let postings else { return false }
      return postings.count(id) <= info.postingsMost ?? .max
    }
  }
  struct Layer {
    let info: IndexManifest.Layer
    let starts: PackedInts
    let counts: PackedInts
    let labels: PackedInts
    let lexicon: StringTable
    /// The spans' other attributes: per span a value number, and the values.
    let attributes: [String: (ids: PackedInts, lexicon: StringTable)]
  }
  let attributes: [String: Attribute]
  let layers: [String: Layer]
  /// Every mapped file: the packed streams point into them.
  private var files: [MappedFile] = []
  private let docStarts: MappedFile
  private let docIDs: StringTable
  private let docTails: StringTable
  private let docMeta: MappedFile
  private let docMetaOffsets: MappedFile
  private let docSources: PackedInts

  /// Opens the index in `path`.
  public init(path: String) throws(IndexError) {
    self.path = path
    var opened: [MappedFile] = []
    func file(_ name: String) throws(IndexError) -> MappedFile {
      let f = try MappedFile(path + "/" + name)
      opened.append(f)
      return f
    }
    guard let data = FileManager.default.contents(atPath: path + "/index.json") else {
      throw IndexError("\(path) is not a Folio index (no index.json)")
    }
    guard let manifest = try? JSONDecoder().decode(IndexManifest.self, from: data) else {
      throw IndexError("\(path)/index.json is damaged")
    }
    guard manifest.format == Self.format else {
      throw IndexError(
        "\(path) has index format \(manifest.format); this Folio reads format \(Self.format) - rebuild it with folio index"
      )
    }
    self.manifest = manifest
    var attributes: [String: Attribute] = [:]
    var tuples: PackedInts? = nil
    if let t = manifest.tuples {
      tuples = PackedInts(try file("tuples.ids"), width: PackedInts.width(for: t - 1))
    }
    for (k, a) in manifest.attributes.enumerated() {
      let postings: Postings? =
        a.postings
        ? Postings(
          data: try file("a\(k).post"), offsets: try file("a\(k).post.idx"),
          counts: try file("a\(k).post.n"))
        : nil
      let lexicon = StringTable(blob: try file("a\(k).lex"), offsets: try file("a\(k).lex.idx"))
      if a.tuple == true {
        guard let tuples, let count = manifest.tuples else {
          throw IndexError("\(path)/index.json is damaged (no tuples for \(a.name))")
        }
        attributes[a.name] = Attribute(
          info: a, lexicon: lexicon, ids: tuples,
          map: PackedInts(try file("a\(k).map"), width: a.bits), streamValues: count,
          postings: postings)
      } else {
        attributes[a.name] = Attribute(
          info: a, lexicon: lexicon, ids: PackedInts(try file("a\(k).ids"), width: a.bits),
          map: nil, streamValues: a.values, postings: postings)
      }
    }
    self.attributes = attributes
    let positionBits = PackedInts.width(for: manifest.tokens)
    var layers: [String: Layer] = [:]
    for (k, l) in manifest.layers.enumerated() {
      var spanAttributes: [String: (ids: PackedInts, lexicon: StringTable)] = [:]
      for (j, key) in (l.attributes ?? []).enumerated() {
        let lexicon = StringTable(
          blob: try file("l\(k).a\(j).lex"), offsets: try file("l\(k).a\(j).lex.idx"))
        spanAttributes[key] = (
          PackedInts(try file("l\(k).a\(j)"), width: PackedInts.width(for: lexicon.count)),
          lexicon
        )
      }
      layers[l.name] = Layer(
        info: l, starts: PackedInts(try file("l\(k).start"), width: positionBits),
        counts: PackedInts(try file("l\(k).count"), width: positionBits),
        labels: PackedInts(try file("l\(k).label"), width: PackedInts.width(for: l.labels)),
        lexicon: StringTable(
          blob: try file("l\(k).label.lex"), offsets: try file("l\(k).label.lex.idx")),
        attributes: spanAttributes)
    }
    self.layers = layers
    docStarts = try file("docs.start")
    docIDs = StringTable(blob: try file("docs.id"), offsets: try file("docs.id.idx"))
    docTails = StringTable(blob: try file("docs.tail"), offsets: try file("docs.tail.idx"))
    docMeta = try file("docs.meta")
    docMetaOffsets = try file("docs.meta.idx")
    docSources = PackedInts(
      try file("docs.src"), width: PackedInts.width(for: manifest.sources.count))
    files = opened
  }

  public var documentCount: Int { manifest.documents }
  public var tokenCount: Int { manifest.tokens }

  /// The token positions of document `d`.
  public func tokens(of d: Int) -> Range<Int> { docStarts.u64(d)..<docStarts.u64(d + 1) }

  public func documentID(_ d: Int) -> String { docIDs.string(d) }

  /// The number of document `d`'s source file in `manifest.sources`.
  public func source(of d: Int) -> Int { docSources[d] }

  /// Document `d`'s metadata, as strings.
  public func metadata(_ d: Int) -> [(String, String)] {
    let a = docMetaOffsets.u64(d)
    let b = docMetaOffsets.u64(d + 1)
    var r = ByteReader(Array(UnsafeRawBufferPointer(start: docMeta.base + a, count: b - a)))
    var out: [(String, String)] = []
    guard let n = r.varint() else { return out }
    for _ in 0..<n {
      guard let k = r.string(), let v = r.string() else { break }
      out.append((k, v))
    }
    return out
  }

  /// The text of document `d` as its tokens and the white space around them give it back, and
  /// where each token starts and ends in it.
  public func text(of d: Int) -> (text: [UInt8], starts: [Int], ends: [Int]) {
    guard let word = attributes["word"], let space = attributes["space"] else {
      return ([], [], [])
    }
    var out: [UInt8] = []
    var starts: [Int] = []
    var ends: [Int] = []
    for p in tokens(of: d) {
      out.append(contentsOf: space.lexicon.bytes(space.value(at: p)))
      starts.append(out.count)
      out.append(contentsOf: word.lexicon.bytes(word.ids[p]))
      ends.append(out.count)
    }
    out.append(contentsOf: docTails.bytes(d))
    return (out, starts, ends)
  }

  /// Where each token of document `d` starts and ends in its text (bytes).
  public func byteRanges(of d: Int) -> (starts: [Int], ends: [Int]) {
    guard let word = attributes["word"], let space = attributes["space"] else { return ([], []) }
    var at = 0
    var starts: [Int] = []
    var ends: [Int] = []
    for p in tokens(of: d) {
      at += space.lexicon.bytes(space.value(at: p)).count
      starts.append(at)
      at += word.lexicon.bytes(word.ids[p]).count
      ends.append(at)
    }
    return (starts, ends)
  }

  /// Whether the tokens have attribute `name` in this index.
  public func has(_ name: String) -> Bool { attributes[name] != nil }

  /// The tokens of kind word in the whole corpus.
  public func wordCount() -> Int { manifest.words }

  /// The tokens of kind word in document `d`.
  public func wordCount(of d: Int) -> Int {
    guard let kind = attributes["kind"] else { return 0 }
    guard let word = (0..<kind.info.values).first(where: { kind.lexicon.string($0) == "word" })
    else { return 0 }
    return tokens(of: d).reduce(0) { $0 + (kind.value(at: $1) == word ? 1 : 0) }
  }

  /// A reader of attribute `name`: the value number at a position, and the value of a number
  /// (nil when the index lacks the attribute).
  public func reader(_ name: String) -> (id: (Int) -> Int, value: (Int) -> String)? {
    guard let a = attributes[name] else { return nil }
    let lexicon = a.lexicon
    return ({ a.value(at: $0) }, { lexicon.string($0) })
  }

  /// The value of attribute `name` at position `p`.
  public func value(_ name: String, at p: Int) -> String? {
    guard let a = attributes[name] else { return nil }
    return a.lexicon.string(a.value(at: p))
  }
}
