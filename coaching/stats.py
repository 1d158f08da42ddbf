"""Statistics for 2x2 tables (behaviour present/absent x won/lost), vectorised over many features.

Cells, per feature: a = won with, b = lost with, c = won without, d = lost without.

- Risk ratio (win rate with / win rate without) with the Katz log interval
  (Katz et al., Biometrics 1978): SE(log RR) = sqrt(1/a - 1/(a+b) + 1/c - 1/(c+d)).
- Odds ratio with the Woolf log interval: SE(log OR) = sqrt(1/a + 1/b + 1/c + 1/d).
- When a cell is 0 the interval uses the Haldane-Anscombe correction (0.5 added to every cell of that
  table) so it stays finite; point estimates use the raw counts.
- Fisher's exact test, two-sided (scipy), and Benjamini-Hochberg (1995) false discovery rate control
  (`scipy.stats.false_discovery_control`).

The intervals are statsmodels' `Table2x2` on the corrected counts; tests/coaching/test_stats_libraries.py
checks them against the closed forms above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# scipy and statsmodels are imported where they are used: they take a second or more to import,
# and most processes that import this module (the server, through the insights pages) never run a test.

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Ratio:
    """A ratio estimate with its 95% interval (arrays, one entry per feature; NaN when undefined)."""

    estimate: FloatArray
    low: FloatArray
    high: FloatArray


def _intervals(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray,
               kind: str) -> tuple[FloatArray, FloatArray]:
    """95% log-normal intervals per table from statsmodels (`kind`: "riskratio" or "oddsratio")."""
    from statsmodels.stats.contingency_tables import Table2x2

    low = np.empty(a.shape[0], dtype=np.float64)
    high = np.empty(a.shape[0], dtype=np.float64)
    cells = np.stack([a, b, c, d], axis=1).astype(np.float64)
    # Haldane-Anscombe: 0.5 added to every cell of a table with a zero cell. (Table2x2's own
    # `shift_zeros` replaces only the zero cells, which is not the published correction.)
    cells += np.where((cells == 0).any(axis=1, keepdims=True), 0.5, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(a.shape[0]):
            table = Table2x2(cells[i].reshape(2, 2), shift_zeros=False)
            lo, hi = getattr(table, f"{kind}_confint")(alpha=0.05, method="normal")
            low[i], high[i] = lo, hi
    return low, high


def risk_ratio(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray) -> Ratio:
    """Ratio of proportions a/(a+b) over c/(c+d), with the Katz 95% interval."""
    with np.errstate(divide="ignore", invalid="ignore"):
        est = (a / (a + b)) / (c / (c + d))
    return Ratio(est, *_intervals(a, b, c, d, "riskratio"))


def odds_ratio(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray) -> Ratio:
    """Odds ratio (a*d)/(b*c) with the Woolf 95% interval."""
    with np.errstate(divide="ignore", invalid="ignore"):
        est = (a * d) / (b * c)
    return Ratio(est, *_intervals(a, b, c, d, "oddsratio"))


def fisher_exact_p(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray) -> FloatArray:
    """Two-sided Fisher exact p-value per table (one scipy call per feature; features are few)."""
    from scipy import stats as sps

    out = np.empty(a.shape[0], dtype=np.float64)
    for i in range(a.shape[0]):
        table = [[int(a[i]), int(b[i])], [int(c[i]), int(d[i])]]
        out[i] = float(sps.fisher_exact(table, alternative="two-sided").pvalue)
    return out


def benjamini_hochberg(p: FloatArray) -> FloatArray:
    """BH-adjusted p-values (q-values); NaN entries are left out of the family and stay NaN."""
    q = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        from scipy import stats as sps

        q[ok] = sps.false_discovery_control(p[ok], method="bh")
    return q


__all__ = ["Ratio", "benjamini_hochberg", "fisher_exact_p", "odds_ratio", "risk_ratio"]
