"""Trackers from YAML: lemma matches (word forms count), said_by, semantic matches by meaning."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.errors import TrackerConfigError
from nlp.language import analyze_language
from nlp.trackers import DEFAULT_TRACKERS_PATH, load_trackers, parse_trackers
from nlp.types import TrackerHit
from tests.scripted import scripted_transcript
from transcription.errors import InputNotFoundError, TalktrackError
from transcription.types import Speaker


def hits(*lines: tuple[str, str], yaml_text: str | None = None, semantic: bool = True) -> list[TrackerHit]:
    trackers = parse_trackers(yaml_text) if yaml_text else None
    return analyze_language(scripted_transcript(*lines), trackers=trackers, semantic=semantic).trackers


PHRASES_ONLY = """
trackers:
  - name: pricing
    phrases: [price, cost]
  - name: discount_request
    said_by: customer
    phrases: [discount]
"""


def test_defaults_load_and_cover_the_issue() -> None:
    names = load_trackers().names
    assert DEFAULT_TRACKERS_PATH.is_file()
    for name in [
        "pricing",
        "competitors",
        "next_steps",
        "budget_objection",
        "timing_objection",
        "authority_objection",
        "discount_request",
    ]:
        assert name in names


def test_word_forms_match_on_lemmas() -> None:
    found = hits(
        ("S1", "Our prices went up in January."),
        ("S2", "It is priced per seat, and it costs too much."),
        ("S2", "the pricing costs are fine"),
        yaml_text=PHRASES_ONLY,
    )
    assert [(h.tracker, h.speaker, h.phrase, h.match) for h in found] == [
        ("pricing", "S1", "prices", "phrase"),
        ("pricing", "S2", "priced", "phrase"),
        ("pricing", "S2", "costs", "phrase"),
    ]
    assert found[0].text == "Our prices went up in January."
    assert found[0].start == 0.0 and found[0].end == pytest.approx(2.3)


def test_said_by_limits_whose_sentences_count() -> None:
    found = hits(
        ("S1", "We never discount in the first year."),
        ("S2", "Could you give us a discount if we sign this month?"),
        yaml_text=PHRASES_ONLY,
    )
    assert [(h.tracker, h.speaker) for h in found] == [("discount_request", "S2")]


def test_unknown_roles_count_for_every_tracker() -> None:
    t = scripted_transcript(("S1", "Any discount for two years?"))
    t.speakers = [Speaker("S1"), Speaker("S2")]
    found = analyze_language(t, trackers=parse_trackers(PHRASES_ONLY), semantic=False).trackers
    assert [h.tracker for h in found] == ["discount_request"]


def test_lower_case_proper_nouns_match() -> None:
    found = hits(("S2", "we looked at gong and salesforce last year"), semantic=False)
    assert {h.phrase for h in found if h.tracker == "competitors"} == {"gong"}


def test_semantic_matches_by_meaning() -> None:
    found = hits(
        ("S1", "What does your timeline look like?"),
        ("S2", "Honestly we just don't have the money for this right now."),
        ("S2", "I'd need my boss to approve something like this first."),
        ("S2", "My dog loves the park on weekends."),
    )
    semantic = [(h.tracker, h.speaker, h.match) for h in found if h.match == "semantic"]
    assert ("budget_objection", "S2", "semantic") in semantic
    assert ("authority_objection", "S2", "semantic") in semantic
    assert not any("dog" in h.text for h in found)
    assert all(0.6 <= h.score <= 1.0 for h in found if h.match == "semantic")


def test_authority_objection_needs_the_ask_not_a_mention_of_a_manager() -> None:
    found = hits(
        ("S2", "My managers tried to listen in on calls last year."),
        ("S2", "I'll have to check with my manager before we sign."),
        ("S2", "I asked my boss about it yesterday."),
    )
    authority = [(h.text, h.match) for h in found if h.tracker == "authority_objection"]
    assert [text for text, _ in authority] == ["I'll have to check with my manager before we sign.",
                                               "I asked my boss about it yesterday."]
    assert authority[0][1] == "phrase"


def test_phrase_and_semantic_hits_are_not_duplicated() -> None:
    found = hits(("S2", "Is there any flexibility on the price?"))
    discount = [h for h in found if h.tracker == "discount_request"]
    assert len(discount) == 1 and discount[0].match == "phrase"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("trackers: []", "non-empty"),
        ("trackers:\n  - phrases: [price]", "name"),
        ("trackers:\n  - name: x\n    said_by: boss\n    phrases: [a]", "said_by"),
        ("trackers:\n  - name: x", "neither"),
        ("trackers:\n  - name: x\n    phrases: [a]\n    threshold: 2", "threshold"),
        ("trackers:\n  - name: x\n    phrases: [a]\n  - name: x\n    phrases: [b]", "unique"),
        ("trackers: [", "YAML"),
    ],
)
def test_bad_yaml_gives_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(TrackerConfigError, match=message) as info:
        parse_trackers(text)
    assert isinstance(info.value, TalktrackError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError):
        load_trackers(tmp_path / "nope.yaml")


def test_user_file(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "trackers:\n  - name: security\n    phrases: [SOC 2, security review]\n", encoding="utf-8"
    )
    found = hits(("S2", "Our security reviews take a month."), yaml_text=path.read_text(encoding="utf-8"))
    assert [(h.tracker, h.phrase) for h in found] == [("security", "security reviews")]


def test_the_reps_own_examples_are_not_hits() -> None:
    """The sample call's false positive: the rep names pricing and competitors as examples."""
    found = hits(
        ("S1", "Your managers can jump straight to the moments that matter, like pricing or a competitor coming up."),
        ("S1", "We cover topics such as budget and timing."),
        ("S2", "How much does it cost per seat?"),
        ("S2", "We looked at tools like Gong last year."),  # the customer's example is a real mention
        ("S1", "Our pricing is per seat."),
    )
    got = {(h.tracker, h.speaker, h.text[:12]) for h in found}
    assert ("pricing", "S2", "How much doe") in got and ("competitors", "S2", "We looked at") in got
    assert ("pricing", "S1", "Our pricing ") in got
    assert not [h for h in found if h.speaker == "S1" and h.text.startswith(("Your managers", "We cover"))], found
