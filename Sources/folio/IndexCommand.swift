import ArgumentParser
import FolioCore
import FolioEngine
import Foundation
import LuaRuntime

struct IndexCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "index",
    abstract: "Build a positional index of a corpus, which folio query then uses.",
    discussion: """
      The index holds every token attribute (word, kind, and what the taggers given with -p \
      set: pos, tag, lemma, feats), sentences and the taggers' layers with their labels, the \
      documents' ids and metadata, and the white space between tokens (the text comes back \
      whole for concordances). Its layout: Sources/FolioCore/Index/README.md.

      By default it is written beside the corpus (CORPUS.folio-index), where folio query finds \
      it; -o names another folder (give it to folio query with --index). The folder appears \
      whole when the build succeeds. folio query checks that no file of the corpus changed \
      since (sizes and times) and scans the corpus instead when one did.

      Examples:
        folio index ../shared/corpora/bbc -p pos -o bbc.folio-index
        folio query ../shared/corpora/bbc --index bbc.folio-index '[pos="ADJ"] "money"'
      """)

  @Argument(help: "Corpus folders or files.")
  var corpus: [String] = []

  @OptionGroup var pipeline: PipelineOptions

  @Option(name: [.short, .long], help: "The index folder (default: CORPUS.folio-index).")
  var output: String?

  @OptionGroup var reading: CorpusOptions

  /// Where the index of `corpus` is looked for when none is named: beside the corpus.
  static func defaultPath(_ corpus: [String]) -> String? {
    guard corpus.count == 1, var path = corpus.first else { return nil }
    while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
    return path + ".folio-index"
  }

  func run() throws {
    LuaInterrupt.installHandler()
    guard !corpus.isEmpty else {
      throw fail(
        FolioError(
          "no corpus given - while reading the command line",
          help: "folio index CORPUS [-p pos] [-o DIR]", exit: .usage))
    }
    guard let path = output ?? Self.defaultPath(corpus) else {
      throw fail(
        FolioError(
          "an index of several corpus paths needs a folder - while reading the command line",
          help: "add -o DIR, then folio query ... --index DIR", exit: .usage))
    }
    do {
      var configuration = RunConfiguration(
        corpus: corpus,
        plugins: try pipeline.references(),
        jobs: max(1, pipeline.jobs))
      configuration.reader = try reading.reader()
      configuration.index = path
      let start = Date()
      try Run.execute(
        configuration, resolver: PluginResolver(), format: .tsv,
        showProgress: pipeline.progress == "auto", quiet: true)
      if !pipeline.quiet {
        let index = try CorpusIndex(path: path)
        let bytes =
          (try? FileManager.default.contentsOfDirectory(atPath: path))?.reduce(0) {
            $0
              + ((try? FileManager.default.attributesOfItem(atPath: path + "/" + $1))?[.size]
                as? Int ?? 0)
          } ?? 0
        let attributes = index.manifest.attributes.map(\.name).filter { $0 != "space" }
        Console.error(
          String(
            format:
              "folio: indexed %d documents, %d tokens in %.2f s into %@ (%@; attributes %@; layers %@)\n",
            index.documentCount, index.tokenCount, Date().timeIntervalSince(start), path,
            Corpus.size(bytes), attributes.joined(separator: ", "),
            index.manifest.layers.map(\.name).joined(separator: ", ")))
      }
    } catch let error as FolioError {
      throw fail(error)
    } catch let error as IndexError {
      throw fail(FolioError("\(error) - while opening the index", exit: .failure))
    }
  }
}
