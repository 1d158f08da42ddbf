"""The deal rules at their edges (`service.domain.deal_story`, `service.domain.deal_warnings`), on
calls built in memory: each threshold of docs/deals.md on both sides, and the page of docs saying
the same numbers as the code."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nlp.brief.types import Brief, BriefItem
from service.domain import deal_warnings
from service.domain.deal_story import DealCall, build_story
from service.domain.deal_warnings import deal_warnings as warnings_of

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 5)


def at(offset: int) -> datetime:
    return datetime(2026, 12, 5, 15, tzinfo=UTC) + timedelta(days=offset)


def it(kind: str, start: float = 10.0, **extra: Any) -> BriefItem:
    return BriefItem(kind=kind, text=f"{kind} said", start=start, end=start + 2, speaker="S2", role="customer",  # type: ignore[arg-type]
                     confidence=0.9, **extra)


def call(n: int, offset: int, items: list[BriefItem] | None = None, share: float | None = None,
         questions: int | None = None, names: tuple[str, ...] = ("Dana", "Bob"), analysed: bool = True) -> DealCall:
    return DealCall(id=f"c{n}", title=None, rep_name="Dana", status="done", at=at(offset), duration_s=60.0,
                    brief=Brief(items=items or []) if analysed else None, customer_talk_share=share,
                    customer_questions=questions, speaker_names=names)


def codes(calls: list[DealCall]) -> list[str]:
    story = build_story(calls, TODAY)
    return [w.code for w in warnings_of(calls, story, TODAY)]


DATED = it("next_step", due="2026-12-20")  # keeps `no_dated_next_step` quiet


@pytest.mark.parametrize(("first", "last", "warns"), [(0.60, 0.50, True), (0.60, 0.51, False), (0.3, 0.4, False)])
def test_talk_share_drop_of_ten_points(first: float, last: float, warns: bool) -> None:
    calls = [call(1, -10, [DATED], share=first), call(2, -5, [DATED], share=0.9), call(3, -1, [DATED], share=last)]
    assert ("talk_share_falling" in codes(calls)) is warns


@pytest.mark.parametrize(("first", "last", "warns"), [(4, 2, True), (3, 1, True), (2, 0, True), (3, 2, False),
                                                      (5, 3, False), (1, 0, False)])
def test_questions_fewer_by_two_and_at_most_half(first: int, last: int, warns: bool) -> None:
    calls = [call(1, -10, [DATED], questions=first), call(2, -1, [DATED], questions=last)]
    assert ("questions_falling" in codes(calls)) is warns


def test_one_call_compares_nothing() -> None:
    assert codes([call(1, -1, [DATED], share=0.9, questions=9)]) == []


@pytest.mark.parametrize(("due_offset", "next_offset", "status"), [
    (-5, -5, "kept"), (-6, -5, "missed"), (0, None, "pending"), (-1, None, "missed"), (3, None, "pending")])
def test_next_step_against_the_next_call_and_today(due_offset: int, next_offset: int | None, status: str) -> None:
    due = (TODAY + timedelta(days=due_offset)).isoformat()
    calls = [call(1, -10, [it("next_step", due=due)])]
    if next_offset is not None:
        calls.append(call(2, next_offset, [DATED]))
    story = build_story(calls, TODAY)
    assert story.next_steps[0].status == status
    assert ("due_date_passed" in codes(calls)) is (status == "missed")


def test_a_call_not_analysed_still_counts_as_the_next_call() -> None:
    calls = [call(1, -10, [it("next_step", due=(TODAY - timedelta(days=4)).isoformat())]),
             call(2, -5, analysed=False)]
    step = build_story(calls, TODAY).next_steps[0]
    assert (step.status, step.next_call_id) == ("kept", "c2")


def test_latest_call_without_a_dated_next_step() -> None:
    assert "no_dated_next_step" in codes([call(1, -3, [it("next_step")])])
    assert "no_dated_next_step" in codes([call(1, -3, [it("pain")])])
    assert "no_dated_next_step" not in codes([call(1, -3, [it("next_step"), DATED])])
    # Only the latest call counts: an earlier dated step does not help.
    assert "no_dated_next_step" in codes([call(1, -9, [DATED]), call(2, -3, [it("pain")])])


@pytest.mark.parametrize(("budgets", "prices", "warns"), [
    ([40000], [60000], True), ([60000], [60000], False), ([40000, 70000], [60000], False),
    ([70000], [50000, 80000], True), ([], [60000], False), ([40000], [], False)])
def test_latest_budget_below_latest_price(budgets: list[float], prices: list[float], warns: bool) -> None:
    items = [it("budget", 10.0 + n, amount=a) for n, a in enumerate(budgets)]
    items += [it("price", 20.0 + n, amount=a) for n, a in enumerate(prices)]
    assert ("budget_below_price" in codes([call(1, -1, [*items, DATED])])) is warns


@pytest.mark.parametrize(("named", "speakers", "absent"), [
    ("Maria Lopez", ("Dana", "Maria"), False), ("our CFO Maria", ("Dana", "maria lopez"), False),
    ("the CFO", ("Dana", "Bob"), True), ("Maria Lopez", ("Dana", "Bob"), True), ("Bob", ("Dana", "Bob Smith"), False)])
def test_decision_maker_matched_to_speaker_names(named: str, speakers: tuple[str, ...], absent: bool) -> None:
    calls = [call(1, -9, [it("decision", detail=named)]), call(2, -1, [DATED], names=speakers)]
    assert ("decision_maker_absent" in codes(calls)) is absent


def test_objection_handled_only_by_a_later_analysed_call_without_it() -> None:
    price = it("objection", detail="price")
    open_now = build_story([call(1, -9, [price]), call(2, -1, [price])], TODAY).objections[0]
    assert (open_now.status, open_now.handled_in_call_id) == ("open", None)
    handled = build_story([call(1, -9, [price]), call(2, -1, [it("pain")])], TODAY).objections[0]
    assert (handled.status, handled.handled_in_call_id) == ("handled", "c2")
    no_brief = build_story([call(1, -9, [price]), call(2, -1, analysed=False)], TODAY).objections[0]
    assert no_brief.status == "open"


def test_competitor_and_unanswered_questions() -> None:
    calls = [call(1, -1, [it("competitor", detail="Gong"), it("competitor", 30.0, detail="gong"),
                          it("question"), DATED])]
    story = build_story(calls, TODAY)
    assert [(c.name, len(c.mentions)) for c in story.competitors] == [("Gong", 2)]
    assert codes(calls) == ["competitor_in_play", "unanswered_questions"]


def test_no_brief_no_warnings() -> None:
    assert codes([call(1, -9, analysed=False, share=0.9), call(2, -1, analysed=False, share=0.1)]) == []


def test_docs_state_the_thresholds() -> None:
    text = (REPO / "docs" / "deals.md").read_text(encoding="utf-8")
    assert f"{deal_warnings.TALK_SHARE_DROP * 100:.0f} percentage points" in text
    assert f"at least {deal_warnings.QUESTIONS_DROP} fewer" in text
    assert "at most half" in text and deal_warnings.QUESTIONS_RATIO == 0.5
    for code in ("no_dated_next_step", "due_date_passed", "budget_below_price", "competitor_in_play",
                 "decision_maker_absent", "talk_share_falling", "questions_falling", "unanswered_questions"):
        assert f"`{code}`" in text, code
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "deals.md" in nav
