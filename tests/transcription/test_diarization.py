"""Mono diarization: one voice stays one speaker, and per-word speaker assignment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from tests.datafiles import ASR
from transcription.diarization import SpeakerSegment, assign_speakers, diarize_overlap
from transcription.types import Word


@lru_cache(maxsize=4)
def _mono(path: Path) -> np.ndarray:
    from transcription.audio import load_audio

    return np.asarray(load_audio(path).mean(axis=0), dtype=np.float32)


@pytest.mark.slow
def test_single_voice_gives_exactly_one_speaker() -> None:
    segments = diarize_overlap(_mono(ASR / "jfk.flac"))
    assert {s.speaker for s in segments} == {"S1"}
    assert all(type(s.start) is float and type(s.end) is float for s in segments)  # JSON-ready, not numpy
    speech = sum(s.end - s.start for s in segments)
    assert 6.0 < speech < 11.5  # jfk.flac: 11 s with pauses between phrases


def _w(start: float, end: float, text: str = "w") -> Word:
    return Word(start, end, text, "?")


SEGS = [SpeakerSegment(0.0, 5.0, "S1"), SpeakerSegment(5.0, 5.6, "S2"), SpeakerSegment(5.6, 10.0, "S1")]


def test_short_answer_inside_the_other_turn_gets_its_own_speaker() -> None:
    words = [_w(4.2, 4.8, "budget?"), _w(5.05, 5.5, "yes."), _w(5.7, 6.0, "great")]
    assert [w.speaker for w in assign_speakers(words, SEGS)] == ["S1", "S2", "S1"]


def test_word_across_a_boundary_goes_to_the_speaker_covering_most_of_it() -> None:
    words = [_w(4.6, 5.2), _w(4.9, 5.5), _w(5.5, 5.8)]
    assert [w.speaker for w in assign_speakers(words, SEGS)] == ["S1", "S2", "S1"]


def test_overlapping_segments_and_words_outside_every_segment() -> None:
    segs = [SpeakerSegment(0.0, 3.0, "S1"), SpeakerSegment(2.0, 6.0, "S2"), SpeakerSegment(9.0, 10.0, "S1")]
    words = [_w(2.1, 2.4), _w(2.8, 3.5), _w(6.5, 6.8), _w(8.5, 8.7), _w(12.0, 12.5)]
    # inside both -> the voice that came in last; mostly S2 -> S2; outside -> nearest segment
    assert [w.speaker for w in assign_speakers(words, segs)] == ["S2", "S2", "S2", "S1", "S1"]


def test_overlap_turns_never_decide_a_word() -> None:
    segs = [
        SpeakerSegment(0.0, 3.0, "S1"),
        SpeakerSegment(2.5, 3.5, "S2", overlap=True),  # S2 starts talking over S1's last words
        SpeakerSegment(3.0, 6.0, "S2"),
        SpeakerSegment(3.0, 3.4, "S1", overlap=True),
    ]
    words = [_w(2.6, 2.95), _w(3.05, 3.35), _w(3.4, 3.45)]
    assert [w.speaker for w in assign_speakers(words, segs)] == ["S1", "S2", "S2"]
    only_overlap = [SpeakerSegment(1.0, 2.0, "S2", overlap=True)]
    assert [w.speaker for w in assign_speakers([_w(1.2, 1.5)], only_overlap)] == ["S2"]


def test_no_segments_gives_every_word_to_one_speaker() -> None:
    assert {w.speaker for w in assign_speakers([_w(0, 1), _w(1, 2)], [])} == {"S1"}
