#if canImport(Glibc)
  import Glibc
#endif

/// Diagnostics from plugins (ctx.log, folio.log): stderr, one line each.
public enum FolioLog {
  nonisolated(unsafe) public static var sink: (String) -> Void = { line in
    var line = line + "\n"
    line.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
  }
  public static func write(_ line: String) { sink(line) }
}
