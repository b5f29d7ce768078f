/// Sentence boundaries exactly as Unicode UAX #29 defines them.
///
/// Rules SB1–SB998 with Unicode 15.0 tables.
///
/// `SentenceBreakTest.txt` passes in full.
///
/// The standard's rules break after "Mr." before a capital and at every line break; Folio's
/// `Sentences` starts from the same terminators and closers and adds what running text needs
/// (abbreviations, initials, hard-wrapped lines). This is the reference they are tested against.
public enum SentenceBreak {
  static let other: UInt8 = 0
  static let cr: UInt8 = 1
  static let lf: UInt8 = 2
  static let extend: UInt8 = 3
  static let sep: UInt8 = 4
  static let format: UInt8 = 5
  static let sp: UInt8 = 6
  static let lower: UInt8 = 7
  static let upper: UInt8 = 8
  static let oLetter: UInt8 = 9
  static let numeric: UInt8 = 10
  static let aTerm: UInt8 = 11
  static let sContinue: UInt8 = 12
  static let sTerm: UInt8 = 13
  static let close: UInt8 = 14

  static let table = PropertyTable(
    sentenceBreakTable,
    names: [
      "CR": cr, "LF": lf, "Extend": extend, "Sep": sep, "Format": format, "Sp": sp,
      "Lower": lower, "Upper": upper, "OLetter": oLetter, "Numeric": numeric, "ATerm": aTerm,
      "SContinue": sContinue, "STerm": sTerm, "Close": close,
    ])

  @inline(__always) static func isParaSep(_ p: UInt8) -> Bool { p == sep || p == cr || p == lf }
  @inline(__always) static func isSATerm(_ p: UInt8) -> Bool { p == aTerm || p == sTerm }

  /// The boundaries of `text`: byte offsets, from 0 to the end.
  public static func boundaries(_ text: String) -> [Int] {
    var props: [UInt8] = []
    var offsets: [Int] = []
    var offset = 0
    for s in text.unicodeScalars {
      props.append(table.value(s.value))
      offsets.append(offset)
      offset += UTF8.width(s)
    }
    var out = [0]
    guard !props.isEmpty else { return out }
    // The last two properties that SB5 does not skip, and where the last SATerm Close* Sp* run
    // stands: 0 none, 1 just after the terminator or its closers, 2 in its spaces.
    var last = props[0]
    var beforeLast: UInt8 = 255
    var term: UInt8 = isSATerm(props[0]) ? props[0] : 255
    var phase = isSATerm(props[0]) ? 1 : 0
    var raw = props[0]
    for i in 1..<props.count {
      let p = props[i]
      var breaks: Bool
      if raw == cr && p == lf {
        breaks = false  // SB3
      } else if isParaSep(raw) {
        breaks = true  // SB4
      } else if p == extend || p == format {
        raw = p  // SB5: attached to what precedes
        continue
      } else if last == aTerm && p == numeric {
        breaks = false  // SB6
      } else if (beforeLast == upper || beforeLast == lower) && last == aTerm && p == upper {
        breaks = false  // SB7
      } else if phase > 0 && term == aTerm && lowerFollows(props, from: i) {
        breaks = false  // SB8
      } else if phase > 0 && (p == sContinue || isSATerm(p)) {
        breaks = false  // SB8a
      } else if phase == 1 && (p == close || p == sp || isParaSep(p)) {
        breaks = false  // SB9
      } else if phase > 0 && (p == sp || isParaSep(p)) {
        breaks = false  // SB10
      } else if phase > 0 {
        breaks = true  // SB11
      } else {
        breaks = false  // SB998
      }
      if breaks {
        out.append(offsets[i])
        phase = 0
      }
      // The run state after this character.
      if isSATerm(p) {
        term = p
        phase = 1
      } else if p == close && phase == 1 {
        phase = 1
      } else if p == sp && phase > 0 {
        phase = 2
      } else {
        phase = 0
      }
      beforeLast = last
      last = p
      raw = p
    }
    out.append(offset)
    return out
  }

  /// SB8: after an ATerm run, whether the next of OLetter, Upper, Lower, ParaSep or SATerm
  /// from `from` on is Lower.
  private static func lowerFollows(_ props: [UInt8], from: Int) -> Bool {
    for k in from..<props.count {
      let p = props[k]
      if p == lower { return true }
      if p == oLetter || p == upper || isParaSep(p) || isSATerm(p) { return false }
    }
    return false
  }
}
