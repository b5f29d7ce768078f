import CFolioSupport
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A file written atomically: bytes go to a temporary file in the same folder, which replaces the destination only on `commit()` (after fsync).
///
/// An interrupted or failed run never leaves a half-written file and never replaces an earlier good
/// one. The path `-` is standard output, written as the run goes.
public final class AtomicFile {
  public let path: String
  private let temporaryPath: String
  private var fd: Int32
  private var buffer: [UInt8] = []
  private var finished = false

  /// An error writing an output file.
  public struct Failure: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }

    public init(path: String, reason: String) {
      self.path = path
      self.reason = reason
    }
  }

  /// Writes go straight to the destination: it is a device, a pipe or a socket
  /// (`-o /dev/stdout`, `-o /dev/null`), which a rename would replace by a regular file.
  private let direct: Bool

  public init(path: String) throws(Failure) {
    // `-` is standard output: written as the run goes (a pipe cannot be renamed into place).
    if path == "-" {
      let fd = dup(STDOUT_FILENO)
      guard fd >= 0 else {
        throw Failure(path: "standard output", reason: String(cString: strerror(errno)))
      }
      self.path = "standard output"
      self.fd = fd
      temporaryPath = ""
      direct = true
      return
    }
    // A symbolic link is followed, so that the file it points to is replaced, not the link.
    var target = path
    if let resolved = realpath(path, nil) {
      target = String(cString: resolved)
      free(resolved)
    }
    var info = stat()
    if stat(target, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
      guard (info.st_mode & S_IFMT) != S_IFDIR else {
        throw Failure(path: path, reason: "it is a folder")
      }
      let fd = open(target, O_WRONLY | O_CLOEXEC)
      guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
      // An empty write fails now on a device that can take nothing (/dev/full: "No space left
      // on device"), before any work, not after the whole run.
      if Glibc.write(fd, "", 0) < 0 {
        let reason = String(cString: strerror(errno))
        close(fd)
        throw Failure(path: path, reason: reason)
      }
      self.path = target
      self.fd = fd
      temporaryPath = ""
      direct = true
      return
    }
    direct = false
    self.path = target
    let url = URL(fileURLWithPath: target)
    let dir = url.deletingLastPathComponent().path
    Self.removeStaleTemporaries(in: dir)
    var template = Array((dir + "/." + url.lastPathComponent + ".folio-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { p in p.baseAddress.map { mkstemp($0) } ?? -1
    }
    guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
    self.fd = fd
    temporaryPath = String(
      decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    fchmod(fd, 0o644)
    // Held until the file is renamed or removed: a temporary file nobody holds is what a run
    // killed (SIGKILL, a crash, a power cut) left behind.
    flock(fd, LOCK_EX | LOCK_NB)
  }

  /// The folders already cleaned by this process.
  private static let cleaned = CleanedFolders()

  /// Removes the temporary files (`.NAME.folio-XXXXXX`) that killed runs left in `dir`.
  ///
  /// Those are the ones whose lock no process holds. Once per folder per process.
  static func removeStaleTemporaries(in dir: String) {
    guard cleaned.insert(dir), let d = opendir(dir) else { return }
    defer { closedir(d) }
    while let entry = readdir(d) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      let parts = name.split(separator: ".", omittingEmptySubsequences: false)
      guard name.hasPrefix("."), let last = parts.last, last.hasPrefix("folio-"),
        last.utf8.count == "folio-XXXXXX".utf8.count
      else { continue }
      let path = dir + "/" + name
      let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
      guard fd >= 0 else { continue }
      var info = stat()
      if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
        flock(fd, LOCK_EX | LOCK_NB) == 0
      {
        unlink(path)
      }
      close(fd)
    }
  }

  deinit { cancel() }

  /// Appends bytes (buffered).
  public func write(_ bytes: some Collection<UInt8>) throws(Failure) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= 1 << 20 { try flush() }
  }

  /// Appends bytes (buffered): an array is copied whole, where the generic `write` called
  /// from another module appends byte by byte.
  public func write(_ bytes: [UInt8]) throws(Failure) {
    bytes.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
    if buffer.count >= 1 << 20 { try flush() }
  }

  /// Appends one byte.
  public func write(byte: UInt8) throws(Failure) {
    buffer.append(byte)
    if buffer.count >= 1 << 20 { try flush() }
  }

  public func write(_ text: String) throws(Failure) { try write(text.utf8) }

  private func flush() throws(Failure) {
    var offset = 0
    while offset < buffer.count {
      let n = buffer.withUnsafeBytes { b in
        b.baseAddress.map { Glibc.write(fd, $0 + offset, b.count - offset) } ?? 0
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw Failure(path: path, reason: String(cString: strerror(errno)))
      }
      offset += n
    }
    buffer.removeAll(keepingCapacity: true)
    // The disk starts on what is written while the run goes on: `commit`'s fsync then
    // waits only for the last megabyte (the device or pipe of a direct file needs nothing).
    if !direct { folio_start_writeback(fd) }
  }

  /// Flushes, fsyncs and renames the temporary file over the destination.
  public func commit() throws(Failure) {
    guard !finished else { return }
    try flush()
    if direct {
      finished = true
      close(fd)
      fd = -1
      return
    }
    guard fsync(fd) == 0 else {
      let reason = String(cString: strerror(errno))
      cancel()
      throw Failure(path: path, reason: reason)
    }
    // Renamed while still open (and locked), so no other run takes it for a leftover.
    guard rename(temporaryPath, path) == 0 else {
      let reason = String(cString: strerror(errno))
      cancel()
      throw Failure(path: path, reason: reason)
    }
    finished = true
    let closed = close(fd)
    fd = -1
    guard closed == 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
    // Make the rename itself durable.
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let dfd = open(dir, O_RDONLY)
    if dfd >= 0 {
      fsync(dfd)
      close(dfd)
    }
  }

  /// Removes the temporary file; the destination is untouched.
  public func cancel() {
    guard !finished else { return }
    finished = true
    if !direct { unlink(temporaryPath) }
    if fd >= 0 { close(fd) }
    fd = -1
  }
}

/// A set of folder paths shared by the threads of a process.
private final class CleanedFolders: @unchecked Sendable {
  private let lock = NSLock()
  private var folders = Set<String>()

  /// Adds `folder`; false when it was there already.
  func insert(_ folder: String) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return folders.insert(folder).inserted
  }
}
