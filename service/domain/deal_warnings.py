"""A deal's warnings, each with the moments that raised it. One function per rule; the rules and
their thresholds are written in docs/deals.md ("Warnings"), which a test keeps in step with the
constants here.

Only analysed calls with a brief count; a deal none of whose visible calls has a brief has no
warnings (there is nothing to judge).

Each message is marked for the catalogue (`N_`, `NN_` for a count) with its dates, amounts and
names as values (`Day`, `Amount`, `Names`): the API's JSON gets the English text, and the deal page
shows it in the reader's language (`DealWarning.said`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from models.deal_public import DealStory, DealWarning, Moment, StoryItem
from service.core.i18n import N_, NN_, Amount, Day, Names
from service.domain.deal_story import DealCall
from transcription.display import percent

TALK_SHARE_DROP = 0.10  # the last call's customer talk share this far (or more) below the first's
QUESTIONS_DROP = 2  # the last call's customer questions at least this many fewer than the first's ...
QUESTIONS_RATIO = 0.5  # ... and at most this fraction of them
MAX_EVIDENCE = 20  # moments listed per warning


def _moment(item: StoryItem) -> Moment:
    return Moment(call_id=item.call_id, start=item.start, text=item.text)


def _moments(items: Iterable[StoryItem]) -> list[Moment]:
    """The items' moments, each once (two rivals named in one sentence are one moment), at most
    `MAX_EVIDENCE`."""
    out: list[Moment] = []
    for item in items:
        if (moment := _moment(item)) not in out:
            out.append(moment)
        if len(out) == MAX_EVIDENCE:
            break
    return out


def _day(call: DealCall) -> Day:
    return Day(call.at.date())


def due_day(value: str) -> Day | str:
    """A next step's due date (ISO, from the brief) as a date the reader's language formats; as
    written if it is not one."""
    try:
        return Day(date.fromisoformat(value))
    except ValueError:
        return value


def no_dated_next_step(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """The latest analysed call has no next step with a due date."""
    latest = calls[-1]
    steps = [s for s in story.next_steps if s.item.call_id == latest.id]
    if any(s.item.due for s in steps):
        return None
    if steps:
        return DealWarning.marked(
            "no_dated_next_step", N_("The latest call (%(day)s) ends with next steps but no date for any.",
                                     day=_day(latest)), [_moment(s.item) for s in steps[:MAX_EVIDENCE]])
    return DealWarning.marked("no_dated_next_step", N_("The latest call (%(day)s) ends with no next step.",
                                                       day=_day(latest)), [Moment(call_id=latest.id)])


def due_date_passed(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """A next step's due date passed before the next call, or passed with no call since."""
    missed = [s for s in story.next_steps if s.status == "missed"]
    if not missed:
        return None
    first = missed[0]
    due, count = due_day(first.item.due or ""), len(missed)  # a missed step has a due date
    # Four whole sentences rather than pieces, so each language words them its own way; `count`
    # is 2 or more where it is said.
    if first.next_call_on and count > 1:
        message = N_("A next step was due on %(due)s and the next call came on %(next_call)s "
                     "(%(count)s next steps in all).", due=due, next_call=Day(first.next_call_on), count=count)
    elif first.next_call_on:
        message = N_("A next step was due on %(due)s and the next call came on %(next_call)s.",
                     due=due, next_call=Day(first.next_call_on))
    elif count > 1:
        message = N_("A next step was due on %(due)s and no call has happened since (%(count)s next steps in all).",
                     due=due, count=count)
    else:
        message = N_("A next step was due on %(due)s and no call has happened since.", due=due)
    return DealWarning.marked("due_date_passed", message, [_moment(s.item) for s in missed[:MAX_EVIDENCE]])


def budget_below_price(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """The latest budget amount said is below the latest price amount quoted."""
    budget = [i for i in story.budget if i.amount is not None]
    prices = [i for i in story.prices if i.amount is not None]
    if not budget or not prices or budget[-1].amount is None or prices[-1].amount is None:
        return None
    b, p = budget[-1], prices[-1]
    if b.amount is None or p.amount is None or b.amount >= p.amount:
        return None
    return DealWarning.marked(
        "budget_below_price", N_("The budget mentioned (%(budget)s) is below the price quoted (%(price)s).",
                                 budget=Amount(b.amount, 0), price=Amount(p.amount, 0)), [_moment(b), _moment(p)])


def competitor_in_play(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """A competitor was named in any call of the deal."""
    if not story.competitors:
        return None
    names = Names(tuple(c.name for c in story.competitors))
    return DealWarning.marked("competitor_in_play", N_("Competitors in play: %(names)s.", names=names),
                              _moments(c.mentions[0] for c in story.competitors))


def decision_maker_absent(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """Someone named as deciding has not spoken on any of the deal's calls."""
    absent = [s for s in story.stakeholders if not s.on_call]
    if not absent:
        return None
    names = Names(tuple(s.name for s in absent))
    return DealWarning.marked("decision_maker_absent", N_("Named as deciding but never on a call: %(names)s.",
                                                          names=names),
                              _moments(s.mentions[0] for s in absent))


def talk_share_falling(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """The customer's share of talk time on the last call is at least `TALK_SHARE_DROP` below the first's."""
    known = [c for c in calls if c.customer_talk_share is not None]
    if len(known) < 2:
        return None
    first, last = known[0], known[-1]
    assert first.customer_talk_share is not None and last.customer_talk_share is not None
    if first.customer_talk_share - last.customer_talk_share < TALK_SHARE_DROP - 1e-9:
        return None
    message = N_("The customer talked %(first_share)s of the first call (%(first_day)s) and %(last_share)s of the "
                 "last (%(last_day)s).", first_share=percent(first.customer_talk_share), first_day=_day(first),
                 last_share=percent(last.customer_talk_share), last_day=_day(last))
    return DealWarning.marked("talk_share_falling", message, [Moment(call_id=first.id), Moment(call_id=last.id)])


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
    # `a` is at least QUESTIONS_DROP (2) here: "questions" is always the right English word.
    message = N_("The customer asked %(first)s questions on the first call (%(first_day)s) and %(last)s on the "
                 "last (%(last_day)s).", first=a, first_day=_day(first), last=b, last_day=_day(last))
    return DealWarning.marked("questions_falling", message, [Moment(call_id=first.id), Moment(call_id=last.id)])


def unanswered_questions(calls: list[DealCall], story: DealStory, today: date) -> DealWarning | None:
    """A customer question the rep did not answer, in any call of the deal."""
    if not story.questions:
        return None
    message = NN_("%(num)d customer question left unanswered.", "%(num)d customer questions left unanswered.",
                  len(story.questions))
    return DealWarning.marked("unanswered_questions", message, [_moment(q) for q in story.questions[:MAX_EVIDENCE]])


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
