import FolioCore
import LuaRuntime

/// `folio.stats`: the measures of `Association`, the log ratio and the formulas, for reports'
/// provenance. o11, r1, c1 and n are those of `Association`.
extension FolioLua {
  /// `folio.stats.pmi(o11, r1, c1, n)` and the other measures (log-Dice needs no n).
  static func score(_ measure: Association, _ L: LuaState) throws(LuaHostError) -> Int32 {
    let o11 = try L.checkNumber(1)
    let r1 = try L.checkNumber(2)
    let c1 = try L.checkNumber(3)
    let n = measure == .logDice ? 0 : try L.checkNumber(4)
    L.pushNumber(measure.score(o11: o11, r1: r1, c1: c1, n: n))
    return 1
  }

  static func logRatio(_ L: LuaState) throws(LuaHostError) -> Int32 {
    L.pushNumber(
      Association.logRatio(
        try L.checkNumber(1), try L.checkNumber(2), try L.checkNumber(3), try L.checkNumber(4)))
    return 1
  }

  static func pValue(_ L: LuaState) throws(LuaHostError) -> Int32 {
    L.pushNumber(Association.pValue(try L.checkNumber(1)))
    return 1
  }

  /// Sets `formulas` (each measure's formula by name) in the table on top. Stack: [-0, +0, m]
  static func pushFormulas(_ L: LuaState) {
    L.newTable(hash: Int32(Association.allCases.count + 2))
    for measure in Association.allCases {
      L.pushString(measure.formula)
      L.rawSet(-2, measure.rawValue)
    }
    L.pushString(Association.logRatioFormula)
    L.rawSet(-2, "log_ratio")
    L.pushString(Association.pValueFormula)
    L.rawSet(-2, "p_value")
    L.rawSet(-2, "formulas")
  }
}
