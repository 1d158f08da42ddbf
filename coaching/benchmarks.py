"""How a rep runs calls compared with the team's won calls, or with published bands when the team
has too few won calls yet. Every band says where it comes from.

Learned band: the middle half (25th to 75th percentile) of the metric over the team's won calls,
used once at least `min_won` won calls have the metric. Published bands (Gong Labs' public research
on recorded sales calls): rep talk ratio about 43% in won deals, above 65% hurts; 11 to 14
questions per call; a longest customer story of 4 minutes or more is good, 50 s or less is poor.
Those were measured on English calls: on a call in another language they are shown labelled so
(`published_bands(language)`), and learned bands come from calls of the call's own language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from coaching.features import FeatureColumns

BenchStatus = Literal["below", "within", "above", "no_band", "no_data"]


@dataclass(frozen=True, slots=True)
class MetricBand:
    """`low`..`high` (either may be open). `source` says where it comes from; `n_won` is the number
    of won calls it was learned from (None for published bands)."""

    metric: str
    low: float | None
    high: float | None
    source: str
    n_won: int | None = None

    def status(self, value: float | None) -> BenchStatus:
        if value is None or np.isnan(value):
            return "no_data"
        if self.low is not None and value < self.low:
            return "below"
        if self.high is not None and value > self.high:
            return "above"
        return "within"

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "low": self.low, "high": self.high, "source": self.source,
                "n_won": self.n_won}


GONG = "Gong Labs (published)"
# A band's `source` (the call page shows it beside the band): a published band's figures, that band
# on a call in another language than English (`source`: the band's own), or the team's own won
# calls (`n` of them).
TALK_RATIO_SOURCE = GONG + ": rep talk ratio about {typical:.0%} in won deals; above {limit:.0%} hurts"
QUESTIONS_SOURCE = GONG + ": 11-14 questions per call"
CUSTOMER_STORY_SOURCE = GONG + ": longest customer story of 4 minutes or more is good, 50 s or less is poor"
ENGLISH_ONLY_SOURCE = "{source} (measured on English calls)"
TEAM_SOURCE = "team's won calls (middle 50%, n = {n})"
PUBLISHED_BANDS: dict[str, MetricBand] = {
    "talk_ratio": MetricBand("talk_ratio", None, 0.65, TALK_RATIO_SOURCE.format(typical=0.43, limit=0.65)),
    "question_count_rep": MetricBand("question_count_rep", 11.0, 14.0, QUESTIONS_SOURCE),
    "longest_customer_story_s": MetricBand("longest_customer_story_s", 50.0, None, CUSTOMER_STORY_SOURCE),
}


def published_bands(language: str = "en") -> dict[str, MetricBand]:
    """The published bands, labelled as measured on English calls when `language` is another one."""
    if language == "en":
        return PUBLISHED_BANDS
    return {name: MetricBand(b.metric, b.low, b.high, ENGLISH_ONLY_SOURCE.format(source=b.source), b.n_won)
            for name, b in PUBLISHED_BANDS.items()}


def learn_bands(columns: FeatureColumns, min_won: int = 30, language: str = "en") -> dict[str, MetricBand]:
    """One band per metric: the team's won calls when there are enough, else the published band
    (labelled as measured on English calls when `language`, that of the calls in `columns`, is
    another one)."""
    published = published_bands(language)
    won = columns.outcome == 1.0
    bands: dict[str, MetricBand] = {}
    for name, values in columns.metrics.items():
        v = values[won & ~np.isnan(values)]
        if v.size >= min_won:
            lo, hi = np.percentile(v, [25, 75])
            bands[name] = MetricBand(name, float(lo), float(hi), TEAM_SOURCE.format(n=v.size), int(v.size))
        elif name in published:
            bands[name] = published[name]
    return bands


@dataclass(frozen=True, slots=True)
class BenchmarkRow:
    metric: str
    rep_mean: float | None
    n_calls: int
    band: MetricBand | None
    status: BenchStatus

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "rep_mean": None if self.rep_mean is None else round(self.rep_mean, 4),
            "n_calls": self.n_calls,
            "band": None if self.band is None else self.band.to_dict(),
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class RepBenchmark:
    rep: str
    n_calls: int
    rows: tuple[BenchmarkRow, ...]

    def row(self, metric: str) -> BenchmarkRow | None:
        return next((r for r in self.rows if r.metric == metric), None)

    def to_dict(self) -> dict[str, Any]:
        return {"rep": self.rep, "n_calls": self.n_calls, "metrics": [r.to_dict() for r in self.rows]}


def rep_benchmark(
    columns: FeatureColumns, rep: str, bands: dict[str, MetricBand] | None = None, min_won: int = 30
) -> RepBenchmark:
    """The rep's mean per metric over all their calls, against `bands` (learned from `columns` if None)."""
    bands = bands if bands is not None else learn_bands(columns, min_won)
    mine = columns.rep == rep
    rows: list[BenchmarkRow] = []
    for name, values in columns.metrics.items():
        v = values[mine & ~np.isnan(values)]
        mean = float(v.mean()) if v.size else None
        band = bands.get(name)
        status: BenchStatus = "no_data" if mean is None else (band.status(mean) if band else "no_band")
        rows.append(BenchmarkRow(name, mean, int(v.size), band, status))
    return RepBenchmark(rep, int(mine.sum()), tuple(rows))


__all__ = ["PUBLISHED_BANDS", "BenchmarkRow", "MetricBand", "RepBenchmark", "learn_bands", "rep_benchmark"]
