import FolioCore
import Foundation
import Testing

@Suite("Stand-off JSONL round trip") struct RoundTripTests {
  @Test("export then import gives the same documents, metadata and layers (200 random documents)")
  func roundTrip() throws {
    var rng = SplitMix64(seed: 7)
    let alphabet: [String] = [
      "a", "Z", " ", "\n", "é", "ß", "東", "京", "😀", "👩‍👩‍👧", "\u{301}", "\"", "\\", "\t", "ק",
      "\u{200B}",
    ]
    var records: [UInt8] = []
    var originals: [Document] = []
    for i in 0..<200 {
      let n = Int(rng.next() % 40)
      let text = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
      var meta = Metadata()
      meta["n"] = .integer(i)
      meta["name"] = .string("doc \"\(i)\" ✓")
      meta["score"] = .number(Double(i) / 8)
      meta["tags"] = .list([.string("x"), .bool(i % 2 == 0)])
      let doc = Document(id: "d\(i)", text: text, meta: meta)
      // Spans on scalar boundaries, overlapping at random, with labels and attributes.
      let bounds =
        [0]
        + text.unicodeScalars.indices.map { text.utf8.distance(from: text.utf8.startIndex, to: $0) }
        + [doc.byteCount]
      for _ in 0..<Int(rng.next() % 6) {
        let a = bounds[Int(rng.next() % UInt64(bounds.count))]
        let b = bounds[Int(rng.next() % UInt64(bounds.count))]
        doc.add(
          Span(
            start: min(a, b), end: max(a, b), label: rng.next() % 2 == 0 ? "L\(a)" : nil,
            attributes: [("w", .integer(b))]),
          to: rng.next() % 2 == 0 ? "entity" : "other")
      }
      originals.append(doc)
      records += doc.jsonRecord(offsets: i % 2 == 0 ? .codepoints : .bytes) + [0x0A]
    }
    let s = try Scratch(["out.jsonl": records])
    defer { s.clean() }
    let (back, warnings) = try s.read(["out.jsonl"])
    #expect(warnings.isEmpty)
    #expect(back.count == originals.count)
    for (a, b) in zip(originals, back) {
      #expect(a.id == b.id)
      #expect(a.text == b.text)
      #expect(a.meta == b.meta)
      #expect(a.layerNames == b.layerNames)
      for name in a.layerNames { #expect(a.layer(name) == b.layer(name)) }
    }
  }
}

@Suite("Sentences") struct SentenceTests {
  func sentences(_ s: String) -> [String] {
    let bytes = Array(s.utf8)
    return Sentences.split(s).map { String(decoding: bytes[$0], as: UTF8.self) }
  }

  @Test(
    "abbreviations, initials, decimals, quotes, CJK and blank lines",
    arguments: [
      (
        "Mr. Smith went to Washington. He met Dr. Jones.",
        ["Mr. Smith went to Washington.", "He met Dr. Jones."]
      ),
      (
        "The U.S. economy grew 3.5 per cent. The U.S. The end.",
        ["The U.S. economy grew 3.5 per cent.", "The U.S.", "The end."]
      ),
      ("J. K. Rowling wrote it. It sold.", ["J. K. Rowling wrote it.", "It sold."]),
      (
        "It was Jan. 5 at 5 p.m. and cold. \"Why?\" she asked. No. 10 said no.",
        ["It was Jan. 5 at 5 p.m. and cold.", "\"Why?\" she asked.", "No. 10 said no."]
      ),
      (
        "Headline without stop\n\nFirst line of text.",
        ["Headline without stop", "First line of text."]
      ),
      ("Hard wrapped\nline goes on. Next one!", ["Hard wrapped\nline goes on.", "Next one!"]),
      ("東京は晴れ。大阪は雨！", ["東京は晴れ。", "大阪は雨！"]),
      ("Wait... what? Yes.", ["Wait... what?", "Yes."]),
      ("Apple Inc. Reports rose.", ["Apple Inc. Reports rose."]),
    ])
  func cases(text: String, expected: [String]) {
    #expect(sentences(text) == expected)
  }
}
