"""Voice profiles: enrolment from real speech, the file store, and matching against diarized speakers."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from tests.datafiles import ASR, PHONE
from transcription.errors import EmptyInputError, TranscriptParseError
from transcription.roles import PROFILE_THRESHOLD, assign_roles, match_profiles
from transcription.types import Speaker, Transcript, Word
from transcription.voiceprint import (
    LEGACY_ENCODER,
    FileProfileStore,
    VoiceProfile,
    build_profile,
    cosine_similarity,
    current_encoder,
)

SAMPLE = PHONE


@lru_cache(maxsize=4)
def _mono(path: Path) -> np.ndarray:
    from transcription.audio import load_audio

    return np.asarray(load_audio(path).mean(axis=0), dtype=np.float32)


def _turns(speaker: str, before_s: float = 99.0) -> list[np.ndarray]:
    audio = _mono(SAMPLE / "sample.wav")
    rows = [line.split() for line in (SAMPLE / "sample.rttm").read_text().splitlines() if line.strip()]
    return [
        audio[int(float(r[3]) * 16000) : int((float(r[3]) + float(r[4])) * 16000)]
        for r in rows
        if r[7] == speaker and float(r[3]) < before_s
    ]


@lru_cache(maxsize=1)
def diarized_sample() -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Speaker centroids of the diarized sample and, per speaker, seconds of overlap with speaker90."""
    from transcription.diarization import OverlapDiarizer

    d = OverlapDiarizer()
    audio = _mono(SAMPLE / "sample.wav")
    for i in range(0, len(audio), 160000):
        d.add_audio(audio[i : i + 160000], i / 16000)
    segments = d.finish()
    rows = [line.split() for line in (SAMPLE / "sample.rttm").read_text().splitlines() if line.strip()]
    ref = [(float(r[3]), float(r[3]) + float(r[4])) for r in rows if r[7] == "speaker90"]
    overlap: dict[str, float] = {}
    for seg in segments:
        for s, e in ref:
            overlap[seg.speaker] = overlap.get(seg.speaker, 0.0) + max(0.0, min(e, seg.end) - max(s, seg.start))
    return d.speaker_embeddings, overlap


@pytest.mark.slow
def test_enrolment_from_real_speech() -> None:
    profile = build_profile("Diane", _turns("speaker90", before_s=15.0), ["sample.wav"])
    assert profile.name == "Diane"
    assert profile.embedding.shape == (192,)
    assert profile.encoder == current_encoder()
    assert profile.speech is not None and len(profile.speech) == pytest.approx(profile.n_seconds * 16000, abs=1)
    assert abs(float(np.linalg.norm(profile.embedding)) - 1.0) < 1e-5
    assert 4.0 < profile.n_seconds < 8.0  # her turns before 15 s hold about 6 s of speech
    assert profile.source_files == ["sample.wav"]


@pytest.mark.slow
def test_enrolled_voice_matches_its_speaker_later_in_the_call() -> None:
    profile = build_profile("Diane", _turns("speaker90", before_s=15.0))
    embeddings, overlap = diarized_sample()
    diane = max(overlap, key=lambda k: overlap[k])
    matches = match_profiles(embeddings, [profile])
    assert list(matches) == [diane]
    matched, sim, confidence = matches[diane]
    assert matched.name == "Diane"
    assert sim >= PROFILE_THRESHOLD
    assert 0.5 <= confidence <= 1.0


@pytest.mark.slow
def test_voice_from_another_recording_stays_unknown() -> None:
    stranger = build_profile("JFK", [_mono(ASR / "jfk.flac")])
    embeddings, _ = diarized_sample()
    assert all(cosine_similarity(e, stranger.embedding) < PROFILE_THRESHOLD for e in embeddings.values())
    assert match_profiles(embeddings, [stranger]) == {}


def test_enrolment_needs_speech() -> None:
    with pytest.raises(EmptyInputError, match="at least 3 s"):
        build_profile("Nobody", [np.zeros(16000 * 4, np.float32)])


def test_never_two_speakers_as_the_same_rep_and_never_two_reps_on_one_speaker() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(size=256)
    rep = VoiceProfile("Tom", (base / np.linalg.norm(base)).astype(np.float32), "2026-01-01T00:00:00+00:00", 10.0)
    twin = VoiceProfile("Tim", rep.embedding.copy(), "2026-01-01T00:00:00+00:00", 10.0)
    near = base + 0.1 * rng.normal(size=256)
    nearer = base + 0.05 * rng.normal(size=256)
    matches = match_profiles({"S1": near, "S2": nearer}, [rep])
    assert list(matches) == ["S2"]  # both are above the threshold; only the closer one is Tom
    both = match_profiles({"S1": near, "S2": nearer}, [rep, twin])
    assert sorted(p.name for p, _, _ in both.values()) == ["Tim", "Tom"]  # one speaker each
    # A close second speaker lowers the confidence of the match.
    alone = match_profiles({"S2": nearer}, [rep])
    assert matches["S2"][2] < alone["S2"][2] == 1.0


def test_file_store_round_trip(tmp_path: Path) -> None:
    store = FileProfileStore(tmp_path / "profiles")
    assert store.list() == []
    emb = np.ones(192, np.float32) / np.sqrt(192.0)  # a CAM++ profile (the default encoder)
    store.save(VoiceProfile("Tom Miller", emb, "2026-01-01T00:00:00+00:00", 12.5, ["a.wav"]))
    assert (tmp_path / "profiles" / "tom-miller.json").is_file()
    got = store.get("tom miller")
    assert got is not None and got.name == "Tom Miller" and got.n_seconds == 12.5
    assert np.allclose(got.embedding, emb, atol=1e-6)
    assert [p.name for p in store.list()] == ["Tom Miller"]
    assert store.delete("Tom Miller") and store.get("Tom Miller") is None
    (tmp_path / "profiles" / "bad.json").write_text('{"name": "x"}')
    with pytest.raises(TranscriptParseError):
        store.list()


SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@lru_cache(maxsize=1)
def _rep_channel_speech() -> np.ndarray:
    """The first 40 s of the bundled stereo call's rep channel (left): vendored audio."""
    from transcription.audio import load_audio

    return np.asarray(load_audio(SAMPLES / "discovery_call.wav")[0][: 40 * 16000], np.float32)


def _mono_transcript() -> Transcript:
    return Transcript(2.0, [Speaker("S1"), Speaker("S2")], [Word(0, 1, "hi", "S1"), Word(1, 2, "yo", "S2")], "audio-mono")


@pytest.mark.slow
def test_profile_keeps_its_speech_and_a_legacy_profile_is_reembedded_on_read(tmp_path: Path) -> None:
    store = FileProfileStore(tmp_path)
    profile = build_profile("Alex", [_rep_channel_speech()], ["discovery_call.wav"])
    store.save(profile)
    assert (tmp_path / "alex.speech.flac").is_file()
    # Turn the stored profile into one an older encoder made (256 floats, no encoder field).
    data = json.loads((tmp_path / "alex.json").read_text())
    del data["encoder"]
    data["embedding"] = [1.0] + [0.0] * 255
    (tmp_path / "alex.json").write_text(json.dumps(data))
    again = store.get("Alex")
    assert again is not None and again.encoder == current_encoder() and not again.stale
    assert cosine_similarity(again.embedding, profile.embedding) > 0.99  # same speech, same encoder
    assert json.loads((tmp_path / "alex.json").read_text())["encoder"] == current_encoder()  # migrated on disk


def test_stale_profile_without_speech_is_never_compared_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "tom.json").write_text(json.dumps({"name": "Tom", "embedding": [1.0] + [0.0] * 255, "n_seconds": 9}))
    tom = FileProfileStore(tmp_path).get("Tom")
    assert tom is not None and tom.encoder == LEGACY_ENCODER and tom.stale
    same_vector = {"S1": np.eye(192, dtype=np.float32)[0], "S2": np.eye(192, dtype=np.float32)[1]}
    assert match_profiles(same_vector, [tom]) == {}
    out = assign_roles(_mono_transcript(), profiles=[tom], speaker_embeddings=same_vector)
    assert [s.role for s in out.speakers] == ["unknown", "unknown"]
    assert len(out.warnings) == 1 and "Tom" in out.warnings[0] and "talktrack enroll" in out.warnings[0]
    # Speakers embedded by the legacy encoder itself still match it.
    legacy = {"S1": np.eye(256, dtype=np.float32)[0]}
    assert list(match_profiles(legacy, [tom], encoder=LEGACY_ENCODER)) == ["S1"]
