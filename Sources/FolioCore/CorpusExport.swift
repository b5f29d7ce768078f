import Foundation

/// Writes documents out as `folio corpus export` does, atomically.
public struct CorpusExport {
  public enum Format: String, Sendable { case jsonl, txt, csv, tokens, conllu, vrt }

  private enum Sink {
    case file(AtomicFile)
    case folder(AtomicDirectory)
  }

  private let sink: Sink
  private let format: Format
  private let offsets: OffsetUnit
  private let layers: [String]?
  private var names: Set<String> = []
  public private(set) var documents = 0

  public init(path: String, format: Format, offsets: OffsetUnit, layers: [String]?)
    throws(AtomicFile.Failure)
  {
    self.format = format
    self.offsets = offsets
    self.layers = layers
    sink =
      format == .txt ? .folder(try AtomicDirectory(path: path)) : .file(try AtomicFile(path: path))
    if case .file(let f) = sink, format == .csv {
      try f.write("id,layer,start,end,text,label,attrs\n")
    }
    if case .file(let f) = sink, format == .tokens { try f.write(Document.tokenHeader) }
  }

  public mutating func write(_ document: Document) throws(AtomicFile.Failure) {
    documents += 1
    switch (sink, format) {
    case (.file(let f), .jsonl):
      try f.write(document.jsonRecord(offsets: offsets))
      try f.write(CollectionOfOne(UInt8(0x0A)))
    case (.file(let f), .conllu):
      try f.write(document.conllu())
    case (.file(let f), .vrt):
      try f.write(document.vrt())
    case (.file(let f), .tokens):
      try f.write(document.tokenRows(offsets: offsets))
    case (.file(let f), _):
      try f.write(csvRows(document))
    case (.folder(let d), _):
      var name = document.id.replacingOccurrences(of: "..", with: "__")
      if !name.lowercased().hasSuffix(".txt") { name += ".txt" }
      // Two records of one file may not share a name.
      var unique = name
      var n = 2
      while !names.insert(unique).inserted {
        unique = String(name.dropLast(4)) + "-\(n).txt"
        n += 1
      }
      try d.write(unique, Array(document.text.utf8) + (document.text.hasSuffix("\n") ? [] : [0x0A]))
    }
  }

  /// One CSV row a span (RFC 4180 quoting).
  private func csvRows(_ document: Document) -> String {
    let field = TableFormat.csvEscape
    let utf8 = Array(document.text.utf8)
    let codepoints = offsets == .codepoints ? document.codepointOffsets() : []
    func at(_ byte: Int) -> Int { offsets == .codepoints ? codepoints[byte] : byte }
    var out = ""
    for name in layers ?? document.layerNames {
      let spans =
        name == "token" && document.layer(name) == nil
        ? document.tokens.map { Span(start: Int($0.start), end: Int($0.end), label: $0.kind.name) }
        : document.spans(name)
      for span in spans {
        var attrs = ""
        if !span.attributes.isEmpty {
          var w = JSONWriter(capacity: 64)
          w.object(span.attributes)
          attrs = String(decoding: w.bytes, as: UTF8.self)
        }
        let text = String(decoding: utf8[span.start..<span.end], as: UTF8.self)
        out +=
          [
            field(document.id), field(name), String(at(span.start)), String(at(span.end)),
            field(text),
            field(span.label ?? ""), field(attrs),
          ].joined(separator: ",") + "\n"
      }
    }
    return out
  }

  public func commit() throws(AtomicFile.Failure) {
    switch sink {
    case .file(let f): try f.commit()
    case .folder(let d): try d.commit()
    }
  }

  public func cancel() {
    switch sink {
    case .file(let f): f.cancel()
    case .folder(let d): d.cancel()
    }
  }
}
