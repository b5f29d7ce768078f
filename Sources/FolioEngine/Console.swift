import Foundation

/// Folio's own output: reports and documents on stdout, messages on stderr.
public enum Console {
  public static func out(_ text: String) {
    var text = text
    text.withUTF8 { writeAll(1, $0) }
  }

  /// Writes to stderr; on a colour terminal the `Error:`, `Warning:`, `Note:` and `Help:` that
  /// start lines are coloured (red, yellow, cyan, green, bold).
  public static func error(_ text: String) {
    var text = stderrColor ? colored(text) : text
    text.withUTF8 { writeAll(2, $0) }
  }

  public static let stderrColor = wantsColor(2)
  public static let stdoutColor = wantsColor(1)

  public static func colored(_ text: String) -> String {
    let labels = [
      ("Error:", "1;31"), ("Warning:", "1;33"), ("Note:", "1;36"), ("Help:", "1;32"),
    ]
    return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      for (label, code) in labels where line.hasPrefix(label) {
        return "\u{1B}[\(code)m\(label)\u{1B}[0m" + line.dropFirst(label.count)
      }
      return String(line)
    }.joined(separator: "\n")
  }

  /// `plugin test`'s marks in green and red on a colour terminal.
  public static func testLine(_ text: String) -> String {
    guard stdoutColor else { return text }
    return text.replacingOccurrences(of: "✔", with: "\u{1B}[32m✔\u{1B}[0m")
      .replacingOccurrences(of: "✘", with: "\u{1B}[1;31m✘\u{1B}[0m")
  }

  private static func writeAll(_ fd: Int32, _ buffer: UnsafeBufferPointer<UInt8>) {
    guard let base = buffer.baseAddress else { return }
    var offset = 0
    while offset < buffer.count {
      let n = write(fd, base + offset, buffer.count - offset)
      if n <= 0 { return }
      offset += n
    }
  }

  public static var stdoutIsTerminal: Bool { isatty(1) != 0 }
  /// Colour on descriptor `fd`: a terminal, no `NO_COLOR` (no-color.org), and a `TERM` other
  /// than `dumb`.
  public static func wantsColor(_ fd: Int32) -> Bool {
    let env = ProcessInfo.processInfo.environment
    return isatty(fd) != 0 && env["NO_COLOR"] == nil && env["TERM"] != "dumb"
  }
  public static var stderrIsTerminal: Bool { isatty(2) != 0 }
}
