import Foundation

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
