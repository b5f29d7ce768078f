import FolioCore
import LuaRuntime

/// `folio.text`: Unicode-aware string functions, counted in characters, not bytes.
extension FolioLua {
  static func textLower(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let language = L.isNoneOrNil(2) ? nil : try L.checkString(2)
    L.pushString(TextCase.lower(try L.checkString(1), language: language))
    return 1
  }

  static func textUpper(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let language = L.isNoneOrNil(2) ? nil : try L.checkString(2)
    L.pushString(TextCase.upper(try L.checkString(1), language: language))
    return 1
  }

  static func textCasefold(_ L: LuaState) throws(LuaHostError) -> Int32 {
    L.pushString(TextCase.fold(try L.checkString(1)))
    return 1
  }

  static func textNormalize(_ L: LuaState) throws(LuaHostError) -> Int32 {
    let name = L.isNoneOrNil(2) ? "NFC" : try L.checkString(2).uppercased()
    guard let form = TextCase.Form(rawValue: name) else {
      throw .argument(2, "form must be NFC, NFD, NFKC or NFKD, got '\(name)'")
    }
    L.pushString(TextCase.normalize(try L.checkString(1), form))
    return 1
  }

  static func textLength(_ L: LuaState) throws(LuaHostError) -> Int32 {
    // ASCII (most calls) is counted on the bytes: one character a byte, CR LF one.
    if L.type(at: 1) == .string,
      let n = L.withBytes(
        at: 1,
        { b -> Int? in
          guard let p = b.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
          var pairs = 0
          var previous: UInt8 = 0
          var i = 0
          while i < b.count {
            let c = p[i]
            if c >= 0x80 { return nil }
            if c == 0x0A && previous == 0x0D { pairs += 1 }
            previous = c
            i += 1
          }
          return b.count - pairs
        }) ?? nil
    {
      L.pushInteger(n)
      return 1
    }
    L.pushInteger(try L.checkString(1).count)
    return 1
  }

  static func textSub(_ L: LuaState) throws(LuaHostError) -> Int32 {
    // string.sub's rules, counted in characters: negative positions count from the end.
    let characters = Array(try L.checkString(1))
    let n = characters.count
    var i = try L.checkInteger(2)
    var j = L.isNoneOrNil(3) ? -1 : try L.checkInteger(3)
    if i < 0 { i = max(n + i + 1, 1) } else if i == 0 { i = 1 }
    if j < 0 { j = n + j + 1 } else if j > n { j = n }
    L.pushString(i > j ? "" : String(characters[(i - 1)..<j]))
    return 1
  }
}
