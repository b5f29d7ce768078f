import FolioCore
import FolioLua
import LuaRuntime
import Testing

@Suite("folio.re") struct RegexAPITests {
  @Test(
    "find, match, gmatch and gsub behave like string's, with PCRE2 patterns",
    arguments: [
      (#"return table.concat({folio.re.find("Straße 2024", "\\d+")}, ",")"#, "9,12"),
      (#"return table.concat({folio.re.find("a-b", "-", -2)}, ",")"#, "2,2"),
      (#"return folio.re.match("Ban Ki-moon", "(\\p{Lu}\\w+)-(\\w+)")"#, "Ki"),
      (
        #"local t = {} for w in folio.re.gmatch("東京 and Zürich", "\\p{L}+") do t[#t+1] = w end return table.concat(t, "|")"#,
        "東京|and|Zürich"
      ),
      (#"return (folio.re.gsub("June 26, 2024", "(\\w+) (\\d+)", "%2 %1"))"#, "26 June, 2024"),
      (#"return (folio.re.gsub("a b", "\\w", {a = "x"}))"#, "x b"),
      (#"return (folio.re.gsub("a b", "\\w", function(w) return w:upper() end))"#, "A B"),
      (#"return select(2, folio.re.gsub("aaa", "a", "b", 2))"#, "2"),
      (#"return folio.re.match("UN", "un", 1, "i")"#, "UN"),
    ])
  func stringLike(_ code: String, _ expected: String) throws {
    #expect(try evalLua(code) == expected)
  }

  @Test("a group that takes no part in the match is false, not a crash")
  func unsetGroups() throws {
    #expect(
      try evalLua(
        #"local a, b, c = folio.re.match("June 26", "(\\w+) (\\d+)(?:, (\\d+))?") return a .. " " .. b .. " " .. tostring(c)"#
      )
        == "June 26 false")
    #expect(
      try evalLua(
        #"local m = folio.re.compile("(x)?(y)"):exec("y") return tostring(m[1]) .. m[2] .. m.first .. m.last"#
      )
        == "falsey11")
  }

  @Test("exec gives positions, captures and named groups")
  func exec() throws {
    #expect(
      try evalLua(
        #"local m = folio.re.compile("(?<y>\\d{4})-(?<m>\\d\\d)"):exec("on 2024-06-27") return table.concat({m.first, m.last, m[1], m.y, m.m}, " ")"#
      )
        == "4 10 2024 2024 06")
  }

  @Test("a catastrophic pattern stops with a message instead of hanging")
  func matchLimit() throws {
    do {
      _ = try evalLua(#"return folio.re.find(string.rep("a", 40) .. "!", "(a+)+$")"#)
      Issue.record("no error")
    } catch let e as LuaError {
      #expect(e.message.contains("pattern too slow for this text"))
    }
  }

  @Test("a bad pattern is an argument error naming the position")
  func badPattern() throws {
    do {
      _ = try evalLua(#"return folio.re.compile("(unclosed")"#)
      Issue.record("no error")
    } catch let e as LuaError {
      #expect(
        e.message.hasPrefix(
          "t:1: bad argument #1 to 'compile' (invalid regex at byte 10: missing closing parenthesis"
        ))
    }
  }
}
