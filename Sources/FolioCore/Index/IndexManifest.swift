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
