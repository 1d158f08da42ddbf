"""Which behaviours go with won deals: effect sizes with intervals, corrected for many comparisons.

For every metric and tracker, calls are split in two by a comparison chosen *before* looking at
outcomes (a tracker present or absent; a metric inside a published band; or a metric at or above its
median over all calls), and the two groups' win rates are compared (see `coaching.stats`). A finding
needs `min_group` calls on each side (default 30) or it is reported as `insufficient_data`.
`significant` means a Benjamini-Hochberg adjusted Fisher p-value below `alpha` across all features
judged in the same run. A logistic regression over the main metrics, controlling for call length and
rep, adds adjusted odds ratios (`coaching.regression`).

Everything is NumPy over columns, so 100,000 calls take well under a second plus the regression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from coaching.features import TIMING_METRICS, BoolArray, CallFeatures, FeatureColumns
from coaching.regression import RegressionResult, adjusted_odds_ratios
from coaching.stats import benjamini_hochberg, fisher_exact_p, odds_ratio, risk_ratio
from transcription.display import percent, signed_percent
from transcription.display import rounded as _r
from transcription.errors import TalktrackError

Op = Literal["present", ">=", "<=", ">", "<"]


class InsightsFormatError(TalktrackError):
    """A stored or user-given insights JSON is not shaped like `InsightReport.to_dict()`."""

Status = Literal["finding", "insufficient_data", "not_applicable"]

# How each metric reads in a sentence; unit says how to print its threshold.
METRIC_LABELS: dict[str, tuple[str, str]] = {
    "talk_ratio": ("rep talk ratio", "percent"),
    "longest_monologue_s": ("longest rep monologue", "seconds"),
    "longest_customer_story_s": ("longest customer story", "seconds"),
    "interactivity": ("speaker switches per minute", "number"),
    "patience_s": ("rep's pause before answering", "seconds"),
    "interruptions_rep": ("times the rep interrupted", "count"),
    "interruptions_customer": ("times the customer interrupted", "count"),
    "question_count_rep": ("rep questions", "count"),
    "question_count_customer": ("customer questions", "count"),
    "open_question_count_rep": ("rep open questions", "count"),
    "open_questions_first_90s": ("open questions by the rep in the first 90 s", "count"),
    "first_question_s": ("time to the rep's first question", "seconds"),
    "words_per_minute_rep": ("rep words per minute", "number"),
    "filler_rate_rep": ("rep fillers per 100 words", "number"),
}

# Published bands used as comparisons (stated in the output with their source).
PUBLISHED_COMPARISONS: dict[str, tuple[Op, float, str]] = {
    "talk_ratio": ("<=", 0.65, "published band (Gong Labs: rep talk ratio above 65% hurts)"),
}
# Counts whose natural split is "did it happen at all".
PRESENCE_METRICS: frozenset[str] = frozenset({"open_questions_first_90s"})


@dataclass(frozen=True, slots=True)
class Comparison:
    """How calls are split for one feature. `feature` is a metric name or "tracker:<name>"."""

    feature: str
    op: Op
    threshold: float | None
    basis: str  # where the threshold comes from: "presence", "median of all calls", a published band

    @property
    def text(self) -> str:
        """Machine-readable form, e.g. "talk_ratio <= 0.65" or "tracker:pricing present"."""
        if self.op == "present":
            return f"{self.feature} present"
        return f"{self.feature} {self.op} {_num(self.threshold)}"

    @property
    def label(self) -> str:
        """What "with" means, in words."""
        if self.feature.startswith("tracker:"):
            return f"{self.feature.split(':', 1)[1].replace('_', ' ')} came up"
        name, unit = METRIC_LABELS.get(self.feature, (self.feature.replace("_", " "), "number"))
        words = {">=": "at least", "<=": "at most", ">": "more than", "<": "less than"}[self.op]
        if self.feature in PRESENCE_METRICS and self.op == ">=" and self.threshold == 1:
            return f"at least one {name.replace('open questions', 'open question')}"
        if self.feature in PRESENCE_METRICS and self.op == ">=":
            return f"at least {format_value(self.threshold, unit)} {name}"
        return f"{name} {words} {format_value(self.threshold, unit)}"


@dataclass(frozen=True, slots=True)
class InsightOptions:
    """Guards and choices for `compute_insights`; defaults are the documented ones."""

    min_group: int = 30  # calls needed on each side of a comparison
    alpha: float = 0.05  # false discovery rate for Benjamini-Hochberg
    regression: bool = True
    min_rep_calls: int = 20  # reps with fewer closed calls share one baseline in the regression


@dataclass(slots=True)
class Finding:
    """One feature's comparison. Rates are fractions; `lift` = win rate with / without - 1.

    `likelihood` = how much more often won calls show the feature than lost calls, minus 1
    (share of won calls with it / share of lost calls with it - 1). Intervals are 95%.
    """

    feature: str
    comparison: str
    basis: str
    label: str
    status: Status
    op: Op
    threshold: float | None
    n_with: int
    n_without: int
    won_with: int
    won_without: int
    win_rate_with: float | None
    win_rate_without: float | None
    lift: float | None
    lift_ci: tuple[float, float] | None
    odds_ratio: float | None
    odds_ratio_ci: tuple[float, float] | None
    likelihood: float | None
    likelihood_ci: tuple[float, float] | None
    p_value: float | None
    q_value: float | None
    significant: bool
    sentence: str = ""

    def holds_for(self, value: float | None) -> bool | None:
        """Whether a call with this feature value is on the "with" side (None when unknown)."""
        if value is None or np.isnan(value):
            return None
        if self.op == "present":
            return value > 0
        if self.threshold is None:
            return None
        t = self.threshold
        return bool({">=": value >= t, "<=": value <= t, ">": value > t, "<": value < t}[self.op])

    @property
    def risk_difference(self) -> float:
        """Win rate with minus without (0 when unknown): the absolute gain used to rank suggestions."""
        if self.win_rate_with is None or self.win_rate_without is None:
            return 0.0
        return self.win_rate_with - self.win_rate_without

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "comparison": self.comparison,
            "basis": self.basis,
            "label": self.label,
            "status": self.status,
            "threshold": self.threshold,
            "n_with": self.n_with,
            "n_without": self.n_without,
            "won_with": self.won_with,
            "won_without": self.won_without,
            "win_rate_with": _r(self.win_rate_with),
            "win_rate_without": _r(self.win_rate_without),
            "lift": _r(self.lift),
            "lift_ci": None if self.lift_ci is None else [_r(x) for x in self.lift_ci],
            "odds_ratio": _r(self.odds_ratio),
            "odds_ratio_ci": None if self.odds_ratio_ci is None else [_r(x) for x in self.odds_ratio_ci],
            "likelihood": _r(self.likelihood),
            "likelihood_ci": None if self.likelihood_ci is None else [_r(x) for x in self.likelihood_ci],
            "p_value": _r(self.p_value, 6),
            "q_value": _r(self.q_value, 6),
            "significant": self.significant,
            "sentence": self.sentence,
        }


@dataclass(slots=True)
class InsightReport:
    """All findings of one run, in the order of `comparisons`, plus the regression."""

    n_calls: int
    n_won: int
    n_lost: int
    options: InsightOptions
    findings: list[Finding]
    regression: RegressionResult | None
    notes: list[str] = field(default_factory=list)

    def finding(self, feature: str) -> Finding | None:
        return next((f for f in self.findings if f.feature == feature), None)

    @property
    def significant(self) -> list[Finding]:
        return [f for f in self.findings if f.significant]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InsightReport:
        """Read back `to_dict()` output (e.g. stored insights, `talktrack insights --json`). The
        regression is not restored (suggestions do not use it)."""
        try:
            options = InsightOptions(min_group=int(data.get("min_group", 30)), alpha=float(data.get("alpha", 0.05)),
                                     regression=False)
            findings = []
            for f in data["features"]:
                pair = {k: None if f.get(k) is None else (float(f[k][0]), float(f[k][1]))
                        for k in ("lift_ci", "odds_ratio_ci", "likelihood_ci")}
                op = str(f["comparison"]).split()[1] if " " in str(f["comparison"]) else "present"
                findings.append(Finding(
                    feature=f["feature"], comparison=f["comparison"], basis=f.get("basis", ""),
                    label=f.get("label", f["feature"]), status=f.get("status", "finding"),
                    op=op if op in (">=", "<=", ">", "<", "present") else "present",  # type: ignore[arg-type]
                    threshold=f.get("threshold"), n_with=int(f["n_with"]), n_without=int(f["n_without"]),
                    won_with=int(f.get("won_with", 0)), won_without=int(f.get("won_without", 0)),
                    win_rate_with=f.get("win_rate_with"), win_rate_without=f.get("win_rate_without"),
                    lift=f.get("lift"), lift_ci=pair["lift_ci"], odds_ratio=f.get("odds_ratio"),
                    odds_ratio_ci=pair["odds_ratio_ci"], likelihood=f.get("likelihood"),
                    likelihood_ci=pair["likelihood_ci"], p_value=f.get("p_value"), q_value=f.get("q_value"),
                    significant=bool(f["significant"]), sentence=f.get("sentence", ""),
                ))
            return cls(int(data["n_calls"]), int(data["n_won"]), int(data.get("n_lost", 0)), options, findings,
                       None, list(data.get("notes", [])))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise InsightsFormatError(f"not a Talktrack insights JSON: {exc!r}") from exc

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_calls": self.n_calls,
            "n_won": self.n_won,
            "n_lost": self.n_lost,
            "min_group": self.options.min_group,
            "alpha": self.options.alpha,
            "method": (
                "lift = win rate with / without - 1, 95% CI Katz log risk ratio; odds ratio with Woolf CI; "
                "Fisher exact two-sided p; Benjamini-Hochberg across features judged"
            ),
            "features": [f.to_dict() for f in self.findings],
            "regression": None if self.regression is None else self.regression.to_dict(),
            "notes": list(self.notes),
        }


def default_comparisons(columns: FeatureColumns) -> list[Comparison]:
    """One comparison per metric (published band, presence, or the median over all calls) and per tracker.

    Thresholds use every call, won, lost or open, and never the outcomes, so they cannot be tuned
    to the result.
    """
    comps: list[Comparison] = []
    for name, values in columns.metrics.items():
        if name in PUBLISHED_COMPARISONS:
            band_op, thr, basis = PUBLISHED_COMPARISONS[name]
            comps.append(Comparison(name, band_op, thr, basis))
            continue
        if name in PRESENCE_METRICS:
            comps.append(Comparison(name, ">=", 1.0, "presence (at least one)"))
            continue
        finite = values[~np.isnan(values)]
        if finite.size == 0:
            comps.append(Comparison(name, ">=", None, "median of all calls"))
            continue
        median = float(np.median(finite))
        # ">= median" puts ties with the top half; when the median is also the minimum (many zeros)
        # that would put everyone "with", so split at "> median" instead.
        op: Op = ">" if median <= float(finite.min()) else ">="
        comps.append(Comparison(name, op, median, "median of all calls"))
    for name in sorted(columns.trackers):
        comps.append(Comparison(f"tracker:{name}", "present", None, "presence"))
    return comps


def compute_insights(
    calls: Sequence[CallFeatures] | FeatureColumns,
    options: InsightOptions | None = None,
    comparisons: Sequence[Comparison] | None = None,
) -> InsightReport:
    """Compare won and lost calls on every feature. Open deals (outcome None/NaN) are left out."""
    options = options or InsightOptions()
    columns = calls if isinstance(calls, FeatureColumns) else FeatureColumns.from_features(calls)
    closed = ~np.isnan(columns.outcome)
    cols = columns.select(closed) if not closed.all() else columns
    comps = list(comparisons) if comparisons is not None else default_comparisons(cols)
    won = cols.outcome == 1.0
    n_won, n_calls = int(won.sum()), len(cols)

    masks: list[tuple[BoolArray, BoolArray] | None] = [_split(cols, c) for c in comps]
    k = len(comps)
    a, b, c, d = (np.zeros(k) for _ in range(4))
    for i, m in enumerate(masks):
        if m is None:
            continue
        with_, without = m
        a[i] = np.count_nonzero(with_ & won)
        b[i] = np.count_nonzero(with_ & ~won)
        c[i] = np.count_nonzero(without & won)
        d[i] = np.count_nonzero(without & ~won)
    n_with, n_without = a + b, c + d
    applicable = np.array([m is not None for m in masks])
    enough = applicable & (n_with >= options.min_group) & (n_without >= options.min_group)
    enough &= (a + c > 0) & (b + d > 0)  # both outcomes present

    rr = risk_ratio(a, b, c, d)
    orr = odds_ratio(a, b, c, d)
    lk = risk_ratio(a, c, b, d)  # share of won calls with it / share of lost calls with it
    p = np.full(k, np.nan)
    if enough.any():
        p[enough] = fisher_exact_p(a[enough], b[enough], c[enough], d[enough])
    q = benjamini_hochberg(p)

    findings: list[Finding] = []
    for i, comp in enumerate(comps):
        status: Status = "finding" if enough[i] else ("insufficient_data" if applicable[i] else "not_applicable")
        ok = status == "finding"
        f = Finding(
            feature=comp.feature,
            comparison=comp.text,
            basis=comp.basis,
            label=comp.label,
            status=status,
            op=comp.op,
            threshold=comp.threshold,
            n_with=int(n_with[i]),
            n_without=int(n_without[i]),
            won_with=int(a[i]),
            won_without=int(c[i]),
            win_rate_with=_safe(a[i] / n_with[i]) if n_with[i] else None,
            win_rate_without=_safe(c[i] / n_without[i]) if n_without[i] else None,
            lift=_safe(rr.estimate[i] - 1) if ok else None,
            lift_ci=(_f(rr.low[i] - 1), _f(rr.high[i] - 1)) if ok else None,
            odds_ratio=_safe(orr.estimate[i]) if ok else None,
            odds_ratio_ci=(_f(orr.low[i]), _f(orr.high[i])) if ok else None,
            likelihood=_safe(lk.estimate[i] - 1) if ok else None,
            likelihood_ci=(_f(lk.low[i] - 1), _f(lk.high[i] - 1)) if ok else None,
            p_value=_safe(p[i]) if ok else None,
            q_value=_safe(q[i]) if ok else None,
            significant=bool(ok and q[i] < options.alpha),
        )
        f.sentence = describe(f, options.min_group)
        findings.append(f)

    notes: list[str] = []
    na = [f.feature for f in findings if f.status == "not_applicable"]
    if na:
        timing = [x for x in na if x in TIMING_METRICS]
        note = "Not applicable (no values in these calls): " + ", ".join(na) + "."
        untimed = not isinstance(calls, FeatureColumns) and not any(c.has_timing for c in calls)
        if timing and untimed:
            note += " " + ", ".join(timing) + " need word timing, which these transcripts lack."
        notes.append(note)
    regression = adjusted_odds_ratios(cols, min_rep_calls=options.min_rep_calls) if options.regression else None
    return InsightReport(n_calls, n_won, n_calls - n_won, options, findings, regression, notes)


def _split(cols: FeatureColumns, comp: Comparison) -> tuple[BoolArray, BoolArray] | None:
    """(with, without) masks over the rows where the feature is known; None when it never is."""
    if comp.feature.startswith("tracker:"):
        hits = cols.trackers.get(comp.feature.split(":", 1)[1])
        if hits is None:
            return None
        return hits, ~hits
    values = cols.metrics.get(comp.feature)
    if values is None or comp.threshold is None:
        return None
    known = ~np.isnan(values)
    if not known.any():
        return None
    t = comp.threshold
    with np.errstate(invalid="ignore"):
        hit = {">=": values >= t, "<=": values <= t, ">": values > t, "<": values < t}.get(comp.op)
    if hit is None:
        hit = values > 0
    return hit & known, ~hit & known


def describe(f: Finding, min_group: int = 30) -> str:
    """One plain sentence for a finding, with its numbers."""
    if f.status == "not_applicable":
        return f"Does not apply: no call in this set has a value for {f.feature}."
    if f.status == "insufficient_data":
        return (
            f"Too few calls to judge '{f.label}': {f.n_with} with and {f.n_without} without "
            f"(at least {min_group} on each side are needed)."
        )
    assert f.likelihood is not None and f.likelihood_ci is not None and f.q_value is not None
    rates = (
        f"win rate {percent(f.win_rate_with, missing='n/a')} with vs {percent(f.win_rate_without, missing='n/a')} without, "
        f"n = {f.n_with} / {f.n_without}"
    )
    ci = f"95% CI {signed_percent(f.likelihood_ci[0])} to {signed_percent(f.likelihood_ci[1])}"
    if not f.significant:
        return (
            f"No reliable link between '{f.label}' and winning: won calls had it "
            f"{abs(f.likelihood) * 100:.0f}% {'more' if f.likelihood >= 0 else 'less'} often than lost calls "
            f"({ci}; {rates}; adjusted p = {f.q_value:.2g})."
        )
    more = "more" if f.likelihood > 0 else "less"
    return (
        f"Won calls were {abs(f.likelihood) * 100:.0f}% {more} likely than lost calls to have "
        f"'{f.label}' ({ci}; {rates}; adjusted p = {f.q_value:.2g})."
    )


def format_value(value: float | None, unit: str) -> str:
    """A metric value in its unit ("percent", "seconds", "count" or "number") for sentences."""
    if value is None:
        return "?"
    if unit == "percent":
        return f"{value * 100:.0f}%"
    if unit == "seconds":
        return f"{value:.0f} s" if value >= 10 else f"{value:.1f} s"
    if unit == "count":
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{value:.3g}"


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:.6g}"




def _safe(x: float) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _f(x: float) -> float:
    return float(x)




__all__ = [
    "METRIC_LABELS",
    "Comparison",
    "Finding",
    "InsightOptions",
    "InsightReport",
    "InsightsFormatError",
    "compute_insights",
    "default_comparisons",
    "describe",
    "format_value",
]
