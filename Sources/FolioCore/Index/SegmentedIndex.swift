import Foundation

/// What `folio index --update` changed in an index (`updates.json` in its folder): the
/// segments that hold documents, the documents of each that later files replaced, and every
/// file of the corpus with its segment.
public struct IndexUpdates: Codable, Sendable, Equatable {
  public struct Segment: Codable, Sendable, Equatable {
    /// The folder under the index ("" for the index folder itself, the first segment).
    public var folder: String
    /// Its documents (numbers in the segment) that a changed or removed file took away.
    public var deleted: [Int]

    public init(folder: String, deleted: [Int] = []) {
      self.folder = folder
      self.deleted = deleted
    }
  }
  public var segments: [Segment]
  /// Every file of the corpus, in corpus order, with the segment of its documents.
  public var sources: [IndexManifest.Source]
  /// As in `IndexManifest`: the times of the corpus's folders when the index was last updated.
  public var folders: [IndexManifest.Source]?

  public init(
    segments: [Segment], sources: [IndexManifest.Source], folders: [IndexManifest.Source]?
  ) {
    self.segments = segments
    self.sources = sources
    self.folders = folders
  }
}

/// An index as queries see it: the index folder itself and the segments `folio index
/// --update` added, with the documents changed files replaced left out, in corpus order.
///
/// Documents are numbered in corpus order across segments; `locate` finds a document's
/// segment and its number there. An index never updated is one segment and numbers its
/// documents as that segment does.
public final class SegmentedIndex: @unchecked Sendable {
  public let path: String
  public let segments: [CorpusIndex]
  public let updates: IndexUpdates?
  /// The manifest of the first segment, with the sources and folders of the whole index.
  public let manifest: IndexManifest
  /// Document `g` in corpus order: its segment and number there (empty: one segment, in order).
  private let order: [(segment: Int, document: Int)]
  /// Per segment: each document's number in corpus order, or -1 when it was taken away.
  private let ranks: [[Int]]
  public let documentCount: Int
  public let tokenCount: Int
  public let wordCount: Int

  /// The name of the file that lists an index's updates.
  public static let updatesFile = "updates.json"

  /// Where the index of a corpus given as one path is looked for: beside it
  /// (`CORPUS.folio-index`).
  public static func defaultPath(_ corpus: [String]) -> String? {
    guard corpus.count == 1, var path = corpus.first else { return nil }
    while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
    return path + ".folio-index"
  }

  /// What changed in `corpus` since the index was built or updated (nil: nothing).
  ///
  /// A corpus that is the folder the index watches costs a `stat` per file and folder;
  /// otherwise it is listed as a run lists it.
  public func staleness(corpus: [String], reader: ReaderOptions) throws(CorpusError) -> String? {
    if let root = IndexManifest.folderRoot(corpus), manifest.root == root,
      manifest.folders != nil
    {
      return manifest.quickStaleness(root: root)
    }
    return manifest.staleness(
      IndexManifest.Source.of(try CorpusReader(options: reader).list(corpus)))
  }

  /// Opens the index in `path` with its updates.
  public init(path: String) throws(IndexError) {
    self.path = path
    let first = try CorpusIndex(path: path)
    let updatesPath = path + "/" + Self.updatesFile
    guard FileManager.default.fileExists(atPath: updatesPath) else {
      segments = [first]
      updates = nil
      manifest = first.manifest
      order = []
      ranks = []
      documentCount = first.documentCount
      tokenCount = first.tokenCount
      wordCount = first.wordCount()
      return
    }
    guard let data = FileManager.default.contents(atPath: updatesPath),
      let updates = try? JSONDecoder().decode(IndexUpdates.self, from: data),
      updates.segments.first?.folder == ""
    else {
      throw IndexError("\(updatesPath) is damaged - rebuild the index with folio index")
    }
    var segments = [first]
    for s in updates.segments.dropFirst() {
      segments.append(try CorpusIndex(path: path + "/" + s.folder))
    }
    // The documents of each file, from its segment, leaving out those taken away.
    var bySource: [[String: [Int]]] = []
    var ranks: [[Int]] = []
    for (k, segment) in segments.enumerated() {
      let deleted = Set(updates.segments[k].deleted)
      var files: [String: [Int]] = [:]
      let names = segment.manifest.sources.map(\.path)
      for d in 0..<segment.documentCount where !deleted.contains(d) {
        let s = segment.source(of: d)
        files[s < names.count ? names[s] : "", default: []].append(d)
      }
      bySource.append(files)
      ranks.append([Int](repeating: -1, count: segment.documentCount))
    }
    var order: [(segment: Int, document: Int)] = []
    var tokens = 0
    var words = 0
    for source in updates.sources {
      let k = source.segment ?? 0
      guard k < segments.count else {
        throw IndexError("\(updatesPath) is damaged - rebuild the index with folio index")
      }
      for d in bySource[k][source.path] ?? [] {
        ranks[k][d] = order.count
        order.append((k, d))
        tokens += segments[k].tokens(of: d).count
      }
    }
    for (k, segment) in segments.enumerated() {
      let deleted = updates.segments[k].deleted
      words += segment.wordCount() - deleted.reduce(0) { $0 + segment.wordCount(of: $1) }
    }
    self.segments = segments
    self.updates = updates
    self.order = order
    self.ranks = ranks
    documentCount = order.count
    tokenCount = tokens
    wordCount = words
    var manifest = first.manifest
    manifest.sources = updates.sources
    manifest.folders = updates.folders
    self.manifest = manifest
  }

  /// Document `g`'s segment and its number there.
  public func locate(_ g: Int) -> (segment: Int, document: Int) {
    order.isEmpty ? (0, g) : order[g]
  }

  /// The documents of segment `k` that the index holds, in the segment's order.
  public func documents(in k: Int) -> [Int] {
    ranks.isEmpty
      ? Array(0..<segments[k].documentCount) : ranks[k].indices.filter { ranks[k][$0] >= 0 }
  }

  /// The place in corpus order of document `d` of segment `k`.
  public func rank(_ k: Int, _ d: Int) -> Int { ranks.isEmpty ? d : ranks[k][d] }

  public func documentID(_ g: Int) -> String {
    let (k, d) = locate(g)
    return segments[k].documentID(d)
  }

  public func metadata(_ g: Int) -> [(String, String)] {
    let (k, d) = locate(g)
    return segments[k].metadata(d)
  }

  public func text(of g: Int) -> (text: [UInt8], starts: [Int], ends: [Int]) {
    let (k, d) = locate(g)
    return segments[k].text(of: d)
  }

  /// Whether the tokens have attribute `name` (in every segment that holds tokens).
  public func has(_ name: String) -> Bool {
    segments.allSatisfy { $0.has(name) || $0.tokenCount == 0 }
  }

  /// The index's updates after files of the corpus (`now`, as listed) were indexed into a new
  /// segment in `folder` (`indexed`: their ids), or nil for a new segment with nothing.
  ///
  /// The documents of files that changed or went are taken away from their segments; a
  /// segment with no document left is dropped. Returns the new updates and the folders of the
  /// segments dropped (to remove once the updates are written).
  public func updated(
    now: [IndexManifest.Source], folder: String?, indexed: Set<String>, root: String?
  ) -> (IndexUpdates, dropped: [String]) {
    var segmentsInfo = updates?.segments ?? [IndexUpdates.Segment(folder: "")]
    var sourceSegment: [String: Int] = [:]
    for s in manifest.sources { sourceSegment[s.path] = s.segment ?? 0 }
    let current = Set(now.map(\.path))
    // Take away the documents of every file indexed again or gone (one pass per segment).
    let leaving = Set(
      sourceSegment.keys.filter { indexed.contains($0) || !current.contains($0) })
    for (k, segment) in segments.enumerated() where !leaving.isEmpty {
      let names = segment.manifest.sources.map(\.path)
      let leaves = names.map { leaving.contains($0) && sourceSegment[$0] == k }
      for d in 0..<segment.documentCount {
        let s = segment.source(of: d)
        if s < leaves.count, leaves[s] { segmentsInfo[k].deleted.append(d) }
      }
    }
    var kept: [Int] = []
    var dropped: [String] = []
    for k in segmentsInfo.indices {
      segmentsInfo[k].deleted = Array(Set(segmentsInfo[k].deleted)).sorted()
      if k > 0 && segmentsInfo[k].deleted.count == segments[k].documentCount {
        dropped.append(segmentsInfo[k].folder)
      } else {
        kept.append(k)
      }
    }
    var renumber = [Int](repeating: -1, count: segmentsInfo.count)
    for (new, old) in kept.enumerated() { renumber[old] = new }
    var result = kept.map { segmentsInfo[$0] }
    if let folder { result.append(IndexUpdates.Segment(folder: folder)) }
    let sources = now.map { s -> IndexManifest.Source in
      var s = s
      if indexed.contains(s.path) {
        s.segment = result.count - 1
      } else {
        // A file without documents may name a segment that was dropped.
        let k = renumber[sourceSegment[s.path] ?? 0]
        s.segment = k <= 0 ? nil : k
      }
      return s
    }
    let folders = root.map { IndexManifest.folders(root: $0, sources: sources) }
    return (IndexUpdates(segments: result, sources: sources, folders: folders), dropped)
  }

  /// Writes `updates` into the index at `path` (a temporary file, then a rename).
  public static func write(_ updates: IndexUpdates, to path: String) throws(IndexError) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let target = path + "/" + updatesFile
    let temporary = path + "/." + updatesFile + "." + UUID().uuidString.prefix(8)
    do {
      try encoder.encode(updates).write(to: URL(fileURLWithPath: temporary))
      guard rename(temporary, target) == 0 else {
        throw IndexError(
          "cannot rename \(temporary) to \(target): \(String(cString: strerror(errno)))")
      }
    } catch let error as IndexError {
      unlink(temporary)
      throw error
    } catch {
      unlink(temporary)
      throw IndexError("cannot write \(target): \((error as NSError).localizedDescription)")
    }
  }
}
