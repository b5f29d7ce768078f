import ArgumentParser
import FolioCore
import FolioEngine
import FolioLua
import FolioREPL
import Foundation
import LuaRuntime

struct REPL: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repl",
    abstract: "Explore a corpus interactively in Lua.",
    discussion: """
      The corpus is loaded into memory as `corpus`; kwic(word), freq(), grep(pattern), sample(n) \
      and show(doc) work on it at the prompt. Type .help for the commands and ?NAME for the API. \
      With stdin not a terminal there is no banner and no prompt, so \
      `folio repl CORPUS < session.folio > out.txt` runs a session script; it exits 1 if a \
      chunk failed, as sqlite3 does. \
      History is kept in $XDG_STATE_HOME/folio/history.
      """)

  @Argument(help: "Corpus folders or files to load.")
  var corpus: [String] = []

  @OptionGroup var reading: CorpusOptions

  @Option(name: .short, help: "Run one chunk, print its result and exit.")
  var execute: [String] = []

  @Option(
    help: ArgumentHelp(
      "Grant a plugin run with .run a permission its plugin.toml asks for, as for folio run.",
      valueName: "NAME:PERMISSIONS"))
  var allow: [String] = []

  @Flag(help: "Stop at the first error (a piped session goes on, then exits 1).")
  var bail = false

  func run() throws {
    LuaInterrupt.installHandler()
    var options = REPLSession.Options()
    options.corpus = corpus
    do {
      options.reader = try reading.reader()
      options.allow = try AllowOption.parse(allow)
    } catch { throw fail(error) }
    let interactive = execute.isEmpty && isatty(0) != 0 && isatty(1) != 0
    options.interactive = interactive
    options.color = Console.wantsColor(1)
    options.bail = bail || !execute.isEmpty
    let session: REPLSession
    do {
      session = try REPLSession(options, out: Console.out, err: Console.error)
    } catch { throw fail(error) }
    if !execute.isEmpty {
      let code = session.run(ListLineReader(execute))
      if code != 0 { throw ExitCode(code) }
      return
    }
    let reader: LineReader
    if interactive {
      let editor = TerminalLineReader(
        historyPath: TerminalLineReader.defaultHistoryPath(), color: options.color)
      editor.complete = { [unowned session] line in session.completions(line) }
      editor.needsMore = { [unowned session] text in session.needsMore(text) }
      reader = editor
    } else {
      reader = PlainLineReader()
    }
    let code = session.run(reader)
    if code != 0 { throw ExitCode(code) }
  }
}

struct Script: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "script",
    abstract: "Run a Lua script with the full standard library, Folio's API and a corpus.",
    discussion: """
      The corpus is `corpus` (as in the REPL), the words after -- are `arg` (arg[0] is the \
      script). Options such as --as come before the script. Use it as a shebang:
      #!/usr/bin/env -S folio script \
      Exit code 1 when the script raises an error.
      """)

  @Argument(help: "The script.")
  var file: String

  @Argument(
    parsing: .captureForPassthrough,
    help: "Corpus folders or files, then -- and the script's own arguments (arg[1], ...).")
  var rest: [String] = []

  @OptionGroup var reading: CorpusOptions

  func run() throws {
    LuaInterrupt.installHandler()
    let split = rest.firstIndex(of: "--")
    let corpus = split.map { Array(rest[..<$0]) } ?? rest
    let arguments = split.map { Array(rest[($0 + 1)...]) } ?? []
    guard let data = FileManager.default.contents(atPath: file) else {
      throw fail(FolioError("no such file: \(file)", while: "starting the script", exit: .noInput))
    }
    var options = REPLSession.Options()
    options.corpus = corpus
    options.bail = true
    options.color = Console.wantsColor(2)
    do { options.reader = try reading.reader() } catch { throw fail(error) }
    let session: REPLSession
    do {
      session = try REPLSession(options, out: Console.out, err: Console.error)
    } catch { throw fail(error) }
    var source = String(decoding: data, as: UTF8.self)
    if source.hasPrefix("#!") {
      // Keep the line count: the shebang line becomes a comment.
      source = "--" + source
    }
    let code = session.runScript(source, name: file, arguments: arguments)
    if code != 0 { throw ExitCode(code) }
  }
}

struct Doc: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doc",
    abstract: "The Lua API reference: every name, or one (folio doc kwic).")

  @Argument(help: "A name: folio.re.compile, Document:spans, kwic, ...")
  var name: String?

  @Flag(help: "Print the LuaCATS stub for the Lua language server (Plugins/_meta/folio.lua).")
  var luacats = false

  @Flag(help: "Print the whole reference as Markdown (Plugins/_meta/API.md).")
  var markdown = false

  func run() throws {
    if luacats {
      Console.out(FolioLua.luaCATSStub())
      return
    }
    if markdown {
      Console.out(FolioLua.markdownReference(FolioLua.reference + REPLSession.reference))
      return
    }
    let all = REPLSession.reference + FolioLua.reference
    guard let name else {
      var lines: [String] = []
      for entry in FolioLua.reference + REPLSession.reference {
        lines.append(
          entry.name.padding(toLength: max(28, entry.name.count + 1), withPad: " ", startingAt: 0)
            + entry.summary)
      }
      Console.out(lines.joined(separator: "\n") + "\n\nfolio doc NAME shows one entry.\n")
      return
    }
    let found = FolioLua.lookup(name, in: all)
    guard !found.isEmpty else {
      throw fail(
        FolioError(
          "no documentation for '\(name)'", while: "looking it up",
          help: Suggest.didYouMean(name, in: all.map(\.name)) ?? "folio doc lists every name",
          exit: .usage))
    }
    Console.out(found.map(\.text).joined(separator: "\n"))
  }
}
