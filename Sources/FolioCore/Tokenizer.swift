/// What a token is.
public enum TokenKind: UInt8, Sendable, CaseIterable {
  case word, number, punct, symbol

  public var name: String {
    switch self {
    case .word: "word"
    case .number: "number"
    case .punct: "punct"
    case .symbol: "symbol"
    }
  }
}

/// A token: UTF-8 byte offsets into the document text (half-open) and a kind.
public struct Token: Sendable, Equatable {
  public var start: Int32
  public var end: Int32
  public var kind: TokenKind

  public init(start: Int, end: Int, kind: TokenKind) {
    self.start = Int32(truncatingIfNeeded: start)
    self.end = Int32(truncatingIfNeeded: end)
    self.kind = kind
  }
}

/// Word tokeniser after Unicode word boundaries (UAX #29, simplified): letters, digits and marks join into words; `'`, `’` and `.` join letters (`don't`, `U.S`); `.` and `,` join digits (`3.14`, `1,000`); ideographs and kana stand alone; other characters are one token each (punctuation or symbol); white space separates.
///
/// ASCII is handled on a fast path.
public enum Tokenizer {
  private enum Class: UInt8 {
    case space, letter, digit, extend, midLetter, midNum, midNumLet, ideograph, punct, symbol
  }

  private static let asciiClasses: [Class] = (0..<128).map { b in
    let c = UInt8(b)
    switch c {
    case 0x41...0x5A, 0x61...0x7A, 0x5F: return .letter
    case 0x30...0x39: return .digit
    case 0x09...0x0D, 0x20: return .space
    case 0x27, 0x2E: return .midNumLet
    case 0x2C, 0x3B: return .midNum
    case 0x3A: return .punct
    case 0x24, 0x2B, 0x3C, 0x3D, 0x3E, 0x5E, 0x60, 0x7C, 0x7E: return .symbol
    case 0...0x08, 0x0E...0x1F, 0x7F: return .space
    default: return .punct
    }
  }

  private static func classify(_ scalar: Unicode.Scalar) -> Class {
    let v = scalar.value
    if v < 0x80 { return asciiClasses[Int(v)] }
    if v == 0x2019 { return .midNumLet }
    if v == 0xFFFD { return .symbol }
    let p = scalar.properties
    switch p.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark, .format: return .extend
    case .decimalNumber: return .digit
    case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control: return .space
    case .connectorPunctuation: return .letter
    case .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
      .finalPunctuation, .otherPunctuation:
      return .punct
    case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return .symbol
    default: break
    }
    if p.isIdeographic || (0x3040...0x309F).contains(v) { return .ideograph }
    if p.isAlphabetic { return .letter }
    if p.isWhitespace { return .space }
    return .symbol
  }

  /// Tokenises `text` into tokens in text order.
  public static func tokenize(_ text: String) -> [Token] {
    var text = text
    return text.withUTF8 { tokenize(utf8: $0) }
  }

  /// Tokenises valid UTF-8 bytes.
  public static func tokenize(utf8 buffer: UnsafeBufferPointer<UInt8>) -> [Token] {
    guard let bytes = buffer.baseAddress else { return [] }
    return asciiClasses.withUnsafeBufferPointer { table in
      // Raw pointers in the hot loop: no bounds checks, no reference counting of the table.
      tokenize(bytes, buffer.count, table.baseAddress.unsafelyUnwrapped)
    }
  }

  private static func tokenize(
    _ bytes: UnsafePointer<UInt8>, _ n: Int, _ ascii: UnsafePointer<Class>
  ) -> [Token] {
    var tokens: [Token] = []
    tokens.reserveCapacity(n / 5)
    var i = 0

    // Decodes the scalar at `at`: its class and byte length.
    @inline(__always) func scan(_ at: Int) -> (Class, Int) {
      let b = bytes[at]
      if b < 0x80 { return (ascii[Int(b)], 1) }
      var length = 2
      var value = UInt32(b & 0x1F)
      if b >= 0xF0 {
        length = 4
        value = UInt32(b & 0x07)
      } else if b >= 0xE0 {
        length = 3
        value = UInt32(b & 0x0F)
      }
      if at + length > n { return (.symbol, n - at) }
      for k in 1..<length { value = value << 6 | UInt32(bytes[at + k] & 0x3F) }
      return (classify(Unicode.Scalar(value) ?? "\u{FFFD}"), length)
    }

    while i < n {
      let (cls, len) = scan(i)
      switch cls {
      case .space, .extend:
        i += len
        // Runs of ASCII white space without the general path.
        while i < n, bytes[i] < 0x80, ascii[Int(bytes[i])] == .space { i += 1 }
      case .letter, .digit:
        let start = i
        var hasLetter = cls == .letter
        var lastWasLetter = cls == .letter
        i += len
        while i < n {
          // ASCII letters and digits, the bulk of most text, without the general path.
          let b = bytes[i]
          if b < 0x80 {
            let c = ascii[Int(b)]
            if c == .letter {
              hasLetter = true
              lastWasLetter = true
              i += 1
              continue
            }
            if c == .digit {
              lastWasLetter = false
              i += 1
              continue
            }
          }
          let (c, l) = scan(i)
          switch c {
          case .letter:
            hasLetter = true
            lastWasLetter = true
            i += l
            continue
          case .digit:
            lastWasLetter = false
            i += l
            continue
          case .extend:
            i += l
            continue
          case .midLetter, .midNum, .midNumLet:
            guard i + l < n else { break }
            let (next, nl) = scan(i + l)
            let joins: Bool
            switch c {
            case .midLetter: joins = lastWasLetter && next == .letter
            case .midNum: joins = !lastWasLetter && next == .digit
            default:
              joins = (lastWasLetter && next == .letter) || (!lastWasLetter && next == .digit)
            }
            if joins {
              i += l + nl
              if next == .letter { hasLetter = true }
              continue
            }
          default: break
          }
          break
        }
        tokens.append(Token(start: start, end: i, kind: hasLetter ? .word : .number))
      case .ideograph:
        var end = i + len
        while end < n, case (.extend, let l) = scan(end) { end += l }
        tokens.append(Token(start: i, end: end, kind: .word))
        i = end
      case .punct, .midLetter, .midNum, .midNumLet:
        var end = i + len
        while end < n, case (.extend, let l) = scan(end) { end += l }
        tokens.append(Token(start: i, end: end, kind: .punct))
        i = end
      case .symbol:
        var end = i + len
        // Keep emoji sequences (ZWJ, modifiers, flags) together.
        while end < n {
          let (c, l) = scan(end)
          if c == .extend || (c == .symbol && isEmojiJoiner(bytes, n, end)) {
            end += l
          } else {
            break
          }
        }
        tokens.append(Token(start: i, end: end, kind: .symbol))
        i = end
      }
    }
    return tokens
  }

  // An emoji modifier, a regional indicator or a joined emoji continues the current symbol.
  private static func isEmojiJoiner(_ bytes: UnsafePointer<UInt8>, _ count: Int, _ at: Int) -> Bool
  {
    guard at + 3 < count, bytes[at] == 0xF0, bytes[at + 1] == 0x9F else { return false }
    // U+1F3FB..1F3FF skin tones, U+1F1E6..1F1FF regional indicators
    if bytes[at + 2] == 0x8F, (0xBB...0xBF).contains(bytes[at + 3]) { return true }
    if bytes[at + 2] == 0x87, (0xA6...0xBF).contains(bytes[at + 3]), at >= 4,
      bytes[at - 4] == 0xF0, bytes[at - 2] == 0x87
    {
      return true
    }
    return at >= 3 && bytes[at - 3] == 0xE2 && bytes[at - 2] == 0x80 && bytes[at - 1] == 0x8D
  }
}
