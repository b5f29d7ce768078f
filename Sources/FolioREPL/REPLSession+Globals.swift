import FolioCore
import FolioEngine
import FolioLua
import Foundation
import LuaRuntime

extension REPLSession {
  // MARK: Globals

  func installGlobals() throws(FolioError) {
    let L = vm.state
    // Without a corpus `corpus` stays unset, so that kwic, q, freq, grep and sample say so.
    if !(corpus.sources.isEmpty && corpus.count == 0) {
      FolioLua.push(corpus, L)
      L.setGlobal("corpus")
    }
    vm.setGlobalFunction("print") { [unowned self] (L) throws(LuaHostError) -> Int32 in
      var parts: [String] = []
      for i in 1...max(1, L.top) where i <= L.top {
        switch L.type(at: i) {
        case .string: parts.append(L.string(at: i) ?? "")
        case .number, .boolean, .nil:
          parts.append(printer.render(L, i))
        default:
          parts.append(
            printer.describeObject(L, i) == "<userdata>" ? L.typeName(at: i) : printer.render(L, i))
        }
      }
      // Always a line of its own, as in stock Lua (print() and print("") too).
      emit(parts.joined(separator: "\t") + "\n")
      return 0
    }
    vm.setGlobalFunction("show") { [unowned self] (L) throws(LuaHostError) -> Int32 in
      try show(L)
      return 0
    }
    do { try vm.run(Self.prelude, chunkname: "=folio.repl") } catch {
      throw FolioError("cannot start Lua: \(error.message)", while: "starting the REPL")
    }
  }

  /// The helpers ready at the prompt; each works on whatever `corpus` holds now.
  static let prelude = String(decoding: PackageResources.prelude_lua, as: UTF8.self)

  /// `show(doc)`: the text with each layer's spans marked; `show(doc, {attrs = true})`: its
  /// tokens with their attributes (`attrs = "pos,lemma"` chooses them); `show(span)`: its label
  /// and text.
  func show(_ L: LuaState) throws(LuaHostError) {
    if let doc = L.object(at: 1, as: Document.self) {
      let painter = Highlighter(
        color: options.color && { if case .standard = sink { true } else { false } }())
      if let names = try attributeNames(L, doc) {
        emit(painter.renderTokens(doc, names))
      } else {
        emit(painter.render(doc))
      }
      return
    }
    if L.type(at: 1) == .table {
      emit(printer.render(L, 1))
      return
    }
    throw .type(1, expected: "Document or span")
  }

  /// The token attributes `show`'s options ask for (argument 2: `{attrs = true}` for all of
  /// them, or names: `"pos,lemma"`), or nil for the text with its layers.
  func attributeNames(_ L: LuaState, _ doc: Document) throws(LuaHostError) -> [String]? {
    guard L.type(at: 2) == .table else {
      if L.isNoneOrNil(2) { return nil }
      throw .type(2, expected: "table of options ({attrs = true})")
    }
    let kind = L.rawGet(2, "attrs")
    defer { L.pop() }
    var names: [String]
    switch kind {
    case .nil: return nil
    case .boolean:
      guard L.bool(at: -1) else { return nil }
      names = doc.tokenColumnNames.filter { ["pos", "tag", "lemma", "feats"].contains($0) }
      if names.isEmpty { names = doc.tokenColumnNames }
    case .string:
      names = (L.string(at: -1) ?? "").split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }
    default: throw .argument(2, "attrs must be true or names such as \"pos,lemma\"")
    }
    guard !names.isEmpty else {
      throw .message(
        "\(doc.id) has no token attributes - .run pos tags the corpus (part of speech and lemma)")
    }
    for name in names where doc.tokenColumns[name] == nil {
      let known = doc.tokenColumnNames.joined(separator: ", ")
      throw .message(
        "\(doc.id) has no token attribute '\(name)' (it has: \(known.isEmpty ? "none" : known)) - .run pos tags the corpus"
      )
    }
    return names
  }
}
