"""Statistics for 2x2 tables (behaviour present/absent x won/lost), vectorised over many features.

Cells, per feature: a = won with, b = lost with, c = won without, d = lost without.

- Risk ratio (win rate with / win rate without) with the Katz log interval
  (Katz et al., Biometrics 1978): SE(log RR) = sqrt(1/a - 1/(a+b) + 1/c - 1/(c+d)).
- Odds ratio with the Woolf log interval: SE(log OR) = sqrt(1/a + 1/b + 1/c + 1/d).
- When a cell is 0 the interval uses the Haldane-Anscombe correction (0.5 added to every cell of that
  table) so it stays finite; point estimates use the raw counts.
- Fisher's exact test, two-sided (scipy), and Benjamini-Hochberg (1995) false discovery rate control.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

FloatArray = npt.NDArray[np.float64]

Z95 = 1.959963984540054  # two-sided 95% normal quantile


@dataclass(frozen=True, slots=True)
class Ratio:
    """A ratio estimate with its 95% interval (arrays, one entry per feature; NaN when undefined)."""

    estimate: FloatArray
    low: FloatArray
    high: FloatArray


def _corrected(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray) -> tuple[FloatArray, ...]:
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    add = np.where(zero, 0.5, 0.0)
    return a + add, b + add, c + add, d + add


def risk_ratio(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray) -> Ratio:
    """Ratio of proportions a/(a+b) over c/(c+d), with the Katz 95% interval."""
    with np.errstate(divide="ignore", invalid="ignore"):
        est = (a / (a + b)) / (c / (c + d))
        ac, bc, cc, dc = _corrected(a, b, c, d)
        log_rr = np.log((ac / (ac + bc)) / (cc / (cc + dc)))
        se = np.sqrt(1 / ac - 1 / (ac + bc) + 1 / cc - 1 / (cc + dc))
        return Ratio(est, np.exp(log_rr - Z95 * se), np.exp(log_rr + Z95 * se))


def odds_ratio(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray) -> Ratio:
    """Odds ratio (a*d)/(b*c) with the Woolf 95% interval."""
    with np.errstate(divide="ignore", invalid="ignore"):
        est = (a * d) / (b * c)
        ac, bc, cc, dc = _corrected(a, b, c, d)
        log_or = np.log((ac * dc) / (bc * cc))
        se = np.sqrt(1 / ac + 1 / bc + 1 / cc + 1 / dc)
        return Ratio(est, np.exp(log_or - Z95 * se), np.exp(log_or + Z95 * se))


def fisher_exact_p(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray) -> FloatArray:
    """Two-sided Fisher exact p-value per table (one scipy call per feature; features are few)."""
    out = np.empty(a.shape[0], dtype=np.float64)
    for i in range(a.shape[0]):
        table = [[int(a[i]), int(b[i])], [int(c[i]), int(d[i])]]
        out[i] = float(sps.fisher_exact(table, alternative="two-sided").pvalue)
    return out


def benjamini_hochberg(p: FloatArray) -> FloatArray:
    """BH-adjusted p-values (q-values); NaN entries are left out of the family and stay NaN."""
    q = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return q
    pv = p[ok]
    order = np.argsort(pv)
    ranked = pv[order] * m / np.arange(1, m + 1)
    # step-up: q_(i) = min over j >= i of p_(j) * m / j
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    res = np.empty(m)
    res[order] = np.minimum(adjusted, 1.0)
    q[ok] = res
    return q


__all__ = ["Ratio", "Z95", "benjamini_hochberg", "fisher_exact_p", "odds_ratio", "risk_ratio"]
