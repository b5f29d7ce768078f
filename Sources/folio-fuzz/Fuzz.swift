// The readers' fuzz target for libFuzzer (`Scripts/fuzz`): built with -sanitize=fuzzer,address
// and -DFUZZING, it feeds each input to one reader, chosen by FOLIO_FUZZ_READER (text, html,
// jsonl, json, csv, tsv, xml, gzip), and checks what every reader promises: no crash, valid
// UTF-8 text, tokens and sentences inside it. Built normally, `folio-fuzz FILE...` replays
// inputs (a crash libFuzzer saved) without the sanitizers.
import FolioCore
import Foundation

private let reader: String = ProcessInfo.processInfo.environment["FOLIO_FUZZ_READER"] ?? "text"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  var bytes = Array(UnsafeBufferPointer(start: data, count: size))
  var name = "input." + (reader == "gzip" ? "txt" : reader)
  if reader == "gzip" {
    guard let unzipped = try? Gzip.decompress(bytes) else { return 0 }
    bytes = unzipped
  }
  if reader == "xml" { name = "input.sgm" }
  let entry = CorpusEntry(
    path: "/dev/null", id: name, folder: "", displayPath: name, bytes: size)
  let documents = CorpusReader().documents(bytes, name: name, entry: entry) { _ in }
  for document in documents {
    let count = document.byteCount
    precondition(String(validating: Array(document.text.utf8), as: UTF8.self) != nil)
    for token in document.tokens {
      precondition(token.start >= 0 && token.start < token.end && Int(token.end) <= count)
    }
    for sentence in document.sentences { precondition(sentence.upperBound <= count) }
    _ = document.jsonRecord()
  }
  return 0
}

#if FUZZING
  // SwiftPM links executables with main aliased to `<module>_main`; with -parse-as-library
  // nothing defines it, so it is defined here to start libFuzzer's driver.
  @_silgen_name("LLVMFuzzerRunDriver")
  func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
  ) -> CInt

  @_cdecl("folio_fuzz_main")
  func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
  ) -> CInt {
    var argc = argc
    var argv = argv
    return runDriver(&argc, &argv) { fuzz($0, $1) }
  }
#else
  @main
  struct Replay {
    static func main() {
      for path in CommandLine.arguments.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else {
          FileHandle.standardError.write(Data("folio-fuzz: cannot read \(path)\n".utf8))
          exit(66)
        }
        // One byte more, so that even an empty input has an address.
        let bytes = [UInt8](data) + [0]
        _ = bytes.withUnsafeBufferPointer { b in b.baseAddress.map { fuzz($0, b.count - 1) } }
        print("\(path): ok")
      }
    }
  }
#endif
