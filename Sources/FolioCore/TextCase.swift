import Foundation

/// Unicode-aware case mapping, case folding and normalisation.
///
/// Swift's `lowercased()` maps Σ to σ everywhere; Greek writes ς at the end of a word (Unicode's
/// Final_Sigma condition), done here. Turkish and Azeri (`tr`, `az`) map I to ı and İ to i,
/// and back on uppercasing. Case folding is full folding (ß → ss, ς → σ), for comparing.
public enum TextCase {
  /// The normalisation forms of `normalize`.
  public enum Form: String, Sendable, CaseIterable {
    case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD"
  }

  static func isTurkic(_ language: String?) -> Bool {
    guard let language = language?.lowercased() else { return false }
    return language == "tr" || language == "az" || language.hasPrefix("tr-")
      || language.hasPrefix("az-") || language.hasPrefix("tr_") || language.hasPrefix("az_")
  }

  /// Lowercase, with Final_Sigma and, for `tr`/`az`, dotless ı.
  public static func lower(_ s: String, language: String? = nil) -> String {
    var source = s
    if isTurkic(language) {
      // İ → i, and I → ı (before the general mapping, which would give i̇ and i).
      source = String(
        String.UnicodeScalarView(
          s.unicodeScalars.map { $0 == "\u{130}" ? "i" : $0 == "I" ? "\u{131}" : $0 }))
    }
    let lowered = source.lowercased()
    guard s.unicodeScalars.contains("\u{3A3}") else { return lowered }
    // Σ becomes ς when a cased letter comes before it and none after it (case-ignorable
    // characters, such as apostrophes and marks, are skipped both ways).
    let scalars = Array(lowered.unicodeScalars)
    let original = Array(source.unicodeScalars)
    guard scalars.count == original.count else { return lowered }
    var out = String.UnicodeScalarView()
    for (i, c) in scalars.enumerated() {
      guard original[i] == "\u{3A3}" else {
        out.append(c)
        continue
      }
      var before = false
      var k = i - 1
      while k >= 0 {
        let p = original[k].properties
        if p.isCaseIgnorable { k -= 1; continue }
        before = p.isCased
        break
      }
      var after = false
      k = i + 1
      while k < original.count {
        let p = original[k].properties
        if p.isCaseIgnorable { k += 1; continue }
        after = p.isCased
        break
      }
      out.append(before && !after ? "\u{3C2}" : c)
    }
    return String(out)
  }

  /// Uppercase; for `tr`/`az`, i → İ and ı → I.
  public static func upper(_ s: String, language: String? = nil) -> String {
    guard isTurkic(language) else { return s.uppercased() }
    return String(
      String.UnicodeScalarView(
        s.unicodeScalars.map { $0 == "i" ? "\u{130}" : $0 == "\u{131}" ? "I" : $0 })
    ).uppercased()
  }

  /// Full case folding (ß → ss, ς → σ, ﬁ → fi), for caseless comparison.
  public static func fold(_ s: String) -> String {
    s.folding(options: [.caseInsensitive], locale: nil)
  }

  public static func normalize(_ s: String, _ form: Form) -> String {
    switch form {
    case .nfc: s.precomposedStringWithCanonicalMapping
    case .nfd: s.decomposedStringWithCanonicalMapping
    case .nfkc: s.precomposedStringWithCompatibilityMapping
    case .nfkd: s.decomposedStringWithCompatibilityMapping
    }
  }

  /// A token's normalised form: NFKC, then case-folded (ASCII on a fast path).
  public static func norm(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    if bytes.allSatisfy({ $0 < 0x80 }) {
      return String(unsafeUninitializedCapacity: bytes.count) { out in
        for (i, c) in bytes.enumerated() { out[i] = c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
        return bytes.count
      }
    }
    return fold(normalize(String(decoding: bytes, as: UTF8.self), .nfkc))
  }
}
