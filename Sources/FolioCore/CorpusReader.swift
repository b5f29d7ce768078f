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
    case .empty(let p):
      "no documents found in \(p) (Folio reads .txt, .md, .html, .jsonl, .json, .csv, .tsv, .xml, .sgm and .conllu files, gzipped or not)"
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
  public var path: String
  /// The file on disk, as a URL.
  public var url: URL { URL(fileURLWithPath: path) }
  /// The document id: the path relative to the corpus root.
  public var id: String
  /// The folder of the file relative to the root ("" at the root).
  public var folder: String
  /// The path as shown in messages: the corpus argument joined with the id.
  public var displayPath: String
  /// The file's size in bytes when it was listed.
  public var bytes: Int
  /// The corpus argument the file came from, when several were given (`meta.corpus`).
  public var corpus: String?
  /// The file's path as bytes, when a name on it is not UTF-8 (`path` then shows such bytes as
  /// `\xHH`, and cannot open it).
  public var rawPath: [UInt8]?
  /// Records read from a stream (`folio run -`), held in memory instead of a file.
  public var stream: StreamChunk?

  public init(
    path: String, id: String, folder: String, displayPath: String, bytes: Int,
    corpus: String? = nil
  ) {
    self.path = path
    self.id = id
    self.folder = folder
    self.displayPath = displayPath
    self.bytes = bytes
    self.corpus = corpus
  }
}

/// Lists and reads plain-text corpora: folders (recursive, sorted by relative path) and files.
public struct CorpusReader: Sendable {
  /// Walks `root` recursively with POSIX calls (Foundation's enumerator costs ~100 µs a file),
  /// skipping hidden entries; calls `visit` with each regular file's folder (relative to
  /// `root`, "" at the top), name and size, in the byte order of the relative paths.
  ///
  /// Each folder's entries are sorted by their names' bytes, a folder's name taken with the
  /// "/" its paths continue with: that is the order of the whole paths, with no sort of them
  /// all at the end.
  static func walk(
    _ root: String, warn: (String) -> Void,
    _ visit: (_ folder: String, _ name: String, _ size: Int, _ raw: [UInt8]?) -> Void
  ) {
    var seen: [DirectoryID: String] = [:]
    var st = stat()
    if stat(root, &st) == 0 { seen[DirectoryID(st)] = "" }
    walk(Array(root.utf8), relative: "", rawRelative: [], escaped: false, seen: &seen, warn, visit)
  }

  /// A folder by device and inode: a folder reached again through a symbolic link (a loop, or
  /// two links to one folder) is read once.
  struct DirectoryID: Hashable {
    var device: UInt64
    var inode: UInt64
    init(_ st: stat) {
      device = UInt64(st.st_dev)
      inode = UInt64(st.st_ino)
    }
  }

  private static func walk(
    _ root: [UInt8], relative: String, rawRelative: [UInt8], escaped: Bool,
    seen: inout [DirectoryID: String], _ warn: (String) -> Void,
    _ visit: (_ folder: String, _ name: String, _ size: Int, _ raw: [UInt8]?) -> Void
  ) {
    let dirBytes = rawRelative.isEmpty ? root : root + [0x2F] + rawRelative
    guard
      let dir = (dirBytes + [0]).withUnsafeBufferPointer({ p in
        p.baseAddress.map { opendir(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
      }) ?? nil
    else { return }
    defer { closedir(dir) }
    let fd = dirfd(dir)
    var names: [(key: [UInt8], isDir: Bool, size: Int, id: DirectoryID)] = []
    while let entry = readdir(dir) {
      // `d_name` is NUL-terminated: stat it in place, copy it only when it is kept.
      var st = stat()
      let key = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> [UInt8]? in
        guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self), base[0] != 0x2E,
          fstatat(fd, base, &st, 0) == 0
        else { return nil }  // hidden, or gone
        return Array(UnsafeRawBufferPointer(start: base, count: strlen(base)))
      }
      guard var key else { continue }
      let isDir = (st.st_mode & S_IFMT) == S_IFDIR
      let isFile = (st.st_mode & S_IFMT) == S_IFREG
      guard isDir || isFile else { continue }
      if isDir { key.append(0x2F) }
      names.append((key, isDir, Int(st.st_size), DirectoryID(st)))
    }
    names.sort { x, y in
      let n = min(x.key.count, y.key.count)
      let c = x.key.withUnsafeBufferPointer { p in
        y.key.withUnsafeBufferPointer { q in
          n == 0 ? 0 : memcmp(p.baseAddress.unsafelyUnwrapped, q.baseAddress.unsafelyUnwrapped, n)
        }
      }
      return c != 0 ? c < 0 : x.key.count < y.key.count
    }
    for (key, isDir, size, id) in names {
      let bytes = isDir ? Array(key.dropLast()) : key
      // Any name is read: one that is not UTF-8 is shown with its bad bytes as \xHH, and the
      // file is opened by its bytes.
      let valid = String(validating: bytes, as: UTF8.self)
      let name = valid ?? escapedName(bytes)
      let path = relative.isEmpty ? name : relative + "/" + name
      let raw = rawRelative.isEmpty ? bytes : rawRelative + [0x2F] + bytes
      let isEscaped = escaped || valid == nil
      if isDir {
        if let first = seen[id] {
          warn(
            "\(path) is the folder \(first.isEmpty ? "of the corpus" : first) again (a symbolic link); read once"
          )
          continue
        }
        seen[id] = path
        walk(
          root, relative: path, rawRelative: raw, escaped: isEscaped, seen: &seen, warn, visit)
      } else {
        visit(relative, name, size, isEscaped ? raw : nil)
      }
    }
  }

  /// `bytes` as text, each byte that is not part of valid UTF-8 written `\xHH`.
  public static func escapedName(_ bytes: [UInt8]) -> String {
    var out = ""
    var i = 0
    while i < bytes.count {
      var matched = false
      for length in [1, 2, 3, 4] where i + length <= bytes.count {
        if let s = String(validating: bytes[i..<i + length], as: UTF8.self) {
          out += s
          i += length
          matched = true
          break
        }
      }
      if !matched {
        let hex = String(bytes[i], radix: 16, uppercase: true)
        out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
        i += 1
      }
    }
    return out
  }

  /// Whether a file named `name` is read in a folder.
  ///
  /// Its format extension (also with `.gz` after it) is one of `textExtensions`. On bytes,
  /// with no string made: it runs once per file of a folder.
  public static func hasTextExtension(_ name: String) -> Bool {
    withExtension(name) { ext in
      guard let ext, ext.count <= 8 else { return false }
      var word: UInt64 = 0
      for (i, b) in ext.enumerated() { word |= UInt64(Document.asciiLower(b)) << (8 * UInt64(i)) }
      return textExtensionWords.contains(word)
    }
  }

  /// `textExtensions`, each as the bytes of a little-endian word.
  private static let textExtensionWords: Set<UInt64> = Set(
    textExtensions.map { ext in
      ext.utf8.enumerated().reduce(0 as UInt64) {
        $0 | UInt64($1.element) << (8 * UInt64($1.offset))
      }
    })

  /// The extensions read in folders (also with `.gz` after them); name other files explicitly.
  public static let textExtensions: Set<String> = [
    "txt", "text", "md", "jsonl", "ndjson", "json", "csv", "tsv", "html", "htm", "xhtml", "xml",
    "sgm", "sgml", "tei", "conllu",
  ]

  /// The extension that decides a file's format: `txt` for `a.txt` and `a.txt.gz`.
  ///
  /// ASCII case-insensitive, on bytes: it runs once per file of a folder.
  public static func formatExtension(_ name: String) -> String {
    withExtension(name) { ext in
      ext.map { String(decoding: $0.map(Document.asciiLower), as: UTF8.self) } ?? ""
    }
  }

  /// Calls `body` with the bytes after the last dot of `name` (nil without a dot).
  ///
  /// A `.gz` after a dotted name is set aside. On the bytes in place: it runs once per file
  /// of a folder.
  private static func withExtension<R>(
    _ name: String, _ body: (UnsafeBufferPointer<UInt8>.SubSequence?) -> R
  ) -> R {
    var name = name
    return name.withUTF8 { b in
      var end = b.count
      if gzipSuffix(b), b[..<(end - 3)].contains(0x2E) { end -= 3 }
      guard let dot = b[..<end].lastIndex(of: 0x2E) else { return body(nil) }
      return body(b[(dot + 1)..<end])
    }
  }

  /// Whether `name` ends in `.gz` (any case).
  public static func hasGzipSuffix(_ name: String) -> Bool {
    var name = name
    return name.withUTF8(gzipSuffix)
  }

  private static func gzipSuffix(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = b.count
    return n >= 3 && b[n - 3] == 0x2E && Document.asciiLower(b[n - 2]) == 0x67
      && Document.asciiLower(b[n - 1]) == 0x7A
  }

  public var options: ReaderOptions

  public init(options: ReaderOptions = ReaderOptions()) { self.options = options }

  /// Reads a whole file with POSIX calls (cheaper than Foundation for many small files).
  ///
  /// `size` is the size a folder listing gave for it (a regular file), which spares an
  /// `fstat`; 0 when not known. One byte more than the size is asked for: a regular file's
  /// read that stops short of it has reached the end (one `read` per file instead of two);
  /// one that fills it means the file grew, and it is read on to its end.
  static func readFile(
    _ path: String, shown: String, size listed: Int = 0, raw: [UInt8]? = nil
  ) throws(CorpusError) -> [UInt8] {
    let fd =
      if let raw {
        (raw + [0]).withUnsafeBufferPointer { p in
          p.withMemoryRebound(to: CChar.self) { c in
            c.baseAddress.map { open($0, O_RDONLY | O_CLOEXEC) } ?? -1
          }
        }
      } else {
        open(path, O_RDONLY | O_CLOEXEC)
      }
    guard fd >= 0 else { throw .unreadable(shown, String(cString: strerror(errno))) }
    defer { close(fd) }
    var size = listed
    var regular = listed > 0
    if size <= 0 {
      var st = stat()
      if fstat(fd, &st) == 0 {
        size = Int(st.st_size)
        regular = (st.st_mode & S_IFMT) == S_IFREG
      }
    }
    // Read into uninitialised storage: zero-filling first would touch every page twice.
    var failure: CorpusError?
    var bytes = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
      count = 0
      guard let base = buffer.baseAddress else { return }
      while count < buffer.count {
        let asked = buffer.count - count
        let n = Glibc.read(fd, base + count, asked)
        if n < 0 {
          if errno == EINTR { continue }
          failure = .unreadable(shown, String(cString: strerror(errno)))
          return
        }
        if n == 0 { break }
        count += n
        if regular && n < asked { break }
      }
    }
    if let failure { throw failure }
    // The file grew since it was listed: read on to the end (the chunk is made only then:
    // zeroing 64 KB per file showed in runs over many small files).
    guard bytes.count == size + 1 else { return bytes }
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { b in
        b.baseAddress.map { Self.readRetrying(fd, $0, b.count) } ?? 0
      }
      if n <= 0 { break }
      bytes += chunk[0..<n]
    }
    return bytes
  }

  /// `read(2)`, again when a signal interrupts it.
  private static func readRetrying(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int)
    -> Int
  {
    while true {
      let n = Glibc.read(fd, buffer, count)
      if n >= 0 || errno != EINTR { return n }
    }
  }

  /// Whether a file at the top of a corpus folder describes the corpus rather than belonging
  /// to it.
  ///
  /// README, LICENSE, LICENCE and COPYING files (`README.md`, `UPSTREAM-README.md`,
  /// `LICENSE-MIT.txt`): the name before its first dot has at most two parts (split at `-` and
  /// `_`) and the first or the last is one of those words. `Shaw_Licence_1901.txt` is a
  /// document. Only files at the top of a folder are skipped, with a warning; `--keep-docs`
  /// or naming the file reads them.
  public static func isDocumentation(_ name: String) -> Bool {
    let stem = name.prefix { $0 != "." }
    let parts = stem.split(whereSeparator: { $0 == "-" || $0 == "_" })
    guard !parts.isEmpty, parts.count <= 2 else { return false }
    func isWord(_ part: Substring) -> Bool {
      let bytes = Array(part.utf8).map(Document.asciiLower)
      return documentationNames.contains(bytes)
    }
    return isWord(parts[0]) || isWord(parts[parts.count - 1])
  }

  private static let documentationNames = ["readme", "license", "licence", "copying"].map {
    Array($0.utf8)
  }

  /// Lists the documents of `paths` in a stable order.
  ///
  /// Throws for a missing path.
  /// Throws for a missing path; `warn` hears of folders reached twice through links.
  public func list(_ paths: [String], warn: (CorpusWarning) -> Void = { _ in }) throws(CorpusError)
    -> [CorpusEntry]
  {
    var entries: [CorpusEntry] = []
    for pattern in paths {
      var found = try listPattern(pattern, warn: warn)
      // With several corpora, each document says which it came from (`meta.corpus`).
      if paths.count > 1 {
        for k in found.indices { found[k].corpus = pattern }
      }
      entries += found
    }
    return entries
  }

  /// The entries of one corpus argument: a folder, a file or a glob pattern.
  private func listPattern(_ pattern: String, warn: (CorpusWarning) -> Void) throws(CorpusError)
    -> [CorpusEntry]
  {
    var st = stat()
    guard stat(pattern, &st) != 0, pattern.contains(where: { "*?[".contains($0) })
    else {
      return try listOne(pattern, warn: warn)
    }
    let matches = Self.glob(pattern)
    if matches.isEmpty { throw .notFound(pattern) }
    // Ids are relative to the folder before the first wildcard, so `news/*/page.html` gives
    // `a/page.html`, `b/page.html`.
    let fixed = pattern.prefix { !"*?[".contains($0) }
    let base =
      fixed.contains("/") ? String(fixed[...(fixed.lastIndex(of: "/") ?? fixed.startIndex)]) : ""
    var entries: [CorpusEntry] = []
    for path in matches { entries += try listOne(path, base: base, warn: warn) }
    return entries
  }

  /// The paths matching a shell pattern (`*`, `?`, `[...]`; `**` is not special), sorted.
  static func glob(_ pattern: String) -> [String] {
    var result = glob_t()
    defer { globfree(&result) }
    guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
    return (0..<Int(result.gl_pathc)).compactMap { i in
      result.gl_pathv[i].map { String(cString: $0) }
    }
  }

  private func listOne(
    _ path: String, base: String = "", warn: (CorpusWarning) -> Void
  ) throws(CorpusError) -> [CorpusEntry] {
    // stat(2), not FileManager: its first use costs about 2 ms.
    var st = stat()
    guard stat(path, &st) == 0 else { throw .notFound(path) }
    if (st.st_mode & S_IFMT) != S_IFDIR {
      let size = Int(st.st_size)
      let id =
        !base.isEmpty && path.hasPrefix(base)
        ? String(path.dropFirst(base.count)) : URL(fileURLWithPath: path).lastPathComponent
      let folder = id.split(separator: "/").dropLast().joined(separator: "/")
      return [
        CorpusEntry(path: path, id: id, folder: folder, displayPath: path, bytes: size)
      ]
    }
    var found: [CorpusEntry] = []
    var documentation: [String] = []
    let prefix = path.hasSuffix("/") ? path : path + "/"
    Self.walk(path, warn: { warn(CorpusWarning(path: path, message: $0)) }) {
      folder, name, size, raw in
      guard Self.hasTextExtension(name) else { return }
      if folder.isEmpty && !options.keepDocumentation && Self.isDocumentation(name) {
        documentation.append(name)
        return
      }
      let relative = folder.isEmpty ? name : folder + "/" + name
      let full = prefix + relative
      var entry = CorpusEntry(
        path: full, id: relative, folder: folder, displayPath: full, bytes: size)
      entry.rawPath = raw.map { Array(prefix.utf8) + $0 }
      found.append(entry)
    }
    if !documentation.isEmpty {
      warn(
        CorpusWarning(
          path: path,
          message:
            "left out \(documentation.joined(separator: ", ")): documentation, not documents (--keep-docs reads \(documentation.count == 1 ? "it" : "them"))"
        ))
    }
    // `walk` visits the files in the byte order of their relative paths, the ids.
    if found.isEmpty { throw .empty(path) }
    return found
  }

  /// The file's bytes, gunzipped when its name ends in `.gz`, and the name that tells its
  /// format (without `.gz`).
  func contents(_ entry: CorpusEntry, warn: (CorpusWarning) -> Void) throws(CorpusError)
    -> (bytes: [UInt8], name: String)?
  {
    if let stream = entry.stream { return (stream.bytes, entry.id) }
    let limit = options.maxDocumentSize
    if entry.bytes > limit {
      warn(
        CorpusWarning(
          path: entry.displayPath,
          message:
            "it has \(entry.bytes >> 20) MiB, more than a document may have (--max-document-size \(limit >> 20)); skipped"
        ))
      return nil
    }
    let raw = try Self.readFile(
      entry.path, shown: entry.displayPath, size: entry.bytes, raw: entry.rawPath)
    guard Self.hasGzipSuffix(entry.id) else { return (raw, entry.id) }
    do {
      return (try Gzip.decompress(raw, limit: limit), String(entry.id.dropLast(3)))
    } catch {
      warn(CorpusWarning(path: entry.displayPath, message: "\(error); skipped"))
      return nil
    }
  }

  /// Decodes a text file's bytes as `options.encoding` says, or by byte-order mark, declared
  /// charset and UTF-8; notes the encoding and replaced bytes in `meta` and warns about them.
  func decode(
    _ raw: UnsafeRawBufferPointer, entry: CorpusEntry, sniff: Bool, meta: inout Metadata,
    warn: (CorpusWarning) -> Void
  ) -> String {
    let decoded = TextDecoder.decode(raw, encoding: options.encoding, sniff: sniff)
    if decoded.encoding != "utf-8" { meta["encoding"] = .string(decoded.encoding) }
    if let declared = decoded.declared,
      LegacyEncoding.iconvName(declared) != LegacyEncoding.iconvName(decoded.encoding)
    {
      meta["declared_encoding"] = .string(declared)
    }
    if decoded.invalidSequences > 0 {
      let n = decoded.invalidSequences
      meta["invalid_bytes"] = .integer(n)
      let what = decoded.encoding == "utf-8" ? "invalid UTF-8 sequence" : "undecodable sequence"
      var message =
        "\(n) \(what)\(n == 1 ? "" : "s") replaced by U+FFFD (first at byte \(decoded.firstInvalidOffset ?? 0))"
      if let guess = decoded.suggestion {
        message += " - it reads cleanly as \(guess): try --encoding \(guess)"
      }
      warn(CorpusWarning(path: entry.displayPath, message: message))
    } else if let seven = decoded.suggestion {
      warn(
        CorpusWarning(
          path: entry.displayPath,
          message:
            "read as UTF-8, but it has \(seven.uppercased()) escapes - try --encoding \(seven)"))
    }
    return decoded.text
  }
}
