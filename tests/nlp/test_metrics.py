"""Exact metric values on hand-built turns (definitions in nlp/metrics.py and the README)."""

from __future__ import annotations

import pytest

from nlp.metrics import compute_metrics
from nlp.types import Question
from transcription.types import Speaker, Transcript, Word

REP, CUST = "S1", "S2"


def _words(spec: list[tuple[str, float, float, str]]) -> list[Word]:
    return [Word(start=s, end=e, word=w, speaker=spk) for spk, s, e, w in spec]


def _call(words: list[Word], *, rep_role: str = "rep", has_timing: bool = True) -> Transcript:
    return Transcript(
        duration_s=12.0,
        speakers=[Speaker(REP, role=rep_role), Speaker(CUST, role="customer")],  # type: ignore[arg-type]
        words=words,
        source="json",
        has_timing=has_timing,
    )


WORDS = _words(
    [
        (REP, 0.0, 0.5, "Hi"), (REP, 0.5, 1.0, "there."),
        (CUST, 1.5, 2.0, "Hello."),
        (REP, 2.5, 2.8, "What"), (REP, 2.8, 3.3, "prompted"), (REP, 3.3, 3.6, "you?"),
        (CUST, 3.8, 4.2, "mm-hmm"),
        (REP, 4.4, 4.7, "Tell"), (REP, 4.7, 5.0, "me"), (REP, 5.0, 5.5, "more."),
        (CUST, 6.0, 6.5, "We"), (CUST, 6.5, 7.0, "use"), (CUST, 7.0, 8.0, "Salesforce."),
        (REP, 9.0, 9.5, "Um"), (REP, 9.5, 10.0, "okay."),
    ]
)  # fmt: skip
QUESTIONS = [
    Question(REP, 2.5, 3.6, "What prompted you?", "open"),
    Question(REP, 4.4, 5.5, "Tell me more.", "open"),
]


def test_every_metric_on_a_hand_built_call() -> None:
    m = compute_metrics(_call(WORDS), QUESTIONS, {REP: 1})
    # rep speaks 1.0 + 1.1 + 1.1 + 1.0 = 4.2 s, the customer 0.5 + 0.4 + 2.0 = 2.9 s
    assert m.talk_ratio == pytest.approx(0.5915, abs=1e-4)
    # "Hello." (0.5 s) and "mm-hmm" (0.4 s) do not break the rep's run 0.0-5.5; the 2 s answer does
    assert m.longest_monologue_s == pytest.approx(5.5)
    # every rep turn lasts >= 1 s, so each customer turn is its own run; the longest is 6.0-8.0
    assert m.longest_customer_story_s == pytest.approx(2.0)
    assert m.interactivity == pytest.approx(36.0)  # 6 switches in 10 s
    assert m.patience_s == pytest.approx(0.567, abs=1e-3)  # (0.5 + 0.2 + 1.0) / 3
    assert m.question_count_rep == 2
    assert m.question_count_customer == 0
    assert m.open_question_count_rep == 2
    assert m.open_questions_first_90s == 2
    assert m.first_question_s == pytest.approx(2.5)
    assert m.words_per_minute_rep == pytest.approx(142.86)  # 10 words in 4.2 s
    assert m.filler_rate_rep == pytest.approx(10.0)  # 1 filler in 10 rep words
    assert m.filler_count_by_speaker == {REP: 1}


def test_opening_window_counts_from_first_speech() -> None:
    shifted = [Word(w.start + 30.0, w.end + 30.0, w.word, w.speaker) for w in WORDS]
    late = Word(125.0, 126.0, "Why?", REP)  # 95 s after the first speech at 30 s
    questions = [
        Question(REP, 32.5, 33.6, "What prompted you?", "open"),
        Question(REP, 125.0, 126.0, "Why?", "open"),
        Question(REP, 34.4, 35.5, "Is budget approved?", "yes_no"),
        Question(CUST, 36.0, 38.0, "What does it cost?", "open"),
    ]
    m = compute_metrics(_call([*shifted, late]), questions, {})
    assert m.open_questions_first_90s == 1
    assert m.open_question_count_rep == 2
    assert m.question_count_rep == 3
    assert m.question_count_customer == 1
    assert m.first_question_s == pytest.approx(2.5)
    assert m.filler_rate_rep == 0.0


def test_overlapping_speech_is_counted_once_per_speaker() -> None:
    words = _words([(REP, 0.0, 2.0, "so"), (REP, 1.0, 3.0, "yes"), (CUST, 2.5, 4.0, "right")])
    m = compute_metrics(_call(words), [], {})
    assert m.talk_ratio == pytest.approx(3.0 / 4.5, abs=1e-4)
    assert m.patience_s is None  # no rep turn follows a customer turn


def test_role_metrics_are_none_without_a_rep() -> None:
    m = compute_metrics(_call(WORDS, rep_role="unknown"), QUESTIONS, {REP: 1})
    assert m.talk_ratio is None
    assert m.longest_monologue_s is None
    assert m.words_per_minute_rep is None
    assert m.filler_rate_rep is None
    assert m.question_count_rep == 0
    assert m.longest_customer_story_s == pytest.approx(2.0)
    assert m.interactivity == pytest.approx(36.0)


def test_untimed_transcript_has_no_time_metrics() -> None:
    m = compute_metrics(_call(WORDS, has_timing=False), QUESTIONS, {REP: 1})
    assert m.talk_ratio is None and m.interactivity is None and m.patience_s is None
    assert m.question_count_rep == 2
    assert m.filler_rate_rep == pytest.approx(10.0)


def test_empty_call() -> None:
    m = compute_metrics(_call([]), [], {})
    assert m.talk_ratio is None and m.interactivity is None
    assert m.question_count_rep == 0
