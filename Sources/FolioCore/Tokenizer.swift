#if canImport(Glibc)
  import Glibc
#endif

/// What a token is.
public enum TokenKind: UInt8, Sendable, CaseIterable {
  case word, number, punct, symbol, url, email, handle, hashtag, emoji

  public var name: String {
    switch self {
    case .word: "word"
    case .number: "number"
    case .punct: "punct"
    case .symbol: "symbol"
    case .url: "url"
    case .email: "email"
    case .handle: "handle"
    case .hashtag: "hashtag"
    case .emoji: "emoji"
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

/// Tokens are the segments between Unicode word boundaries (UAX #29, `WordBreak`) that are not
/// white space, with a kind, plus four joins the standard leaves to applications: URLs
/// (`https://…`, `www.…`), e-mail addresses, `@handles` and `#hashtags` are one token each.
///
/// What UAX #29 gives: letters, digits and marks join into words (`don't`, `U.S.A`, `e.g`,
/// `3.14`, `1,000`, `a_b`); katakana runs join; each ideograph, kana and Thai/Lao/Khmer/Myanmar
/// letter is a token of its own (those scripts have no spaces; dictionary segmentation is not
/// attempted); emoji sequences (ZWJ, skin tones, flags) stay whole. Kinds: `word` (any letter),
/// `number` (digits and separators), `punct`, `symbol`, `emoji`, `url`, `email`, `handle`,
/// `hashtag`.
public enum Tokenizer {
  /// Tokenises `text` into tokens in text order.
  public static func tokenize(_ text: String) -> [Token] {
    var text = text
    return text.withUTF8 { tokenize(utf8: $0) }
  }

  /// Tokenises valid UTF-8 bytes.
  public static func tokenize(utf8 b: UnsafeBufferPointer<UInt8>) -> [Token] {
    // Raw pointers to the tables in the hot loop: no `swift_once`, no bounds checks.
    classes.withUnsafeBufferPointer { classes in
      WordBreak.ascii.withUnsafeBufferPointer { ascii in
        tokenize(b, classes.baseAddress.unsafelyUnwrapped, ascii.baseAddress.unsafelyUnwrapped)
      }
    }
  }

  /// How many tokens and how many words `b` (valid UTF-8) has, as `tokenize` would give, without
  /// making the tokens (`corpus info` counts them).
  public static func count(utf8 b: UnsafeBufferPointer<UInt8>) -> (tokens: Int, words: Int) {
    var sink = CountingSink()
    let joins = classes.withUnsafeBufferPointer { classes in
      WordBreak.ascii.withUnsafeBufferPointer { ascii in
        scan(b, classes.baseAddress.unsafelyUnwrapped, ascii.baseAddress.unsafelyUnwrapped, &sink)
      }
    }
    guard joins else { return (sink.tokens, sink.words) }
    // '@' or '#' may join tokens into e-mails, handles and hashtags: count the joined ones.
    let tokens = tokenize(utf8: b)
    return (tokens.count, tokens.reduce(0) { $0 + ($1.kind == .word ? 1 : 0) })
  }

  /// Gives the tokens of `b` (valid UTF-8) to `sink` as they are found, without making them,
  /// when `b` has no '@' or '#' (which may join tokens into e-mails, handles and hashtags
  /// afterwards); false, with nothing given, when it has.
  static func scan<S: Sink>(utf8 b: UnsafeBufferPointer<UInt8>, into sink: inout S) -> Bool {
    guard let base = b.baseAddress,
      memchr(base, 0x40, b.count) == nil, memchr(base, 0x23, b.count) == nil
    else { return b.isEmpty }
    return classes.withUnsafeBufferPointer { classes in
      WordBreak.ascii.withUnsafeBufferPointer { ascii in
        !scan(b, classes.baseAddress.unsafelyUnwrapped, ascii.baseAddress.unsafelyUnwrapped, &sink)
      }
    }
  }

  /// Where `scan` puts the tokens it finds.
  protocol Sink {
    mutating func add(_ start: Int, _ end: Int, _ kind: TokenKind)
  }

  /// Tokens written to a buffer it grows itself: `Array.append` checked the array's uniqueness
  /// through a runtime call for every token.
  private struct ArraySink: Sink {
    var buffer: UnsafeMutablePointer<Token>
    var capacity: Int
    var count = 0

    init(capacity: Int) {
      self.capacity = max(capacity, 16)
      buffer = .allocate(capacity: self.capacity)
    }

    @inline(__always)
    mutating func add(_ start: Int, _ end: Int, _ kind: TokenKind) {
      if count == capacity { grow() }
      (buffer + count).initialize(to: Token(start: start, end: end, kind: kind))
      count += 1
    }

    mutating func grow() {
      let bigger = UnsafeMutablePointer<Token>.allocate(capacity: capacity * 2)
      bigger.moveInitialize(from: buffer, count: count)
      buffer.deallocate()
      buffer = bigger
      capacity *= 2
    }

    /// The tokens as an array; the buffer is freed.
    func finish() -> [Token] {
      defer {
        buffer.deinitialize(count: count)
        buffer.deallocate()
      }
      return Array(UnsafeBufferPointer(start: buffer, count: count))
    }
  }

  private struct CountingSink: Sink {
    var tokens = 0
    var words = 0
    mutating func add(_ start: Int, _ end: Int, _ kind: TokenKind) {
      tokens += 1
      words += kind == .word ? 1 : 0
    }
  }

  private static func tokenize(
    _ b: UnsafeBufferPointer<UInt8>, _ classes: UnsafePointer<UInt8>, _ ascii: UnsafePointer<UInt8>
  ) -> [Token] {
    var sink = ArraySink(capacity: b.count / 4 + 16)  // English prose: a token per 4.6 bytes
    let joins = scan(b, classes, ascii, &sink)
    let tokens = sink.finish()
    return joins ? joinSocial(tokens, b) : tokens
  }

  /// Finds the tokens of `b` in order and gives each to `sink`; true when an '@' or '#' was
  /// seen (`joinSocial` may then join tokens).
  private static func scan<S: Sink>(
    _ b: UnsafeBufferPointer<UInt8>, _ classes: UnsafePointer<UInt8>, _ ascii: UnsafePointer<UInt8>,
    _ tokens: inout S
  ) -> Bool {
    let n = b.count
    var i = 0
    var joins = false  // an '@' or '#' was seen: look for e-mails, handles and hashtags
    let p = b.baseAddress.unsafelyUnwrapped
    while i < n {
      let c = p[i]
      let cls = classes[Int(c)]
      if cls == space {
        i += 1
        continue
      }
      // The fast path: a run of ASCII letters and digits that ends at a byte no UAX #29 rule
      // joins to it (white space, most punctuation) is a whole segment.
      if cls == letter || cls == digit {
        if cls == letter, maybeURL(p, i, n), let end = urlEnd(b, i) {
          tokens.add(i, end, .url)
          i = end
          continue
        }
        var j = i + 1
        var letters = cls == letter
        if letters {
          j = alnumRunEnd(p, j, n)
          while j < n, classes[Int(p[j])] &- letter < 2 { j += 1 }
        } else {
          while j < n {
            let k = classes[Int(p[j])]
            if k == letter {
              letters = true
            } else if k != digit {
              break
            }
            j += 1
          }
        }
        // The run ends here unless a mid-word character with a letter or digit after it
        // (or `_`), or a non-ASCII scalar, follows.
        let next = j < n ? classes[Int(p[j])] : space
        if (next != joiner && next != high)
          || (next == joiner && p[j] != 0x5F
            && (j + 1 == n
              || classes[Int(p[j + 1])] &- letter >= 2 && classes[Int(p[j + 1])] != high))
        {
          tokens.add(i, j, letters ? .word : .number)
          // One space and a letter (prose): the next run starts there, without a turn of the
          // loop for the space.
          i = j + 1 < n && p[j] == 0x20 && classes[Int(p[j + 1])] == letter ? j + 1 : j
          continue
        }
      } else if cls != high, c != 0x5F, c != 0x0D, c != 0x40, c != 0x23,
        i + 1 == n || classes[Int(p[i + 1])] != high
      {
        // One ASCII punctuation or symbol byte not followed by a combining mark is a segment.
        if let kind = asciiKinds[Int(c)] { tokens.add(i, i + 1, kind) }
        i += 1
        continue
      }
      if c == 0x40 || c == 0x23 { joins = true }
      let end = WordBreak.segmentEnd(b, from: i, ascii: ascii)
      if let kind = kind(b, i, end) { tokens.add(i, end, kind) }
      i = end
    }
    return joins
  }

  /// Skips ASCII letters and digits eight bytes at a time from `j`; stops at the first other
  /// byte, or where fewer than eight bytes are left (the byte loop finishes those).
  @inline(__always)
  static func alnumRunEnd(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int) -> Int {
    let high: UInt64 = 0x8080_8080_8080_8080
    var j = start
    while j + 8 <= n {
      let v = UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self)
      if v & high != 0 { return j }
      // Per byte (all below 0x80, so no carry crosses a byte): the high bit says a <= x|0x20 <= z
      // or 0 <= x <= 9.
      let l = v | 0x2020_2020_2020_2020
      let letters = (l &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(l &+ 0x0505_0505_0505_0505)
      let digits = (v &+ 0x5050_5050_5050_5050) & ~(v &+ 0x4646_4646_4646_4646)
      let other = ~(letters | digits) & high
      if other != 0 { return j + other.trailingZeroBitCount / 8 }
      j += 8
    }
    return j
  }

  /// Whether the bytes at `i` begin `http`, `www.` or `ftp:` in any case, as `urlEnd` asks
  /// (before its full check).
  ///
  /// One 4-byte load and three compares: a test of the first letter (h, w or f begin a quarter
  /// of English words) was a branch the processor often guessed wrong.
  @inline(__always)
  static func maybeURL(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Bool {
    guard i + 4 < n else { return false }
    let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self) | 0x2020_2020
    return w == urlHTTP || w == urlWWW || w == urlFTP
  }

  /// `http`, `www.` and `ftp:` as little-endian words with 0x20 set in each byte, as in the
  /// words they are compared with (literals: a computed `static let` is read through a lazy
  /// initialiser's check at every use).
  static let urlHTTP: UInt32 = 0x7074_7468
  static let urlWWW: UInt32 = 0x2E77_7777
  static let urlFTP: UInt32 = 0x3A70_7466

  // Byte classes for the fast path (`letter` and `digit` adjacent: `k &- letter < 2` tests both).
  static let space: UInt8 = 1
  static let letter: UInt8 = 2
  static let digit: UInt8 = 3
  /// A byte of a non-ASCII scalar.
  static let high: UInt8 = 5
  /// Mid-word punctuation of UAX #29 (`'`, `.`, `:`, `,`, `;`, `"`) and the connector `_`.
  static let joiner: UInt8 = 4

  static let classes: [UInt8] = (0..<256).map { c in
    if c >= 0x80 { return high }
    let p = WordBreak.ascii[c]
    if c == 0x20 || (c >= 0x09 && c <= 0x0D) { return space }
    if p == WordBreak.aletter { return letter }
    if p == WordBreak.numeric { return digit }
    if p == WordBreak.midLetter || p == WordBreak.midNum || p == WordBreak.midNumLet
      || p == WordBreak.singleQuote || p == WordBreak.extendNumLet || p == WordBreak.doubleQuote
    {
      return joiner
    }
    return 0
  }

  /// The kind of a one-byte ASCII punctuation or symbol segment.
  static let asciiKinds: [TokenKind?] = (0..<128).map { c in
    var byte = UInt8(c)
    return withUnsafePointer(to: &byte) { p in kind(UnsafeBufferPointer(start: p, count: 1), 0, 1) }
  }

  /// The kind of the segment `start..<end`, or nil for white space.
  static func kind(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> TokenKind? {
    let first = b[start]
    if first < 0x80 {
      let p = WordBreak.ascii[Int(first)]
      if p == WordBreak.aletter { return .word }
      if p == WordBreak.numeric {
        // "3rd", "mp3": a letter anywhere makes a word.
        var k = start + 1
        while k < end {
          let c = b[k]
          if c >= 0x80 || WordBreak.ascii[Int(c)] == WordBreak.aletter { return .word }
          k += 1
        }
        return .number
      }
      switch first {
      case 0x21...0x23, 0x25...0x2A, 0x2C...0x2F, 0x3A, 0x3B, 0x3F, 0x40, 0x5B...0x5D, 0x5F,
        0x7B, 0x7D:
        return end - start > 1 && first == 0x5F ? .word : .punct
      case 0x00...0x20, 0x7F: return nil
      default: return .symbol
      }
    }
    let (v, width) = Sentences.scalar(b, start)
    let p = WordBreak.table.value(v)
    switch p & 0x7F {
    case WordBreak.aletter, WordBreak.hebrew, WordBreak.katakana: return .word
    case WordBreak.numeric:
      var k = start + width
      while k < end {
        let (u, w) = Sentences.scalar(b, k)
        let q = WordBreak.table.value(u) & 0x7F
        if q == WordBreak.aletter || q == WordBreak.hebrew { return .word }
        k += w
      }
      return .number
    case WordBreak.regional: return .emoji
    case WordBreak.newline, WordBreak.space, WordBreak.cr, WordBreak.lf: return nil
    default: break
    }
    guard let scalar = Unicode.Scalar(v) else { return .symbol }
    let props = scalar.properties
    if p & WordBreak.pictographic != 0 {
      // © and ™ are pictographic too; an emoji is drawn as one or joined into a sequence.
      if props.isEmojiPresentation || end - start > width { return .emoji }
      return .symbol
    }
    switch props.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
      .letterNumber, .nonspacingMark, .spacingMark:
      return .word
    case .decimalNumber, .otherNumber: return .number
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
      .initialPunctuation, .finalPunctuation, .otherPunctuation:
      return .punct
    case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control: return nil
    default: return props.isWhitespace ? nil : .symbol
    }
  }

  /// The end of a URL starting at `i` (`http://`, `https://`, `ftp://` or `www.`, after a
  /// non-word byte), trailing punctuation left out; nil when none starts there.
  static func urlEnd(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
    if i > 0 {
      let before = b[i - 1]
      if before >= 0x80 || WordBreak.ascii[Int(before)] == WordBreak.aletter
        || WordBreak.ascii[Int(before)] == WordBreak.numeric
      {
        return nil
      }
    }
    func has(_ prefix: StaticString) -> Bool {
      let count = prefix.utf8CodeUnitCount
      guard i + count < b.count else { return false }
      for k in 0..<count where b[i + k] | 0x20 != prefix.utf8Start[k] | 0x20 { return false }
      return true
    }
    guard has("https://") || has("http://") || has("ftp://") || has("www.") else { return nil }
    var j = i
    var open = 0
    while j < b.count {
      let c = b[j]
      if c <= 0x20 || c == 0x22 || c == 0x3C || c == 0x3E || c == 0x7F { break }
      // A non-ASCII space or full-width punctuation ends it; other non-ASCII (IRIs) is kept.
      if c >= 0x80 {
        let (v, _) = Sentences.scalar(b, j)
        if Sentences.isSpace(v) || (v >= 0x3000 && v <= 0x303F) || (v >= 0xFF00 && v <= 0xFF60) {
          break
        }
      }
      if c == 0x28 { open += 1 }
      if c == 0x29 { open -= 1 }
      j += 1
    }
    // Trailing punctuation belongs to the sentence; a ')' closes the URL's own '(' only.
    while j > i {
      let c = b[j - 1]
      if c == 0x29 && open < 0 {
        open += 1
        j -= 1
      } else if [0x2E, 0x2C, 0x3B, 0x3A, 0x21, 0x3F, 0x27, 0x5D, 0x7D, 0x2A].contains(c) {
        j -= 1
      } else {
        break
      }
    }
    // At least one character after the scheme or "www.".
    let minimum = has("www.") ? 5 : has("https://") ? 9 : has("http://") ? 8 : 7
    return j - i >= minimum ? j : nil
  }

  /// Joins `name@example.com` into an e-mail, `@name` into a handle and `#word` into a hashtag.
  static func joinSocial(_ tokens: [Token], _ b: UnsafeBufferPointer<UInt8>) -> [Token] {
    var out: [Token] = []
    out.reserveCapacity(tokens.count)
    func isSingle(_ t: Token, _ c: UInt8) -> Bool { t.end - t.start == 1 && b[Int(t.start)] == c }
    func isLocalPart(_ t: Token) -> Bool {
      t.kind == .word || t.kind == .number || isSingle(t, 0x2E) || isSingle(t, 0x2D)
        || isSingle(t, 0x2B) || isSingle(t, 0x5F)
    }
    func attachedBefore(_ t: Token) -> Bool {
      // Whether a word character touches the token on its left.
      guard t.start > 0 else { return false }
      let c = b[Int(t.start) - 1]
      return c >= 0x80 || WordBreak.ascii[Int(c)] == WordBreak.aletter
        || WordBreak.ascii[Int(c)] == WordBreak.numeric || c == 0x5F
    }
    var k = 0
    while k < tokens.count {
      let t = tokens[k]
      let isAt = isSingle(t, 0x40)
      let isHash = isSingle(t, 0x23)
      guard isAt || isHash, k + 1 < tokens.count, tokens[k + 1].start == t.end,
        tokens[k + 1].kind == .word || tokens[k + 1].kind == .number
      else {
        out.append(t)
        k += 1
        continue
      }
      if isAt, let last = out.last, last.end == t.start, isLocalPart(last) {
        // An e-mail: the local part back over touching tokens, the domain on over words, '.'
        // and '-', ending in a word that holds a '.'.
        var first = out.count - 1
        while first > 0, out[first - 1].end == out[first].start, isLocalPart(out[first - 1]) {
          first -= 1
        }
        var end = k + 1
        while end + 1 < tokens.count, tokens[end + 1].start == tokens[end].end,
          tokens[end + 1].kind == .word || tokens[end + 1].kind == .number
            || isSingle(tokens[end + 1], 0x2D) || isSingle(tokens[end + 1], 0x2E)
        {
          end += 1
        }
        while end > k + 1, tokens[end].kind != .word && tokens[end].kind != .number { end -= 1 }
        let domain = UnsafeBufferPointer(
          rebasing: b[Int(tokens[k + 1].start)..<Int(tokens[end].end)])
        if domain.contains(0x2E), domain.last.map({ $0 != 0x2E }) == true {
          let start = out[first].start
          out.removeSubrange(first...)
          out.append(Token(start: Int(start), end: Int(tokens[end].end), kind: .email))
          k = end + 1
          continue
        }
      }
      if !attachedBefore(t), isAt || tokens[k + 1].kind == .word {
        out.append(
          Token(start: Int(t.start), end: Int(tokens[k + 1].end), kind: isAt ? .handle : .hashtag))
        k += 2
        continue
      }
      out.append(t)
      k += 1
    }
    return out
  }
}
