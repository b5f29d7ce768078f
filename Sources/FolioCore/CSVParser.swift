/// RFC 4180 records: fields separated by `separator`, quoted fields may hold separators,
/// doubled quotes and line breaks; CRLF or LF ends a record.
public enum CSVParser {
  /// A record and the line it starts on (1-based).
  public struct Record: Sendable, Equatable {
    public var fields: [String]
    public var line: Int
  }

  /// A quote that is never closed: the line where the field started.
  public struct Unterminated: Error, Sendable, Equatable {
    public var line: Int
    public init(line: Int) { self.line = line }
  }

  public static func parse(_ text: String, separator: UInt8 = 0x2C) throws(Unterminated) -> [Record]
  {
    var records: [Record] = []
    var fields: [String] = []
    var field: [UInt8] = []
    var line = 1
    var recordLine = 1
    var quoted = false
    var quoteLine = 0
    var atFieldStart = true
    let bytes = Array(text.utf8)
    var i = 0
    func endField() {
      fields.append(String(decoding: field, as: UTF8.self))
      field.removeAll(keepingCapacity: true)
      atFieldStart = true
    }
    func endRecord() {
      endField()
      if !(fields.count == 1 && fields[0].isEmpty) {
        records.append(Record(fields: fields, line: recordLine))
      }
      fields.removeAll(keepingCapacity: true)
    }
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
        } else {
          if b == 0x0A { line += 1 }
          field.append(b)
        }
        i += 1
        continue
      }
      switch b {
      case 0x22 where atFieldStart:
        quoted = true
        quoteLine = line
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
        field.append(b)
        atFieldStart = false
      }
      i += 1
    }
    if quoted { throw Unterminated(line: quoteLine) }
    if !field.isEmpty || !fields.isEmpty { endRecord() }
    return records
  }
}
