/// Where the REPL gets its lines: libedit on a terminal, plain reads otherwise (issue #6).
public protocol LineReader {
  /// Reads one line without its newline, or nil at end of input.
  mutating func readLine(prompt: String) -> String?
}
