"""Files that lie: a WAV header promising more audio than the file holds, transcript times that are
not times, voice profiles that are not usable."""

from __future__ import annotations

import json
import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from transcription.audio import load_audio
from transcription.errors import AudioDecodeError, TranscriptParseError
from transcription.transcript_io import read_transcript_json
from transcription.voiceprint import ENCODER_SIZES, LEGACY_ENCODER, PROFILE_DIM, VoiceProfile, check_embedding


def _wav(path: Path, seconds: float, promise_s: float | None = None) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.sin(np.arange(int(16000 * seconds)) / 5) * 3000).astype("<i2").tobytes())
    if promise_s is not None:
        data = bytearray(path.read_bytes())
        at = data.index(b"data")
        data[at + 4:at + 8] = struct.pack("<I", int(16000 * 2 * promise_s))
        path.write_bytes(bytes(data))
    return path


def test_wav_promising_more_samples_is_a_decode_error(tmp_path: Path) -> None:
    assert load_audio(_wav(tmp_path / "ok.wav", 2.0)).shape == (1, 32000)
    with pytest.raises(AudioDecodeError, match=r"truncated.*60\.0 s.*2\.0 s"):
        load_audio(_wav(tmp_path / "cut.wav", 2.0, promise_s=60.0))


def test_decode_errors_name_the_file_not_its_path(tmp_path: Path) -> None:
    bad = tmp_path / "deep" / "folder" / "noise.mp3"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"\x00\x11garbage" * 300)
    with pytest.raises(Exception) as info:
        load_audio(bad)
    assert "noise.mp3" in str(info.value) and str(bad.parent) not in str(info.value)


@pytest.mark.parametrize("word,duration", [
    ('{"start": 1.0, "end": 1e999, "word": "hi", "speaker": "S1"}', "30"),
    ('{"start": NaN, "end": 1.5, "word": "hi", "speaker": "S1"}', "30"),
    ('{"start": -2.0, "end": 1.5, "word": "hi", "speaker": "S1"}', "30"),
    ('{"start": 5.0, "end": 1.5, "word": "hi", "speaker": "S1"}', "30"),
    ('{"start": 1.0, "end": 1.5, "word": "hi", "speaker": "S1", "probability": NaN}', "30"),
    ('{"start": 1.0, "end": 1.5, "word": "hi", "speaker": "S1"}', "Infinity"),
    ('{"start": 1.0, "end": 100000.0, "word": "hi", "speaker": "S1"}', "30"),
])
def test_transcript_times_must_be_times(tmp_path: Path, word: str, duration: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(f'{{"speakers": [{{"id": "S1"}}], "words": [{word}], "duration_s": {duration}}}')
    with pytest.raises(TranscriptParseError):
        read_transcript_json(path)


def test_deeply_nested_transcript_json_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000)
    with pytest.raises(TranscriptParseError):
        read_transcript_json(path)


def test_voice_profiles_must_be_usable() -> None:
    from transcription.diarization import campplus

    # The sizes voiceprint knows without loading torch are the encoders' own (Resemblyzer's: 256).
    assert ENCODER_SIZES == {campplus.ENCODER_ID: campplus.EMBEDDING_SIZE, LEGACY_ENCODER: 256}
    good = np.random.default_rng(0).normal(size=PROFILE_DIM)
    assert abs(float(np.linalg.norm(check_embedding(good))) - 1.0) < 1e-6
    huge = check_embedding([-1.7976931348623157e308] * PROFILE_DIM)  # finite: scaled, not overflowed
    assert np.isfinite(huge).all() and abs(float(np.linalg.norm(huge)) - 1.0) < 1e-6
    for bad in ([0.0] * PROFILE_DIM, list(good[:16]), [*good[:-1], float("nan")], [*good[:-1], float("inf")]):
        with pytest.raises(ValueError):
            check_embedding(bad)
    with pytest.raises(TranscriptParseError):
        VoiceProfile.from_dict({"name": "x", "embedding": [float("nan")] * PROFILE_DIM,
                                "encoder": campplus.ENCODER_ID})
    with pytest.raises(TranscriptParseError):  # a legacy profile must have the legacy encoder's size
        VoiceProfile.from_dict({"name": "x", "embedding": list(good)})
    profile = VoiceProfile.from_dict({"name": "x", "embedding": list(good), "encoder": campplus.ENCODER_ID})
    assert json.dumps(profile.to_dict()) and not profile.stale
