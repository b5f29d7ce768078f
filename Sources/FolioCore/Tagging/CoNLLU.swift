/// CoNLL-U (Universal Dependencies): sentences of words with ten columns, comments before each
/// sentence, multi-word tokens (`1-2`) and empty nodes (`1.1`) between the words.
public enum CoNLLU {
  /// One word line: the ten columns, `_` kept as it is written.
  public struct Word: Sendable, Equatable {
    public var id: Int
    public var form: String
    public var lemma: String
    public var upos: String
    public var xpos: String
    public var feats: String
    public var head: String
    public var deprel: String
    public var deps: String
    public var misc: String

    public init(
      id: Int, form: String, lemma: String = "_", upos: String = "_", xpos: String = "_",
      feats: String = "_", head: String = "_", deprel: String = "_", deps: String = "_",
      misc: String = "_"
    ) {
      self.id = id
      self.form = form
      self.lemma = lemma
      self.upos = upos
      self.xpos = xpos
      self.feats = feats
      self.head = head
      self.deprel = deprel
      self.deps = deps
      self.misc = misc
    }

    /// Whether the MISC column says `SpaceAfter=No`.
    public var noSpaceAfter: Bool { misc.split(separator: "|").contains("SpaceAfter=No") }
  }

  public struct Sentence: Sendable, Equatable {
    /// The comment lines without their `# `, in order (`text = ...`, `sent_id = ...`).
    public var comments: [String] = []
    public var words: [Word] = []
    /// Multi-word tokens (`3-4 don't`): the first and last word ids, the surface form and the
    /// MISC column (where `SpaceAfter=No` of the surface is).
    public var multiword: [(first: Int, last: Int, form: String, misc: String)] = []
    /// Other lines kept as they are (empty nodes `8.1`).
    public var other: [String] = []

    public init() {}

    /// The value of the comment `key = value` (`text`, `sent_id`, `newdoc id`), if any.
    public func comment(_ key: String) -> String? {
      for c in comments where c.hasPrefix(key) {
        let rest = c.dropFirst(key.count).drop { $0 == " " }
        if rest.first == "=" { return String(rest.dropFirst().drop { $0 == " " }) }
        if rest.isEmpty { return "" }
      }
      return nil
    }

    public static func == (a: Sentence, b: Sentence) -> Bool {
      a.comments == b.comments && a.words == b.words && a.other == b.other
        && a.multiword.elementsEqual(b.multiword) { $0 == $1 }
    }
  }

  /// A problem with a line of the file: its number and what is wrong.
  public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }

    public init(line: Int, message: String) {
      self.line = line
      self.message = message
    }
  }

  /// The sentences of a CoNLL-U text.
  ///
  /// A word line must have ten tab-separated columns and an integer id; anything else is a
  /// `Failure` naming the line.
  public static func parse(_ text: String) throws(Failure) -> [Sentence] {
    var sentences: [Sentence] = []
    var current = Sentence()
    var started = false
    var number = 0
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      number += 1
      let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
      if line.isEmpty {
        if started { sentences.append(current) }
        current = Sentence()
        started = false
        continue
      }
      started = true
      if line.hasPrefix("#") {
        current.comments.append(String(line.dropFirst().drop { $0 == " " }))
        continue
      }
      let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard columns.count == 10 else {
        throw Failure(
          line: number, message: "\(columns.count) columns where CoNLL-U has 10 (tab-separated)")
      }
      let id = columns[0]
      if let dash = id.firstIndex(of: "-") {
        guard let a = Int(id[..<dash]), let b = Int(id[id.index(after: dash)...]) else {
          throw Failure(line: number, message: "'\(id)' is no word range")
        }
        current.multiword.append((a, b, String(columns[1]), String(columns[9])))
        continue
      }
      if id.contains(".") {
        current.other.append(String(line))
        continue
      }
      guard let n = Int(id) else { throw Failure(line: number, message: "'\(id)' is no word id") }
      current.words.append(
        Word(
          id: n, form: String(columns[1]), lemma: String(columns[2]), upos: String(columns[3]),
          xpos: String(columns[4]), feats: String(columns[5]), head: String(columns[6]),
          deprel: String(columns[7]), deps: String(columns[8]), misc: String(columns[9])))
    }
    if started { sentences.append(current) }
    return sentences
  }
}
