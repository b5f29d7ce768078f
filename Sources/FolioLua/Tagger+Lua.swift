import FolioCore
import Foundation
import LuaRuntime
import Synchronization

/// A part-of-speech model in Lua (`folio.tagger.load`).
final class TaggerObject {
  let model: POSModel
  /// What this Lua state's tagging remembers (the object never leaves its state's thread).
  private(set) lazy var session = POSSession(model)
  init(_ model: POSModel) { self.model = model }
}

/// `folio.tagger.load(model)`: a part-of-speech tagger and lemmatiser from a model's bytes
/// (`folio train pos` makes them; a plugin gets them from a `file` option or
/// `folio.read_file`); `tagger:tag(doc)` tags a document.
extension FolioLua {
  /// Models already read, by the hash of their bytes: each worker's plugin loads the same
  /// model, and reading 3 MB each time would cost more than tagging a small document.
  private static let loaded = Mutex<[Int: POSModel]>([:])

  static func taggerType(context: FolioLuaContext) -> LuaObjectType<TaggerObject> {
    LuaObjectType<TaggerObject>(
      name: "Tagger",
      methods: methods(of: "Tagger", context),
      metamethods: [
        (
          "__tostring",
          { (L) throws(LuaHostError) -> Int32 in
            let t: TaggerObject = try L.checkObject(1, "Tagger")
            let m = t.model
            L.pushString(
              "Tagger(\(m.labels[0].count) UPOS, \(m.labels[1].count) XPOS tags, \(m.featureCount) features\(m.lemmatizer == nil ? "" : ", lemmas"))"
            )
            return 1
          }
        )
      ])
  }

  /// Pushes `model` as a Tagger. Stack: [-0, +1, m]
  public static func push(_ model: POSModel, _ L: LuaState) {
    L.pushObject(TaggerObject(model))
  }

  static func taggerLoad(_ L: LuaState) throws(LuaHostError) -> Int32 {
    guard L.type(at: 1) == .string, let bytes = L.bytes(at: 1) else {
      throw .type(1, expected: "string (the model's bytes)")
    }
    var hasher = Hasher()
    hasher.combine(bytes.count)
    hasher.combine(bytes)
    let key = hasher.finalize()
    if let model = loaded.withLock({ $0[key] }) {
      L.pushObject(TaggerObject(model))
      return 1
    }
    guard let model = POSModel(bytes: bytes) else {
      throw .argument(
        1, "not a Folio part-of-speech model (models come from folio train pos)")
    }
    loaded.withLock { $0[key] = model }
    L.pushObject(TaggerObject(model))
    return 1
  }

  /// `tagger:tag(doc)` → the number of words: the document's tokens become the model's words,
  /// each with `pos`, `tag` and `lemma`.
  static func taggerTag(_ L: LuaState, _ context: FolioLuaContext) throws(LuaHostError) -> Int32 {
    let t: TaggerObject = try L.checkObject(1, "Tagger")
    let doc: Document = try L.checkObject(2, "Document")
    for attribute in ["pos", "tag", "lemma"] + (t.model.feats == nil ? [] : ["feats"]) {
      try checkDeclared("token:" + attribute, context)
    }
    t.session.tag(doc)
    closeTokenViews(L, doc: 2)
    L.pushInteger(doc.tokens.count)
    return 1
  }
}
