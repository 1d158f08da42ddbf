"""Who is the rep on a live mono call: voice profiles first, the first voice only as the last resort."""

from __future__ import annotations

import numpy as np
import pytest

from transcription.live_speakers import RepVoice, SpeakerTracker, TrackerOptions
from transcription.voiceprint import LEGACY_ENCODER, VoiceProfile, current_encoder


def _unit(*values: float) -> np.ndarray:
    v = np.zeros(192, np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


REP, CUSTOMER = _unit(1.0), _unit(0.0, 1.0)


def _profile(emb: np.ndarray, encoder: str | None = None) -> VoiceProfile:
    return VoiceProfile("Alex", emb, "2026-01-01T00:00:00+00:00", 20.0, encoder=encoder or current_encoder())


def test_without_a_profile_the_first_voice_is_the_rep() -> None:
    got = RepVoice().decide([CUSTOMER, REP], [5.0, 5.0])
    assert [(d.role, d.source, d.confidence) for d in got] == [
        ("rep", "first_voice", 0.5), ("customer", "first_voice", 0.5)]


def test_a_matching_profile_decides_even_when_the_customer_spoke_first() -> None:
    voice = RepVoice([_profile(REP)], "uploader")
    got = voice.decide([CUSTOMER, _unit(0.95, 0.1)], [4.0, 2.0])
    assert [(d.role, d.source) for d in got] == [("customer", "uploader"), ("rep", "uploader")]
    assert got[1].confidence == got[0].confidence and 0.9 <= (got[1].confidence or 0) <= 1.0


def test_a_voice_that_is_surely_not_the_rep_is_the_customer_before_the_rep_is_heard() -> None:
    voice = RepVoice([_profile(REP)], "profile")
    only = voice.decide([CUSTOMER], [4.0])
    assert [(d.role, d.source) for d in only] == [("customer", "profile")]
    # Too little speech to reject: the first-voice rule still applies, and says so.
    assert [(d.role, d.source) for d in voice.decide([CUSTOMER], [1.0])] == [("rep", "first_voice")]
    # Rejected customer + an undecided second voice: the second voice is the rep.
    two = voice.decide([CUSTOMER, _unit(0.6, 0.8)], [4.0, 1.5])
    assert [(d.role, d.source) for d in two] == [("customer", "profile"), ("rep", "profile")]


def test_profiles_of_another_encoder_are_never_compared() -> None:
    old = _profile(REP, encoder=LEGACY_ENCODER)
    voice = RepVoice([old])
    assert voice.usable == [] and voice.stale == [old]
    assert [d.source for d in voice.decide([CUSTOMER, REP], [5.0, 5.0])] == ["first_voice", "first_voice"]


def test_tracks_open_below_the_join_similarity_and_stop_at_max_speakers() -> None:
    tracker = SpeakerTracker.__new__(SpeakerTracker)  # the assignment logic alone, without CAM++
    tracker.options, tracker._sums, tracker.speech_s = TrackerOptions(join_similarity=0.55), [], []
    assert tracker.assign_embedding(REP, 2.0) == 0
    assert tracker.assign_embedding(_unit(0.9, 0.3), 2.0) == 0  # close: joins
    assert tracker.assign_embedding(CUSTOMER, 2.0) == 1  # far: a new voice
    assert tracker.assign_embedding(_unit(0.2, 0.0, 1.0), 2.0) == 0  # max 2 voices: the nearest
    assert tracker.assign_embedding(None, 0.2) == 1  # too short to embed: the latest voice
    assert tracker.assign_embedding(_unit(0.0, 1.0, 0.1), 0.5) == 1  # short: never opens one...
    assert tracker.speech_s == [pytest.approx(6.0), pytest.approx(2.0)]  # ...nor moves a track
