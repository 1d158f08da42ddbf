"""The coaching statistics come from maintained libraries (scipy's Benjamini-Hochberg, statsmodels'
Table2x2 intervals and Logit.conf_int); these tests pin that the results are the closed forms the
reports document, on every 2x2 table with cells 0..6 (zero cells included)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from coaching.stats import benjamini_hochberg, odds_ratio, risk_ratio

Z = 1.959963984540054


def closed_forms(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> dict[str, np.ndarray]:
    """Katz (risk ratio) and Woolf (odds ratio) log intervals with the Haldane-Anscombe correction."""
    add = np.where((a == 0) | (b == 0) | (c == 0) | (d == 0), 0.5, 0.0)
    ac, bc, cc, dc = a + add, b + add, c + add, d + add
    with np.errstate(divide="ignore", invalid="ignore"):
        log_rr = np.log((ac / (ac + bc)) / (cc / (cc + dc)))
        se_rr = np.sqrt(1 / ac - 1 / (ac + bc) + 1 / cc - 1 / (cc + dc))
        log_or = np.log((ac * dc) / (bc * cc))
        se_or = np.sqrt(1 / ac + 1 / bc + 1 / cc + 1 / dc)
        return {"rr": (a / (a + b)) / (c / (c + d)), "rr_low": np.exp(log_rr - Z * se_rr),
                "rr_high": np.exp(log_rr + Z * se_rr), "or": (a * d) / (b * c),
                "or_low": np.exp(log_or - Z * se_or), "or_high": np.exp(log_or + Z * se_or)}


def test_ratio_intervals_equal_the_closed_forms() -> None:
    cells = np.array(list(itertools.product(range(7), repeat=4)), dtype=float)
    a, b, c, d = cells.T
    want = closed_forms(a, b, c, d)
    rr, orr = risk_ratio(a, b, c, d), odds_ratio(a, b, c, d)
    got = {"rr": rr.estimate, "rr_low": rr.low, "rr_high": rr.high,
           "or": orr.estimate, "or_low": orr.low, "or_high": orr.high}
    for key, w in want.items():
        np.testing.assert_allclose(got[key], w, rtol=1e-12, equal_nan=True, err_msg=key)
        assert np.array_equal(np.isinf(got[key]), np.isinf(w)), key


def test_bh_equals_statsmodels_and_keeps_nan_out_of_the_family() -> None:
    rng = np.random.default_rng(7)
    for n in (1, 2, 5, 40):
        p = rng.random(n) ** 3
        np.testing.assert_allclose(benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1], rtol=1e-12)
    p = np.array([0.01, np.nan, 0.04, 0.03, np.nan, 0.5])
    q = benjamini_hochberg(p)
    assert np.isnan(q[1]) and np.isnan(q[4])
    np.testing.assert_allclose(q[[0, 2, 3, 5]], multipletests(p[[0, 2, 3, 5]], method="fdr_bh")[1], rtol=1e-12)
    assert np.isnan(benjamini_hochberg(np.array([np.nan]))).all()


def test_regression_intervals_are_wald_intervals() -> None:
    from coaching.features import FeatureColumns
    from coaching.regression import adjusted_odds_ratios

    rng = np.random.default_rng(11)
    n = 600
    talk = rng.normal(0.5, 0.1, n)
    won = (rng.random(n) < 1 / (1 + np.exp(-(talk - 0.5) * 8))).astype(float)
    cols = FeatureColumns.from_arrays(outcome=won, duration_s=rng.uniform(300, 3600, n),
                                      metrics={"talk_ratio": talk}, trackers={})
    result = adjusted_odds_ratios(cols, metrics=("talk_ratio",))
    assert result.terms, result.note
    term = result.terms[0]
    import statsmodels.api as sm

    z = (talk - talk.mean()) / talk.std()
    ld = np.log(cols.duration_s)
    x = sm.add_constant(np.column_stack([z, (ld - ld.mean()) / ld.std()]), has_constant="add")
    fit = sm.Logit(won, x).fit(disp=0)
    beta, se = float(fit.params[1]), float(fit.bse[1])
    assert term.odds_ratio == pytest.approx(np.exp(beta), rel=1e-9)
    assert term.ci[0] == pytest.approx(np.exp(beta - Z * se), rel=1e-9)
    assert term.ci[1] == pytest.approx(np.exp(beta + Z * se), rel=1e-9)
