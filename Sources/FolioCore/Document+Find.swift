extension Document {
  /// The tokens whose text equals `word` (ASCII case ignored when `ignoreCase`; with
  /// `possessive`, `word's` and `word’s` count too), in text order.
  ///
  /// The text is scanned for the word's bytes; each candidate is confirmed by tokenising only
  /// the whitespace-delimited chunk around it, so the answer is the same as filtering
  /// `tokens` without tokenising the whole document.
  public func findTokens(_ word: String, ignoreCase: Bool = false, possessive: Bool = false)
    -> [Token]
  {
    let needle = Array(word.utf8).map { ignoreCase ? Self.asciiLower($0) : $0 }
    guard let first = needle.first else { return [] }
    var found: [Token] = []
    var text = self.text
    text.withUTF8 { buffer in
      guard let base = buffer.baseAddress else { return }
      let n = buffer.count
      let m = needle.count
      let firstUpper = ignoreCase ? Self.asciiUpper(first) : first
      var i = 0
      while i + m <= n {
        let b = base[i]
        if b != first && b != firstUpper {
          i += 1
          continue
        }
        var match = true
        for k in 1..<m {
          let c = ignoreCase ? Self.asciiLower(base[i + k]) : base[i + k]
          if c != needle[k] {
            match = false
            break
          }
        }
        if match, let token = confirm(base, n, start: i, length: m, possessive: possessive) {
          found.append(token)
          i = Int(token.end)
        } else {
          i += 1
        }
      }
    }
    return found
  }

  private func confirm(
    _ base: UnsafePointer<UInt8>, _ n: Int, start: Int, length: Int, possessive: Bool
  ) -> Token? {
    @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }
    var lo = start
    while lo > 0, !isSpace(base[lo - 1]) { lo -= 1 }
    var hi = start + length
    while hi < n, !isSpace(base[hi]) { hi += 1 }
    let chunk = Tokenizer.tokenize(utf8: UnsafeBufferPointer(start: base + lo, count: hi - lo))
    for t in chunk where Int(t.start) + lo == start {
      let end = Int(t.end) + lo
      if end == start + length { return Token(start: start, end: end, kind: t.kind) }
      if possessive {
        let rest = Array(
          UnsafeBufferPointer(start: base + start + length, count: end - start - length))
        if rest == [0x27, 0x73] || rest == [0xE2, 0x80, 0x99, 0x73] {
          return Token(start: start, end: end, kind: t.kind)
        }
      }
      return nil
    }
    return nil
  }

  @inline(__always) static func asciiLower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
  @inline(__always) static func asciiUpper(_ b: UInt8) -> UInt8 { b &- 0x61 < 26 ? b & 0xDF : b }
}
