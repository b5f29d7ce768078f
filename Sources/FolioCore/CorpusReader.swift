import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An error reading a corpus, with the path it concerns.
public enum CorpusError: Error, Equatable, CustomStringConvertible {
  case notFound(String)
  case unreadable(String, String)
  case empty(String)

  public var description: String {
    switch self {
    case .notFound(let p): "no such file or folder: \(p)"
    case .unreadable(let p, let why): "cannot read \(p): \(why)"
    case .empty(let p): "no documents found in \(p) (Folio reads .txt, .md, .jsonl and .json files)"
    }
  }
}

/// A warning about one input that did not stop the run.
public struct CorpusWarning: Sendable, Equatable, CustomStringConvertible {
  public var path: String
  public var message: String
  public var description: String { "\(path): \(message)" }
}

/// One file of a corpus, listed before it is read.
public struct CorpusEntry: Sendable, Equatable {
  /// The file on disk.
  public var url: URL
  /// The document id: the path relative to the corpus root.
  public var id: String
  /// The folder of the file relative to the root ("" at the root).
  public var folder: String
  /// The path as shown in messages: the corpus argument joined with the id.
  public var displayPath: String
  /// The file's size in bytes when it was listed.
  public var bytes: Int
}

/// Lists and reads plain-text corpora: folders (recursive, sorted by relative path) and files.
public struct CorpusReader: Sendable {
  /// Walks `root` recursively with POSIX calls (Foundation's enumerator costs ~100 µs a file),
  /// skipping hidden entries; calls `visit` with each regular file's relative path and size.
  static func walk(_ root: String, relative: String, _ visit: (String, Int) -> Void) {
    let dirPath = relative.isEmpty ? root : root + "/" + relative
    guard let dir = opendir(dirPath) else { return }
    defer { closedir(dir) }
    let fd = dirfd(dir)
    var names: [(String, Bool, Int)] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name.hasPrefix(".") { continue }
      var st = stat()
      guard fstatat(fd, name, &st, 0) == 0 else { continue }
      let isDir = (st.st_mode & S_IFMT) == S_IFDIR
      let isFile = (st.st_mode & S_IFMT) == S_IFREG
      if isDir || isFile { names.append((name, isDir, Int(st.st_size))) }
    }
    for (name, isDir, size) in names {
      let rel = relative.isEmpty ? name : relative + "/" + name
      if isDir { walk(root, relative: rel, visit) } else { visit(rel, size) }
    }
  }

  public static let textExtensions: Set<String> = [
    "txt", "text", "md", "jsonl", "ndjson", "json", "csv", "tsv",
  ]
  public var options: ReaderOptions

  public init(options: ReaderOptions = ReaderOptions()) { self.options = options }

  /// Reads a whole file with POSIX calls (cheaper than Foundation for many small files).
  static func readFile(_ path: String, shown: String) throws(CorpusError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .unreadable(shown, String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    let size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    // Read into uninitialised storage: zero-filling first would touch every page twice.
    var failure: CorpusError?
    var bytes = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { buffer, count in
      count = 0
      guard let base = buffer.baseAddress else { return }
      while count < buffer.count {
        let n = Glibc.read(fd, base + count, buffer.count - count)
        if n < 0 {
          if errno == EINTR { continue }
          failure = .unreadable(shown, String(cString: strerror(errno)))
          return
        }
        if n == 0 { break }
        count += n
      }
    }
    if let failure { throw failure }
    // The file grew since fstat: read the rest.
    var chunk = [UInt8](repeating: 0, count: 65536)
    while bytes.count == max(size, 1) {
      let n = chunk.withUnsafeMutableBytes { b in
        b.baseAddress.map { Glibc.read(fd, $0, b.count) } ?? 0
      }
      if n <= 0 { break }
      bytes += chunk[0..<n]
    }
    return bytes
  }

  /// Whether a file inside a corpus folder describes the corpus rather than belonging to it.
  ///
  /// README, LICENSE and COPYING files (`README.md`, `UPSTREAM-README.md`, `LICENSE.txt`) are
  /// skipped in folders; name such a file explicitly to read it.
  public static func isDocumentation(_ name: String) -> Bool {
    let stem = name.split(separator: ".").first.map { $0.uppercased() } ?? ""
    let parts = stem.split(whereSeparator: { $0 == "-" || $0 == "_" })
    return parts.contains { ["README", "LICENSE", "LICENCE", "COPYING"].contains(String($0)) }
  }

  /// Lists the documents of `paths` in a stable order.
  ///
  /// Throws for a missing path.
  public func list(_ paths: [String]) throws(CorpusError) -> [CorpusEntry] {
    var entries: [CorpusEntry] = []
    let fm = FileManager.default
    for path in paths {
      var isDir: ObjCBool = false
      guard fm.fileExists(atPath: path, isDirectory: &isDir) else { throw .notFound(path) }
      let url = URL(fileURLWithPath: path)
      if !isDir.boolValue {
        let size = (try? fm.attributesOfItem(atPath: path))?[.size] as? Int
        entries.append(
          CorpusEntry(
            url: url, id: url.lastPathComponent, folder: "", displayPath: path, bytes: size ?? 0))
        continue
      }
      var found: [CorpusEntry] = []
      let prefix = path.hasSuffix("/") ? path : path + "/"
      Self.walk(path, relative: "") { relative, size in
        let name = relative.split(separator: "/").last.map(String.init) ?? relative
        let ext =
          name.split(separator: ".").count > 1
          ? name.split(separator: ".").last.map { $0.lowercased() } ?? "" : ""
        guard Self.textExtensions.contains(ext), !Self.isDocumentation(name) else { return }
        let folder = relative.split(separator: "/").dropLast().joined(separator: "/")
        found.append(
          CorpusEntry(
            url: URL(fileURLWithPath: prefix + relative), id: relative, folder: folder,
            displayPath: prefix + relative, bytes: size))
      }
      found.sort { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
      if found.isEmpty { throw .empty(path) }
      entries += found
    }
    return entries
  }

  /// Reads one entry into a document.
  ///
  /// Returns nil (with a warning) for binary files.
  public func read(_ entry: CorpusEntry, warn: (CorpusWarning) -> Void) throws(CorpusError)
    -> Document?
  {
    let data = try Self.readFile(entry.url.path, shown: entry.displayPath)
    return data.withUnsafeBytes { raw -> Document? in
      if TextDecoder.looksBinary(raw) {
        warn(CorpusWarning(path: entry.displayPath, message: "looks like a binary file; skipped"))
        return nil
      }
      let decoded = TextDecoder.decode(raw)
      var meta = Metadata()
      meta["path"] = .string(entry.id)
      meta["folder"] = .string(entry.folder)
      meta["bytes"] = .integer(raw.count)
      if decoded.invalidSequences > 0 {
        meta["invalid_utf8"] = .integer(decoded.invalidSequences)
        let n = decoded.invalidSequences
        warn(
          CorpusWarning(
            path: entry.displayPath,
            message:
              "\(n) invalid UTF-8 sequence\(n == 1 ? "" : "s") replaced by U+FFFD (first at byte \(decoded.firstInvalidOffset ?? 0))"
          ))
      }
      return Document(id: entry.id, text: decoded.text, meta: meta)
    }
  }
}
