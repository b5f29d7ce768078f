import ArgumentParser
import FolioEngine
import Foundation

/// The options `folio query` and `folio index` share: the plugins to run first, workers,
/// progress and the summary line.
struct PipelineOptions: ParsableArguments {
  @Option(
    name: [.short, .customLong("plugin")],
    help: "A tagger or filter to run first (-p pos for pos, tag, lemma and feats). Repeat.")
  var plugins: [String] = []

  @Option(
    name: [.customShort("j", allowingJoined: true), .long],
    help: "Worker threads (default: the number of cores).")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @Option(help: "Progress line on stderr: auto or never.")
  var progress: String = "auto"

  @Flag(name: [.short, .long], help: "Print no summary line on stderr.")
  var quiet = false

  /// The plugins, parsed.
  func references() throws(FolioError) -> [PluginReference] {
    try plugins.map { (p) throws(FolioError) in try PluginReference.parse(p) }
  }
}
