import ArgumentParser
import FolioCore
import FolioEngine
import Foundation
import LuaRuntime

struct Query: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "query",
    abstract: "Find the hits of a CQL query: a concordance, their count or a breakdown.",
    discussion: """
      The query language is CQP's (Sources/FolioCore/Query/README.md teaches it): "money" is a word, \
      [pos="ADJ"] a token whose attribute matches a regular expression (whole value; %c ignores \
      case, %d diacritics), [] any token, ? * + {n,m} repeat, | chooses, within s keeps a hit \
      inside a sentence, <entity label="PERSON"/> is a whole span of a layer, a:[...] labels a \
      token for :: constraints (a.lemma = b.lemma, meta.folder = "sport"). Attributes: word, \
      lower, norm, kind, and pos, tag, lemma, feats once a tagger ran (-p pos); layers come \
      from taggers too (-p entities).

      Without --count or --group-by the hits print as a concordance (the kwic table: --sort, \
      --sample, --context, --show, -o FILE in any report format); --count prints hits and \
      documents; --group-by ATTR (lemma, pos, word, lower, a.lemma at label a, meta.FIELD; \
      repeat it) a frequency table. A syntax error points at its column. A corpus indexed with \
      folio index is answered from its index (CORPUS.folio-index, or --index DIR) unless a file \
      changed since; --no-index scans.

      Examples:
        folio query ../shared/corpora/bbc '"money" within s' --count
        folio query ../shared/corpora/bbc -p pos '[pos="ADJ"] "money"' --sort L1
        folio query ../shared/corpora/bbc -p pos '[lemma="say"] []{0,3} "that" within s'
        folio query ../shared/corpora/bbc -p pos '[pos="ADJ"] [pos="NOUN"]' --group-by lemma
        folio query ../shared/corpora/seeds -p entities -p pos '<entity label="PERSON"/> [lemma="say"]'
        folio index ../shared/corpora/bbc -p pos && folio query ../shared/corpora/bbc '[pos="ADJ"] "money"'
      """)

  @Argument(help: "Corpus folders or files, then the query (the last argument).")
  var arguments: [String] = []

  @OptionGroup var pipeline: PipelineOptions

  @Flag(help: "Print the number of hits and of documents with hits.")
  var count = false

  @Option(
    help: ArgumentHelp(
      "Group the hits by an attribute over their tokens (lemma, pos, word, lower), at a label (a.lemma) or by meta.FIELD; repeat for more columns.",
      valueName: "ATTR"))
  var groupBy: [String] = []

  @Option(help: "With --group-by: list only the N most frequent groups (0: all).")
  var top = 0

  @Option(help: "Show N hits chosen at random (0: all).")
  var sample = 0

  @Option(help: "The random seed of --sample (the same seed gives the same lines).")
  var seed = 1

  @Option(help: "Context as tokens on each side (a number), or s for the sentence.")
  var context: String?

  @Option(help: "Characters of context on each side (without --context).")
  var width = 40

  @Option(help: "Order the lines by levels such as L1+R1 (L1-L9 before, R1-R9 after, K the hit).")
  var sort: String?

  @Option(help: "Show tokens as word/ATTR, e.g. pos or lemma.")
  var show: String?

  @Option(
    help:
      "Which overlapping hits count: standard (CQP's: the shortest from each start, one per end token), longest or shortest."
  )
  var strategy = "standard"

  @Option(
    help: "Use this index (folio index -o DIR); by default CORPUS.folio-index when it exists.")
  var index: String?

  @Flag(help: "Scan the corpus even when it has an index.")
  var noIndex = false

  @Option(help: "Report format (as for folio run).")
  var format: String = "auto"

  @Option(name: [.short, .long], help: "Write the table to this file (format from its extension).")
  var output: String?

  @OptionGroup var reading: CorpusOptions

  func run() throws {
    LuaInterrupt.installHandler()
    guard arguments.count >= 2, let cql = arguments.last else {
      throw fail(
        FolioError(
          "give a corpus and a query", while: "reading the command line",
          help: #"folio query CORPUS '[pos="ADJ"] "money"' -p pos (see folio query --help)"#,
          exit: .usage))
    }
    guard let strategyValue = QueryStrategy(rawValue: strategy) else {
      throw fail(
        FolioError(
          "unknown strategy '\(strategy)'", while: "reading the command line",
          help: "use standard, longest or shortest", exit: .usage))
    }
    // The query is checked before any document is read.
    let query: CQLQuery
    do {
      query = try CQLQuery(cql)
      _ = try QueryProgram(query, strategy: strategyValue)
    } catch let error as CQLError {
      throw fail(FolioError("\(error)", exit: .usage))
    } catch {
      throw fail(FolioError("\(error)", while: "reading the query", exit: .usage))
    }
    if count && !groupBy.isEmpty {
      throw fail(
        FolioError(
          "--count and --group-by do not go together", while: "reading the command line",
          help: "--group-by lists the count of each group; --count the total", exit: .usage))
    }
    let tableFormat = try tableFormat(format, output: output)
    let corpus = Array(arguments.dropLast())
    if !noIndex, let table = try indexed(query, corpus: corpus, strategy: strategyValue) {
      try ReportOutput.write([table], format: tableFormat, to: output)
      return
    }
    let resolver = PluginResolver()
    do {
      var references = try pipeline.references()
      references.append(report(cql))
      var configuration = RunConfiguration(
        corpus: corpus, plugins: references, jobs: max(1, pipeline.jobs),
        output: output)
      configuration.reader = try reading.reader()
      try Run.execute(
        configuration, resolver: resolver, format: tableFormat,
        showProgress: pipeline.progress == "auto",
        quiet: pipeline.quiet)
    } catch let error as FolioError {
      throw fail(error)
    }
  }

  /// The table from the corpus's index, when it has one that is not stale and the options
  /// need nothing the index lacks; nil to scan instead (a note says why, when it matters).
  private func indexed(_ cql: CQLQuery, corpus: [String], strategy: QueryStrategy) throws
    -> ReportTable?
  {
    guard let path = index ?? SegmentedIndex.defaultPath(corpus) else { return nil }
    guard FileManager.default.fileExists(atPath: path) else {
      if index != nil {
        throw fail(
          FolioError(
            "no index at \(path)", while: "opening the index",
            help: "build it: folio index \(corpus.joined(separator: " ")) -o \(path)", exit: .usage)
        )
      }
      return nil
    }
    let start = Date()
    let opened: SegmentedIndex
    do { opened = try SegmentedIndex(path: path) } catch {
      throw fail(
        FolioError(
          "\(error)", while: "opening the index",
          help: "rebuild it with folio index, or add --no-index",
          exit: .failure))
    }
    let change: String?
    do {
      change = try opened.staleness(corpus: corpus, reader: try reading.reader())
    } catch let error as FolioError {
      throw fail(error)
    } catch let error as CorpusError {
      throw fail(FolioError(error))
    }
    if let change {
      Console.error(
        "Note: the index \(path) is stale (\(change) since it was built): scanning the corpus - folio index --update brings it up to date\n"
      )
      return nil
    }
    let needsDocuments = sort != nil || sample > 0 || context != nil || show != nil
    if !count && groupBy.isEmpty && needsDocuments {
      Console.error(
        "Note: --sort, --sample, --context and --show read the documents: scanning the corpus\n")
      return nil
    }
    var query = IndexedQuery(index: opened, query: cql, strategy: strategy)
    query.jobs = max(1, pipeline.jobs)
    query.stop = { LuaInterrupt.isRequested }
    let table: ReportTable
    do {
      if count {
        table = try query.count()
      } else if !groupBy.isEmpty {
        table = try query.groups(by: groupBy, top: top)
      } else {
        table = try query.concordance(width: width)
      }
    } catch {
      throw fail(
        FolioError("\(error.message)", while: "querying the index \(path)", exit: .failure))
    }
    if LuaInterrupt.isRequested { throw ExitCode(130) }
    if !pipeline.quiet {
      Console.error(
        String(
          format: "folio: answered from the index %@ (%d documents, %d tokens) in %.3f s\n", path,
          opened.documentCount, opened.tokenCount, Date().timeIntervalSince(start)))
    }
    return table
  }

  /// The report that prints the hits: kwic for a concordance, hits for counts and groups.
  private func report(_ cql: String) -> PluginReference {
    typealias O = PluginReference.Option
    var options = [O(key: "cql", value: cql), O(key: "strategy", value: strategy)]
    if count || !groupBy.isEmpty {
      options.append(O(key: "by", value: groupBy.joined(separator: ",")))
      options.append(O(key: "top", value: String(top)))
      return PluginReference(target: "hits", options: options)
    }
    options.append(O(key: "width", value: String(width)))
    options.append(O(key: "sample", value: String(sample)))
    options.append(O(key: "seed", value: String(seed)))
    if let context { options.append(O(key: "context", value: context)) }
    if let sort { options.append(O(key: "sort", value: sort)) }
    if let show { options.append(O(key: "show", value: show)) }
    return PluginReference(target: "kwic", options: options)
  }
}
