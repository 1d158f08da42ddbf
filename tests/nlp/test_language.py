"""The whole language stage on transcripts: sentence times, questions by speaker, real calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.language import analyze_language
from nlp.sentences import split_sentences
from tests.datafiles import SHARED_DATA
from tests.scripted import scripted_transcript
from transcription.types import Speaker, Transcript, Word

EARNINGS_CALL = SHARED_DATA / "transcripts" / "earnings21" / "nlp_references" / "4320211.nlp"


CALL = scripted_transcript(
    ("S1", "Hi Dana, thanks for making time. Um, what prompted you to look at this now?"),
    (
        "S2",
        "Well, our reps are, like, struggling with ramp time, you know. We use Gong but it's too expensive.",
    ),
    ("S1", "Really? So you're on Salesforce today? Walk me through how deals get reviewed."),
    ("S2", "Sure. Is there any flexibility on the price? I'd have to get my VP to approve this."),
    ("S1", "Of course. I'll send the proposal by Friday."),
)


def test_sentences_map_back_to_words_and_times() -> None:
    sentences = split_sentences(CALL)
    assert [s.text for s in sentences[:3]] == [
        "Hi Dana, thanks for making time.",
        "Um, what prompted you to look at this now?",
        "Well, our reps are, like, struggling with ramp time, you know.",
    ]
    first, second = sentences[0], sentences[1]
    assert (first.word_start, first.word_end) == (0, 6)
    assert (first.start, first.end) == (0.0, pytest.approx(2.3))
    assert second.start == pytest.approx(2.4) and second.word_start == 6
    assert all(CALL.words[s.word_start].speaker == s.speaker for s in sentences)


def test_questions_fillers_trackers_next_steps() -> None:
    found = analyze_language(CALL)
    assert [(q.speaker, q.type, q.text) for q in found.questions] == [
        ("S1", "open", "Um, what prompted you to look at this now?"),
        ("S1", "declarative", "So you're on Salesforce today?"),
        ("S1", "open", "Walk me through how deals get reviewed."),
        ("S2", "yes_no", "Is there any flexibility on the price?"),
    ]
    assert found.filler_counts == {"S1": 1, "S2": 2}
    assert found.word_counts["S1"] == sum(1 for w in CALL.words if w.speaker == "S1")
    trackers = {(h.tracker, h.speaker) for h in found.trackers}
    assert {
        ("competitors", "S2"),
        ("budget_objection", "S2"),
        ("discount_request", "S2"),
        ("authority_objection", "S2"),
    } <= trackers
    # "So you're on Salesforce today?" names the prospect's CRM, not a rival.
    assert ("competitors", "S1") not in trackers
    assert [(n.speaker, n.date_phrase) for n in found.next_steps] == [("S1", "by Friday")]


def test_empty_transcript() -> None:
    empty = Transcript(duration_s=0.0, speakers=[], words=[], source="json")
    found = analyze_language(empty)
    assert found.questions == [] and found.trackers == [] and found.filler_counts == {}


def test_unpunctuated_asr_text() -> None:
    t = scripted_transcript(
        ("S1", "so what made you take this call today"),
        ("S2", "we use salesforce and the reps hate it"),
        ("S1", "got it do you have a budget for this quarter"),
    )
    assert [(q.speaker, q.type) for q in analyze_language(t, semantic=False).questions] == [
        ("S1", "open"),
        ("S1", "yes_no"),
    ]


def load_earnings(path: Path) -> Transcript:
    words = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:]):
        cols = line.split("|")
        words.append(Word(float(i), i + 0.9, cols[0] + cols[4], f"S{cols[1]}"))
    speakers = [Speaker(s) for s in sorted({w.speaker for w in words})]
    return Transcript(duration_s=float(len(words)), speakers=speakers, words=words, source="json")


@pytest.mark.needs_shared_data
def test_real_earnings_call_questions() -> None:
    """Analyst Q&A of a real earnings call (earnings-21, CC BY-SA 4.0): most sentences ending in
    "?" are found as questions, and few sentences without one are."""
    sentences = split_sentences(load_earnings(EARNINGS_CALL))
    with_mark = [s for s in sentences if s.text.rstrip().endswith("?")]
    counted = [s for s in sentences if s.span._.question_type and not s.span._.is_backchannel]
    found_marked = sum(1 for s in with_mark if s.span._.question_type)
    assert len(with_mark) >= 10
    assert found_marked / len(with_mark) >= 0.85
    assert len(counted) - found_marked <= 0.25 * len(counted)
