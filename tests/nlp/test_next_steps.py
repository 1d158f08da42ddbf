"""Commitments with who committed and the date phrase."""

from __future__ import annotations

import pytest

from nlp.next_steps import find_next_steps
from nlp.sentences import split_sentences
from nlp.types import NextStep
from tests.scripted import scripted_transcript


def steps(*lines: tuple[str, str]) -> list[NextStep]:
    return find_next_steps(split_sentences(scripted_transcript(*lines)))


@pytest.mark.parametrize(
    ("text", "action", "date"),
    [
        ("Let's book a follow-up next Thursday.", "book a follow-up next Thursday", "next Thursday"),
        ("I'll send the proposal by Friday.", "send the proposal by Friday", "by Friday"),
        ("We're going to loop in legal next week.", "loop in legal next week", "next week"),
        (
            "Let me get back to you tomorrow with the numbers.",
            "get back to you tomorrow with the numbers",
            "tomorrow",
        ),
        (
            "Can we schedule a call for Monday at 10am?",
            "schedule a call for Monday at 10am",
            "Monday at 10am",
        ),
        ("I will share the deck after the call.", "share the deck after the call", "after the call"),
        ("i'll send you the contract tomorrow", "send you the contract tomorrow", "tomorrow"),
        (
            "lets set up a demo with your team next week",
            "set up a demo with your team next week",
            "next week",
        ),
        ("We'll get back to you in two weeks.", "get back to you in two weeks", "in two weeks"),
        (
            "I'll put together a short summary for your team.",
            "put together a short summary for your team",
            None,
        ),
    ],
)
def test_commitments(text: str, action: str, date: str | None) -> None:
    found = steps(("S1", text))
    assert [(s.speaker, s.action, s.date_phrase) for s in found] == [("S1", action, date)]


@pytest.mark.parametrize(
    "text",
    [
        "I sent the proposal last week.",
        "I won't be able to send it before Friday.",
        "If we sign this month, I'll need a discount.",
        "We use Salesforce for pipeline reviews.",
        "You should talk to our CFO.",
        "That's more than I'd hoped, but I've seen worse.",  # "I'd" is "I had" here ("hoped" lemmatised as hop)
    ],
)
def test_not_commitments(text: str) -> None:
    assert steps(("S1", text)) == []


def test_who_committed_and_when() -> None:
    found = steps(
        ("S1", "Thanks, this was helpful."),
        ("S2", "Sure. I'll run it by my VP on Monday."),
        ("S1", "Great, and I'll send over the pricing sheet today."),
    )
    assert [(s.speaker, s.date_phrase) for s in found] == [("S2", "on Monday"), ("S1", "today")]
    assert 0 < found[0].start < found[0].end < found[1].start


def test_request_accepted_by_the_listener_is_their_commitment() -> None:
    found = steps(
        ("S1", "Can you send me the security questionnaire by Friday?"),
        ("S2", "Sure, I'll have our IT lead fill it in."),
    )
    assert [(n.speaker, n.action, n.date_phrase) for n in found] == [
        ("S2", "send me the security questionnaire by Friday", "by Friday"),
    ]


def test_assigned_step_takes_the_date_from_the_acceptance() -> None:
    found = steps(
        ("S2", "So you'll loop in your legal team?"),
        ("S1", "Yes, I can do that on Monday."),
    )
    assert [(n.speaker, n.action, n.date_phrase) for n in found] == [("S1", "loop in your legal team", "on Monday")]


def test_request_without_acceptance_is_not_a_commitment() -> None:
    assert steps(
        ("S1", "Could you send over the pricing sheet next week?"),
        ("S2", "I'm not sure that's something we share before a contract."),
    ) == []
    assert steps(("S1", "Can you send me the deck tomorrow?")) == []


def test_undated_in_call_moves_are_not_next_steps() -> None:
    """The sample call's "let me show you how we handle exactly that" happens during the call."""
    found = steps(
        ("S1", "Okay, so let me show you how we handle exactly that."),
        ("S1", "Let's walk through the dashboard."),
        ("S1", "Let me show you the report next Tuesday."),
        ("S1", "Let me get back to you with the numbers."),
    )
    assert [s.text for s in found] == ["Let me show you the report next Tuesday.",
                                       "Let me get back to you with the numbers."]
