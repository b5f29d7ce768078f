import FolioCore
import LuaRuntime

/// One parameter of an API function, declared once: the signature shows it, the LuaCATS stub
/// annotates it and the host function checks it.
///
/// `type` is a LuaCATS type. A trailing `?` makes the parameter optional (`"integer?"`). The
/// check a type gives: `string` (a number is accepted, as Lua's own functions do), `integer`,
/// `number`, `boolean`, a table (`table`, `{...}`, `T[]`, `table<K, V>`), a function
/// (`fun(...)`), a Folio object (`Document`, `Counter`, ...); `any`, `...` and unions
/// (`string|Regex`) are left to the function, whose message names what it takes.
public struct APIParam: Sendable, Equatable {
  public var name: String
  public var type: String
  /// How the signature shows it, when not by name: an options table with its defaults.
  public var shown: String?
  /// Shares the brackets of the optional parameter before it: `doc:remove(layer [, first, last])`.
  public var withPrevious: Bool

  public init(_ name: String, _ type: String, shown: String? = nil, withPrevious: Bool = false) {
    self.name = name
    self.type = type
    self.shown = shown
    self.withPrevious = withPrevious
  }

  /// An options table: optional, named `opts`, shown as `shown`.
  public static func options(_ fields: String, shown: String, name: String = "opts") -> APIParam {
    APIParam(name, fields + "?", shown: shown)
  }

  public var optional: Bool { type.hasSuffix("?") }
  /// The type without its optional mark.
  public var baseType: String { optional ? String(type.dropLast()) : type }
}

/// How an API function is implemented.
public enum APIBody: Sendable {
  /// A host function.
  case host(@Sendable (LuaState) throws(LuaHostError) -> Int32)
  /// A host function that needs the running plugin's context (permissions, layers it may write).
  case contextual(@Sendable (LuaState, FolioLuaContext) throws(LuaHostError) -> Int32)
  /// Written in Lua (the List class, `folio.table`, `folio.re`'s helpers, Corpus's iterators).
  case lua
  /// Not a function: a value or a field, documented by its usage.
  case value
}

/// One name of Folio's Lua API, declared once: the source of its registration, its argument
/// checks, `folio doc NAME`, `?name` in the REPL, `Plugins/_meta/API.md` and the LuaCATS stub.
public struct APIEntry: Sendable {
  /// How Lua code names it: `folio.re.compile`, `Document:spans`, `Document.text`, `kwic`.
  public var name: String
  public var params: [APIParam]
  /// LuaCATS return types, one `---@return` line each (`"integer, integer"` is one line).
  public var results: [String]
  /// What it returns as the reference shows it (empty for nothing).
  public var returns: String
  /// One sentence.
  public var summary: String
  /// More: options, positions, costs.
  public var details: String
  /// A line of Lua that shows it in use.
  public var example: String
  public var body: APIBody
  /// For a value: how it is written (`doc.id`, `corpus[i], #corpus`).
  var usage: String?

  /// A function.
  public init(
    _ name: String, params: [APIParam] = [], results: [String] = [], returns: String? = nil,
    _ summary: String, details: String = "", example: String = "", body: APIBody
  ) {
    self.name = name
    self.params = params
    self.results = results
    self.returns = returns ?? results.joined(separator: ", ")
    self.summary = summary
    self.details = details
    self.example = example
    self.body = body
  }

  /// A value or a field, or a function documented only by how it is used.
  public init(
    value name: String, usage: String, returns: String = "", _ summary: String,
    details: String = "", example: String = ""
  ) {
    self.name = name
    self.params = []
    self.results = []
    self.returns = returns
    self.summary = summary
    self.details = details
    self.example = example
    self.body = .value
    self.usage = usage
  }

  /// How method signatures name the object: `c:add(key)`, `doc:spans(layer)`.
  static let receivers = [
    "Counter": "c", "Gazetteer": "g", "Tagger": "tagger", "Regex": "re", "Document": "doc",
    "Token": "t", "Span": "span", "Corpus": "corpus", "List": "list",
  ]

  /// The type whose method this is (`Counter` for `Counter:add`), or nil.
  var receiver: String? {
    guard let colon = name.firstIndex(of: ":") else { return nil }
    return String(name[..<colon])
  }

  /// The call as written, optional parts in brackets: `doc:spans(layer [, {label}])`.
  public var signature: String {
    if let usage { return usage }
    var head = name
    if let receiver, let variable = Self.receivers[receiver] {
      head = variable + name.dropFirst(receiver.count)
    }
    if params.count == 1, !params[0].optional, let shown = params[0].shown, shown.hasPrefix("{") {
      return head + shown
    }
    var out = head + "("
    var open = 0
    for (i, p) in params.enumerated() {
      if p.optional && !p.withPrevious {
        out += i == 0 ? "[" : " [, "
        open += 1
      } else if i > 0 {
        out += ", "
      }
      out += p.shown ?? p.name
    }
    return out + String(repeating: "]", count: open) + ")"
  }

  /// LuaCATS annotation lines for the stub (`---@param ...`, `---@return ...`).
  public var annotations: [String] {
    params.map { "---@param \($0.name)\($0.optional ? "?" : "") \($0.baseType)" }
      + results.map { "---@return " + $0 }
  }

  /// The entry as `folio doc` prints it.
  public var text: String {
    var out = signature + (returns.isEmpty ? "" : " → " + returns) + "\n\n" + summary + "\n"
    if !details.isEmpty { out += "\n" + details + "\n" }
    if !example.isEmpty { out += "\nExample:\n    " + example + "\n" }
    return out
  }
}

/// The argument check a parameter's type gives: plain data, so that checking costs a host
/// call no reference counting.
struct ArgumentCheck {
  enum Kind: UInt8 { case string, integer, number, boolean, table, function, object }
  var arg: Int32
  var kind: Kind
  var optional: Bool
  /// For `object`: the type's key and name.
  var object: (key: LuaObjectKey, name: StaticString)?

  /// The check of a parameter of LuaCATS type `type`, or nil when the function checks it.
  init?(_ type: String, arg: Int32, optional: Bool) {
    self.arg = arg
    self.optional = optional
    switch type {
    case "string": kind = .string
    case "integer": kind = .integer
    case "number": kind = .number
    case "boolean": kind = .boolean
    case "any", "...": return nil
    case _ where type.hasPrefix("fun("): kind = .function
    case _ where type.contains("|"): return nil
    case _
    where type == "table" || type.hasPrefix("{") || type.hasPrefix("table<")
      || type.hasSuffix("[]"):
      kind = .table
    default:
      guard let object = FolioLua.objectKeys[type] else { return nil }
      kind = .object
      self.object = object
    }
  }

  /// Raises Lua's type error when the argument is not of this type.
  @inline(__always) func run(_ L: LuaState) throws(LuaHostError) {
    if optional && L.isNoneOrNil(arg) { return }
    switch kind {
    case .string:
      let t = L.type(at: arg)
      if t != .string && t != .number { throw .type(arg, expected: "string") }
    case .integer: _ = try L.checkInteger(arg)
    case .number: _ = try L.checkNumber(arg)
    case .boolean: if L.type(at: arg) != .boolean { throw .type(arg, expected: "boolean") }
    case .table: try L.checkTable(arg)
    case .function: try L.checkFunction(arg)
    case .object:
      if let (key, name) = object, !L.isObject(at: arg, key: key) {
        try L.checkObject(arg, name.description, key: key)
      }
    }
  }
}

extension APIEntry {
  /// The host function registered for this entry, or nil for what Lua implements.
  ///
  /// It checks the declared arguments in order, with Lua's own wording (a bad receiver first),
  /// then runs the body.
  func hostFunction(_ context: FolioLuaContext) -> HostFunction? {
    let body: HostFunction
    switch self.body {
    case .host(let f): body = f
    case .contextual(let f): body = { (L) throws(LuaHostError) -> Int32 in try f(L, context) }
    case .lua, .value: return nil
    }
    // The receiver is checked by the body, which fetches it; here only when a parameter
    // fails, so that a bad receiver is still the error reported first.
    var receiverCheck: ArgumentCheck?
    var checks: [ArgumentCheck] = []
    var arg: Int32 = 1
    if let receiver {
      receiverCheck = ArgumentCheck(receiver, arg: 1, optional: false)
      arg = 2
    }
    for p in params {
      if let check = ArgumentCheck(p.baseType, arg: arg, optional: p.optional) {
        checks.append(check)
      }
      arg += 1
    }
    guard !checks.isEmpty else { return body }
    return { (L) throws(LuaHostError) -> Int32 in
      var i = 0
      while i < checks.count {
        do throws(LuaHostError) {
          try checks[i].run(L)
        } catch {
          try receiverCheck?.run(L)
          throw error
        }
        i += 1
      }
      return try body(L)
    }
  }
}

extension FolioLua {
  /// The Folio objects a parameter can name, each with its check (`Document expected, got
  /// nil`, or that the object was closed).
  static let objectKeys: [String: (key: LuaObjectKey, name: StaticString)] = [
    "Document": (LuaObjectType<Document>.objectKey, "Document"),
    "Counter": (LuaObjectType<Counter>.objectKey, "Counter"),
    "Gazetteer": (LuaObjectType<Gazetteer>.objectKey, "Gazetteer"),
    "Tagger": (LuaObjectType<TaggerObject>.objectKey, "Tagger"),
    "Regex": (LuaObjectType<RegularExpression>.objectKey, "Regex"),
    "Corpus": (LuaObjectType<Corpus>.objectKey, "Corpus"),
  ]

  /// Sets the host functions of `entries` in the table on top, each under the last part of
  /// its name. Stack: [-0, +0, m]
  static func setFunctions(_ vm: LuaVM, _ entries: [APIEntry], _ context: FolioLuaContext) {
    for entry in entries {
      guard let f = entry.hostFunction(context) else { continue }
      vm.setFunction(entry.key, f)
    }
  }

  /// The methods of `type` as a host type registers them.
  static func methods(of type: String, _ context: FolioLuaContext) -> [(String, HostFunction)] {
    reference.compactMap { entry in
      guard entry.receiver == type, let f = entry.hostFunction(context) else { return nil }
      return (entry.key, f)
    }
  }

  /// The host functions of the table `table` (`folio.text`): entries named `table.key`.
  static func functions(in table: String) -> [APIEntry] {
    reference.filter { entry in
      entry.name.hasPrefix(table + ".") && !entry.name.dropFirst(table.count + 1).contains(".")
    }
  }
}

extension APIEntry {
  /// The last part of the name: `lower` for `folio.text.lower`, `add` for `Counter:add`.
  var key: String {
    String(
      name[
        (name.lastIndex(where: { $0 == "." || $0 == ":" }).map(name.index(after:))
          ?? name.startIndex)...])
  }
}
