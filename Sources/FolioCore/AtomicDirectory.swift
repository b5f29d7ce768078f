import Foundation

/// A folder of output files that appears only when the run succeeds: files are written to a
/// hidden staging folder beside it and moved into place by `commit()` (each move a rename), so
/// an interrupted or failed run leaves neither partial files nor a half-filled folder.
public final class AtomicDirectory {
  public let path: String
  private let staging: String
  private var files: [String] = []
  private var finished = false

  public init(path: String) throws(AtomicFile.Failure) {
    let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
    self.path = trimmed
    let url = URL(fileURLWithPath: trimmed)
    staging =
      url.deletingLastPathComponent().appendingPathComponent(
        ".\(url.lastPathComponent).folio-\(UUID().uuidString.prefix(8))"
      ).path
    do {
      try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
    } catch {
      throw AtomicFile.Failure(path: trimmed, reason: (error as NSError).localizedDescription)
    }
  }

  deinit { cancel() }

  /// Writes `bytes` to `relative` (folders created as needed).
  public func write(_ relative: String, _ bytes: [UInt8]) throws(AtomicFile.Failure) {
    let target = staging + "/" + relative
    let dir = URL(fileURLWithPath: target).deletingLastPathComponent().path
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      try Data(bytes).write(to: URL(fileURLWithPath: target))
    } catch {
      throw AtomicFile.Failure(
        path: path + "/" + relative, reason: (error as NSError).localizedDescription)
    }
    files.append(relative)
  }

  /// Moves every file into the destination folder.
  public func commit() throws(AtomicFile.Failure) {
    guard !finished else { return }
    let fm = FileManager.default
    for relative in files {
      let target = path + "/" + relative
      let dir = URL(fileURLWithPath: target).deletingLastPathComponent().path
      do {
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
      } catch {
        throw AtomicFile.Failure(path: target, reason: (error as NSError).localizedDescription)
      }
      if rename(staging + "/" + relative, target) != 0 {
        throw AtomicFile.Failure(path: target, reason: String(cString: strerror(errno)))
      }
    }
    finished = true
    try? fm.removeItem(atPath: staging)
  }

  /// Removes the staging folder; the destination is untouched.
  public func cancel() {
    guard !finished else { return }
    finished = true
    try? FileManager.default.removeItem(atPath: staging)
  }
}
