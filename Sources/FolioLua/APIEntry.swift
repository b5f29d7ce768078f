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

/// The argument check a parameter's type gives.
enum ArgumentCheck {
  case string, integer, number, boolean, table, function
  case object(String)
  case unchecked

  init(_ type: String) {
    switch type {
    case "string": self = .string
    case "integer": self = .integer
    case "number": self = .number
    case "boolean": self = .boolean
    case "any", "...": self = .unchecked
    case _ where type.hasPrefix("fun("): self = .function
    case _ where type.contains("|"): self = .unchecked
    case _
    where type == "table" || type.hasPrefix("{") || type.hasPrefix("table<")
      || type.hasSuffix("[]"):
      self = .table
    case _ where FolioLua.objectChecks[type] != nil: self = .object(type)
    default: self = .unchecked
    }
  }
}

extension APIEntry {
  /// The host function registered for this entry, or nil for what Lua implements.
  ///
  /// It checks the declared arguments in order (the receiver first), with Lua's own wording,
  /// then runs the body.
  func hostFunction(_ context: FolioLuaContext) -> HostFunction? {
    let body: HostFunction
    switch self.body {
    case .host(let f): body = f
    case .contextual(let f): body = { (L) throws(LuaHostError) -> Int32 in try f(L, context) }
    case .lua, .value: return nil
    }
    var checks: [(Int32, ArgumentCheck, Bool)] = []
    var arg: Int32 = 1
    if let receiver, FolioLua.objectChecks[receiver] != nil {
      checks.append((1, .object(receiver), false))
      arg = 2
    } else if receiver != nil {
      arg = 2
    }
    for p in params {
      let check = ArgumentCheck(p.baseType)
      if case .unchecked = check {
      } else {
        checks.append((arg, check, p.optional))
      }
      arg += 1
    }
    guard !checks.isEmpty else { return body }
    return { (L) throws(LuaHostError) -> Int32 in
      for (arg, check, optional) in checks {
        if optional && L.isNoneOrNil(arg) { continue }
        switch check {
        case .string:
          let t = L.type(at: arg)
          if t != .string && t != .number { throw .type(arg, expected: "string") }
        case .integer: _ = try L.checkInteger(arg)
        case .number: _ = try L.checkNumber(arg)
        case .boolean: if L.type(at: arg) != .boolean { throw .type(arg, expected: "boolean") }
        case .table: try L.checkTable(arg)
        case .function: try L.checkFunction(arg)
        case .object(let name): try FolioLua.objectChecks[name]?(L, arg)
        case .unchecked: break
        }
      }
      return try body(L)
    }
  }
}

extension FolioLua {
  /// The Folio objects a parameter can name, each with its check (`Document expected, got
  /// nil`, or that the object was closed).
  static let objectChecks: [String: @Sendable (LuaState, Int32) throws(LuaHostError) -> Void] = [
    "Document": { (L, i) throws(LuaHostError) in
      _ = try L.checkObject(i, "Document", as: Document.self)
    },
    "Counter": { (L, i) throws(LuaHostError) in
      _ = try L.checkObject(i, "Counter", as: TermCounter.self)
    },
    "Gazetteer": { (L, i) throws(LuaHostError) in
      _ = try L.checkObject(i, "Gazetteer", as: Gazetteer.self)
    },
    "Tagger": { (L, i) throws(LuaHostError) in
      _ = try L.checkObject(i, "Tagger", as: TaggerObject.self)
    },
    "Regex": { (L, i) throws(LuaHostError) in _ = try L.checkObject(i, "Regex", as: Regex.self) },
    "Corpus": { (L, i) throws(LuaHostError) in _ = try L.checkObject(i, "Corpus", as: Corpus.self)
    },
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
