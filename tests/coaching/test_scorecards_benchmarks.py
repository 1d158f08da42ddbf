"""Scorecards (auto scores, overrides, comments, aggregates) and rep benchmarks against bands."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from coaching.benchmarks import PUBLISHED_BANDS, learn_bands, rep_benchmark
from coaching.features import CallFeatures, FeatureColumns
from coaching.scorecards import (
    RubricError,
    Scorecard,
    add_comment,
    auto_score,
    load_rubric,
    override,
    rep_aggregates,
    rubric_from_dict,
)
from coaching.synthetic import make_corpus


def _call(call_id: str = "c1", rep: str = "ana", **metrics: float) -> CallFeatures:
    base: dict[str, float | None] = {"talk_ratio": 0.5, "open_questions_first_90s": 1, "question_count_rep": 8}
    base.update(metrics)
    return CallFeatures(call_id, rep, True, 900.0, base, frozenset({"pricing"}), {"open": 3})


def test_auto_scores_and_total() -> None:
    rubric = load_rubric()
    card = auto_score(rubric, _call(), call_at=datetime(2026, 11, 2, 10, tzinfo=UTC))
    scores = {s.item_id: s.score for s in card.items}
    assert scores == {"early_discovery": 1.0, "talk_ratio": 1.0, "questions": 0.0, "open_questions": 1.0,
                      "next_step": 0.0, "objection_handling": None, "rapport": None}
    # weights: early 2, talk 2, questions 1, open 1, next step 2 -> (2 + 2 + 0 + 1 + 0) / 8
    assert card.total == pytest.approx(100 * 5 / 8)


def test_override_keeps_auto_score_and_adds_timestamped_comment() -> None:
    card = auto_score(load_rubric(), _call(), call_at=datetime(2026, 11, 2, tzinfo=UTC))
    when = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    card = override(card, "next_step", 1.0, "coach@acme", "Booked the demo verbally.", at=when)
    card = override(card, "objection_handling", 0.5, "coach@acme", at=when)
    card = add_comment(card, "coach@acme", "Good pause here.", call_time_s=95.0, at=when)
    ns = card.score("next_step")
    assert (ns.score, ns.auto_score, ns.source, ns.by, ns.at) == (1.0, 0.0, "coach", "coach@acme", when)
    assert card.total == pytest.approx(100 * (2 + 2 + 0 + 1 + 2 + 1) / 10)
    assert [(c.text, c.item_id, c.call_time_s) for c in card.comments] == [
        ("Booked the demo verbally.", "next_step", None), ("Good pause here.", None, 95.0)]
    again = Scorecard.from_dict(card.to_dict())
    assert again.to_dict() == card.to_dict()
    with pytest.raises(RubricError):
        override(card, "nope", 1.0, "coach")
    with pytest.raises(RubricError):
        override(card, "rapport", 2.0, "coach")


def test_rubric_validation() -> None:
    with pytest.raises(RubricError):
        rubric_from_dict({"id": "x", "items": []})
    with pytest.raises(RubricError):
        rubric_from_dict({"items": [{"id": "a", "label": "A", "weight": 0}]})
    with pytest.raises(RubricError):
        rubric_from_dict({"items": [{"id": "a", "label": "A", "auto": {"kind": "vibes", "name": "x", "op": ">="}}]})
    with pytest.raises(RubricError):
        rubric_from_dict({"items": [{"id": "a", "label": "A", "auto": {"kind": "metric", "name": "x", "op": ">=",
                                                                        "value": "lots"}}]})
    r = rubric_from_dict({"id": "org1", "name": "Short", "items": [
        {"id": "tr", "label": "talk ratio 40-50%", "auto": {"kind": "metric", "name": "talk_ratio", "op": "between",
                                                          "value": 0.4, "high": 0.5}}]})
    assert auto_score(r, _call(talk_ratio=0.45)).total == 100.0
    assert auto_score(r, _call(talk_ratio=0.55)).total == 0.0
    untimed = _call()
    untimed = replace(untimed, metrics={**untimed.metrics, "talk_ratio": None})
    assert auto_score(r, untimed).total is None  # does not apply: not scored, not zero


def test_rep_aggregates_by_week() -> None:
    rubric = load_rubric()
    cards = [
        auto_score(rubric, _call("a1", "ana"), datetime(2026, 11, 2, tzinfo=UTC)),  # Monday
        auto_score(rubric, _call("a2", "ana", talk_ratio=0.8), datetime(2026, 11, 6, tzinfo=UTC)),  # same week
        auto_score(rubric, _call("a3", "ana"), datetime(2026, 11, 10, tzinfo=UTC)),
        auto_score(rubric, _call("b1", "ben"), datetime(2026, 11, 3, tzinfo=UTC)),
    ]
    agg = rep_aggregates(cards)
    assert [(a.rep, a.period_start.isoformat(), a.n_calls) for a in agg] == [
        ("ana", "2026-11-02", 2), ("ana", "2026-11-09", 1), ("ben", "2026-11-02", 1)]
    assert agg[0].mean_total == pytest.approx((62.5 + 37.5) / 2)
    assert agg[0].item_means["talk_ratio"] == 0.5
    assert [a.period_start.isoformat() for a in rep_aggregates(cards, "month")] == ["2026-11-01", "2026-11-01"]


def test_benchmarks_learned_from_won_calls_and_published_fallback() -> None:
    cols = FeatureColumns.from_features(make_corpus(n_calls=400, seed=9).calls)
    bands = learn_bands(cols)
    won_tr = cols.metrics["talk_ratio"][cols.outcome == 1.0]
    assert bands["talk_ratio"].low == pytest.approx(np.percentile(won_tr, 25))
    assert bands["talk_ratio"].source.startswith("team's won calls") and bands["talk_ratio"].n_won == won_tr.size
    bench = rep_benchmark(cols, "rep3", bands)
    row = bench.row("talk_ratio")
    mine = cols.metrics["talk_ratio"][cols.rep == "rep3"]
    assert row is not None and row.rep_mean == pytest.approx(mine.mean()) and bench.n_calls == mine.size
    assert row.status in ("below", "within", "above")
    # Few won calls: published bands, labelled with their source; metrics without one say so.
    few = cols.select(np.arange(len(cols)) < 40)
    fallback = learn_bands(few)
    assert fallback["talk_ratio"] == PUBLISHED_BANDS["talk_ratio"] and "Gong Labs" in fallback["talk_ratio"].source
    b2 = rep_benchmark(few, "rep1", fallback)
    assert b2.row("interactivity").status == "no_band"  # type: ignore[union-attr]
    assert PUBLISHED_BANDS["question_count_rep"].status(12) == "within"
    assert PUBLISHED_BANDS["question_count_rep"].status(7) == "below"
    assert PUBLISHED_BANDS["longest_customer_story_s"].status(30) == "below"
