import FolioCore
import Testing

@Suite("Metadata")
struct MetadataTests {
  @Test("keys are found, replaced and removed as a dictionary would, in order, past 32 keys too")
  func againstDictionary() {
    // Keys share lengths and first and last letters, so their filter bits collide often.
    let keys = (0..<60).map { "k" + String(repeating: "x", count: $0 % 7) + String($0 % 10) }
    var meta = Metadata()
    var expected: [String: Int] = [:]
    var order: [String] = []
    var state: UInt64 = 3
    for step in 0..<3_000 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let key = keys[Int((state >> 33) % UInt64(keys.count))]
      if step % 3 == 2 {
        meta[key] = nil
        expected[key] = nil
        order.removeAll { $0 == key }
      } else {
        meta[key] = .integer(step)
        if expected[key] == nil { order.append(key) }
        expected[key] = step
      }
      if step % 97 == 0 {
        for k in keys { #expect(meta[k] == expected[k].map { .integer($0) }, "\(k) at \(step)") }
        #expect(meta.keys == order)
      }
    }
  }
}
