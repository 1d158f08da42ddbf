"""Question types that depend on the conversation: bare tags and unanswered rhetorical questions."""

from __future__ import annotations

import pytest

from nlp.language import analyze_language
from nlp.questions.context import ContextItem, RollingContext, addresses_listener, resolve_types
from tests.scripted import scripted_transcript


def _questions(*turns: tuple[str, str]) -> list[tuple[str, str, str]]:
    found = analyze_language(scripted_transcript(*turns), semantic=False)
    return [(q.speaker, q.type, q.text) for q in found.questions]


def test_bare_tag_after_own_statement_is_a_tag_question() -> None:
    # The customer's "Yeah." splits the rep's turn; the rep's "Right?" still checks their own claim.
    assert _questions(
        ("S1", "Your renewal is up in March."),
        ("S2", "Yeah."),
        ("S1", "So the contract goes through procurement again."),
        ("S1", "Right?"),
        ("S2", "Correct, procurement signs off on every renewal."),
    ) == [("S1", "tag", "Right?")]


def test_bare_right_after_the_other_speaker_is_a_backchannel() -> None:
    assert _questions(
        ("S1", "We moved the whole sales team onto the new dialer last month."),
        ("S2", "Right?"),
    ) == []


def test_open_question_the_speaker_answers_is_rhetorical() -> None:
    assert _questions(
        ("S1", "What happens when the champion leaves the company?"),
        ("S2", "Uh-huh."),
        ("S1", "The whole deal stalls, because nobody else owns the project."),
    ) == []


def test_open_question_left_to_the_listener_counts() -> None:
    assert _questions(
        ("S1", "What happens when the champion leaves the company?"),
        ("S2", "Usually the project stalls until someone in finance picks it up."),
    ) == [("S1", "open", "What happens when the champion leaves the company?")]


def test_question_to_the_listener_counts_even_when_the_rep_goes_on() -> None:
    assert _questions(
        ("S1", "Which CRM are you using today? We integrate with most of them out of the box."),
        ("S2", "HubSpot."),
    ) == [("S1", "open", "Which CRM are you using today?")]


def test_invitation_counts_even_when_the_rep_goes_on() -> None:
    assert _questions(
        ("S1", "Walk me through the approval process. I want to make sure we plan the timeline right."),
        ("S2", "Sure, legal reviews first, then finance."),
    ) == [("S1", "open", "Walk me through the approval process.")]


def test_unpunctuated_rhetorical_question_across_turns() -> None:
    items = [
        ContextItem("S1", "what are we going to do with all those leads", "open"),
        ContextItem("S2", "mm-hmm", None, is_backchannel=True),
        ContextItem("S1", "nobody has time to call them back this quarter", None),
        ContextItem("S1", "how many reps do you have on the team", "open"),
        ContextItem("S2", "twelve right now", None),
    ]
    assert resolve_types(items) == [None, None, None, "open", None]


def test_yes_no_question_followed_by_more_talk_still_counts() -> None:
    items = [
        ContextItem("S1", "Is the budget approved?", "yes_no"),
        ContextItem("S1", "Last time it took finance three months to sign off.", None),
    ]
    assert resolve_types(items) == ["yes_no", None]


def test_addresses_listener_ignores_filler_you_know() -> None:
    assert addresses_listener("What does your team use today?")
    assert addresses_listener("Tell me about the rollout.")
    assert not addresses_listener("What are they supposed to do, you know?")
    assert not addresses_listener("Why would anyone pay that much?")


def test_next_question_or_thanks_is_not_an_answer() -> None:
    items = [
        ContextItem("A", "Which regions are seeing the most churn?", "open"),
        ContextItem("A", "Secondly, on pricing, the list price went up ten percent this year.", None),
        ContextItem("A", "How should we think about the renewal cycle?", "open"),
        ContextItem("A", "Thank you so much for taking my questions.", None),
        ContextItem("A", "What drove the delay?", "open"),
        ContextItem("A", "I ask because the last rollout took three months.", None),
    ]
    assert resolve_types(items) == ["open", None, "open", None, "open", None]


def test_asked_back_after_own_statement_is_a_yes_no_question() -> None:
    assert _questions(
        ("S2", "We looked at Gong last year but never ran a pilot."),
        ("S2", "Have you?"),
        ("S1", "We have, with a few of our customers."),
    ) == [("S2", "yes_no", "Have you?")]


def test_did_you_after_the_other_speaker_stays_a_reaction() -> None:
    assert _questions(
        ("S1", "We ran a pilot with Gong last year."),
        ("S2", "Oh, did you?"),
    ) == []


def test_rolling_context_reads_each_utterance_after_the_earlier_ones() -> None:
    statement = ContextItem("S1", "So the contract goes through procurement again", None)
    tag = ContextItem("S1", "right?", None, is_backchannel=True)
    context = RollingContext(keep=1)
    assert context.resolve([statement]) == [None]
    assert context.resolve([tag]) == ["tag"]  # the statement came in an earlier utterance
    assert resolve_types([tag]) == [None]  # alone, "right?" is a reaction
    with pytest.raises(ValueError, match="keep"):
        RollingContext(keep=0)


def test_rolling_context_matches_the_whole_call_for_rules_that_look_back() -> None:
    items = [
        ContextItem("S1", "Your renewal is up in March.", None),
        ContextItem("S1", "Right?", None, is_backchannel=True),
        ContextItem("S2", "I haven't seen the new pricing yet.", None),
        ContextItem("S2", "Have you?", None, is_backchannel=True),
        ContextItem("S1", "Which team owns the budget?", "open"),
    ]
    context = RollingContext()
    assert [t for item in items for t in context.resolve([item])] == resolve_types(items)
    assert resolve_types(items) == [None, "tag", None, "yes_no", "open"]


def test_an_echo_of_the_other_sides_words_is_a_reaction() -> None:
    # The rep says a figure back; the whole pipeline (spaCy, the model, the context rules).
    assert _questions(
        ("S2", "We rolled it out to nine hundred agents in a month."),
        ("S1", "Nine hundred?"),
        ("S2", "Yes, across four call centres in a single month."),
        ("S1", "In a single month?"),
    ) == []


@pytest.mark.parametrize(
    ("before", "echo", "expected"),
    [
        ("Renewals went up twelve points last year.", "Twelve points?", None),
        ("renewals went up twelve points last year", "oh twelve points", None),
        ("We have 40 reps in Leeds.", "Oh, 40?", None),
        ("We cut the whole team in half.", "The whole team?", None),
        # New words, a wh-word or more than a few words ask something of their own.
        ("We have forty reps in Leeds.", "Forty reps in Manchester?", "declarative"),
        ("We have forty reps in Leeds.", "Forty reps doing what?", "open"),
        ("We have forty reps in Leeds.", "Forty reps in Leeds alone, all on one floor?", "declarative"),
    ],
)
def test_echo_needs_only_the_other_sides_words(before: str, echo: str, expected: str | None) -> None:
    typed = "declarative" if expected is None else expected
    assert resolve_types([ContextItem("S2", before, None), ContextItem("S1", echo, typed)]) == [None, expected]


def test_an_echo_of_ones_own_words_is_not_a_reaction() -> None:
    items = [ContextItem("S1", "We could start with forty seats.", None), ContextItem("S1", "Forty seats?", "yes_no")]
    assert resolve_types(items) == [None, "yes_no"]


def test_a_greeting_asked_back_is_not_a_question() -> None:
    # the opening of most calls: the rep's "How are you?" is a greeting, and so is its return
    assert _questions(
        ("S1", "Hi Dana, how are you?"),
        ("S2", "Good, thanks, and yourself?"),
        ("S1", "I'm well, thanks."),
        ("S1", "And you?"),
        ("S2", "fine thanks how about you"),
        ("S1", "So which CRM does your team use today?"),
    ) == [("S1", "open", "So which CRM does your team use today?")]


@pytest.mark.parametrize("text", ["We're on HubSpot. How about you?", "Okay, so does that pricing work for you?"])
def test_a_question_back_without_a_greeting_still_counts(text: str) -> None:
    assert [q[0] for q in _questions(("S2", "We just closed our best quarter."), ("S1", text))] == ["S1"]
