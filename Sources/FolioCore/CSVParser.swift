/// RFC 4180 records: fields separated by `separator`, quoted fields may hold separators,
/// doubled quotes and line breaks; CRLF or LF ends a record.
public enum CSVParser {
  /// A record and the line it starts on (1-based).
  public struct Record: Sendable, Equatable {
    public var fields: [String]
    public var line: Int
  }

  /// A quote that does not close a field properly.
  ///
  /// It is never closed, or closed with more text after it in the same field. The field is read
  /// again with the quote as plain text, from `line` on, so the rows after it are not swallowed.
  public struct BadQuote: Sendable, Equatable {
    /// The line where the quote opened (1-based).
    public var line: Int
    /// The line where the quoted part ended, when it ended.
    public var closedAt: Int?
    public init(line: Int, closedAt: Int?) {
      self.line = line
      self.closedAt = closedAt
    }

    public var message: String {
      if let closedAt {
        return
          "a quote opens a field here and closes on line \(closedAt) with text after it; read with the quote as text"
      }
      return "a quoted field is never closed; read with the quote as text"
    }
  }

  /// The records of `text`, quoting problems left out.
  public static func parse(_ text: String, separator: UInt8 = 0x2C) -> [Record] {
    var problems: [BadQuote] = []
    return parse(text, separator: separator, problems: &problems)
  }

  /// The records of `text`; quoting problems go to `problems`, each row read as well as it can
  /// be (a stray quote is text, as in most spreadsheets).
  public static func parse(
    _ text: String, separator: UInt8 = 0x2C, problems: inout [BadQuote]
  ) -> [Record] {
    var records: [Record] = []
    var fields: [String] = []
    var field: [UInt8] = []
    var line = 1
    var recordLine = 1
    var quoted = false
    var quoteLine = 0
    var quoteAt = 0  // the byte index of the open quote
    var fieldsAtQuote = 0
    var literalQuoteAt = -1  // a quote to read as text (after a bad quote was found)
    var closedQuote = false  // the field's quoted part has ended
    var atFieldStart = true
    let bytes = Array(text.utf8)
    var i = 0
    func endField() {
      fields.append(String(decoding: field, as: UTF8.self))
      field.removeAll(keepingCapacity: true)
      atFieldStart = true
      closedQuote = false
    }
    func endRecord() {
      endField()
      if !(fields.count == 1 && fields[0].isEmpty) {
        records.append(Record(fields: fields, line: recordLine))
      }
      fields.removeAll(keepingCapacity: true)
    }
    /// Reads again from the open quote, this time as text.
    func rewind(closedAt: Int?) {
      problems.append(BadQuote(line: quoteLine, closedAt: closedAt))
      fields.removeSubrange(fieldsAtQuote...)
      field.removeAll(keepingCapacity: true)
      literalQuoteAt = quoteAt
      i = quoteAt
      line = quoteLine
      quoted = false
      closedQuote = false
      atFieldStart = true
    }
    while true {
      while i < bytes.count {
        let b = bytes[i]
        if quoted {
          if b == 0x22 {
            if i + 1 < bytes.count, bytes[i + 1] == 0x22 {
              field.append(0x22)
              i += 2
              continue
            }
            quoted = false
            closedQuote = true
          } else {
            if b == 0x0A { line += 1 }
            field.append(b)
          }
          i += 1
          continue
        }
        switch b {
        case 0x22 where atFieldStart && i != literalQuoteAt:
          quoted = true
          quoteLine = line
          quoteAt = i
          fieldsAtQuote = fields.count
          atFieldStart = false
        case separator:
          endField()
        case 0x0D where i + 1 < bytes.count && bytes[i + 1] == 0x0A:
          break
        case 0x0A:
          endRecord()
          line += 1
          recordLine = line
        default:
          if closedQuote && line > quoteLine {
            // `"hello` on one row and a quote many rows later: the quote that opened was not
            // meant to, and the rows between were swallowed.
            rewind(closedAt: line)
            continue
          }
          field.append(b)
          atFieldStart = false
        }
        i += 1
      }
      // A quote still open at the end: read again from it, with the quote as text.
      if quoted {
        rewind(closedAt: nil)
        continue
      }
      break
    }
    if !field.isEmpty || !fields.isEmpty { endRecord() }
    return records
  }
}
