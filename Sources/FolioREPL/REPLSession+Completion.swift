import FolioCore
import FolioLua
import Foundation
import LuaRuntime

extension REPLSession {
  /// Completions for the text before the cursor: the byte offset where the completed word starts, and the candidates (whole words).
  ///
  /// Globals; fields of tables (`folio.stats.<TAB>`); methods of Folio objects (`doc:sp<TAB>`)
  /// and of tables with a metatable `__index` table; metadata keys (`doc.meta.<TAB>`); plugin
  /// names after `.run`/`.load`; file paths after `.open`/`.read`/`.output`/`.once`/`.save`;
  /// the dot-commands themselves. Reads Lua values raw: completion never runs Lua code.
  public func completions(_ before: String) -> (start: Int, candidates: [String]) {
    let bytes = Array(before.utf8)
    if bytes.first == UInt8(ascii: ".") {
      if let space = bytes.firstIndex(of: 0x20) {
        let cmd = String(decoding: bytes[..<space], as: UTF8.self)
        var wordStart = bytes.count
        while wordStart > space + 1 && bytes[wordStart - 1] != 0x20 { wordStart -= 1 }
        let word = String(decoding: bytes[wordStart...], as: UTF8.self)
        switch cmd {
        case ".run", ".load", ".reload", ".doc", ".help":
          if cmd == ".doc" || cmd == ".help" {
            let names = (Self.reference + FolioLua.reference).map(\.name)
            return (wordStart, names.filter { $0.hasPrefix(word) }.sorted())
          }
          let names = options.resolver.available().map(\.name)
          return (wordStart, Array(Set(names)).filter { $0.hasPrefix(word) }.sorted())
        case ".open", ".read", ".output", ".once", ".save":
          return (wordStart, Self.paths(word))
        case ".mode":
          return (
            wordStart,
            ["csv", "json", "jsonl", "markdown", "table", "tsv"].filter { $0.hasPrefix(word) }
          )
        case ".timer":
          return (wordStart, ["off", "on"].filter { $0.hasPrefix(word) })
        default:
          return (wordStart, [])
        }
      }
      let word = String(decoding: bytes, as: UTF8.self)
      return (0, Self.commands.map(\.name).filter { $0.hasPrefix(word) })
    }
    // The Lua expression before the cursor: names joined by `.` and `:`, and indexes with a
    // number or a quoted string (`corpus[1]:`, `_[2].meta.`, `t["k"].`).
    var start = bytes.count
    func isName(_ b: UInt8) -> Bool {
      b == 0x5F || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || (b >= 0x30 && b <= 0x39) || b >= 0x80
    }
    scan: while start > 0 {
      let b = bytes[start - 1]
      if isName(b) || b == 0x2E || b == 0x3A {
        start -= 1
      } else if b == 0x5D, let open = bytes[..<(start - 1)].lastIndex(of: 0x5B) {
        start = open
      } else {
        break scan
      }
    }
    if bytes.first == UInt8(ascii: "?") && start <= 1 {
      let word = String(decoding: bytes[1...], as: UTF8.self)
      let names = (Self.reference + FolioLua.reference).map(\.name)
      return (1, names.filter { $0.hasPrefix(word) }.sorted())
    }
    guard let (steps, word, method) = Self.parseExpression(Array(bytes[start...])) else {
      return (bytes.count, [])
    }
    let wordStart = bytes.count - word.utf8.count
    let L = vm.state
    let base = L.top
    defer { L.pop(L.top - base) }
    if steps.isEmpty {
      L.pushGlobals()
      let names = keys(L, -1) + PrettyPrinter.luaKeywords
      return (wordStart, Array(Set(names.filter { $0.hasPrefix(word) })).sorted())
    }
    L.pushGlobals()
    for step in steps {
      guard lookup(L, step) else { return (wordStart, []) }
    }
    var names: [String] = []
    if L.type(at: -1) == .table && !method { names += keys(L, -1) }
    names += methods(L, -1)
    if !method, let meta = FolioLua.metaKeys(L, -1) { names += meta }
    if L.object(at: -1, as: Document.self) != nil, !method { names += ["id", "meta", "text"] }
    if FolioLua.tokenFields(L, -1) != nil {
      names += method ? FolioLua.tokenMethods : FolioLua.tokenFieldNames
    }
    // Internal names (`corpus:_subset`) only when asked for with a leading `_`.
    let shown = names.filter {
      $0.hasPrefix(word) && !$0.hasPrefix("__") && (!$0.hasPrefix("_") || word.hasPrefix("_"))
    }
    return (wordStart, Array(Set(shown)).sorted())
  }

  /// One step from a value to another in a completed expression.
  enum Step: Equatable {
    case field(String)
    case index(Int)
  }

  /// Splits `a.b[2]:c` into the steps to the value (`a`, `b`, `[2]`), the word being
  /// completed (`c`) and whether it follows `:`; nil when the text is not such an expression.
  static func parseExpression(_ bytes: [UInt8]) -> (steps: [Step], word: String, method: Bool)? {
    var steps: [Step] = []
    var i = 0
    func name() -> String {
      let from = i
      while i < bytes.count, bytes[i] != 0x2E, bytes[i] != 0x3A, bytes[i] != 0x5B { i += 1 }
      return String(decoding: bytes[from..<i], as: UTF8.self)
    }
    var current = name()
    while i < bytes.count {
      let separator = bytes[i]
      i += 1
      switch separator {
      case 0x2E, 0x3A:  // . :
        guard
          !current.isEmpty
            || steps.last.map({ if case .index = $0 { true } else { false } })
              == true
        else { return nil }
        if !current.isEmpty { steps.append(.field(current)) }
        let next = name()
        if separator == 0x3A {
          return i == bytes.count ? (steps, next, true) : nil
        }
        current = next
      case 0x5B:  // [
        if !current.isEmpty { steps.append(.field(current)) }
        guard steps.count > 0, let close = bytes[i...].firstIndex(of: 0x5D) else { return nil }
        let inside = String(decoding: bytes[i..<close], as: UTF8.self)
          .trimmingCharacters(in: .whitespaces)
        if let n = Int(inside) {
          steps.append(.index(n))
        } else if inside.count >= 2, let q = inside.first, q == "\"" || q == "'", inside.last == q {
          steps.append(.field(String(inside.dropFirst().dropLast())))
        } else {
          return nil
        }
        i = close + 1
        current = ""
        guard i < bytes.count else { return nil }
      default:
        return nil
      }
    }
    return (steps, current, false)
  }

  /// Replaces the value on top with the value one step away, read raw.
  ///
  /// For a Document, `meta`; for a Corpus, its documents by position. Returns false when
  /// there is nothing there.
  func lookup(_ L: LuaState, _ step: Step) -> Bool {
    switch step {
    case .field(let name): return lookup(L, name)
    case .index(let n):
      if L.type(at: -1) == .table {
        guard L.rawGet(-1, n) != .nil else { return false }
        L.remove(-2)
        return true
      }
      if let corpus = L.object(at: -1, as: Corpus.self), n >= 1, n <= corpus.count {
        L.pop()
        FolioLua.push(corpus.documents[n - 1], L)
        return true
      }
      return false
    }
  }

  /// Replaces the value on top with its field `name`, read raw (for a Document, its `meta`).
  ///
  /// Returns false when there is nothing there.
  func lookup(_ L: LuaState, _ name: String) -> Bool {
    if L.type(at: -1) == .table {
      guard L.rawGet(-1, name) != .nil else { return false }
      L.remove(-2)
      return true
    }
    if let doc = L.object(at: -1, as: Document.self), name == "meta" {
      L.pop()
      FolioLua.pushMeta(of: doc, L)
      return true
    }
    return false
  }

  /// The string keys of the table at `index`, raw.
  func keys(_ L: LuaState, _ index: Int32) -> [String] {
    var names: [String] = []
    L.forEach(index) {
      if L.type(at: -2) == .string, let s = L.string(at: -2), PrettyPrinter.isIdentifier(s) {
        names.append(s)
      }
    }
    return names
  }

  /// Method names reachable through the metatable's `__index`: a table (Lists, followed up
  /// the chain) or a host type's index function, whose first upvalue is its methods table.
  func methods(_ L: LuaState, _ index: Int32) -> [String] {
    let base = L.top
    defer { L.pop(L.top - base) }
    guard L.rawMetatable(index) else { return [] }
    var names: [String] = []
    for _ in 0..<4 {
      let kind = L.rawGet(-1, "__index")
      if kind == .function {
        if L.upvalue(-1, 1), L.type(at: -1) == .table { names += keys(L, -1) }
        break
      }
      guard kind == .table else { break }
      names += keys(L, -1)
      guard L.rawMetatable(-1) else { break }
    }
    return names
  }

  /// File-system completions for a partial path.
  static func paths(_ word: String) -> [String] {
    let folder: String
    let prefix: String
    if let slash = word.lastIndex(of: "/") {
      folder = String(word[...slash])
      prefix = String(word[word.index(after: slash)...])
    } else {
      folder = ""
      prefix = word
    }
    let listing =
      (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
    return listing.filter { $0.hasPrefix(prefix) && (!$0.hasPrefix(".") || prefix.hasPrefix(".")) }
      .sorted().map {
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: folder + $0, isDirectory: &isDir)
        return folder + $0 + (isDir.boolValue ? "/" : "")
      }
  }
}
