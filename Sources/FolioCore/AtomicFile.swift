import CFolioSupport
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A file written atomically: bytes go to a temporary file in the same folder, which replaces the destination only on `commit()` (after fsync).
///
/// An interrupted or failed run never leaves a half-written file and never replaces an earlier good
/// one.
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
  }

  /// Writes go straight to the destination: it is a device, a pipe or a socket
  /// (`-o /dev/stdout`, `-o /dev/null`), which a rename would replace by a regular file.
  private let direct: Bool

  public init(path: String) throws(Failure) {
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
    var template = Array((dir + "/." + url.lastPathComponent + ".folio-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { p in p.baseAddress.map { mkstemp($0) } ?? -1
    }
    guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
    self.fd = fd
    temporaryPath = String(
      decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    fchmod(fd, 0o644)
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
    guard fsync(fd) == 0, close(fd) == 0 else {
      let reason = String(cString: strerror(errno))
      cancel()
      throw Failure(path: path, reason: reason)
    }
    fd = -1
    guard rename(temporaryPath, path) == 0 else {
      let reason = String(cString: strerror(errno))
      cancel()
      throw Failure(path: path, reason: reason)
    }
    finished = true
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
    if fd >= 0 { close(fd) }
    fd = -1
    if !direct { unlink(temporaryPath) }
  }
}
