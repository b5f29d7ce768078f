import CPCRE2

/// A compiled regular expression (PCRE2 with JIT, UTF-8 with Unicode classes): `folio.re`.
///
/// Matches work on UTF-8 bytes and report byte ranges. A match limit and a depth limit stop
/// pathological patterns (catastrophic backtracking) inside the C call, where Lua's hook cannot.
/// Not thread-safe: one instance per VM.
public final class RegularExpression {
  /// A pattern that does not compile, or a match that hit a limit.
  public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
  }

  public let pattern: String
  /// Number of capture groups (not counting the whole match).
  public let captureCount: Int
  /// Named groups and their numbers.
  public let names: [(name: String, group: Int)]
  private let code: OpaquePointer
  /// The bytes a match can start with, and the pattern compiled anchored, tried only at those
  /// bytes (see `makeStartFilter`); with `lineStarts`, only after a line feed (or at 0).
  private let starts: [Bool]?
  private let lineStarts: Bool
  private let anchored: OpaquePointer?
  private let matchData: OpaquePointer
  private let context: OpaquePointer

  /// Compiles `pattern`; `flags` may hold `i` (ignore case), `m` (multi-line), `s` (dot matches
  /// newlines) and `x` (extended).
  public init(_ pattern: String, flags: String = "") throws(Failure) {
    var options = folio_pcre2_utf | folio_pcre2_ucp
    for f in flags {
      switch f {
      case "i": options |= folio_pcre2_caseless
      case "m": options |= folio_pcre2_multiline
      case "s": options |= folio_pcre2_dotall
      case "x": options |= folio_pcre2_extended
      default: throw Failure(message: "unknown regex flag '\(f)' (flags: i, m, s, x)")
      }
    }
    var errorCode: Int32 = 0
    var errorOffset = 0
    let bytes = Array(pattern.utf8)
    let compiled = bytes.withUnsafeBufferPointer { b in
      pcre2_compile_8(b.baseAddress, b.count, options, &errorCode, &errorOffset, nil)
    }
    guard let compiled else {
      var buffer = [UInt8](repeating: 0, count: 256)
      let n = pcre2_get_error_message_8(errorCode, &buffer, 256)
      let why = String(decoding: buffer.prefix(Int(max(0, n))), as: UTF8.self)
      throw Failure(message: "invalid regex at byte \(errorOffset + 1): \(why)")
    }
    code = compiled
    pcre2_jit_compile_8(compiled, folio_pcre2_jit_complete)  // falls back to the interpreter
    (starts, anchored, lineStarts) = Self.makeStartFilter(compiled, bytes, options)
    self.pattern = pattern
    var count: UInt32 = 0
    pcre2_pattern_info_8(compiled, folio_pcre2_info_capturecount, &count)
    captureCount = Int(count)
    matchData = pcre2_match_data_create_from_pattern_8(compiled, nil)
    context = pcre2_match_context_create_8(nil)
    pcre2_set_match_limit_8(context, 20_000_000)
    pcre2_set_depth_limit_8(context, 100_000)
    var nameCount: UInt32 = 0
    var entrySize: UInt32 = 0
    var table: UnsafePointer<UInt8>?
    pcre2_pattern_info_8(compiled, folio_pcre2_info_namecount, &nameCount)
    pcre2_pattern_info_8(compiled, folio_pcre2_info_nameentrysize, &entrySize)
    pcre2_pattern_info_8(compiled, folio_pcre2_info_nametable, &table)
    var names: [(String, Int)] = []
    if let table {
      for i in 0..<Int(nameCount) {
        let entry = table + i * Int(entrySize)
        let group = Int(entry[0]) << 8 | Int(entry[1])
        var end = 2
        while end < Int(entrySize), entry[end] != 0 { end += 1 }
        names.append(
          (
            String(decoding: UnsafeBufferPointer(start: entry + 2, count: end - 2), as: UTF8.self),
            group
          ))
      }
    }
    self.names = names
  }

  /// The bytes a match can start with, and the pattern compiled anchored.
  ///
  /// Folio's search tries the anchored pattern at those bytes, asking the caller's deadline
  /// between attempts: PCRE2's own search runs every start position inside one call, each with
  /// a fresh match limit, so a slow pattern could run for minutes in it. The bytes come from
  /// PCRE2 (its first code unit or start bitmap, every lead byte of a non-ASCII character
  /// added) or, when it finds none, from the pattern without Unicode classes.
  ///
  /// With Unicode classes, PCRE2 finds no start bytes for a pattern with `\d`, `\w` or `\s`
  /// (any non-ASCII character might be one), so it tries every position: a date pattern ran at
  /// 25 MB/s. The same pattern without Unicode classes has start bytes, and an ASCII byte
  /// belongs to those classes alike either way; with every lead byte of a non-ASCII character
  /// added, they are the bytes a match can start with. A match is then the first anchored
  /// match at one of them, as PCRE2's own search would find it. Patterns with `\G` or verbs
  /// such as `(*SKIP)` (whose meaning depends on the search) are left to PCRE2.
  private static func makeStartFilter(
    _ code: OpaquePointer, _ pattern: [UInt8], _ options: UInt32
  ) -> ([Bool]?, OpaquePointer?, lineStarts: Bool) {
    var firstType: UInt32 = 0
    var bitmap: UnsafePointer<UInt8>?
    var all: UInt32 = 0
    pcre2_pattern_info_8(code, folio_pcre2_info_firstcodetype, &firstType)
    pcre2_pattern_info_8(code, folio_pcre2_info_firstbitmap, &bitmap)
    pcre2_pattern_info_8(code, folio_pcre2_info_alloptions, &all)
    let text = String(decoding: pattern, as: UTF8.self)
    // Anchored patterns try one position; a pattern anchored at line starts (firstType 2) is
    // tried after each line feed.
    guard all & folio_pcre2_anchored == 0,
      !text.contains("\\G"), !text.contains("(*")
    else { return (nil, nil, false) }
    var errorCode: Int32 = 0
    var errorOffset = 0
    func compile(_ options: UInt32) -> OpaquePointer? {
      pattern.withUnsafeBufferPointer { b in
        pcre2_compile_8(b.baseAddress, b.count, options, &errorCode, &errorOffset, nil)
      }
    }
    var starts = [Bool](repeating: false, count: 256)
    if firstType == 2 {
      // No byte decides: `lineStarts` does.
    } else if firstType == 1 {
      var unit: UInt32 = 0
      pcre2_pattern_info_8(code, folio_pcre2_info_firstcodeunit, &unit)
      let b = Int(unit & 0xFF)
      starts[b] = true
      if options & folio_pcre2_caseless != 0 {
        if (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) { starts[b ^ 0x20] = true }
        for c in 0xC0..<256 { starts[c] = true }
      }
    } else {
      var first = bitmap
      var ascii: OpaquePointer?
      if first == nil {
        ascii = compile(options & ~folio_pcre2_ucp)
        if let ascii { pcre2_pattern_info_8(ascii, folio_pcre2_info_firstbitmap, &first) }
      }
      defer { if let ascii { pcre2_code_free_8(ascii) } }
      guard let first else { return (nil, nil, false) }
      for c in 0..<256 { starts[c] = first[c / 8] & (1 << (c % 8)) != 0 }
      for c in 0xC0..<256 { starts[c] = true }
    }
    guard let anchored = compile(options | folio_pcre2_anchored) else { return (nil, nil, false) }
    pcre2_jit_compile_8(anchored, folio_pcre2_jit_complete)
    return (starts, anchored, firstType == 2)
  }

  deinit {
    if let anchored { pcre2_code_free_8(anchored) }
    pcre2_match_data_free_8(matchData)
    pcre2_match_context_free_8(context)
    pcre2_code_free_8(code)
  }

  /// The first match at or after byte `start`: the ranges of the whole match (index 0) and of each group (nil when a group did not take part), or nil when there is none.
  ///
  /// `trusted` skips the UTF-8 check (document texts are valid UTF-8 by construction).
  ///
  /// `stop` is asked before each attempt at a start position: a plugin's deadline or Ctrl-C
  /// ends a search that PCRE2's match limit, which counts one attempt at a time, would let run
  /// for every byte of a long text.
  public func match(
    _ subject: UnsafeBufferPointer<UInt8>, from start: Int, trusted: Bool = false,
    stop: () -> Bool = { false }
  )
    throws(Failure) -> [Range<Int>?]?
  {
    guard start <= subject.count else { return nil }
    // A valid but empty buffer may have no base address: PCRE2 needs a pointer.
    let empty: [UInt8] = [0]
    let options = trusted ? folio_pcre2_no_utf_check : 0
    var rc: Int32
    if let starts, let anchored, let base = subject.baseAddress, start < subject.count {
      // Try the anchored pattern only where a match can start, asking `stop` before each
      // attempt (PCRE2's own search runs every start position inside one call, with a fresh
      // match limit at each: a slow pattern took minutes on a 12 KB text). A subject that is
      // not known to be UTF-8 is checked by PCRE2 once, in the first attempt, at `start`.
      rc = folio_pcre2_error_nomatch
      var p = start
      var checked = trusted
      while p < subject.count {
        if !checked || starts[Int(base[p])] || (lineStarts && (p == 0 || base[p - 1] == 0x0A)) {
          if stop() { throw Failure(message: "interrupted") }
          rc = pcre2_match_8(
            anchored, base, subject.count, p, checked ? folio_pcre2_no_utf_check : 0, matchData,
            context)
          checked = true
          if rc != folio_pcre2_error_nomatch { break }
        }
        p += 1
      }
      if rc == folio_pcre2_error_nomatch && !trusted {
        // An empty match at the very end (`x*`, `$`), as PCRE2's own search finds it.
        rc = pcre2_match_8(
          anchored, base, subject.count, subject.count, folio_pcre2_no_utf_check, matchData,
          context)
      }
    } else {
      rc = empty.withUnsafeBufferPointer { e in
        pcre2_match_8(
          code, subject.baseAddress ?? e.baseAddress, subject.count, start, options, matchData,
          context)
      }
    }
    if rc == folio_pcre2_error_nomatch { return nil }
    if rc == -47 || rc == -53 {  // PCRE2_ERROR_MATCHLIMIT, PCRE2_ERROR_DEPTHLIMIT
      throw Failure(
        message:
          "pattern too slow for this text (PCRE2's match limit was hit): avoid nested quantifiers such as (a+)+"
      )
    }
    if rc < 0 {
      var buffer = [UInt8](repeating: 0, count: 256)
      let n = pcre2_get_error_message_8(rc, &buffer, 256)
      throw Failure(message: String(decoding: buffer.prefix(Int(max(0, n))), as: UTF8.self))
    }
    guard let ovector = pcre2_get_ovector_pointer_8(matchData) else { return nil }
    var ranges: [Range<Int>?] = []
    ranges.reserveCapacity(captureCount + 1)
    for g in 0...captureCount {
      // PCRE2_UNSET is SIZE_MAX: -1 as a Swift Int.
      let s = Int(truncatingIfNeeded: ovector[2 * g])
      let e = Int(truncatingIfNeeded: ovector[2 * g + 1])
      if g >= Int(rc) || s < 0 || e < s { ranges.append(nil) } else { ranges.append(s..<e) }
    }
    return ranges
  }

  /// Every non-overlapping match, as `match` returns them (empty matches advance by one
  /// character, as Lua's gmatch does).
  public func matches(
    _ subject: UnsafeBufferPointer<UInt8>, trusted: Bool = false, limit: Int = .max,
    stop: () -> Bool = { false }
  )
    throws(Failure) -> [[Range<Int>?]]
  {
    var found: [[Range<Int>?]] = []
    var position = 0
    while found.count < limit,
      let m = try match(subject, from: position, trusted: trusted, stop: stop),
      let whole = m[0]
    {
      found.append(m)
      if whole.isEmpty {
        position = whole.upperBound + 1
        while position < subject.count, subject[position] & 0xC0 == 0x80 { position += 1 }
        if position > subject.count { break }
      } else {
        position = whole.upperBound
      }
    }
    return found
  }
}
