"""A deal's calls merged into one story: what the customer said hurts and needs, who decides,
objections open and handled, budget and prices, competitors, next steps and whether the next call
came by their due date. Pure functions of the calls (`DealCall`) and today's date; the rules are
written in docs/deals.md and `service.domain.deal_warnings` reads the story.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from models.deal_public import (
    Competitor,
    DealNextStep,
    DealStory,
    NextStepStatus,
    ObjectionThread,
    Stakeholder,
    StoryItem,
)
from nlp.brief.types import Brief, BriefItem
from service.domain.briefs import name_words

# Words of a decision item's detail that are not part of who it names ("our CFO" is "cfo").
NAME_STOP_WORDS = frozenset({"the", "a", "an", "our", "my", "your", "their", "his", "her", "its", "of", "and", "for",
                             "at", "in", "on", "to", "from", "mr", "mrs", "ms", "dr"})


@dataclass(frozen=True, slots=True)
class DealCall:
    """One call of a deal as the deal view reads it: no transcript, only the brief and three numbers."""

    id: str
    title: str | None
    rep_name: str | None
    status: str
    at: datetime  # its start, else its upload
    duration_s: float | None
    brief: Brief | None
    customer_talk_share: float | None
    customer_questions: int | None
    speaker_names: tuple[str, ...] = field(default_factory=tuple)


def story_item(call_id: str, item: BriefItem) -> StoryItem:
    return StoryItem(call_id=call_id, kind=item.kind, text=item.text, start=item.start, end=item.end,
                     speaker=item.speaker, role=item.role, detail=item.detail, amount=item.amount,
                     owner=item.owner, due=item.due)


def deal_items(calls: list[DealCall], kind: str) -> list[StoryItem]:
    """Every item of `kind` of the deal's analysed calls, in time order (call, then moment)."""
    out: list[StoryItem] = []
    for call in calls:
        if call.brief is not None:
            out.extend(story_item(call.id, i) for i in sorted(call.brief.items, key=lambda i: i.start)
                       if i.kind == kind)
    return out


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def named_on_a_call(name: str, calls: list[DealCall]) -> bool:
    """Whether someone a decision item names spoke on one of the calls: a word of the name (articles
    and possessives left out) equals a word of a speaker's name, ignoring case."""
    wanted = name_words(name) - NAME_STOP_WORDS
    spoken = {w for c in calls for n in c.speaker_names for w in name_words(n)}
    return bool(wanted & spoken)


def stakeholders(calls: list[DealCall], decisions: list[StoryItem]) -> list[Stakeholder]:
    """The people decision items name (their `detail`), once each, in the order first named."""
    by_name: dict[str, list[StoryItem]] = {}
    for item in decisions:
        if item.detail and item.detail.strip():
            by_name.setdefault(_key(item.detail), []).append(item)
    return [Stakeholder(name=items[0].detail or key, on_call=named_on_a_call(items[0].detail or key, calls),
                        mentions=items) for key, items in by_name.items()]


def competitors(items: list[StoryItem]) -> list[Competitor]:
    by_name: dict[str, list[StoryItem]] = {}
    for item in items:
        name = (item.detail or item.text).strip()
        by_name.setdefault(_key(name), []).append(item)
    return [Competitor(name=(v[0].detail or v[0].text).strip(), mentions=v) for v in by_name.values()]


def objection_threads(calls: list[DealCall]) -> list[ObjectionThread]:
    """Objections grouped by topic (`detail`, else "other"). A topic is handled when an analysed call
    came after the last call that raised it and did not raise it again; otherwise it is open."""
    analysed = [c for c in calls if c.brief is not None]
    order = {c.id: n for n, c in enumerate(analysed)}
    threads: dict[str, list[StoryItem]] = {}
    for item in deal_items(calls, "objection"):
        threads.setdefault(_key(item.detail or "other"), []).append(item)
    out = []
    for topic, raised in threads.items():
        last = max(order[i.call_id] for i in raised)
        later = analysed[last + 1] if last + 1 < len(analysed) else None
        out.append(ObjectionThread(topic=topic, status="open" if later is None else "handled", raised=raised,
                                   handled_in_call_id=None if later is None else later.id))
    return out


def next_steps(calls: list[DealCall], today: date) -> list[DealNextStep]:
    """Each next step with whether the deal's next call (any later call, analysed or not) came by
    its due date. Dates are the calls' UTC dates."""
    out = []
    for n, call in enumerate(calls):
        if call.brief is None:
            continue
        following = next((c for c in calls[n + 1:] if c.at > call.at), None)
        for item in sorted(call.brief.of_kind("next_step"), key=lambda i: i.start):
            due = _date(item.due)
            status: NextStepStatus
            if due is None:
                status = "undated"
            elif following is not None:
                status = "kept" if following.at.date() <= due else "missed"
            else:
                status = "missed" if due < today else "pending"
            out.append(DealNextStep(item=story_item(call.id, item), status=status,
                                    next_call_id=following.id if following else None,
                                    next_call_on=following.at.date() if following else None))
    return out


def _date(iso: str | None) -> date | None:
    if not iso:
        return None
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return None


def build_story(calls: list[DealCall], today: date) -> DealStory:
    """The deal's story from its calls (in time order)."""
    decisions = deal_items(calls, "decision")
    return DealStory(
        pains=deal_items(calls, "pain"), needs=deal_items(calls, "need"),
        stakeholders=stakeholders(calls, decisions), decisions=decisions,
        objections=objection_threads(calls), budget=deal_items(calls, "budget"), prices=deal_items(calls, "price"),
        competitors=competitors(deal_items(calls, "competitor")), next_steps=next_steps(calls, today),
        questions=deal_items(calls, "question"))
