"""What coaching needs from one analysed call, as plain values, and the same for many calls as columns.

Coaching never sees database rows or spaCy objects: the service (or a test) turns each
`nlp.analysis.CallAnalysis` into a `CallFeatures` with `features_from_analysis`, and many of those
into a `FeatureColumns` (one NumPy array per metric/tracker) with `FeatureColumns.from_features`.
A database can also fill `FeatureColumns` directly from its columns (`FeatureColumns.from_arrays`),
which is how insights over 100,000 calls stay fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt

from nlp.analysis import CallAnalysis
from nlp.types import QUESTION_TYPES, CallMetrics

# Numeric call metrics coaching compares (names and meanings: README "Metrics").
METRIC_NAMES: tuple[str, ...] = tuple(
    f.name for f in fields(CallMetrics) if f.name != "filler_count_by_speaker"
)

# Metrics that need real word times. A chat log or a transcript without times has none of these:
# its word times are synthetic (one second per turn), so durations, pauses, rates and "first 90 s"
# would measure the synthetic clock, not the conversation.
TIMING_METRICS: frozenset[str] = frozenset(
    {
        "talk_ratio",
        "longest_monologue_s",
        "longest_customer_story_s",
        "interactivity",
        "patience_s",
        "interruptions_rep",
        "interruptions_customer",
        "open_questions_first_90s",
        "first_question_s",
        "words_per_minute_rep",
    }
)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class CallFeatures:
    """One call as coaching sees it.

    `outcome` is True for a won deal, False for a lost one, None while the deal is open.
    `metrics` maps every name in `METRIC_NAMES` to its value (None = does not apply).
    `trackers` holds the names of trackers hit anywhere in the call; `rep_question_types` counts the
    rep's questions per type (open, yes_no, choice, declarative, tag).
    """

    call_id: str
    rep: str | None
    outcome: bool | None
    duration_s: float
    metrics: Mapping[str, float | None]
    trackers: frozenset[str] = frozenset()
    rep_question_types: Mapping[str, int] = field(default_factory=dict)
    has_timing: bool = True


def features_from_analysis(
    analysis: CallAnalysis, call_id: str, rep: str | None = None, outcome: bool | None = None
) -> CallFeatures:
    """Reduce an analysed call to its coaching features.

    `rep` defaults to the display name (or id) of the speaker whose role is "rep". Time-based
    metrics are set to None when the transcript has no timing, whatever the metric stage wrote.
    """
    transcript = analysis.transcript
    raw = analysis.metrics
    metrics: dict[str, float | None] = {}
    for name in METRIC_NAMES:
        value = getattr(raw, name)
        if not transcript.has_timing and name in TIMING_METRICS:
            value = None
        metrics[name] = None if value is None else float(value)
    rep_ids = {s.id for s in transcript.speakers if s.role == "rep"}
    if rep is None:
        named = [s.name or s.id for s in transcript.speakers if s.role == "rep"]
        rep = named[0] if named else None
    counts: dict[str, int] = dict.fromkeys(QUESTION_TYPES, 0)
    for q in analysis.questions:
        if q.speaker in rep_ids:
            counts[q.type] = counts.get(q.type, 0) + 1
    return CallFeatures(
        call_id=call_id,
        rep=rep,
        outcome=outcome,
        duration_s=float(transcript.duration_s),
        metrics=metrics,
        trackers=frozenset(h.tracker for h in analysis.trackers),
        rep_question_types=counts,
        has_timing=transcript.has_timing,
    )


@dataclass(slots=True)
class FeatureColumns:
    """Many calls as columns: row i of every array is call i.

    `metrics[name]` is float with NaN where the metric does not apply; `trackers[name]` is bool.
    `outcome` is float: 1.0 won, 0.0 lost, NaN open (open deals are ignored by insights).
    `rep` holds the rep's name per call ("" when unknown).
    """

    call_ids: npt.NDArray[np.str_]
    rep: npt.NDArray[np.str_]
    outcome: FloatArray
    duration_s: FloatArray
    metrics: dict[str, FloatArray]
    trackers: dict[str, BoolArray]

    def __len__(self) -> int:
        return int(self.outcome.shape[0])

    @classmethod
    def from_arrays(
        cls,
        *,
        outcome: Sequence[float | bool | None] | FloatArray,
        duration_s: Sequence[float] | FloatArray,
        metrics: Mapping[str, Sequence[float | None] | FloatArray],
        trackers: Mapping[str, Sequence[bool] | BoolArray] | None = None,
        rep: Sequence[str | None] | npt.NDArray[np.str_] | None = None,
        call_ids: Sequence[str] | npt.NDArray[np.str_] | None = None,
    ) -> FeatureColumns:
        """Build from column arrays (e.g. straight from a database query). Lengths must agree."""
        out = _as_float(outcome)
        n = out.shape[0]
        cols = cls(
            call_ids=np.asarray(call_ids if call_ids is not None else [str(i) for i in range(n)], dtype=np.str_),
            rep=np.asarray(["" if r is None else r for r in rep] if rep is not None else [""] * n, dtype=np.str_),
            outcome=out,
            duration_s=_as_float(duration_s),
            metrics={k: _as_float(v) for k, v in metrics.items()},
            trackers={k: np.asarray(v, dtype=np.bool_) for k, v in (trackers or {}).items()},
        )
        for name, arr in [("call_ids", cols.call_ids), ("rep", cols.rep), ("duration_s", cols.duration_s),
                          *cols.metrics.items(), *cols.trackers.items()]:
            if arr.shape[0] != n:
                raise ValueError(f"column {name!r} has {arr.shape[0]} rows, outcome has {n}")
        return cols

    @classmethod
    def from_features(cls, calls: Iterable[CallFeatures], tracker_names: Iterable[str] = ()) -> FeatureColumns:
        """Stack calls into columns. Every tracker seen in any call (plus `tracker_names`) gets a column."""
        calls = list(calls)
        names = sorted(set(tracker_names).union(*(c.trackers for c in calls)) if calls else set(tracker_names))
        return cls.from_arrays(
            outcome=[np.nan if c.outcome is None else float(c.outcome) for c in calls],
            duration_s=[c.duration_s for c in calls],
            metrics={m: [c.metrics.get(m) for c in calls] for m in METRIC_NAMES},
            trackers={t: [t in c.trackers for c in calls] for t in names},
            rep=[c.rep for c in calls],
            call_ids=[c.call_id for c in calls],
        )

    def select(self, mask: BoolArray) -> FeatureColumns:
        """The rows where `mask` is True."""
        return FeatureColumns(
            call_ids=self.call_ids[mask],
            rep=self.rep[mask],
            outcome=self.outcome[mask],
            duration_s=self.duration_s[mask],
            metrics={k: v[mask] for k, v in self.metrics.items()},
            trackers={k: v[mask] for k, v in self.trackers.items()},
        )


def _as_float(values: Sequence[float | bool | None] | FloatArray) -> FloatArray:
    if isinstance(values, np.ndarray):
        return values.astype(np.float64, copy=False)
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


__all__ = [
    "METRIC_NAMES",
    "TIMING_METRICS",
    "CallFeatures",
    "FeatureColumns",
    "features_from_analysis",
]
