import ArgumentParser
import FolioEngine
import FolioLua
import Foundation
import LuaRuntime

@main
struct Folio: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "folio",
    abstract: "A scriptable corpus workbench: load corpora, run Lua plugins, get reports.",
    discussion: """
      Examples:
        folio run Examples/news -p wordfreq:top=20
        folio run ../shared/corpora/seeds -p kwic:word=Kolokoltsev
        folio repl Examples/news
        folio doc Corpus:kwic
        folio plugin test Plugins/wordfreq

      Exit codes: 0 ok, 1 other failures, 64 usage, 65 some documents failed,
      66 corpus not found or empty, 78 a plugin or its options are wrong, 130 interrupted.
      """,
    version: FolioVersion.withPlugins,
    subcommands: [
      Run.self, REPL.self, Script.self, Merge.self, CorpusCommand.self, PluginCommand.self,
      Query.self, IndexCommand.self, Doc.self, Train.self, Eval.self,
    ])
}

extension Folio {
  /// Tunes malloc, then runs the command line.
  ///
  /// Corpus files are read into buffers of up to a few MB that glibc would map and unmap each
  /// time (its threshold for mmap is 128 KiB, raised on the fly only after a free): the page
  /// faults cost a third of the time of reading a corpus. A fixed 64 MiB threshold keeps freed
  /// buffers in the heap for the next file.
  static func main() {
    // glibc's mallopt (malloc.h is not in Swift's Glibc module); M_TRIM_THRESHOLD is -1 and
    // M_MMAP_THRESHOLD -3 in glibc's ABI.
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
      typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
      let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
      _ = mallopt(-3, 64 << 20)
      _ = mallopt(-1, 128 << 20)
    }
    // ArgumentParser's own `main`, with Folio's hints for the usual slips.
    let arguments = Array(CommandLine.arguments.dropFirst())
    if let hint = CommandHints.unknownCommand(arguments) {
      Console.error(hint.rendered)
      Foundation.exit(hint.exit.rawValue)
    }
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
    } catch {
      if let hint = CommandHints.pluginOption(arguments, message: message(for: error)) {
        Console.error(hint.rendered)
        Foundation.exit(hint.exit.rawValue)
      }
      let code = exitCode(for: error)
      let text = fullMessage(for: error)
      if code.isSuccess || error is ExitCode || text.isEmpty { exit(withError: error) }
      Console.error(text.hasSuffix("\n") ? text : text + "\n")
      Foundation.exit(code.rawValue)
    }
  }
}

enum FolioVersion {
  static let string = "folio 0.1.0 (Lua API \(FolioLua.apiVersion), \(luaVersion))"
  static var luaVersion: String { "Lua 5.4" }
  /// `--version`: the version, then where the shipped plugins are found.
  static var withPlugins: String {
    let plugins =
      PluginResolver.shippedPlugins()?.standardizedFileURL.path
      ?? "not found (set FOLIO_PLUGINS to Folio's Plugins folder)"
    return string + "\nshipped plugins: " + plugins
  }
}

/// Prints `Error:`/`Help:` on stderr and exits with the error's code.
func fail(_ error: FolioError) -> ExitCode {
  Console.error(error.rendered)
  return ExitCode(error.exit.rawValue)
}

enum Console {
  static func out(_ text: String) {
    var text = text
    text.withUTF8 { writeAll(1, $0) }
  }

  /// Writes to stderr; on a colour terminal the `Error:`, `Warning:`, `Note:` and `Help:` that
  /// start lines are coloured (red, yellow, cyan, green, bold).
  static func error(_ text: String) {
    var text = stderrColor ? colored(text) : text
    text.withUTF8 { writeAll(2, $0) }
  }

  static let stderrColor = wantsColor(2)
  static let stdoutColor = wantsColor(1)

  static func colored(_ text: String) -> String {
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
  static func testLine(_ text: String) -> String {
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

  static var stdoutIsTerminal: Bool { isatty(1) != 0 }
  /// Colour on descriptor `fd`: a terminal, no `NO_COLOR` (no-color.org), and a `TERM` other
  /// than `dumb`.
  static func wantsColor(_ fd: Int32) -> Bool {
    let env = ProcessInfo.processInfo.environment
    return isatty(fd) != 0 && env["NO_COLOR"] == nil && env["TERM"] != "dumb"
  }
  static var stderrIsTerminal: Bool { isatty(2) != 0 }
}
