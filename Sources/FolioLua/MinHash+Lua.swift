import FolioCore
import LuaRuntime

extension FolioLua {
  /// `folio.minhash_clusters(signatures [, {threshold = 0.8, bands = 16}])` → a List with, per signature, `{first = i, similarity = s}` (the earlier signature it duplicates) or false.
  static func minhashClusters(_ L: LuaState) throws(LuaHostError) -> Int32 {
    try L.checkTable(1)
    var threshold = 0.8
    var bands = 16
    if !L.isNoneOrNil(2) {
      try L.checkTable(2)
      if L.rawGet(2, "threshold") != .nil { threshold = L.number(at: -1) ?? threshold }
      L.pop()
      bands = try L.integerField(2, "bands", bands, in: 1...1024)
    }
    var signatures: [[Int]] = []
    for i in 0..<L.rawLength(1) {
      guard L.rawGet(1, i + 1) == .table else {
        L.pop()
        throw .argument(1, "signature \(i + 1) is not a list of integers")
      }
      signatures.append(
        (0..<L.rawLength(-1)).map { k in
          L.rawGet(-1, k + 1)
          defer { L.pop() }
          return L.integer(at: -1) ?? 0
        })
      L.pop()
    }
    let clusters = MinHashClusters.clusters(
      signatures, threshold: threshold, bands: max(1, bands), stop: { L.limitsTripped })
    if L.limitsTripped { return 0 }  // the trampoline raises the limit's error
    L.newTable(array: Int32(clamping: clusters.count))
    for (i, c) in clusters.enumerated() {
      if let c {
        L.newTable(hash: 2)
        L.pushInteger(c.first + 1)
        L.rawSet(-2, "first")
        L.pushNumber(c.similarity)
        L.rawSet(-2, "similarity")
      } else {
        L.pushBool(false)
      }
      L.rawSet(-2, i + 1)
    }
    makeList(L)
    return 1
  }
}
