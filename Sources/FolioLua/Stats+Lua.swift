extension FolioLua {
  /// `folio.stats`: association and keyness measures over a 2×2 contingency table.
  ///
  /// For a pair (w1, w2): o11 = pair count, r1 = count of w1, c1 = count of w2, n = tokens;
  /// o12 = r1 − o11, o21 = c1 − o11, o22 = n − r1 − c1 + o11, and e_ij = row_i × col_j / n.
  /// `folio.stats.formulas` names each formula, for reports' provenance.
  static let statsSource = #"""
    local stats = {}
    local log, sqrt = math.log, math.sqrt
    local function log2(x) return log(x, 2) end
    stats.formulas = {
      pmi = "log2(o11 / e11), e11 = r1 * c1 / n",
      t_score = "(o11 - e11) / sqrt(o11)",
      log_likelihood = "G2 = 2 * sum(o_ij * ln(o_ij / e_ij)) over the 2x2 table",
      chi2 = "n * (o11 * o22 - o12 * o21)^2 / (r1 * r2 * c1 * c2)",
      log_dice = "14 + log2(2 * o11 / (r1 + c1))",
      log_ratio = "log2((a / na) / (b / nb)), zero counts taken as 0.5",
    }
    local function table2(o11, r1, c1, n)
      return o11, r1 - o11, c1 - o11, n - r1 - c1 + o11
    end
    -- Pointwise mutual information, in bits.
    function stats.pmi(o11, r1, c1, n) return log2(o11 * n / (r1 * c1)) end
    -- t-score: how sure it is that the pair occurs more often than by chance.
    function stats.t_score(o11, r1, c1, n) return (o11 - r1 * c1 / n) / sqrt(o11) end
    -- Log-likelihood G² (Dunning 1993).
    function stats.log_likelihood(o11, r1, c1, n)
      local a, b, c, d = table2(o11, r1, c1, n)
      local r2, c2 = n - r1, n - c1
      local function term(o, e)
        if o <= 0 or e <= 0 then return 0 end
        return o * log(o / e)
      end
      return 2 * (term(a, r1 * c1 / n) + term(b, r1 * c2 / n) + term(c, r2 * c1 / n) + term(d, r2 * c2 / n))
    end
    -- Pearson's chi² of the 2×2 table.
    function stats.chi2(o11, r1, c1, n)
      local a, b, c, d = table2(o11, r1, c1, n)
      local den = r1 * (n - r1) * c1 * (n - c1)
      if den == 0 then return 0 end
      return n * (a * d - b * c) ^ 2 / den
    end
    -- log-Dice (Rychlý 2008): at most 14, independent of corpus size.
    function stats.log_dice(o11, r1, c1) return 14 + log2(2 * o11 / (r1 + c1)) end
    -- Log ratio (Hardie 2014) of a in na against b in nb, for keyness.
    function stats.log_ratio(a, na, b, nb)
      if a == 0 then a = 0.5 end
      if b == 0 then b = 0.5 end
      return log2((a / na) / (b / nb))
    end
    return stats
    """#
}
