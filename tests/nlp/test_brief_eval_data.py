"""The brief's evaluation set (bench/brief_data): every call file is well formed and its labels hold
together, and the transcript built from a call keeps its words in time order. No models, no audio."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from bench.brief_data import (
    KINDS,
    OBJECTION_TOPICS,
    OWNERS,
    build_transcript,
    call_files,
    estimated_spans,
    load_calls,
    read_call,
    word_spans,
)
from bench.diarization_calls import SAMPLE_RATE, place_turns

FILES = call_files()
CALL_KEYS = {"id", "split", "call_date", "industry", "call_type", "speakers", "turns", "facts", "negatives"}
FACT_KEYS = {"kind", "turn", "quote", "detail", "owner", "due", "amount", "also"}


def raw(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path.name
    return data


def as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def test_the_set_has_both_splits_with_unique_ids() -> None:
    calls = [raw(p) for p in FILES]
    splits = [c["split"] for c in calls]
    assert splits.count("dev") >= 20
    assert splits.count("heldout") >= 10
    assert set(splits) == {"dev", "heldout"}
    ids = [c["id"] for c in calls]
    assert len(ids) == len(set(ids))
    assert all(c["id"] == p.stem for c, p in zip(calls, FILES, strict=True))
    # Calls happen on every working day of the week.
    assert {as_date(c["call_date"]).weekday() for c in calls} == {0, 1, 2, 3, 4}
    assert (FILES[0].parent / "README.md").is_file()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_call_file_schema(path: Path) -> None:
    data = raw(path)
    assert set(data) <= CALL_KEYS and {"id", "split", "call_date", "speakers", "turns", "facts"} <= set(data)
    as_date(data["call_date"])
    speakers = data["speakers"]
    ids = [s["id"] for s in speakers]
    assert len(ids) == len(set(ids))
    assert all(set(s) == {"id", "name", "role"} and s["name"] for s in speakers)
    roles = [s["role"] for s in speakers]
    assert set(roles) == {"rep", "customer"}
    turns = data["turns"]
    assert 25 <= len(turns) <= 60
    for turn in turns:
        assert set(turn) == {"speaker", "text"}
        assert turn["speaker"] in ids
        assert isinstance(turn["text"], str) and turn["text"].strip() == turn["text"] and turn["text"]
    # Every speaker talks.
    assert {t["speaker"] for t in turns} == set(ids)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_facts_are_grounded_in_their_turns(path: Path) -> None:
    data = raw(path)
    texts = [t["text"] for t in data["turns"]]
    call_date = as_date(data["call_date"])
    assert data["facts"], "a call without facts measures nothing"
    for fact in data["facts"]:
        assert set(fact) <= FACT_KEYS and {"kind", "turn", "quote"} <= set(fact), fact
        kind, turn, quote = fact["kind"], fact["turn"], fact["quote"]
        assert kind in KINDS, fact
        assert isinstance(turn, int) and 0 <= turn < len(texts), fact
        assert isinstance(quote, str) and len(quote) >= 3 and quote in texts[turn], fact
        also = fact.get("also") or []
        assert all(isinstance(i, int) and 0 <= i < len(texts) and i != turn for i in also), fact
        if kind == "next_step":
            assert fact.get("owner") in OWNERS, fact
            assert "due" in fact, f"a next step says its due date or null: {fact}"
            if fact["due"] is not None:
                assert isinstance(fact["due"], str), f"due is a quoted ISO date: {fact}"
                assert as_date(fact["due"]) >= call_date, fact
        else:
            assert "owner" not in fact and "due" not in fact, fact
        if kind == "objection":
            assert fact.get("detail") in (*OBJECTION_TOPICS, "other"), fact
        if kind in ("competitor", "decision"):
            assert isinstance(fact.get("detail"), str) and fact["detail"], fact
        if "amount" in fact:
            assert kind in ("budget", "price") and float(fact["amount"]) > 0, fact
    for negative in data.get("negatives") or []:
        assert set(negative) == {"kind", "turn", "quote", "why"}, negative
        assert negative["kind"] in KINDS
        assert negative["quote"] in texts[negative["turn"]], negative
        assert negative["why"]


def test_roles_of_labelled_speakers() -> None:
    """Customers state pains, needs, objections, budgets and questions; reps quote prices."""
    for call in load_calls():
        for fact in call.facts:
            role = call.role_of(call.turns[fact.turn][0])
            if fact.kind in ("pain", "need", "objection", "budget", "question"):
                assert role == "customer", (call.id, fact)
            if fact.kind == "price":
                assert role == "rep", (call.id, fact)


def test_both_splits_label_every_kind() -> None:
    for split in ("dev", "heldout"):
        kinds = {f.kind for c in load_calls(split) for f in c.facts}
        assert kinds == set(KINDS), split
        steps = [f for c in load_calls(split) for f in c.facts if f.kind == "next_step"]
        assert {f.owner for f in steps} == set(OWNERS)
        assert any(f.due is None for f in steps) and sum(f.due is not None for f in steps) >= 0.7 * len(steps)


def _placed_spans(call_id: str) -> list[tuple[float, float]]:
    """Turn spans as the renderer places them (same placement, silent audio of the estimated
    lengths): pauses and brief overlaps between the two sides."""
    call = read_call(next(p for p in FILES if p.stem == call_id))
    lengths = [e - s for s, e in estimated_spans(call)]
    pieces = [np.zeros(int(length * SAMPLE_RATE), np.float32) for length in lengths]
    side = [call.role_of(s) == "rep" for s, _ in call.turns]
    can_overlap = [i > 0 and side[i] != side[i - 1] for i in range(len(pieces))]
    for seed in range(20):  # the first placement with at least one overlap
        starts, _ = place_turns(pieces, np.random.default_rng(seed), can_overlap)
        spans = [(s, s + len(p) / SAMPLE_RATE) for s, p in zip(starts, pieces, strict=True)]
        if any(spans[i][0] < spans[i - 1][1] for i in range(1, len(spans))):
            return spans
    raise AssertionError("no placement with an overlap")


@pytest.mark.parametrize("call_id", [p.stem for p in FILES])
def test_transcript_times_are_monotonic(call_id: str) -> None:
    call = read_call(next(p for p in FILES if p.stem == call_id))
    spans = _placed_spans(call_id)
    transcript = build_transcript(call, spans)
    words = transcript.words
    assert len(words) == sum(len(text.split()) for _, text in call.turns)
    assert [w.word for w in words] == [tok for _, text in call.turns for tok in text.split()]
    for a, b in zip(words, words[1:], strict=False):
        assert a.start < a.end <= b.start
    # Each turn's words lie inside its rendered span, in the turn's order.
    i = 0
    for (speaker, text), (start, end), (ws, we) in zip(call.turns, spans, word_spans(spans), strict=True):
        n = len(text.split())
        turn_words = words[i : i + n]
        assert ws >= start - 1e-9 and turn_words[0].start == pytest.approx(ws, abs=1e-3)
        assert turn_words[-1].end <= max(end, we) + 1e-3
        assert {w.speaker for w in turn_words} == {transcript.speakers[[s.id for s in call.speakers].index(speaker)].id}
        i += n
    roles = {s.id: s.role for s in transcript.speakers}
    assert sorted(roles.values()) == sorted(s.role for s in call.speakers)
    assert transcript.duration_s > words[-1].end
    assert [t.start for t in transcript.speaker_turns] == sorted(t.start for t in transcript.speaker_turns)


def _item(kind: str, text: str, start: float, end: float, **kw: Any) -> Any:
    from nlp.brief.types import BriefItem

    return BriefItem(kind=kind, text=text, start=start, end=end, speaker="S2", role="customer", confidence=0.9,  # type: ignore[arg-type]
                     **kw)


def test_bench_matches_items_to_facts_one_to_one_and_checks_grounding() -> None:
    """The bench's own rules on one call: an item finds the fact on its turn (or an `also` turn),
    not one it barely touches; a duplicate finds nothing; owners and dates are compared; an item
    with a word nobody said at its time fails grounding."""
    from bench.brief_eval import CallRun, match, score, ungrounded

    call = read_call(next(p for p in FILES if p.stem == "dev01-fleet-discovery"))
    spans = word_spans(estimated_spans(call))
    transcript = build_transcript(call, estimated_spans(call))
    s5, s32, s33 = spans[5], spans[32], spans[33]
    items = [
        _item("pain", "our dispatchers spend half their day calling drivers", s5[0], s5[1]),
        _item("pain", "our dispatchers spend half their day", s5[0], s5[1]),  # a duplicate
        _item("next_step", "I'll send you the ROI sheet and a sample contract by Thursday", s32[0], s32[1],
              owner="rep", due="2026-03-12"),
        _item("next_step", "Let's aim for Monday the sixteenth at two", s33[0], s33[1], owner="rep", due="2026-03-17"),
        # Overlaps the pain's turn by a sliver only, the rest is the rep's next turn: finds nothing.
        _item("pain", "Half their day, wow.", s5[1] - 0.2, s5[1] + 3.0),
    ]
    run = CallRun(call, "transcript", items, transcript.words, spans, 1.0, 0.1, transcript.duration_s)
    pairs = match(run)
    facts = call.facts
    assert {i: (facts[j].kind, facts[j].turn) for i, j in pairs.items()} == {
        0: ("pain", 5), 2: ("next_step", 32), 3: ("next_step", 33)}
    report = score([run], "transcript", "dev", list_misses=True)
    assert (report.kinds["pain"].found, report.kinds["pain"].predicted, report.kinds["pain"].support) == (1, 3, 3)
    assert (report.kinds["next_step"].found, report.kinds["next_step"].predicted) == (2, 2)
    assert (report.owner.right, report.owner.total) == (1, 2)
    assert (report.due.right, report.due.total) == (1, 2)
    assert report.grounded.value == 1.0
    assert any("MISSED pain turn 7" in line for line in report.misses)
    invented = _item("pain", "our dispatchers hate rain", s5[0], s5[1])
    assert ungrounded(invented, transcript.words) == ["hate", "rain"]
