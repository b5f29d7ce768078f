import Foundation

/// An error reading a corpus, with the path it concerns.
public enum CorpusError: Error, Equatable, CustomStringConvertible {
  case notFound(String)
  case unreadable(String, String)
  case empty(String)

  public var description: String {
    switch self {
    case .notFound(let p): "no such file or folder: \(p)"
    case .unreadable(let p, let why): "cannot read \(p): \(why)"
    case .empty(let p): "no documents found in \(p) (Folio reads .txt and .md files)"
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
  public static let textExtensions: Set<String> = ["txt", "text", "md"]

  public init() {}

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
      let root = url.standardizedFileURL.path
      guard
        let walker = fm.enumerator(
          at: url.standardizedFileURL,
          includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey],
          options: [.skipsHiddenFiles])
      else { throw .unreadable(path, "cannot list the folder") }
      for case let file as URL in walker {
        guard Self.textExtensions.contains(file.pathExtension.lowercased()) else { continue }
        let values = try? file.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
        guard values?.isRegularFile == true else { continue }
        var relative = file.standardizedFileURL.path
        if relative.hasPrefix(root + "/") { relative.removeFirst(root.count + 1) }
        let folder = relative.split(separator: "/").dropLast().joined(separator: "/")
        let shown = (path.hasSuffix("/") ? path : path + "/") + relative
        found.append(
          CorpusEntry(
            url: file, id: relative, folder: folder, displayPath: shown,
            bytes: values?.fileSize ?? 0))
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
    let data: Data
    do { data = try Data(contentsOf: entry.url, options: .mappedIfSafe) } catch {
      throw .unreadable(entry.displayPath, (error as NSError).localizedDescription)
    }
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
