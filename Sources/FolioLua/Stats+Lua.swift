import FolioCore
import LuaRuntime

extension FolioLua {
  /// Pushes the table `folio.stats` (the measures of `Association`, the log ratio, formulas).
  ///
  /// Stack: [-0, +1, m].
  /// o11, r1, c1 and n are those of `Association`; `folio.stats.formulas` names each formula,
  /// for reports' provenance.
  static func pushStats(_ vm: LuaVM) {
    let L = vm.state
    L.newTable(hash: 8)
    for measure in Association.allCases {
      vm.setFunction(measure.rawValue) { (L) throws(LuaHostError) -> Int32 in
        let o11 = try L.checkNumber(1)
        let r1 = try L.checkNumber(2)
        let c1 = try L.checkNumber(3)
        // log-Dice needs no n.
        let n = measure == .logDice ? 0 : try L.checkNumber(4)
        L.pushNumber(measure.score(o11: o11, r1: r1, c1: c1, n: n))
        return 1
      }
    }
    vm.setFunction("log_ratio") { (L) throws(LuaHostError) -> Int32 in
      L.pushNumber(
        Association.logRatio(
          try L.checkNumber(1), try L.checkNumber(2), try L.checkNumber(3), try L.checkNumber(4)))
      return 1
    }
    vm.setFunction("p_value") { (L) throws(LuaHostError) -> Int32 in
      L.pushNumber(Association.pValue(try L.checkNumber(1)))
      return 1
    }
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
