import Foundation

/// Settings of the whole process that make Folio fast, applied once at start by the program.
public enum ProcessTuning {
  /// Keeps freed corpus buffers in the heap.
  ///
  /// Corpus files are read into buffers of up to a few MB that glibc would map and unmap each
  /// time (its threshold for mmap is 128 KiB, raised on the fly only after a free): the page
  /// faults cost a third of the time of reading a corpus. A fixed 64 MiB threshold keeps freed
  /// buffers in the heap for the next file.
  public static func tuneMalloc() {
    // glibc's mallopt (malloc.h is not in Swift's Glibc module); M_TRIM_THRESHOLD is -1 and
    // M_MMAP_THRESHOLD -3 in glibc's ABI.
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
      typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
      let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
      _ = mallopt(-3, 64 << 20)
      _ = mallopt(-1, 128 << 20)
    }
  }
}
