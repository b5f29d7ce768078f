/// Near-duplicate clusters from MinHash signatures, by locality-sensitive hashing.
public enum MinHashClusters {
  /// For each signature, the first earlier signature of its cluster and their estimated similarity, or nil when it starts a cluster of its own.
  ///
  /// Candidate pairs share at least one of `bands` bands (equal slices of the signature);
  /// a candidate joins when the share of equal positions reaches `threshold`. Signatures are
  /// taken in order, so the first of a cluster is always the earliest.
  ///
  /// `stop` is asked every 1,024 comparisons: signatures that share a band with thousands of
  /// others make the work quadratic.
  public static func clusters(
    _ signatures: [[Int]], threshold: Double, bands: Int, stop: () -> Bool = { false }
  )
    -> [(first: Int, similarity: Double)?]
  {
    var compared = 0
    var result: [(first: Int, similarity: Double)?] = Array(repeating: nil, count: signatures.count)
    var buckets: [[Int]: [Int]] = [:]
    for (i, signature) in signatures.enumerated() {
      let rows = max(1, signature.count / max(1, bands))
      if i % 64 == 63 && stop() { return result }
      var candidates = Set<Int>()
      for band in 0..<max(1, bands) where band * rows < signature.count {
        let key = [band] + signature[(band * rows)..<min(signature.count, band * rows + rows)]
        candidates.formUnion(buckets[key] ?? [])
        buckets[key, default: []].append(i)
      }
      for j in candidates.sorted() {
        compared += 1
        if compared % 1024 == 0 && stop() { return result }
        let other = signatures[j]
        let same = zip(signature, other).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        let similarity = Double(same) / Double(max(1, signature.count))
        if similarity >= threshold {
          // The earlier one is already final: a cluster's first document has no first of its own.
          result[i] = (result[j]?.first ?? j, similarity)
          break
        }
      }
    }
    return result
  }
}
