"""A deal's warnings, each with the moments that raised it. One function per rule; the rules and
their thresholds are written in docs/deals.md ("Warnings"), which a test keeps in step with the
constants here.

Only analysed calls with a brief count; a deal none of whose visible calls has a brief has no
warnings (there is nothing to judge).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from models.deal_public import DealStory, DealWarning, Moment, StoryItem
from service.domain.deal_story import DealCall
from transcription.display import percent

TALK_SHARE_DROP = 0.10  # the last call's customer talk share this far (or more) below the first's
QUESTIONS_DROP = 2  # the last call's customer questions at least this many fewer than the first's ...
QUESTIONS_RATIO = 0.5  # ... and at most this fraction of them
MAX_EVIDENCE = 20  # moments listed per warning


def _moment(item: StoryItem) -> Moment:
    return Moment(call_id=item.call_id, start=item.start, text=item.text)


def _day(call: DealCall) -> str:
    return call.at.date().isoformat()


def no_dated_next_step(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """The latest analysed call has no next step with a due date."""
    latest = calls[-1]
    steps = [s for s in story.next_steps if s.item.call_id == latest.id]
    if any(s.item.due for s in steps):
        return None
    if steps:
        return DealWarning(code="no_dated_next_step", evidence=[_moment(s.item) for s in steps[:MAX_EVIDENCE]],
                           message=f"The latest call ({_day(latest)}) ends with next steps but no date for any.")
    return DealWarning(code="no_dated_next_step", evidence=[Moment(call_id=latest.id)],
                       message=f"The latest call ({_day(latest)}) ends with no next step.")


def due_date_passed(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """A next step's due date passed before the next call, or passed with no call since."""
    missed = [s for s in story.next_steps if s.status == "missed"]
    if not missed:
        return None
    first = missed[0]
    when = (f"the next call came on {first.next_call_on.isoformat()}" if first.next_call_on
            else "no call has happened since")
    more = f" ({len(missed)} next steps in all)" if len(missed) > 1 else ""
    return DealWarning(code="due_date_passed", evidence=[_moment(s.item) for s in missed[:MAX_EVIDENCE]],
                       message=f"A next step was due on {first.item.due} and {when}{more}.")


def budget_below_price(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """The latest budget amount said is below the latest price amount quoted."""
    budget = [i for i in story.budget if i.amount is not None]
    prices = [i for i in story.prices if i.amount is not None]
    if not budget or not prices or budget[-1].amount is None or prices[-1].amount is None:
        return None
    b, p = budget[-1], prices[-1]
    if b.amount is None or p.amount is None or b.amount >= p.amount:
        return None
    return DealWarning(code="budget_below_price", evidence=[_moment(b), _moment(p)],
                       message=f"The budget mentioned ({b.amount:,.0f}) is below the price quoted ({p.amount:,.0f}).")


def competitor_in_play(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """A competitor was named in any call of the deal."""
    if not story.competitors:
        return None
    names = ", ".join(c.name for c in story.competitors)
    return DealWarning(code="competitor_in_play", message=f"Competitors in play: {names}.",
                       evidence=[_moment(c.mentions[0]) for c in story.competitors[:MAX_EVIDENCE]])


def decision_maker_absent(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """Someone named as deciding has not spoken on any of the deal's calls."""
    absent = [s for s in story.stakeholders if not s.on_call]
    if not absent:
        return None
    names = ", ".join(s.name for s in absent)
    return DealWarning(code="decision_maker_absent", evidence=[_moment(s.mentions[0]) for s in absent[:MAX_EVIDENCE]],
                       message=f"Named as deciding but never on a call: {names}.")


def talk_share_falling(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """The customer's share of talk time on the last call is at least `TALK_SHARE_DROP` below the first's."""
    known = [c for c in calls if c.customer_talk_share is not None]
    if len(known) < 2:
        return None
    first, last = known[0], known[-1]
    assert first.customer_talk_share is not None and last.customer_talk_share is not None
    if first.customer_talk_share - last.customer_talk_share < TALK_SHARE_DROP - 1e-9:
        return None
    return DealWarning(code="talk_share_falling", evidence=[Moment(call_id=first.id), Moment(call_id=last.id)],
                       message=f"The customer talked {percent(first.customer_talk_share)} of the first call "
                               f"({_day(first)}) and {percent(last.customer_talk_share)} of the last ({_day(last)}).")


def questions_falling(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """The customer asked at least `QUESTIONS_DROP` fewer questions on the last call than on the
    first, and at most `QUESTIONS_RATIO` of them."""
    known = [c for c in calls if c.customer_questions is not None]
    if len(known) < 2:
        return None
    first, last = known[0], known[-1]
    assert first.customer_questions is not None and last.customer_questions is not None
    a, b = first.customer_questions, last.customer_questions
    if a - b < QUESTIONS_DROP or b > QUESTIONS_RATIO * a:
        return None
    return DealWarning(code="questions_falling", evidence=[Moment(call_id=first.id), Moment(call_id=last.id)],
                       message=f"The customer asked {a} questions on the first call ({_day(first)}) "
                               f"and {b} on the last ({_day(last)}).")


def unanswered_questions(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """A customer question the rep did not answer, in any call of the deal."""
    if not story.questions:
        return None
    n = len(story.questions)
    return DealWarning(code="unanswered_questions", evidence=[_moment(q) for q in story.questions[:MAX_EVIDENCE]],
                       message=f"{n} customer question{'' if n == 1 else 's'} left unanswered.")


RULES: tuple[Callable[[list[DealCall], DealStory, date], DealWarning | None], ...] = (
    no_dated_next_step, due_date_passed, budget_below_price, competitor_in_play, decision_maker_absent,
    talk_share_falling, questions_falling, unanswered_questions,
)


def deal_warnings(calls: list[DealCall], story: DealStory, today: date) -> list[DealWarning]:
    """Every warning the deal raises, in the order of `RULES`. `calls` are all the deal's visible
    calls in time order; only the analysed ones with a brief are judged."""
    analysed = [c for c in calls if c.brief is not None]
    if not analysed:
        return []
    found = (rule(analysed, story, today) for rule in RULES)
    return [w for w in found if w is not None]
