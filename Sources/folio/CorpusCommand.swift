import ArgumentParser
import FolioCore
import FolioEngine
import Foundation

struct CorpusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "corpus",
    abstract: "Describe a corpus, or export its documents.",
    subcommands: [Info.self, Export.self])

  /// Lists a corpus for the subcommands, turning a missing path into a coded error.
  static func entries(_ paths: [String], _ reader: CorpusReader) throws(FolioError) -> [CorpusEntry]
  {
    guard !paths.isEmpty else {
      throw FolioError(
        "no corpus given", while: "reading the command line",
        help: "name corpus folders, files or quoted patterns such as 'pages/*/source.html'",
        exit: .usage)
    }
    do {
      return try reader.list(paths) { Console.error("Warning: \($0)\n") }
    } catch {
      throw FolioError("\(error)", while: "listing the corpus", exit: .noInput)
    }
  }

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "info",
      abstract:
        "Documents, bytes, tokens, types, sentences, readers, metadata fields and decoding problems.",
      discussion: """
        Files are streamed: the corpus never has to fit in memory.

        Examples:
          folio corpus info ../shared/corpora/bbc
          folio corpus info '../shared/corpora/reuters21578/*.sgm'
          folio corpus info '../shared/corpora/readability-news/*/source.html'
          folio corpus info --encoding shift_jis notes.txt
        """)

    @Argument(help: "Corpus folders, files or quoted glob patterns.")
    var corpus: [String] = []

    @OptionGroup var reading: CorpusOptions

    @Option(
      name: [.customShort("j", allowingJoined: true), .long],
      help: "Files read at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Only files, documents, bytes, tokens and problems: no types, sentences or fields.")
    var brief = false

    func run() throws {
      do {
        let reader = CorpusReader(options: try reading.reader())
        let entries = try CorpusCommand.entries(corpus, reader)
        var info = CorpusInfo()
        info.brief = brief
        try CorpusScan.scan(
          entries, reader: reader, jobs: jobs, warm: brief ? [.tokenCounts] : [.tokens, .sentences]
        ) { info.add($0) }
        Console.out(info.rendered())
      } catch let error as FolioError {
        throw fail(error)
      } catch {
        throw fail(FolioError("\(error)", while: "reading the corpus", exit: .noInput))
      }
    }
  }

  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Write a corpus's documents as JSONL stand-off records, text files or CSV spans.",
      discussion: """
        --to jsonl writes one record a line: {"id", "meta", "text", "offsets", "layers"}, with \
        span offsets 0-based and end-exclusive in the unit the record names; Folio reads such \
        files back as they were. --to txt writes a folder with one .txt file a document (its id, \
        with .txt added when it lacks it). --to csv writes one row a span: id, layer, start, \
        end, text, label, attrs (JSON); the token and sentence layers are computed on the way. \
        --to tokens writes one row a token: id, sentence, start, end, word, kind, pos, tag, lemma \
        (the attributes of a tagged or CoNLL-U corpus; folio run -p pos -o tokens.csv writes the \
        same). --to conllu and --to vrt write the forms treebank tools and corpus servers read. \
        Outputs are written atomically: a failed run leaves no partial file.

        Examples:
          folio corpus export ../shared/corpora/bbc -o bbc.jsonl
          folio corpus export '../shared/corpora/readability-news/*/source.html' --to txt -o pages/
          folio corpus export Examples/news --to csv --layers sentence -o sentences.csv
        """)

    @Argument(help: "Corpus folders, files or quoted glob patterns.")
    var corpus: [String] = []

    @OptionGroup var reading: CorpusOptions

    @Option(name: [.short, .long], help: "The output file (jsonl, csv) or folder (txt).")
    var output: String

    @Option(
      help:
        "jsonl, txt, csv, tokens, conllu or vrt (default: from -o's extension; a folder means txt)."
    )
    var to: String?

    @Option(help: "Offsets in JSONL and CSV: codepoints (as Python counts) or bytes.")
    var offsets: String = "codepoints"

    @Option(
      help:
        "CSV: the layers to write, comma-separated (default: every stored layer; token and sentence are computed)."
    )
    var layers: String?

    @Option(
      name: [.customShort("j", allowingJoined: true), .long],
      help: "Files read at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
      do {
        let reader = CorpusReader(options: try reading.reader())
        guard let unit = OffsetUnit(rawValue: offsets) else {
          throw FolioError(
            "unknown offset unit '\(offsets)'", while: "reading the command line",
            help: "use codepoints or bytes", exit: .usage)
        }
        let target =
          to
          ?? (output.hasSuffix("/")
            ? "txt" : URL(fileURLWithPath: output).pathExtension.lowercased())
        guard let format = CorpusExport.Format(rawValue: target) else {
          throw FolioError(
            "unknown export format '\(target)'", while: "reading the command line",
            help: "use --to jsonl, txt, csv, tokens, conllu or vrt", exit: .usage)
        }
        let entries = try CorpusCommand.entries(corpus, reader)
        let layerNames = layers?.split(separator: ",").map { String($0) }
        var export: CorpusExport
        do {
          export = try CorpusExport(path: output, format: format, offsets: unit, layers: layerNames)
        } catch {
          throw FolioError("\(error)", while: "opening the output", exit: .failure)
        }
        var warnings = 0
        do {
          try CorpusScan.scan(entries, reader: reader, jobs: jobs) { file in
            for w in file.warnings {
              warnings += 1
              Console.error("Warning: \(w)\n")
            }
            for document in file.documents { try export.write(document) }
          }
          try export.commit()
        } catch {
          export.cancel()
          throw error
        }
        if warnings > 0 { Console.error("\(warnings) warning\(warnings == 1 ? "" : "s")\n") }
        Console.error("\(export.documents) documents written to \(output)\n")
      } catch let error as FolioError {
        throw fail(error)
      } catch {
        throw fail(FolioError("\(error)", while: "exporting the corpus", exit: .failure))
      }
    }
  }
}
