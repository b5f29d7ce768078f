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

      --update indexes only the files added or changed since, with the plugins and reading \
      options of the first build, into a new segment of the index; the documents of changed \
      and removed files are left out of the older segments. Queries read every segment; a \
      build without --update makes one segment again.

      Examples:
        folio index ../shared/corpora/bbc -p pos -o bbc.folio-index
        folio query ../shared/corpora/bbc --index bbc.folio-index '[pos="ADJ"] "money"'
        folio index ../shared/corpora/bbc --update -o bbc.folio-index
      """)

  @Argument(help: "Corpus folders or files.")
  var corpus: [String] = []

  @OptionGroup var pipeline: PipelineOptions

  @Option(name: [.short, .long], help: "The index folder (default: CORPUS.folio-index).")
  var output: String?

  @Flag(
    help:
      "Index only the files added or changed since the last build or update (with the same plugins and reading options)."
  )
  var update = false

  @OptionGroup var reading: CorpusOptions

  /// Segments past this many make queries slower: a note suggests a rebuild.
  static let segmentsBeforeNote = 8

  func run() throws {
    LuaInterrupt.installHandler()
    guard !corpus.isEmpty else {
      throw fail(
        FolioError(
          "no corpus given", while: "reading the command line",
          help: "folio index CORPUS [-p pos] [-o DIR]", exit: .usage))
    }
    guard let path = output ?? SegmentedIndex.defaultPath(corpus) else {
      throw fail(
        FolioError(
          "an index of several corpus paths needs a folder", while: "reading the command line",
          help: "add -o DIR, then folio query ... --index DIR", exit: .usage))
    }
    if update { return try updateIndex(at: path) }
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
        let attributes = index.manifest.attributes.map(\.name).filter { $0 != "space" }
        Console.error(
          String(
            format:
              "folio: indexed %d documents, %d tokens in %.2f s into %@ (%@; attributes %@; layers %@)\n",
            index.documentCount, index.tokenCount, Date().timeIntervalSince(start), path,
            Corpus.size(Self.bytes(under: path)), attributes.joined(separator: ", "),
            index.manifest.layers.map(\.name).joined(separator: ", ")))
      }
    } catch let error as FolioError {
      throw fail(error)
    } catch let error as IndexError {
      throw fail(FolioError("\(error)", while: "opening the index", exit: .failure))
    }
  }

  /// The bytes of the files in `path` and its folders.
  static func bytes(under path: String) -> Int {
    let fm = FileManager.default
    var total = 0
    for name in fm.enumerator(atPath: path)?.compactMap({ $0 as? String }) ?? [] {
      total += (try? fm.attributesOfItem(atPath: path + "/" + name))?[.size] as? Int ?? 0
    }
    return total
  }

  /// `--update`: indexes the files added or changed since into a new segment and leaves the
  /// documents of changed and removed files out of the older ones.
  private func updateIndex(at path: String) throws {
    let start = Date()
    guard FileManager.default.fileExists(atPath: path + "/index.json") else {
      throw fail(
        FolioError(
          "no index at \(path) to update", while: "opening the index",
          help: "build it first: folio index \(corpus.joined(separator: " "))"
            + (output.map { " -o \($0)" } ?? ""), exit: .usage))
    }
    do {
      let index = try SegmentedIndex(path: path)
      let plugins = index.manifest.plugins
      let given = try pipeline.references().map(\.description)
      guard given.isEmpty || given == plugins else {
        let built =
          plugins.isEmpty ? "no plugins" : plugins.map { "-p \($0)" }.joined(separator: " ")
        throw FolioError(
          "the index \(path) was built with \(built); --update indexes new files the same way",
          while: "reading the command line",
          help: "leave out -p, or rebuild the index without --update", exit: .usage)
      }
      let reader = index.manifest.reader ?? ReaderOptions()
      let givenReader = try reading.reader()
      guard givenReader == ReaderOptions() || givenReader == reader else {
        throw FolioError(
          "the index \(path) was built with other reading options than these; --update reads new files as the first build did",
          while: "reading the command line",
          help: "leave out the reading options, or rebuild the index without --update",
          exit: .usage)
      }
      let now: [IndexManifest.Source]
      do {
        now = IndexManifest.Source.of(
          try CorpusReader(options: reader).list(corpus) { Console.error("Warning: \($0)\n") })
      } catch {
        throw FolioError(error)
      }
      let (new, changed, gone) = index.manifest.changes(now)
      if new.isEmpty && changed.isEmpty && gone.isEmpty {
        if !pipeline.quiet {
          Console.error(
            "folio: the index \(path) is up to date (\(index.documentCount) documents)\n")
        }
        return
      }
      let indexed = Set(new + changed)
      var folder: String? = nil
      var documents = 0
      if !indexed.isEmpty {
        let used = Set(index.updates?.segments.map(\.folder) ?? [])
        var n = 1
        while used.contains("update-\(n)")
          || FileManager.default.fileExists(atPath: path + "/update-\(n)")
        {
          n += 1
        }
        let name = "update-\(n)"
        var configuration = RunConfiguration(
          corpus: corpus,
          plugins: try plugins.map { (p) throws(FolioError) in try PluginReference.parse(p) },
          jobs: max(1, pipeline.jobs))
        configuration.reader = reader
        configuration.index = path + "/" + name
        configuration.only = indexed
        try Run.execute(
          configuration, resolver: PluginResolver(), format: .tsv,
          showProgress: pipeline.progress == "auto", quiet: true)
        if LuaInterrupt.isRequested { throw ExitCode(130) }
        documents = try CorpusIndex(path: path + "/" + name).documentCount
        if documents > 0 {
          folder = name
        } else {
          try? FileManager.default.removeItem(atPath: path + "/" + name)
        }
      }
      let root = IndexManifest.folderRoot(corpus)
      let (updates, dropped) = index.updated(
        now: now, folder: folder, indexed: indexed,
        root: root != nil && root == index.manifest.root ? root : nil)
      try SegmentedIndex.write(updates, to: path)
      for name in dropped { try? FileManager.default.removeItem(atPath: path + "/" + name) }
      if !pipeline.quiet {
        let after = try SegmentedIndex(path: path)
        Console.error(
          String(
            format:
              "folio: updated the index %@ in %.2f s (files: %d new, %d changed, %d gone; %d documents indexed); it holds %d documents, %d tokens in %d segment%@\n",
            path, Date().timeIntervalSince(start), new.count, changed.count, gone.count,
            documents, after.documentCount, after.tokenCount, after.segments.count,
            after.segments.count == 1 ? "" : "s"))
        if after.segments.count > Self.segmentsBeforeNote {
          Console.error(
            "Note: the index has \(after.segments.count) segments and queries read each; folio index without --update rebuilds it as one\n"
          )
        }
      }
    } catch let error as FolioError {
      throw fail(error)
    } catch let error as IndexError {
      throw fail(
        FolioError(
          "\(error)", while: "updating the index", help: "rebuild it: folio index without --update",
          exit: .failure))
    }
  }
}
