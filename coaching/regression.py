"""Adjusted odds ratios: a logistic regression of winning on the main metrics, controlling for call
length (log duration) and rep (one indicator per rep with enough calls).

Metrics are standardised, so each odds ratio is "per one standard deviation" (the SD is reported).
Metrics missing in more than half of the calls, or constant, are left out (and named); rows with a
missing value in a kept metric are dropped. The fit is only run with at least 10 events (the rarer
outcome) per parameter (Peduzzi et al., J Clin Epidemiol 1996); otherwise the result says why not.
"""

from __future__ import annotations

import warnings
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coaching.features import FeatureColumns, FloatArray

# The behaviours a coach can change; the controls are added separately.
REGRESSION_METRICS: tuple[str, ...] = (
    "talk_ratio",
    "longest_monologue_s",
    "longest_customer_story_s",
    "interactivity",
    "patience_s",
    "question_count_rep",
    "open_question_count_rep",
    "open_questions_first_90s",
    "words_per_minute_rep",
    "filler_rate_rep",
)
EVENTS_PER_PARAMETER = 10


@dataclass(frozen=True, slots=True)
class AdjustedOddsRatio:
    """Odds ratio of winning per one SD (`sd`, in the metric's own unit) of `term`, others held fixed."""

    term: str
    odds_ratio: float
    ci: tuple[float, float]
    p_value: float
    sd: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "odds_ratio": round(self.odds_ratio, 4),
            "ci": [round(self.ci[0], 4), round(self.ci[1], 4)],
            "p_value": round(self.p_value, 6),
            "per_sd": round(self.sd, 4),
        }


@dataclass(slots=True)
class RegressionResult:
    """`terms` is empty when the model was not fitted; `note` then says why."""

    n: int
    terms: list[AdjustedOddsRatio]
    controls: list[str]
    dropped: list[str] = field(default_factory=list)
    note: str | None = None

    def term(self, name: str) -> AdjustedOddsRatio | None:
        return next((t for t in self.terms if t.term == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": "logistic regression (statsmodels Logit), metrics standardised",
            "n": self.n,
            "terms": [t.to_dict() for t in self.terms],
            "controls": list(self.controls),
            "dropped": list(self.dropped),
            "note": self.note,
        }


def _one_blas_thread() -> AbstractContextManager[object]:
    """The fit's matrix products are small; BLAS threads only fight the web server and other
    jobs for the cores (measured: 3-4x slower wall time on a busy 2-core machine)."""
    try:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn
    except ImportError:
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")  # type: ignore[no-any-return]


def adjusted_odds_ratios(
    cols: FeatureColumns, metrics: tuple[str, ...] = REGRESSION_METRICS, min_rep_calls: int = 20
) -> RegressionResult:
    """Fit win ~ standardised metrics + log(duration) + rep indicators on closed calls."""
    closed = ~np.isnan(cols.outcome)
    if not closed.any():
        return RegressionResult(0, [], [], [], "no closed calls")
    y_all = cols.outcome
    dropped: list[str] = []
    kept: list[str] = []
    for m in metrics:
        v = cols.metrics.get(m)
        if v is None:
            continue
        known = ~np.isnan(v) & closed
        if known.sum() < 0.5 * closed.sum() or np.nanstd(v[known]) == 0:
            dropped.append(m)
            continue
        kept.append(m)
    rows = closed.copy()
    for m in kept:
        rows &= ~np.isnan(cols.metrics[m])
    y = y_all[rows]
    n = int(rows.sum())
    columns: list[FloatArray] = []
    names: list[str] = []
    sds: list[float] = []
    for m in kept:
        v = cols.metrics[m][rows]
        sd = float(v.std())
        if sd == 0:
            dropped.append(m)
            continue
        columns.append((v - v.mean()) / sd)
        names.append(m)
        sds.append(sd)
    controls: list[str] = []
    dur = cols.duration_s[rows]
    if dur.size and np.all(dur > 0) and float(np.log(dur).std()) > 0:
        ld = np.log(dur)
        columns.append((ld - ld.mean()) / ld.std())
        controls.append("log(call length)")
    reps = cols.rep[rows]
    uniq, counts = np.unique(reps, return_counts=True)
    big = [r for r, c in zip(uniq.tolist(), counts.tolist(), strict=True) if c >= min_rep_calls and r != ""]
    # The first large rep, if every call belongs to a large rep, is the baseline; otherwise the pool.
    pooled = len(big) == 0 or counts[np.isin(uniq, big)].sum() < n
    for r in big if pooled else big[1:]:
        columns.append((reps == r).astype(np.float64))
        controls.append(f"rep={r}")
    n_params = len(columns) + 1
    events = int(min(y.sum(), n - y.sum())) if n else 0
    if not names:
        return RegressionResult(n, [], controls, dropped, "no metric with enough values to fit")
    if events < EVENTS_PER_PARAMETER * n_params:
        return RegressionResult(
            n, [], controls, dropped,
            f"not fitted: {events} calls of the rarer outcome for {n_params} parameters "
            f"(need {EVENTS_PER_PARAMETER} per parameter)",
        )
    import statsmodels.api as sm  # imported here: it takes seconds, and most commands never fit a model

    x = sm.add_constant(np.column_stack(columns), has_constant="add")
    try:
        with warnings.catch_warnings(), _one_blas_thread():
            warnings.simplefilter("ignore")
            fit = sm.Logit(y, x).fit(disp=0, maxiter=100)
    except Exception as exc:  # statsmodels raises several types on separation/singularity
        return RegressionResult(n, [], controls, dropped, f"not fitted: {exc}")
    params = np.asarray(fit.params)
    ci = np.exp(np.asarray(fit.conf_int(alpha=0.05)))  # Wald: params -/+ z(0.975) * bse
    pvalues = np.asarray(fit.pvalues)
    terms = [
        AdjustedOddsRatio(
            term=name,
            odds_ratio=float(np.exp(params[i + 1])),
            ci=(float(ci[i + 1, 0]), float(ci[i + 1, 1])),
            p_value=float(pvalues[i + 1]),
            sd=sds[i],
        )
        for i, name in enumerate(names)
    ]
    note = None if fit.mle_retvals.get("converged", True) else "did not converge: read with care"
    return RegressionResult(n, terms, controls, dropped, note)


__all__ = ["REGRESSION_METRICS", "AdjustedOddsRatio", "RegressionResult", "adjusted_odds_ratios"]
