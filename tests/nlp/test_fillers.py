"""Filler words counted per speaker, "like" and "you know" only where they are fillers."""

from __future__ import annotations

import pytest

from nlp.fillers import count_fillers, count_words, filler_phrases, is_filler
from transcription.types import Word


def words_of(*lines: tuple[str, str]) -> list[Word]:
    out: list[Word] = []
    t = 0.0
    for speaker, text in lines:
        for w in text.split():
            out.append(Word(t, t + 0.3, w, speaker))
            t += 0.4
    return out


@pytest.mark.parametrize(
    ("text", "fillers"),
    [
        ("Um, so we, like, tried Gong last year.", ["Um,", "like,"]),
        ("uh we were like um not sure", ["uh", "like", "um"]),
        ("It was like, huge.", ["like,"]),
        ("They were, you know, busy.", ["you know,"]),
        ("You know, the pricing is tough.", ["You know,"]),
        ("it was you know really expensive", ["you know"]),
        ("Erm I think so.", ["Erm"]),
    ],
)
def test_fillers_found(text: str, fillers: list[str]) -> None:
    toks = text.split()
    assert [" ".join(toks[a:b]) for a, b in filler_phrases(toks)] == fillers


@pytest.mark.parametrize(
    "text",
    [
        "I like it a lot.",
        "We need something like a CRM.",
        "It looks like a good fit.",
        "I would like to see a demo.",
        "Do you know the price?",
        "you know what I mean",
        "If you know the answer tell me.",
        "Let me know what you think.",
    ],
)
def test_not_fillers(text: str) -> None:
    assert filler_phrases(text.split()) == []


def test_is_filler_points_at_the_first_word() -> None:
    toks = ["it's,", "you", "know,", "expensive"]
    assert [is_filler(toks, i) for i in range(len(toks))] == [False, True, False, False]


def test_counts_per_speaker_and_context_stops_at_speaker_change() -> None:
    words = words_of(
        ("S1", "Um, so, uh, what prompted the call?"),
        ("S2", "Well, you know, we, like, need better coaching."),
        ("S1", "Got it. I like that."),
    )
    assert count_fillers(words) == {"S1": 2, "S2": 2}
    assert count_words(words) == {"S1": 12, "S2": 8}


def test_no_words_no_fillers() -> None:
    assert count_fillers([]) == {}
