import FolioCore
import FolioLua

/// A failure of a Folio command, with the exit code it maps to (DESIGN.md §6) and an optional
/// `Help:` line.
public struct FolioError: Error, CustomStringConvertible, Equatable {
  public enum Exit: Int32, Sendable {
    case failure = 1
    case usage = 64
    case data = 65
    case noInput = 66
    case config = 78
    case interrupted = 130
  }

  /// What went wrong: `no such file or folder: corpus/`.
  public var what: String
  /// What Folio was doing: `reading the corpus`.
  public var activity: String?
  public var help: String?
  public var exit: Exit

  /// An error: what went wrong, while doing what, and what to do.
  public init(
    _ what: String, while activity: String? = nil, help: String? = nil, exit: Exit = .failure
  ) {
    self.what = what
    self.activity = activity
    self.help = help
    self.exit = exit
  }

  /// The message as printed after `Error:`: `what - while activity`.
  public var message: String { activity.map { "\(what) - while \($0)" } ?? what }

  public var description: String { message }

  /// `Error: ...` and `Help: ...` lines as printed on stderr.
  public var rendered: String {
    var s = "Error: \(message)\n"
    if let help { s += "Help: \(help)\n" }
    return s
  }

  public init(_ error: CorpusError) {
    switch error {
    case .notFound(let p):
      self.init(
        "no such file or folder: \(p)", while: "reading the corpus",
        help:
          "check the path; a corpus is a folder or a file of text, Markdown, HTML, JSONL, CSV/TSV, XML or CoNLL-U",
        exit: .noInput)
    case .empty(let p):
      self.init(
        "no documents in \(p)", while: "reading the corpus",
        help:
          "in folders Folio reads "
          + CorpusReader.textExtensions.sorted().map { "." + $0 }.joined(
            separator: " ") + " (also gzipped); name other files explicitly, with --as",
        exit: .noInput)
    case .unreadable(let p, let why):
      self.init("cannot read \(p): \(why)", while: "reading the corpus", exit: .noInput)
    }
  }

  public init(_ error: PluginError, exit: Exit = .config) {
    self.init(error.description, help: error.help, exit: exit)
  }
}
