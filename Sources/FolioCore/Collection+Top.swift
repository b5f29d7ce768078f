extension Sequence {
  /// The first `limit` elements in the order `before` defines, without sorting everything when
  /// `limit` is small: a bounded binary insertion, or a full sort when most elements are kept.
  public func top(_ limit: Int, by before: (Element, Element) -> Bool) -> [Element] {
    let all = Array(self)
    guard limit > 0 else { return [] }
    if limit >= all.count / 4 { return Array(all.sorted(by: before).prefix(limit)) }
    var best: [Element] = []
    best.reserveCapacity(limit + 1)
    for item in all {
      if best.count == limit, let last = best.last, !before(item, last) { continue }
      var lo = 0
      var hi = best.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if before(best[mid], item) { lo = mid + 1 } else { hi = mid }
      }
      best.insert(item, at: lo)
      if best.count > limit { best.removeLast() }
    }
    return best
  }
}
