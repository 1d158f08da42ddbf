"""Next steps in the brief: who owns them, when they are due, and what is not a step."""

from __future__ import annotations

import datetime as dt

import pytest

from nlp.analysis import analyze_transcript
from nlp.brief.types import BriefItem
from tests.scripted import scripted_transcript
from transcription.types import Speaker

CALL_DATE = dt.date(2026, 12, 7)  # a Monday


def steps(*lines: tuple[str, str], roles: bool = True) -> list[BriefItem]:
    transcript = scripted_transcript(*lines)
    if not roles:
        transcript.speakers = [Speaker("S1"), Speaker("S2")]
    brief = analyze_transcript(transcript, call_date=CALL_DATE, call_date_source="argument").brief
    assert brief is not None
    return brief.of_kind("next_step")


def view(found: list[BriefItem]) -> list[tuple[str, str | None, str | None]]:
    return [(i.text, i.owner, i.due) for i in found]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (("S1", "I'll send you the proposal by Friday."), ("I'll send you the proposal by Friday", "rep", "2026-12-11")),
        (("S2", "I'll talk to my boss and get back to you next Tuesday."),
         ("I'll talk to my boss and get back to you next Tuesday", "customer", "2026-12-15")),
        (("S1", "Let's book a follow-up call on Thursday the 17th."),
         ("Let's book a follow-up call on Thursday the 17th", "both", "2026-12-17")),
        (("S2", "We're going to loop in legal by end of day tomorrow."),
         ("We're going to loop in legal by end of day tomorrow", "customer", "2026-12-08")),
        (("S1", "I'll put together a short summary for your team."),
         ("I'll put together a short summary for your team", "rep", None)),
        (("S2", "First I need to show this to our operations lead, Kim."),
         ("First I need to show this to our operations lead, Kim", "customer", None)),
    ],
)
def test_commitments_with_owner_and_due(line: tuple[str, str], expected: tuple[str, str, str | None]) -> None:
    assert view(steps(line)) == [expected]


def test_an_accepted_request_belongs_to_whoever_accepted_it() -> None:
    found = steps(("S2", "Can you send me the security documents by Wednesday?"), ("S1", "Sure, no problem."))
    assert view(found) == [("Can you send me the security documents by Wednesday?", "rep", "2026-12-09")]
    assert found[0].speaker == "S2"  # the words are the customer's; the step is the rep's


def test_a_proposal_and_the_date_the_other_side_names() -> None:
    found = steps(
        ("S1", "Could we set up a kickoff with your team?"),
        ("S2", "Yes. Let's do Tuesday. The fifteenth works best."),
    )
    assert [(i.owner, i.due) for i in found] == [("both", "2026-12-15")]


@pytest.mark.parametrize(
    ("line", "text"),
    [
        (("S1", "i'll send it over"), "i'll send it over"),  # a particle ends it, not a cut
        (("S1", "I'll follow up."), "I'll follow up"),
        (("S2", "Sure, we'll do that."), "Sure, we'll do that"),
        (("S1", "I'll send the"), None),
        (("S1", "I'll send the pricing by Friday and"), "I'll send the pricing by Friday and"),  # dated: kept
    ],
)
def test_a_step_needs_an_action_unless_dated(line: tuple[str, str], text: str | None) -> None:
    found = steps(line)
    assert [i.text for i in found] == ([text] if text else [])


def test_a_date_said_right_after_the_step_is_its_due_date() -> None:
    found = steps(("S1", "Then let's do a check-in once the feed is live. How about Monday the twenty-first?"),
                  ("S2", "Monday works."))
    assert view(found) == [("let's do a check-in once the feed is live. How about Monday the twenty-first?",
                            "both", "2026-12-21")]


@pytest.mark.parametrize(
    "lines",
    [
        [("S1", "Let me share my screen and show you the dashboard.")],  # an in-call move
        [("S1", "I'll show you how the scorecard works.")],
        [("S1", "I sent the proposal last week.")],  # the past
        [("S2", "If the trial goes well, we'll sign before the end of June.")],  # a condition
        [("S1", "I won't be able to send anything before Friday.")],  # negated
        [("S1", "Could I show you a quick demo next week?"), ("S2", "Just send me some material for now.")],  # refused
        [("S1", "I can share a few case studies."), ("S2", "We're fine for now.")],  # an offer nobody took
        [("S2", "The board meets on the eighteenth.")],  # a date that is nobody's commitment
        [("S1", "Thanks for your time."), ("S2", "Sure. I'll let you get back to the kitchen.")],  # a goodbye
        [("S1", "Fair, let me ask it differently. What would it take?")],  # an in-call move
        [("S2", "I'm going to have a hard time selling another big system upstairs.")],  # a worry
        [("S2", "Thanks, I'll make good use of it.")],
        [("S2", "That's more than I'd hoped, but I've seen worse.")],  # "I'd hoped": had, not would
        [("S2", "Thirty percent faster? I'll believe it when I see it.")],  # idioms of doubt and concession
        [("S2", "Their reporting is nice, I'll give them that.")],
        [("S1", "Okay, let me ask about integrations.")],  # in-call moves
        [("S2", "Let me warn you, our CFO reads every clause.")],
        [("S2", "Now I'm going to go and enjoy my weekend.")],
        [("S1", "You can export it as a spreadsheet every week."), ("S2", "That's good.")],  # what the product does
        # No action named: a bare "do", a sign-off, a sentence cut off by the recogniser or a speaker change.
        [("S2", "Yeah, we'll do."), ("S1", "Great.")],
        [("S1", "Alright, I'll talk soon.")],
        [("S1", "I'll send over the"), ("S2", "Sorry, you cut out there.")],
        [("S1", "let me forward you our")],
        [("S2", "we'll review the contract and")],
        # "Will do." run into the next sentence by a recogniser: an acknowledgement, even with a date after it.
        [("S1", "We'll do, your renewal is on September first, so I wanted to hear how the year went.")],
        [("S1", "We'll do. And have a good weekend.")],
    ],
)
def test_not_next_steps(lines: list[tuple[str, str]]) -> None:
    assert steps(*lines) == []


@pytest.mark.parametrize(("line", "due"), [
    # the day of the event the step prepares for, and how long something holds, are not the step's day
    ("I'll have the summary to you by end of the week, so you've got it before the board on the 17th.", "2026-12-11"),
    ("I'll extend the trial today through January 7th.", "2026-12-07"),
    ("I'll send the deck before the board meeting on the 17th.", "2026-12-17"),  # the only day said
])
def test_the_steps_own_day_among_others(line: str, due: str) -> None:
    assert [i.due for i in steps(("S1", line))] == [due]


def test_without_a_rep_no_owner_is_guessed() -> None:
    found = steps(
        ("S1", "I'll send you the proposal by Friday."),
        ("S2", "Great, and let's meet again next Thursday."),
        roles=False,
    )
    assert [(i.owner, i.due, i.role) for i in found] == [(None, "2026-12-11", "unknown"), (None, "2026-12-17", "unknown")]


def test_an_unresolvable_date_keeps_its_words() -> None:
    found = steps(("S1", "I'll send the contract over next week."))
    assert [(i.due, i.date_phrase) for i in found] == [(None, "next week")]


def test_without_a_call_date_no_due_date() -> None:
    brief = analyze_transcript(scripted_transcript(("S1", "I'll send you the proposal by Friday."))).brief
    assert brief is not None and brief.call_date is None and brief.call_date_source is None
    assert [(i.due, i.date_phrase) for i in brief.of_kind("next_step")] == [(None, "by Friday")]


def test_chinese_steps_get_chinese_due_dates() -> None:
    from transcription.types import Transcript, Word

    lines = [("S1", "您好，我是销售小王。"), ("S2", "你好，我们的报表现在都是手工做的。"),
             ("S1", "明白了，我明天把报价发给您。"), ("S2", "好的，我们下周二再聊。")]
    words = [Word(3.0 * k, 3.0 * k + 2.0, text, speaker) for k, (speaker, text) in enumerate(lines)]
    transcript = Transcript(duration_s=12.0, speakers=[Speaker("S1", "rep"), Speaker("S2", "customer")], words=words,
                            source="json", language="zh")
    brief = analyze_transcript(transcript, call_date=CALL_DATE, call_date_source="argument").brief
    assert brief is not None
    assert [(i.owner, i.due, i.date_phrase) for i in brief.of_kind("next_step")] == [
        ("rep", "2026-12-08", "明天"), ("both", "2026-12-15", "下周二")]


def test_a_step_whose_will_the_recogniser_dropped() -> None:
    """tiny.en often writes "I'll export" as "I export": with a date said, it is still the step."""
    assert view(steps(("S2", "What happens next?"),
                      ("S1", "Okay, I export the invoice register and send it before the 15th."))) == [
        ("I export the invoice register and send it before the 15th", "rep", "2026-12-15")]


@pytest.mark.parametrize("line", [
    "I send invoices by the 15th every month.",
    "I check the logs on Monday mornings.",
    "Before I show anything on Friday, tell me how you plan production today.",
    "I don't want to start before Friday.",
])
def test_present_tense_habits_and_clauses_are_not_steps(line: str) -> None:
    assert steps(("S2", "What happens next?"), ("S1", line)) == []


def test_a_confirmation_with_a_contracted_is_is_no_step_of_its_own() -> None:
    """ "Wednesday's fine." accepts the proposal; it is not a second step."""
    found = steps(("S1", "I'll set up a short session with your team. Would Wednesday at ten work?"),
                  ("S2", "Wednesday's fine."))
    assert [(i.owner, i.due) for i in found] == [("both", "2026-12-09")]


def test_a_meeting_one_side_offers_and_the_other_dates_is_set_together() -> None:
    found = steps(("S1", "I could run a workshop for your planners on Tuesday."),
                  ("S2", "Tuesday afternoon works."))
    assert [(i.owner, i.due) for i in found] == [("both", "2026-12-08")]
    # a trial one side runs stays that side's, whatever the reply
    found = steps(("S1", "I'll set up a trial licence for you by Thursday."), ("S2", "Thursday works."))
    assert [(i.owner, i.due) for i in found] == [("rep", "2026-12-10")]


def test_a_counter_proposal_is_the_meeting_and_its_invite_is_part_of_it() -> None:
    found = steps(("S1", "Would Thursday at two work for a demo?"),
                  ("S2", "Thursday is our board day. Make it Friday."),
                  ("S1", "Friday at two, then. I'll send the invite."))
    assert [(i.owner, i.due) for i in found] == [("both", "2026-12-11")]


def test_a_suggested_visit_and_the_day_proposed_for_it() -> None:
    found = steps(("S1", "What I'd suggest is a site visit, so we can map the process together."),
                  ("S2", "Sure."),
                  ("S1", "How about Wednesday the sixteenth?"),
                  ("S2", "The sixteenth works."))
    assert [(i.owner, i.due) for i in found] == [("both", "2026-12-16")]


def test_how_about_i_offers_a_step() -> None:
    found = steps(("S1", "How about I ring you on the fourteenth, once the budget is out."))
    assert [(i.owner, i.due) for i in found] == [("rep", "2026-12-14")]
    # "what if I ..." is a hypothetical offer in a negotiation, not a step
    assert steps(("S1", "What if I drop the setup fee and keep the price at forty?")) == []


@pytest.mark.parametrize("line", [
    "Let me bring the renewal quote up so we're both looking at it.",
    "I'll pull up the dispatch board real quick.",
    "Let me switch over to the admin view and show you the audit log.",
    "Let me open the report your team exported on Friday and see what it flagged.",
])
def test_what_goes_on_the_screen_now_is_no_step(line: str) -> None:
    # the date in "the report your team exported on Friday" is the report's, not a due date
    assert steps(("S1", line)) == []


def test_a_topic_brought_up_with_someone_is_a_step() -> None:
    assert view(steps(("S2", "I'll bring it up with our finance director."))) == [
        ("I'll bring it up with our finance director", "customer", None)]


def test_the_invite_for_the_day_just_agreed_is_part_of_the_meeting() -> None:
    found = steps(
        ("S1", "Should the three of us get on a call? How's Thursday the seventeenth?"),
        ("S2", "Thursday the seventeenth works, after lunch."),
        ("S1", "Great, I'll send an invite to you and Priya for two o'clock on the seventeenth."),
    )
    assert [(i.owner, i.due) for i in found] == [("both", "2026-12-17")]


@pytest.mark.parametrize("line", [
    "We'd set up in March and go live for the summer season.",
    "On reporting, I'd put us up against anyone.",
])
def test_would_describes_a_plan_not_a_commitment(line: str) -> None:
    # "we'd" is "we would": how a rollout would go, not something anyone has taken on
    assert steps(("S2", "How would the rollout work?"), ("S1", line)) == []


@pytest.mark.parametrize("line", [
    "Let me switch to the reporting tab.",
    "I'll click into the onboarding flow.",
    "Let me grab last year's numbers so we're all looking at the same thing.",
    "Let me put the contract on screen.",
    "Let me come back to that.",
    "Let's park that for the call with your controller.",
    "Let me read you what I wrote down in March.",
    "Hang on, the forklift is beeping, let me just step out.",
    "Sorry, hold on, my manager is here, let me grab him.",
    "Let me check.",
    "Let me try something on the term length.",
    "I'll cut to the chase, Priya.",
    "Sign this quarter and I'll make it worth your while.",
])
def test_moves_inside_the_call_are_no_steps(line: str) -> None:
    # "what I wrote down in March" dates what was written, not something to do
    assert steps(("S1", line)) == []


def test_the_date_of_an_event_already_set_is_no_proposal() -> None:
    assert steps(("S1", "When is the next board meeting?"), ("S2", "The twenty-third. Which is tight.")) == []


def test_a_day_said_back_and_agreed_is_the_same_step() -> None:
    found = steps(("S1", "I'll have an answer for you by Thursday."), ("S2", "Thursday. Fine."))
    assert [(i.owner, i.due) for i in found] == [("rep", "2026-12-10")]


@pytest.mark.parametrize("line", [
    "I can keep this year's rate for you as long as the order form is signed by Friday.",
    "We'll waive the setup fee, provided that you commit by the twentieth.",
])
def test_an_offer_on_a_condition_is_no_step(line: str) -> None:
    assert steps(("S1", line)) == []


def test_an_invite_for_a_named_day_is_a_meeting_both_sides_hold() -> None:
    found = steps(("S2", "Let's look at the numbers together again."), ("S1", "Eleven o'clock Thursday the tenth, I'll send the invite."))
    assert [(i.owner, i.due) for i in found] == [("both", "2026-12-10")]
    # an invitation sent by a day is the sender's own step
    found = steps(("S1", "I'll send the invite tomorrow."))
    assert [(i.owner, i.due) for i in found] == [("rep", "2026-12-08")]


def test_a_day_said_after_a_remark_still_dates_the_step() -> None:
    found = steps(("S2", "I'll forward you the audit report. The signed copy, not the draft. First thing Wednesday."))
    assert [(i.owner, i.due) for i in found] == [("customer", "2026-12-09")]


def test_a_day_the_other_side_sets_belongs_to_the_step_and_saying_it_back_adds_none() -> None:
    found = steps(
        ("S1", "Let me take the discount question to my director and come back to you."),
        ("S2", "By Thursday."),
        ("S1", "By Thursday, you'll have it."),
    )
    assert [(i.owner, i.due) for i in found] == [("rep", "2026-12-10")]
