"""Scorecards: an organisation's rubric, auto-scored from a call's features, adjusted by coaches.

A rubric is a list of weighted items. An item with an `auto` rule is scored 0 or 1 from the call's
metrics, trackers or rep question types; an item without one waits for a coach. Coaches override
any item (the automatic score is kept beside it) and comment, optionally at a moment of the call;
every change carries its time. A card's `total` is the weighted mean of the scored items, 0-100.
`rep_aggregates` rolls cards up per rep and week (or month) for trends.

Plain dataclasses with `to_dict`/`from_dict`: the service stores them as JSON (models/coaching.py).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml

from coaching.features import METRIC_NAMES, CallFeatures
from nlp.types import QUESTION_TYPES
from transcription.errors import TalktrackError

DEFAULT_RUBRIC = Path(__file__).with_name("rubric.yaml")
RuleKind = Literal["metric", "tracker", "question_type"]
RuleOp = Literal[">=", "<=", "between", "present", "absent"]


class RubricError(TalktrackError):
    """A rubric definition is malformed, or a score/override does not fit it."""


@dataclass(frozen=True, slots=True)
class AutoRule:
    """Scores 1 when the call meets it, 0 when not, None when the value does not apply.

    kind "metric": `name` is a metric, op >=, <= or between (`value`..`high`).
    kind "tracker": `name` is a tracker, op present or absent.
    kind "question_type": `name` is a question type; the rep's count of it compared with op/value.
    """

    kind: RuleKind
    name: str
    op: RuleOp
    value: float | None = None
    high: float | None = None

    def score(self, call: CallFeatures) -> float | None:
        if self.kind == "tracker":
            hit = self.name in call.trackers
            return float(hit if self.op == "present" else not hit)
        x = call.metrics.get(self.name) if self.kind == "metric" else float(call.rep_question_types.get(self.name, 0))
        if x is None:
            return None
        if self.op == ">=":
            return float(x >= (self.value or 0.0))
        if self.op == "<=":
            return float(x <= (self.value or 0.0))
        if self.op == "between":
            return float((self.value is None or x >= self.value) and (self.high is None or x <= self.high))
        return float(x > 0 if self.op == "present" else x == 0)


@dataclass(frozen=True, slots=True)
class RubricItem:
    id: str
    label: str
    weight: float
    auto: AutoRule | None = None  # None: a coach scores it


@dataclass(frozen=True, slots=True)
class Rubric:
    id: str
    name: str
    items: tuple[RubricItem, ...]

    def item(self, item_id: str) -> RubricItem:
        for it in self.items:
            if it.id == item_id:
                return it
        raise RubricError(f"rubric {self.id!r} has no item {item_id!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "items": [
                {"id": i.id, "label": i.label, "weight": i.weight,
                 "auto": None if i.auto is None else {"kind": i.auto.kind, "name": i.auto.name, "op": i.auto.op,
                                                      "value": i.auto.value, "high": i.auto.high}}
                for i in self.items
            ],
        }


def depends_on_speakers(item: RubricItem) -> bool:
    """Whether `item`'s automatic score depends on who is speaking: every metric (talk ratio, the
    rep's questions, monologues, interruptions are all counted per speaker) and the rep's question
    types do; a tracker (said by anyone) does not. Such items are unsure when the call's speaker
    count is (its `speakers_note`)."""
    return item.auto is not None and item.auto.kind in ("metric", "question_type")


def _check_rule(item_id: str, rule: AutoRule) -> None:
    """A rule that could never score (an unknown metric or question type, a NaN bound) is refused
    when the rubric is stored, not discovered on every scorecard. Tracker names are not checked:
    an organization defines its own."""
    if rule.kind == "metric" and rule.name not in METRIC_NAMES:
        raise RubricError(f"item {item_id!r}: unknown metric {rule.name!r}; known: {', '.join(METRIC_NAMES)}")
    if rule.kind == "question_type" and rule.name not in QUESTION_TYPES:
        raise RubricError(f"item {item_id!r}: unknown question type {rule.name!r}; "
                          f"known: {', '.join(QUESTION_TYPES)}")
    for bound in (rule.value, rule.high):
        if bound is not None and not math.isfinite(bound):
            raise RubricError(f"item {item_id!r}: auto value/high must be finite numbers")


def rubric_from_dict(data: Any) -> Rubric:
    """Validate a rubric definition (the YAML/JSON shape of `coaching/rubric.yaml`)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("items"), list) or not data["items"]:
        raise RubricError("a rubric needs an 'id', a 'name' and a non-empty 'items' list")
    items: list[RubricItem] = []
    for raw in data["items"]:
        if not isinstance(raw, Mapping) or not raw.get("id") or not raw.get("label"):
            raise RubricError("every rubric item needs an 'id' and a 'label'")
        weight = raw.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight < float("inf"):
            raise RubricError(f"item {raw['id']!r}: weight must be a positive number")
        auto = None
        if raw.get("auto") is not None:
            a = raw["auto"]
            if not isinstance(a, Mapping) or a.get("kind") not in ("metric", "tracker", "question_type") \
                    or a.get("op") not in (">=", "<=", "between", "present", "absent") or not a.get("name"):
                raise RubricError(f"item {raw['id']!r}: auto needs kind (metric/tracker/question_type), name and op")
            try:
                auto = AutoRule(a["kind"], str(a["name"]), a["op"],
                                None if a.get("value") is None else float(a["value"]),
                                None if a.get("high") is None else float(a["high"]))
            except (TypeError, ValueError) as exc:
                raise RubricError(f"item {raw['id']!r}: auto value/high must be numbers") from exc
            _check_rule(str(raw["id"]), auto)
        items.append(RubricItem(str(raw["id"]), str(raw["label"]), float(weight), auto))
    if len({i.id for i in items}) != len(items):
        raise RubricError("rubric item ids must be unique")
    return Rubric(str(data.get("id", "default")), str(data.get("name", "Rubric")), tuple(items))


def load_rubric(path: Path | str | None = None) -> Rubric:
    """A rubric from YAML (default: the bundled `coaching/rubric.yaml`)."""
    p = Path(path) if path is not None else DEFAULT_RUBRIC
    if not p.is_file():
        raise RubricError(f"{p}: no such rubric file")
    try:
        return rubric_from_dict(yaml.safe_load(p.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        raise RubricError(f"{p}: not valid YAML ({exc})") from exc


@dataclass(frozen=True, slots=True)
class ItemScore:
    """`score` in 0..1 (None: not scored). `auto_score` keeps the automatic value after an override."""

    item_id: str
    score: float | None
    source: Literal["auto", "coach", "none"]
    auto_score: float | None = None
    by: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    """A coach's note, written at `at`; `call_time_s` pins it to a moment of the call."""

    by: str
    text: str
    at: datetime
    item_id: str | None = None
    call_time_s: float | None = None


@dataclass(frozen=True, slots=True)
class Scorecard:
    call_id: str
    rep: str | None
    rubric: Rubric
    call_at: datetime  # when the call happened: the aggregates' time axis
    items: tuple[ItemScore, ...]
    comments: tuple[Comment, ...] = field(default_factory=tuple)

    def score(self, item_id: str) -> ItemScore:
        for s in self.items:
            if s.item_id == item_id:
                return s
        raise RubricError(f"scorecard has no item {item_id!r}")

    @property
    def total(self) -> float | None:
        """Weighted mean of the scored items, 0-100 (None when nothing is scored yet)."""
        num = den = 0.0
        for s in self.items:
            if s.score is not None:
                w = self.rubric.item(s.item_id).weight
                num += w * s.score
                den += w
        return None if den == 0 else 100.0 * num / den

    def to_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "rep": self.rep,
            "rubric": self.rubric.to_dict(),
            "call_at": self.call_at.isoformat(),
            "total": None if self.total is None else round(self.total, 2),
            "items": [
                {"item_id": s.item_id, "label": self.rubric.item(s.item_id).label,
                 "weight": self.rubric.item(s.item_id).weight, "score": s.score, "source": s.source,
                 "auto_score": s.auto_score, "by": s.by, "at": None if s.at is None else s.at.isoformat()}
                for s in self.items
            ],
            "comments": [
                {"by": c.by, "text": c.text, "at": c.at.isoformat(), "item_id": c.item_id, "call_time_s": c.call_time_s}
                for c in self.comments
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorecard:
        try:
            rubric = rubric_from_dict(data["rubric"])
            return cls(
                call_id=str(data["call_id"]),
                rep=data.get("rep"),
                rubric=rubric,
                call_at=datetime.fromisoformat(data["call_at"]),
                items=tuple(
                    ItemScore(i["item_id"], i.get("score"), i.get("source", "auto"), i.get("auto_score"), i.get("by"),
                              None if i.get("at") is None else datetime.fromisoformat(i["at"]))
                    for i in data["items"]
                ),
                comments=tuple(
                    Comment(c["by"], c["text"], datetime.fromisoformat(c["at"]), c.get("item_id"), c.get("call_time_s"))
                    for c in data.get("comments", [])
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RubricError(f"not a scorecard: {exc!r}") from exc


def auto_score(rubric: Rubric, call: CallFeatures, call_at: datetime | None = None) -> Scorecard:
    """Score every auto item from the call; coach items stay unscored."""
    now = datetime.now(UTC)
    items = []
    for it in rubric.items:
        if it.auto is None:
            items.append(ItemScore(it.id, None, "none"))
        else:
            s = it.auto.score(call)
            items.append(ItemScore(it.id, s, "auto" if s is not None else "none", auto_score=s, at=now))
    return Scorecard(call.call_id, call.rep, rubric, call_at or now, tuple(items))


def override(card: Scorecard, item_id: str, score: float, coach: str, comment: str | None = None,
             at: datetime | None = None) -> Scorecard:
    """A coach sets one item's score (0..1); the automatic score is kept; an optional comment is added."""
    if not 0.0 <= score <= 1.0:
        raise RubricError(f"score for {item_id!r} must be between 0 and 1, got {score}")
    card.rubric.item(item_id)  # raises for an unknown item
    when = at or datetime.now(UTC)
    items = tuple(
        replace(s, score=float(score), source="coach", by=coach, at=when) if s.item_id == item_id else s
        for s in card.items
    )
    comments = card.comments + ((Comment(coach, comment, when, item_id),) if comment else ())
    return replace(card, items=items, comments=comments)


def add_comment(card: Scorecard, coach: str, text: str, *, item_id: str | None = None,
                call_time_s: float | None = None, at: datetime | None = None) -> Scorecard:
    """Append a coach comment (optionally about one item and/or a moment of the call)."""
    if not text.strip():
        raise RubricError("a comment needs text")
    if item_id is not None:
        card.rubric.item(item_id)
    return replace(card, comments=card.comments + (Comment(coach, text, at or datetime.now(UTC), item_id, call_time_s),))


@dataclass(frozen=True, slots=True)
class RepPeriod:
    """One rep's cards in one period (week starting Monday, or calendar month)."""

    rep: str
    period_start: date
    n_calls: int
    mean_total: float | None
    item_means: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"rep": self.rep, "period_start": self.period_start.isoformat(), "n_calls": self.n_calls,
                "mean_total": None if self.mean_total is None else round(self.mean_total, 2),
                "item_means": {k: round(v, 4) for k, v in self.item_means.items()}}


def rep_aggregates(cards: Iterable[Scorecard], period: Literal["week", "month"] = "week") -> list[RepPeriod]:
    """Per rep and period: number of cards, mean total, mean score per item (scored items only)."""
    groups: dict[tuple[str, date], list[Scorecard]] = defaultdict(list)
    for c in cards:
        d = c.call_at.date()
        start = d - timedelta(days=d.weekday()) if period == "week" else d.replace(day=1)
        groups[(c.rep or "", start)].append(c)
    out: list[RepPeriod] = []
    for (rep, start), group in sorted(groups.items()):
        totals = [t for t in (c.total for c in group) if t is not None]
        per_item: dict[str, list[float]] = defaultdict(list)
        for c in group:
            for s in c.items:
                if s.score is not None:
                    per_item[s.item_id].append(s.score)
        out.append(RepPeriod(rep, start, len(group), sum(totals) / len(totals) if totals else None,
                             {k: sum(v) / len(v) for k, v in per_item.items()}))
    return out


__all__ = [
    "AutoRule",
    "Comment",
    "ItemScore",
    "RepPeriod",
    "Rubric",
    "RubricError",
    "RubricItem",
    "Scorecard",
    "add_comment",
    "auto_score",
    "load_rubric",
    "override",
    "rep_aggregates",
    "rubric_from_dict",
]
