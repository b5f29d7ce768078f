import ArgumentParser
import FolioCore
import FolioEngine
import Foundation

/// `folio train pos`: a part-of-speech model from CoNLL-U.
struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a model from annotated data.",
    subcommands: [POS.self])

  struct POS: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pos",
      abstract: "Train a part-of-speech tagger (UPOS, XPOS) and lemmatiser from CoNLL-U.",
      discussion: """
        Two averaged perceptrons, reading sentences left to right and right to left (one core \
        each), over word, affix, shape, context and ambiguity-class features; the lemmatiser \
        learns ending edits and exceptions from the same words. Each iteration prints its \
        training and development accuracy; the iteration with the best mean of UPOS and XPOS \
        accuracy on --dev is kept, and training stops after --patience iterations without a \
        better one. The same data and --seed give the same model (gzip-compressed).
          folio train pos en_ewt-ud-train.conllu --dev en_ewt-ud-dev.conllu -o en.pos
        """)

    @Argument(help: "The training sentences (CoNLL-U).")
    var train: String

    @Option(help: "Development sentences (CoNLL-U) that choose the iteration kept.")
    var dev: String?

    @Option(name: [.short, .long], help: "Where the model goes.")
    var output: String

    @Option(help: "The most passes over the training data.")
    var iterations = 10

    @Option(help: "Stop after this many passes without a better development score.")
    var patience = 3

    @Option(help: "The seed of the order the sentences are shown in.")
    var seed: UInt64 = 1

    @Option(
      name: .customLong("prune"),
      help: ArgumentHelp(
        "Drop weights under this many 127ths of the largest (0 to 127).",
        discussion: "Higher makes a smaller, faster, less accurate model."))
    var minimumWeight = POSTrainer.minimumWeight

    func run() throws {
      do {
        let train = try Self.read(train)
        let dev = try dev.map(Self.read) ?? []
        guard !train.isEmpty else {
          throw FolioError(
            "\(self.train) has no sentences", while: "reading the training data", exit: .data)
        }
        guard (1...1000).contains(iterations), patience >= 1, (0...127).contains(minimumWeight)
        else {
          throw FolioError(
            "--iterations must be 1 to 1000, --patience at least 1 and --prune 0 to 127",
            while: "reading the command line",
            exit: .usage)
        }
        let start = Date()
        let words = train.reduce(0) { $0 + $1.words.count }
        Console.error(
          "folio: training on \(train.count) sentences (\(words) words), \(dev.count) for development\n"
        )
        let model = POSTrainer.train(
          train, dev: dev, iterations: iterations, patience: patience, seed: seed,
          minimumWeight: minimumWeight
        ) { iteration, trainAccuracy, upos, xpos in
          let scores =
            dev.isEmpty
            ? "" : String(format: ", dev UPOS %.2f%% XPOS %.2f%%", upos * 100, xpos * 100)
          Console.error(
            String(
              format: "iteration %d: training %.2f%%%@ (%.0f s)\n", iteration, trainAccuracy * 100,
              scores, Date().timeIntervalSince(start)))
        }
        do {
          let file = try AtomicFile(path: output)
          try file.write(model.stored())
          try file.commit()
        } catch {
          throw FolioError("\(error)", while: "writing the model", exit: .failure)
        }
        Console.error(
          "folio: \(model.featureCount) features, written to \(output) in \(String(format: "%.0f", Date().timeIntervalSince(start))) s\n"
        )
      } catch let error as FolioError {
        throw fail(error)
      }
    }

    static func read(_ path: String) throws(FolioError) -> [POSTrainer.Sentence] {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw FolioError("no such file: \(path)", while: "reading CoNLL-U", exit: .noInput)
      }
      do {
        return POSTrainer.Sentence.from(try CoNLLU.parse(String(decoding: data, as: UTF8.self)))
      } catch {
        throw FolioError("\(path): \(error)", while: "reading CoNLL-U", exit: .data)
      }
    }
  }
}

extension Eval.POS {
  /// The most frequent errors: `gold → guess` per kind, with counts.
  static func errors(_ m: POSModel, _ sentences: [POSTrainer.Sentence], top: Int) -> String {
    var kinds: [(String, [String: Int])] = [("UPOS", [:]), ("XPOS", [:]), ("lemma", [:])]
    for s in sentences {
      let t = m.tag(s.words)
      for i in s.words.indices {
        if t.upos[i] != s.upos[i] {
          kinds[0].1["\(s.words[i]) \(s.upos[i]) → \(t.upos[i])", default: 0] += 1
        }
        if t.xpos[i] != s.xpos[i] {
          kinds[1].1["\(s.upos[i])/\(s.xpos[i]) → \(t.xpos[i])", default: 0] += 1
        }
        if i < t.lemmas.count, i < s.lemmas.count, t.lemmas[i] != s.lemmas[i] {
          kinds[2].1["\(s.words[i]) (\(t.upos[i])) \(s.lemmas[i]) → \(t.lemmas[i])", default: 0] +=
            1
        }
      }
    }
    var out = ""
    for (name, counts) in kinds where !counts.isEmpty {
      out += "\n\(name) errors (gold → guess):\n"
      for (text, n) in counts.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).prefix(top) {
        out += "  \(n)\t\(text)\n"
      }
    }
    return out
  }
}

/// `folio eval pos`: a model's accuracy on gold CoNLL-U.
struct Eval: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Score a model on annotated data.",
    subcommands: [POS.self])

  struct POS: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pos",
      abstract:
        "UPOS, XPOS and lemma accuracy of a part-of-speech model on gold CoNLL-U, then F1 from the raw text."
    )

    @Argument(help: "The model (from folio train pos).")
    var model: String

    @Argument(help: "The gold sentences (CoNLL-U).")
    var gold: String

    @Option(help: "Also list the most frequent errors: this many of each kind.")
    var errors = 0

    func run() throws {
      do {
        guard let bytes = FileManager.default.contents(atPath: model) else {
          throw FolioError("no such file: \(model)", while: "loading the model", exit: .noInput)
        }
        guard let m = POSModel(bytes: [UInt8](bytes)) else {
          throw FolioError(
            "\(model) is not a Folio part-of-speech model", while: "loading the model",
            help: "models come from folio train pos", exit: .data)
        }
        let sentences = try Train.POS.read(gold)
        let words = sentences.reduce(0) { $0 + $1.words.count }
        let (upos, xpos, lemma, seconds) = m.accuracy(sentences)
        let feats = m.featsAccuracy(sentences)
        Console.out(
          String(
            format: "words %d\nUPOS  %.2f%%\nXPOS  %.2f%%\n%@%@speed %.0f words/s\n", words,
            upos * 100,
            xpos * 100,
            m.lemmatizer == nil ? "" : String(format: "lemma %.2f%%\n", lemma * 100),
            feats.map { String(format: "feats %.2f%%\n", $0 * 100) } ?? "",
            Double(words) / max(seconds, 1e-9)))
        if let data = FileManager.default.contents(atPath: gold),
          let raw = try? CoNLLU.parse(String(decoding: data, as: UTF8.self)),
          raw.contains(where: { $0.comment("text") != nil })
        {
          let r = m.scoreRawText(raw)
          Console.out(
            String(
              format: "from the raw text (gold sentences): words F1 %.2f%%, UPOS F1 %.2f%%%@\n",
              r.wordF1 * 100, r.uposF1 * 100,
              m.lemmatizer == nil ? "" : String(format: ", lemma F1 %.2f%%", r.lemmaF1 * 100)))
        }
        if errors > 0 { Console.out(Self.errors(m, sentences, top: errors)) }
      } catch let error as FolioError {
        throw fail(error)
      }
    }
  }
}
