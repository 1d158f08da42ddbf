"""Role assignment precedence: stereo channel, voice profile, the uploader's profile or name, transcript name, then nothing."""

from __future__ import annotations

import numpy as np

from transcription.roles import assign_roles
from transcription.types import Speaker, Transcript, Word
from transcription.voiceprint import VoiceProfile

E1 = np.eye(256, dtype=np.float32)[0]
E2 = np.eye(256, dtype=np.float32)[1]
TOM = VoiceProfile("Tom Miller", E1, "2026-01-01T00:00:00+00:00", 20.0)


def _transcript(speakers: list[Speaker]) -> Transcript:
    words = [Word(0.0, 0.5, "hi", speakers[0].id), Word(1.0, 1.5, "hello", speakers[-1].id)]
    return Transcript(duration_s=2.0, speakers=speakers, words=words, source="audio-mono")


def test_stereo_channel_wins_over_a_contradicting_voice_profile() -> None:
    t = _transcript([Speaker("S1", channel=0), Speaker("S2", channel=1)])
    out = assign_roles(t, rep_channel=1, profiles=[TOM], speaker_embeddings={"S1": E1, "S2": E2})
    assert [(s.role, s.role_confidence) for s in out.speakers] == [("customer", None), ("rep", None)]
    assert out.speakers[1].name is None  # the profile matched the customer channel: no name given
    assert t.speakers[0].role == "unknown"  # the input is not modified


def test_voice_profile_names_the_rep_and_makes_the_rest_customers() -> None:
    t = _transcript([Speaker("S1"), Speaker("S2"), Speaker("S3")])
    out = assign_roles(t, rep_name="Somebody", profiles=[TOM], speaker_embeddings={"S1": E2, "S2": E1 + 0.0})
    roles = {s.id: (s.role, s.name, s.role_confidence) for s in out.speakers}
    assert roles["S2"] == ("rep", "Tom Miller", 1.0)
    assert roles["S1"] == ("customer", None, 1.0)
    assert roles["S3"] == ("customer", None, 1.0)  # too short to embed: matches no enrolled rep


def test_below_threshold_nothing_is_decided_by_voice_and_the_name_rule_applies() -> None:
    t = _transcript([Speaker("S1", name="Tom Miller"), Speaker("S2", name="Jordan")])
    far = (0.6 * E1 + 0.8 * E2).astype(np.float32)  # cosine 0.6 with Tom
    out = assign_roles(t, rep_name="tom  miller", profiles=[TOM], speaker_embeddings={"S1": far, "S2": E2})
    assert [(s.role, s.role_confidence) for s in out.speakers] == [("rep", None), ("customer", None)]


def test_fallback_guesses_nothing() -> None:
    t = _transcript([Speaker("S1"), Speaker("S2")])
    out = assign_roles(t, profiles=[TOM], speaker_embeddings={"S1": E2, "S2": (0.5 * E1 + 0.5 * E2)})
    assert [s.role for s in out.speakers] == ["unknown", "unknown"]
    assert [s.role for s in assign_roles(t, rep_name="Nobody").speakers] == ["unknown", "unknown"]


def test_only_speakers_in_the_transcript_compete_for_a_profile() -> None:
    t = _transcript([Speaker("S1"), Speaker("S2")])
    ghost_closer = {"S1": (0.95 * E1 + 0.31 * E2).astype(np.float32), "S2": E2, "S3": E1}
    out = assign_roles(t, profiles=[TOM], speaker_embeddings=ghost_closer)
    assert [(s.id, s.role, s.name) for s in out.speakers] == [("S1", "rep", "Tom Miller"), ("S2", "customer", None)]


def test_sources_are_recorded_for_channel_profile_and_name() -> None:
    stereo = assign_roles(_transcript([Speaker("S1", channel=0), Speaker("S2", channel=1)]), rep_channel=0)
    assert [s.role_source for s in stereo.speakers] == ["channel", "channel"]
    voice = assign_roles(_transcript([Speaker("S1"), Speaker("S2")]), profiles=[TOM],
                         speaker_embeddings={"S1": E1, "S2": E2})
    assert [(s.role, s.role_source) for s in voice.speakers] == [("rep", "profile"), ("customer", "profile")]
    named = assign_roles(_transcript([Speaker("S1", name="Tom Miller"), Speaker("S2", name="Jo")]), rep_name="Tom Miller")
    assert [(s.role, s.role_source) for s in named.speakers] == [("rep", "name"), ("customer", "name")]


def test_the_uploaders_profile_picks_the_rep_below_the_profile_threshold() -> None:
    # Cosine 0.80 with Tom's profile: below the bar for an unknown voice (0.85), but the call is Tom's
    # own upload and the other voice is far (0.0): the closer speaker is Tom.
    near = (0.8 * E1 + 0.6 * E2).astype(np.float32)
    t = _transcript([Speaker("S1"), Speaker("S2")])
    assert [s.role for s in assign_roles(t, profiles=[TOM], speaker_embeddings={"S1": E2, "S2": near})
            .speakers] == ["unknown", "unknown"]
    out = assign_roles(t, profiles=[TOM], speaker_embeddings={"S1": E2, "S2": near}, uploader="tom miller")
    assert [(s.role, s.role_source, s.name) for s in out.speakers] == [
        ("customer", "uploader", None), ("rep", "uploader", "Tom Miller")]
    assert out.speakers[1].role_confidence == out.speakers[0].role_confidence == 0.917  # 0.5 + 0.5 * (0.80 - 0.70) / 0.12
    # Two voices equally close to the uploader: no lead, no decision.
    tie = assign_roles(t, profiles=[TOM], speaker_embeddings={"S1": near, "S2": near}, uploader="Tom Miller")
    assert [s.role for s in tie.speakers] == ["unknown", "unknown"]


def test_the_uploaders_name_picks_the_rep_on_a_transcript() -> None:
    t = _transcript([Speaker("S1", name="Bob"), Speaker("S2", name="Dana")])
    out = assign_roles(t, uploader="Dana")
    assert [(s.role, s.role_source, s.role_confidence) for s in out.speakers] == [
        ("customer", "uploader", None), ("rep", "uploader", None)]
    # An explicit rep name wins over the uploader's.
    assert [s.role for s in assign_roles(t, rep_name="Bob", uploader="Dana").speakers] == ["rep", "customer"]
