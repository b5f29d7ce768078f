import FolioCore
import LuaRuntime

/// `folio.re`: PCRE2 regular expressions with `string.find` positions (1-based, inclusive,
/// bytes), Unicode classes, named groups and bulk tagging of documents.
extension FolioLua {
  static func regexType(context: FolioLuaContext) -> LuaObjectType<RegularExpression> {
    LuaObjectType<RegularExpression>(
      name: "Regex",
      methods: methods(of: "Regex", context),
      metamethods: [
        (
          "__tostring",
          { (L) throws(LuaHostError) -> Int32 in
            let re: RegularExpression = try L.checkObject(1, "Regex")
            L.pushString("Regex(\(re.pattern))")
            return 1
          }
        )
      ],
      luaMethods: regexLuaMethods)
  }

  /// match, gmatch and gsub, with Lua's semantics, on top of `find`.
  static let regexLuaMethods = String(decoding: PackageResources.regex_methods_lua, as: UTF8.self)

  /// The module table's Lua part: compile with a cache, and string-style functions.
  static let regexModuleSource = String(decoding: PackageResources.regex_module_lua, as: UTF8.self)

  static func regexCompile(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let pattern = try L.checkString(1)
    let flags = try L.optString(2) ?? ""
    do {
      L.pushObject(try RegularExpression(pattern, flags: flags))
    } catch {
      throw .argument(1, error.message)
    }
    return 1
  }

  /// Lua's `init`: 1-based, negative from the end; nil when past the end + 1.
  private static func start(_ L: LuaState, _ arg: Int32, length: Int) throws(LuaHostError) -> Int? {
    var i = try L.optInteger(arg, 1)
    if i < 0 { i = max(1, length + i + 1) }
    if i == 0 { i = 1 }
    return i > length + 1 ? nil : i - 1
  }

  private static func match(_ L: LuaState, _ re: RegularExpression, _ arg: Int32, initArg: Int32)
    throws(LuaHostError) -> [Range<Int>?]?
  {
    guard L.type(at: arg) == .string else { throw .type(arg, expected: "string") }
    guard let from = try start(L, initArg, length: L.rawLength(arg)) else { return nil }
    let result = L.withBytes(at: arg) { raw -> Result<[Range<Int>?]?, RegularExpression.Failure> in
      let bytes = UnsafeBufferPointer(
        start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count)
      do throws(RegularExpression.Failure) {
        return .success(try re.match(bytes, from: from, stop: { L.limitsTripped }))
      } catch {
        return .failure(error)
      }
    }
    switch result {
    case .some(.success(let m)): return m
    case .some(.failure(let e)): throw .message("regex: \(e.message)")
    case .none: return nil
    }
  }

  /// `re:find(s [, init])` → first, last, captures...
  ///
  /// (like `string.find`).
  static func regexFind(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let re: RegularExpression = try L.checkObject(1, "Regex")
    guard let m = try match(L, re, 2, initArg: 3), let whole = m[0] else {
      L.pushNil()
      return 1
    }
    L.checkStack(Int32(m.count + 4))
    L.pushInteger(whole.lowerBound + 1)
    L.pushInteger(whole.upperBound)
    L.withBytes(at: 2) { raw in
      for group in m.dropFirst() {
        if let g = group, let base = raw.baseAddress {
          L.pushBytes(UnsafeRawBufferPointer(start: base + g.lowerBound, count: g.count))
        } else {
          L.pushBool(false)
        }
      }
    }
    return Int32(m.count + 1)
  }

  /// `re:exec(s [, init])` → `{first, last, [1..n] = captures, name = capture}` or nil.
  static func regexExec(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let re: RegularExpression = try L.checkObject(1, "Regex")
    guard let m = try match(L, re, 2, initArg: 3), let whole = m[0] else {
      L.pushNil()
      return 1
    }
    L.newTable(array: Int32(m.count - 1), hash: Int32(2 + re.names.count))
    L.pushInteger(whole.lowerBound + 1)
    L.rawSet(-2, "first")
    L.pushInteger(whole.upperBound)
    L.rawSet(-2, "last")
    L.withBytes(at: 2) { raw in
      guard let base = raw.baseAddress else { return }
      func push(_ g: Range<Int>?) {
        if let g {
          L.pushBytes(UnsafeRawBufferPointer(start: base + g.lowerBound, count: g.count))
        } else {
          L.pushBool(false)
        }
      }
      for (i, group) in m.enumerated().dropFirst() {
        push(group)
        L.rawSet(-2, i)
      }
      for (name, group) in re.names where group < m.count {
        push(m[group])
        L.rawSet(-2, name)
      }
    }
    return 1
  }

  /// `re:tag(doc, layer [, label])` → the number of spans added, one per match, in Swift.
  static func regexTag(_ L: LuaState, _ context: FolioLuaContext) throws(LuaHostError) -> Int32 {
    let re: RegularExpression = try L.checkObject(1, "Regex")
    let doc: Document = try L.checkObject(2, "Document")
    let layer = try L.checkString(3)
    let label = try L.optString(4)
    try checkWritable(layer, context, arg: 3)
    var text = doc.text
    let result = text.withUTF8 { b -> Result<[[Range<Int>?]], RegularExpression.Failure> in
      do throws(RegularExpression.Failure) {
        return .success(try re.matches(b, trusted: true, stop: { L.limitsTripped }))
      } catch {
        return .failure(error)
      }
    }
    let found: [[Range<Int>?]]
    switch result {
    case .success(let f): found = f
    case .failure(let e): throw .message("regex: \(e.message)")
    }
    try L.chargeDocument(found.count * hostBytes(of: Span(start: 0, end: 0, label: label)))
    var added = 0
    for m in found {
      guard let whole = m[0], !whole.isEmpty else { continue }
      doc.add(Span(start: whole.lowerBound, end: whole.upperBound, label: label), to: layer)
      added += 1
    }
    L.pushInteger(added)
    return 1
  }

  /// Throws the coded error when the running plugin did not declare that it writes `layer`.
  static func checkWritable(_ layer: String, _ context: FolioLuaContext, arg: Int32)
    throws(LuaHostError)
  {
    if layer.isEmpty || layer == "token" || layer == "sentence" {
      throw .argument(arg, "layer name '\(layer)' is reserved or empty")
    }
    try checkDeclared(layer, context)
  }

  /// Throws [F201] when the running plugin did not declare in its manifest that it writes
  /// `name`: a layer, or a token attribute as `token:NAME`.
  static func checkDeclared(_ name: String, _ context: FolioLuaContext) throws(LuaHostError) {
    guard let allowed = context.allowedWrites, !allowed.contains(name) else { return }
    let declared = allowed.sorted().map { "'\($0)'" }.joined(separator: ", ")
    let what =
      name.hasPrefix("token:") ? "token attribute '\(name.dropFirst(6))'" : "layer '\(name)'"
    let fix = name.hasPrefix("token:") ? "Add '\(name)'" : "Add it"
    throw .message(
      "\(ErrorCode.f201.tag) plugin '\(context.pluginName)' writes \(what), which it does not declare (writes: \(declared.isEmpty ? "none" : declared)). \(fix) to 'writes' in plugin.toml"
    )
  }
}
