import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The HTML and SVG pages reports draw: self-contained, well-formed XML, pinned by golden files
/// in `Tests/FolioCLITests/golden/` (`FOLIO_UPDATE_TRANSCRIPTS=1` rewrites them).
@Suite("HTML and SVG pages", .serialized) struct PageTests {
  final class Checker: NSObject, XMLParserDelegate {
    var elements = 0
    var external: [String] = []
    func parser(
      _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
      qualifiedName: String?, attributes: [String: String] = [:]
    ) {
      elements += 1
      for (k, v) in attributes where ["src", "href"].contains(k) && v.contains("://") {
        external.append(v)
      }
    }
  }

  /// Parses `text` as XML; returns the number of elements, recording an issue when it is not well-formed or reaches out to the network.
  @discardableResult
  func wellFormed(_ text: String, _ name: String) -> Int {
    // XML has no HTML doctype: parse what follows it.
    let xml = text.replacingOccurrences(of: "<!DOCTYPE html>\n", with: "")
    let parser = XMLParser(data: Data(xml.utf8))
    let checker = Checker()
    parser.delegate = checker
    #expect(
      parser.parse(), "\(name) is not well-formed XML: \(String(describing: parser.parserError))")
    #expect(checker.external == [], "\(name) loads from the network")
    return checker.elements
  }

  func golden(_ name: String, _ text: String) throws {
    let url = CLI.root.appendingPathComponent("Tests/FolioCLITests/golden/\(name)")
    if ProcessInfo.processInfo.environment["FOLIO_UPDATE_TRANSCRIPTS"] == "1" {
      try Data(text.utf8).write(to: url)
      return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(text == expected, "\(name) differs from its golden file")
  }

  func page(_ plugins: [String], _ ext: String) throws -> String {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent(
      "folio-page-\(UUID()).\(ext)")
    defer { try? FileManager.default.removeItem(at: out) }
    var arguments = ["run", "Examples/news", "-j", "1", "-q", "-o", out.path]
    for p in plugins { arguments += ["-p", p] }
    let r = try CLI.run(arguments)
    #expect(r.status == 0, "\(r.stderr)")
    return try String(contentsOf: out, encoding: .utf8)
  }

  @Test("timeline draws an SVG line chart")
  func timelineSVG() throws {
    let svg = try page(["inline-date", "timeline:word=strike"], "svg")
    #expect(wellFormed(svg, "timeline.svg") > 40)
    try golden("timeline.svg", svg)
  }

  @Test("highlight draws an HTML page of the documents with their entities and dates")
  func highlightHTML() throws {
    let html = try page(
      ["inline-date", "strip-boilerplate", "entities", "dates", "highlight:limit=3"], "html")
    #expect(wellFormed(html, "highlight.html") > 50)
    #expect(
      html.contains(
        "<mark class=\"c3\">Marta Quintela<span class=\"label\">entity:PERSON</span></mark>"))
    try golden("highlight.html", html)
  }

  @Test("dispersion draws an SVG dispersion plot")
  func dispersionSVG() throws {
    let svg = try page(["inline-date", "strip-boilerplate", "dispersion:word=strike"], "svg")
    #expect(wellFormed(svg, "dispersion.svg") > 20)
    try golden("dispersion.svg", svg)
  }

  @Test("any report as an HTML page with its table, or an SVG bar chart")
  func genericPages() throws {
    let html = try page(["wordfreq:top=5"], "html")
    wellFormed(html, "wordfreq.html")
    #expect(html.contains("<tr><td>1</td><td>the</td><td>186</td><td>78118.4</td></tr>"))
    #expect(html.contains("<dl class=\"provenance\">\n<dt>plugin</dt><dd>wordfreq</dd>"))
    let svg = try page(["wordfreq:top=5"], "svg")
    wellFormed(svg, "wordfreq.svg")
    try golden("wordfreq.svg", svg)
  }
}
