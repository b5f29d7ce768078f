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
      // Eight bytes at a time to the next byte that may start the word: a zero byte in
      // v ^ first (or v ^ firstUpper), found by the usual borrow trick; the lowest flagged
      // byte is exact.
      let ones: UInt64 = 0x0101_0101_0101_0101
      let high: UInt64 = 0x8080_8080_8080_8080
      let a = UInt64(first) &* ones
      let c = UInt64(firstUpper) &* ones
      while i + m <= n {
        if i + 8 <= n {
          let v = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
          let x = v ^ a
          let y = v ^ c
          let hits = ((x &- ones) & ~x | (y &- ones) & ~y) & high
          if hits == 0 {
            i += 8
            continue
          }
          i += hits.trailingZeroBitCount / 8
          if i + m > n { break }
        }
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
      // A token shorter than the word (a word with a space or a line break in it) is no match.
      if possessive, end > start + length {
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

extension Document {
  /// A MinHash signature of the document's word shingles (`shingle` consecutive lowercased words): `size` minima, one per hash function, for near-duplicate detection (Broder 1997).
  ///
  /// Two documents' signatures agree at a position with probability equal to the Jaccard
  /// similarity of their shingle sets. Texts shorter than one shingle hash as one shingle of
  /// all their words; an empty text gives all-maximum values.
  public func minhash(shingle: Int = 5, size: Int = 64) -> [UInt64] {
    let k = max(1, shingle)
    var words: [UInt64] = []
    var text = self.text
    text.withUTF8 { buffer in
      guard let base = buffer.baseAddress else { return }
      for t in tokens where t.kind == .word || t.kind == .number {
        // FNV-1a over the lowercased bytes of the word.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in Int(t.start)..<Int(t.end) {
          var b = base[i]
          if b >= 0x41 && b <= 0x5A { b |= 0x20 }
          h = (h ^ UInt64(b)) &* 0x0100_0000_01b3
        }
        words.append(h)
      }
    }
    var shingles: [UInt64] = []
    if words.count <= k {
      shingles.append(words.reduce(0x9E37_79B9_7F4A_7C15) { ($0 ^ $1) &* 0x0100_0000_01b3 })
    } else {
      for i in 0...(words.count - k) {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for j in i..<(i + k) { h = (h ^ words[j]) &* 0x0100_0000_01b3 &+ 0x632B_E59B_D9B4_E019 }
        shingles.append(h)
      }
    }
    var signature = [UInt64](repeating: .max, count: size)
    if words.isEmpty { return signature }
    for s in shingles {
      for i in 0..<size {
        // One hash function per position: SplitMix64's finaliser over the shingle and a seed.
        var z = s &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        if z < signature[i] { signature[i] = z }
      }
    }
    return signature
  }
}
