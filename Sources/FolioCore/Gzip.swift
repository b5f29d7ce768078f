import CZlib

/// gzip decompression (RFC 1952) with zlib, for `.gz` corpus files.
public enum Gzip {
  /// Why a gzip stream could not be read.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// Whether `bytes` starts with the gzip magic number.
  public static func isGzip(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
  }

  /// Output past this many bytes must stay within `maxRatio` times the input.
  public static let ratioFloor = 16 << 20
  /// The most a gzip file may expand once past `ratioFloor`: real text compresses 3 to 10
  /// times, a decompression bomb a thousand.
  public static let maxRatio = 100

  /// Decompresses every member of a gzip file (concatenated members, as `cat a.gz b.gz` makes,
  /// are read one after another), in 256 KiB steps, stopping with a Failure once the output
  /// passes `limit` bytes or expands more than `maxRatio` times past `ratioFloor`.
  public static func decompress(_ input: [UInt8], limit: Int = .max) throws(Failure) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(min(input.count * 4, limit))
    var stream = z_stream()
    // 16 + MAX_WBITS: a gzip wrapper, not a zlib one.
    guard
      inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        == Z_OK
    else { throw Failure(description: "zlib could not start") }
    defer { inflateEnd(&stream) }
    var chunk = [UInt8](repeating: 0, count: 1 << 18)
    var failure: Failure?
    input.withUnsafeBufferPointer { source in
      stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
      stream.avail_in = UInt32(source.count)
      while failure == nil {
        let status = chunk.withUnsafeMutableBufferPointer { out -> Int32 in
          stream.next_out = out.baseAddress
          stream.avail_out = UInt32(out.count)
          return inflate(&stream, Z_NO_FLUSH)
        }
        let produced = chunk.count - Int(stream.avail_out)
        output += chunk[0..<produced]
        if output.count > limit {
          failure = Failure(
            description:
              "it expands past \(limit >> 20) MiB, the most a document may have (--max-document-size)"
          )
          return
        }
        // Against the input read so far, so that a bomb stops at the floor, not at a hundred
        // times the whole file.
        let consumed = source.count - Int(stream.avail_in)
        if output.count > ratioFloor && output.count / maxRatio > consumed {
          failure = Failure(
            description:
              "it expands more than \(maxRatio) times (\(output.count >> 20) MiB from \(consumed >> 10) KiB so far): a decompression bomb, not text"
          )
          return
        }
        switch status {
        case Z_STREAM_END:
          // Another member may follow; trailing zero padding ends the file.
          guard stream.avail_in > 0, stream.next_in.pointee != 0 else { return }
          inflateReset(&stream)
        case Z_OK:
          if produced == 0 && stream.avail_in == 0 {
            failure = Failure(description: "the gzip stream is truncated")
          }
        case Z_BUF_ERROR:
          failure = Failure(description: "the gzip stream is truncated")
        default:
          let why = stream.msg.map { String(cString: $0) } ?? "error \(status)"
          failure = Failure(description: "the gzip stream is damaged (\(why))")
        }
      }
    }
    if let failure { throw failure }
    return output
  }
}

extension Gzip {
  /// `input` as one gzip member at the best compression (no name, time 0: the same bytes give
  /// the same file).
  public static func compress(_ input: [UInt8]) throws(Failure) -> [UInt8] {
    var stream = z_stream()
    guard
      deflateInit2_(
        &stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY,
        ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { throw Failure(description: "zlib could not start") }
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
    let status = input.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { out -> Int32 in
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
        stream.avail_in = UInt32(source.count)
        stream.next_out = out.baseAddress
        stream.avail_out = UInt32(out.count)
        return deflate(&stream, Z_FINISH)
      }
    }
    guard status == Z_STREAM_END else { throw Failure(description: "zlib could not compress") }
    output.removeLast(Int(stream.avail_out))
    return output
  }
}
