/// Colours for Lua source as it is typed: keywords, strings, numbers and comments.
enum LuaSyntax {
  enum Class: UInt8 {
    case plain, keyword, string, number, comment
  }

  static let keywords: Set<String> = [
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
    "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
  ]

  /// ANSI SGR codes per class.
  static func code(_ c: Class) -> String {
    switch c {
    case .plain: "0"
    case .keyword: "35"
    case .string: "32"
    case .number: "36"
    case .comment: "2"
    }
  }

  /// The class of each character of `text`.
  ///
  /// `text` is a whole chunk, so long strings and comments that span lines are coloured
  /// through; unfinished strings and comments run to the end.
  static func classes(_ text: [Character]) -> [Class] {
    var out = [Class](repeating: .plain, count: text.count)
    var i = 0
    func mark(_ from: Int, _ to: Int, _ c: Class) {
      for k in from..<min(to, text.count) { out[k] = c }
    }
    /// `[[`, `[==[`: the level, or nil.
    func longOpen(_ at: Int) -> Int? {
      guard at < text.count, text[at] == "[" else { return nil }
      var j = at + 1
      while j < text.count, text[j] == "=" { j += 1 }
      return j < text.count && text[j] == "[" ? j - at - 1 : nil
    }
    func longClose(from: Int, level: Int) -> Int {
      var j = from
      while j < text.count {
        if text[j] == "]" {
          var k = j + 1
          var n = 0
          while k < text.count, text[k] == "=" {
            n += 1
            k += 1
          }
          if n == level, k < text.count, text[k] == "]" { return k + 1 }
        }
        j += 1
      }
      return text.count
    }
    while i < text.count {
      let c = text[i]
      if c == "-", i + 1 < text.count, text[i + 1] == "-" {
        if let level = longOpen(i + 2) {
          let end = longClose(from: i + 4 + level, level: level)
          mark(i, end, .comment)
          i = end
        } else {
          var end = i
          while end < text.count, text[end] != "\n" { end += 1 }
          mark(i, end, .comment)
          i = end
        }
      } else if c == "\"" || c == "'" {
        var end = i + 1
        while end < text.count, text[end] != c, text[end] != "\n" {
          end += text[end] == "\\" ? 2 : 1
        }
        end = min(end + 1, text.count)
        mark(i, end, .string)
        i = end
      } else if let level = longOpen(i) {
        let end = longClose(from: i + 2 + level, level: level)
        mark(i, end, .string)
        i = end
      } else if c.isNumber || (c == "." && i + 1 < text.count && text[i + 1].isNumber) {
        var end = i
        while end < text.count,
          text[end].isLetter || text[end].isNumber || text[end] == "."
            || ((text[end] == "-" || text[end] == "+") && end > i
              && "eEpP".contains(text[end - 1]))
        {
          end += 1
        }
        mark(i, end, .number)
        i = end
      } else if c.isLetter || c == "_" {
        var end = i
        while end < text.count, text[end].isLetter || text[end].isNumber || text[end] == "_" {
          end += 1
        }
        let word = String(text[i..<end])
        let afterDot = i > 0 && (text[i - 1] == "." || text[i - 1] == ":")
        if keywords.contains(word), !afterDot { mark(i, end, .keyword) }
        i = end
      } else {
        i += 1
      }
    }
    return out
  }
}
