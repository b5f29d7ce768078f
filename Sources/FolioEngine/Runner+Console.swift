import FolioCore
import FolioLua
import Foundation
import LuaRuntime

extension Runner {
  /// Runs a pipeline and writes its reports: the progress line, the outputs checked before the
  /// run, the summary line and the exit code (shared by `folio run` and `folio query`).
  ///
  /// Returns the exit code the run's outcome asks for (0, or `ExitStatus` values).
  public static func execute(
    _ configuration: RunConfiguration, resolver: PluginResolver, format tableFormat: TableFormat,
    showProgress: Bool, quiet: Bool
  ) throws(FolioError) -> Int32 {
    let output = configuration.output
    let line = ProgressLine(enabled: showProgress && Console.stderrIsTerminal)
    let runner = Runner(configuration, resolver: resolver) { text in
      line.clear()
      Console.error(text + "\n")
    }
    runner.progress = { docs, bytes, total, phase in
      line.update(docs: docs, bytes: bytes, total: total, phase: phase)
    }
    LuaInterrupt.installHandler()
    // Installed plugins that drifted from folio.lock, and project plugins that hide shipped
    // ones: said once, before the run.
    let drift = PluginPackages(project: resolver.workingDirectory).drift()
    for problem in drift { Console.error("Warning: \(problem)\n") }
    if !drift.isEmpty {
      Console.error(
        "Help: folio plugin sync installs what folio.lock pins (delete a changed plugin's folder in .folio/plugins first)\n"
      )
    }
    var announced = Set<String>()
    for plugin in configuration.plugins where announced.insert(plugin.target).inserted {
      if let used = resolver.shadowing(plugin.target) {
        Console.error(
          "Note: plugin '\(plugin.target)' is \(used), which shadows Folio's shipped \(plugin.target)\n"
        )
      }
    }
    // An output that cannot be written (a missing folder, /dev/full) is refused now, before
    // the run, not after it.
    for path in [
      output, configuration.saveState, configuration.saveScanState, configuration.documentsOutput,
    ]
    .compactMap({ $0 }) {
      do throws(AtomicFile.Failure) {
        try AtomicFile(path: path).cancel()
      } catch {
        let folder = (path as NSString).deletingLastPathComponent
        let missing = !folder.isEmpty && !FileManager.default.fileExists(atPath: folder)
        throw FolioError(
          "\(error)", while: "checking the outputs",
          help: missing
            ? "the folder \(folder) does not exist: create it first (mkdir -p \(folder))"
            : "name a file in a folder you can write",
          exit: .failure)
      }
    }
    let summary: RunSummary
    do {
      summary = try runner.run()
    } catch {
      line.clear()
      throw error
    }
    line.clear()
    if summary.read == 0, summary.skipped > 0, !summary.interrupted {
      if !quiet { Console.error("folio: \(summary.line)\n") }
      throw FolioError(
        "no documents: every file of the corpus was skipped (\(summary.skipped))",
        while: "reading the corpus",
        help: "the warnings above say why for each file; no output was written", exit: .noInput)
    }
    if !summary.interrupted {
      try ReportOutput.write(summary.reports, format: tableFormat, to: output)
    }
    if !quiet || summary.interrupted { Console.error("folio: \(summary.line)\n") }
    if !quiet, summary.documentsUnwritten, summary.kept > 0 {
      Console.error(
        "folio: the documents were not written (no report, no -o): -o tagged.jsonl keeps them, or .conllu, .vrt, .csv, a folder DIR/\n"
      )
    }
    return summary.exitCode
  }
}
