"""Live transcription on real audio: streamed VAD equals whole-file VAD, endpointing bounds,
utterances with speakers from channels or voices, hallucination guards."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from transcription.endpointing import WINDOW, Endpointer, EndpointOptions, SileroStream
from transcription.errors import UnsupportedFormatError
from transcription.live_asr import LiveAsrOptions, UtteranceRecognizer
from transcription.streaming import LiveTranscriber, StreamingOptions, Utterance

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


@lru_cache(maxsize=1)
def recognizer() -> UtteranceRecognizer:
    rec = UtteranceRecognizer(LiveAsrOptions())
    rec.warm_up()
    return rec


def read_pcm(path: Path, seconds: float | None = None) -> tuple[bytes, int]:
    data, rate = sf.read(path, dtype="int16", always_2d=True)
    assert rate == 16000
    if seconds is not None:
        data = data[: int(seconds * rate)]
    return data.tobytes(), data.shape[1]


def stream(lt: LiveTranscriber, pcm: bytes, frame_bytes: int) -> list[Utterance]:
    segments = []
    for i in range(0, len(pcm), frame_bytes):
        segments += lt.feed_pcm16(pcm[i : i + frame_bytes])
    segments += lt.finish()
    return [u for s in segments if (u := lt.transcribe(s)) is not None]


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def test_silero_streamed_in_odd_pieces_matches_the_whole_file(phone_dir: Path) -> None:
    from faster_whisper import decode_audio
    from faster_whisper.vad import get_vad_model

    audio = decode_audio(str(phone_dir / "sample.wav"))
    audio = audio[: len(audio) // WINDOW * WINDOW]
    whole = get_vad_model()(audio).reshape(-1)
    vad = SileroStream()
    pieces = [vad.push(audio[i : i + 777]) for i in range(0, len(audio), 777)]
    streamed = np.concatenate(pieces)
    assert len(streamed) == len(whole) == len(audio) // WINDOW
    assert np.abs(streamed - whole).max() < 1e-5


def test_endpointer_closes_after_silence_and_cuts_long_speech() -> None:
    ep = Endpointer(EndpointOptions(min_silence_s=0.4, max_segment_s=6.0, soft_max_segment_s=6.0, pad_s=0.2))
    probs = np.array([0.0] * 10 + [0.9] * 50 + [0.1] * 12 + [0.0] * 5, dtype=np.float32)
    spans = ep.push(probs)
    assert len(spans) == 1
    s = spans[0]
    assert s.speech_start == 10 * WINDOW and s.speech_end == 60 * WINDOW
    assert s.start == 10 * WINDOW - 3200 and s.end == 60 * WINDOW + 3200
    # 10 s of speech with one short pause at 3 s: cut at the pause once the segment reaches 6 s.
    ep = Endpointer(EndpointOptions(min_silence_s=0.4, max_segment_s=6.0, soft_max_segment_s=5.0, pad_s=0.2))
    n = int(10 / 0.032)
    probs = np.full(n, 0.9, dtype=np.float32)
    probs[94:100] = 0.05  # 0.19 s pause at ~3 s
    spans = ep.push(probs) + ep.flush()
    ends = [round(s.speech_end * 0.032 / WINDOW, 2) for s in spans]
    # No pause after 3 s: the hard bound cuts the rest at 6 s of speech, the end of stream closes the tail.
    assert ends == [3.01, 9.18, 9.98]
    assert all(s.end - s.start <= (6.0 + 0.4) * 16000 for s in spans)


def test_stereo_stream_gives_the_script_by_channel_and_role() -> None:
    script = json.loads((SAMPLES / "discovery_call.script.json").read_text())
    pcm, channels = read_pcm(SAMPLES / "discovery_call.wav", seconds=30.0)
    assert channels == 2
    lt = LiveTranscriber(recognizer(), channels=2, rep_channel=0)
    utts = stream(lt, pcm, frame_bytes=3200 * 2 + 2)  # ~100 ms frames that split samples and frames
    assert [(s.id, s.role, s.channel) for s in lt.speakers] == [("S1", "rep", 0), ("S2", "customer", 1)]
    first = [u for u in script["utterances"] if u["end"] < 12.5 and not u["backchannel"]]
    assert len(first) == 3
    for ref in first:
        match = [u for u in utts if u.start < ref["end"] and u.end > ref["start"] and u.role == ref["role"]]
        assert match, ref["text"]
        hyp = set(words(" ".join(u.text for u in match)))
        ref_words = set(words(ref["text"]))
        assert len(hyp & ref_words) >= 0.7 * len(ref_words), (ref["text"], [u.text for u in match])
    for u in utts:
        assert u.end - u.start <= StreamingOptions().endpoint.max_segment_s + 0.01
        assert u.words and u.words[0].start == u.start and u.words[-1].end == pytest.approx(u.end)
    assert [u.index for u in utts] == sorted(u.index for u in utts)


def test_mono_stream_tells_the_two_voices_apart() -> None:
    pcm, channels = read_pcm(SAMPLES / "discovery_call_mono.wav", seconds=22.0)
    assert channels == 1
    lt = LiveTranscriber(recognizer(), channels=1)
    utts = stream(lt, pcm, frame_bytes=16000)
    by_text = {u.index: u for u in utts}
    rep = next(u for u in by_text.values() if "prompted" in u.text.lower())
    cust = next(u for u in by_text.values() if "quarter" in u.text.lower())
    assert rep.speaker != cust.speaker
    assert rep.role == "rep" and cust.role == "customer"  # no profile: the first voice is taken to be the rep
    assert rep.role_source == cust.role_source == "first_voice" and rep.role_confidence == 0.5
    assert len(lt.speakers) == 2 and all(s.role_confidence == 0.5 for s in lt.speakers)
    assert all(u.speaker_s > 0 for u in utts)  # the CAM++ time is reported per utterance


@pytest.mark.slow
def test_the_reps_voice_profile_decides_the_rep_when_the_customer_speaks_first() -> None:
    from transcription.voiceprint import build_profile

    stereo, _ = sf.read(SAMPLES / "discovery_call.wav", dtype="float32", always_2d=True)
    profile = build_profile("Alex Rivera", [stereo[:, 0]])  # the rep's own channel
    pcm, _ = read_pcm(SAMPLES / "discovery_call_mono.wav", seconds=30.0)
    late = pcm[int(6.1 * 16000) * 2 :]  # from the customer's "Hi Alex, happy to chat."
    plain = stream(LiveTranscriber(recognizer(), channels=1), late, frame_bytes=16000)
    assert plain[0].role == "rep" and plain[0].role_source == "first_voice"  # the last resort gets it wrong
    lt = LiveTranscriber(recognizer(), channels=1, rep_profiles=[profile], profile_source="uploader")
    utts = stream(lt, late, frame_bytes=16000)
    rep = next(u for u in utts if "prompted" in u.text.lower())
    cust = next(u for u in utts if "quarter" in u.text.lower())
    assert rep.role == "rep" and cust.role == "customer"
    assert rep.role_source == cust.role_source == "uploader" and 0.6 <= (rep.role_confidence or 0) <= 1.0


def test_silence_and_noise_give_no_text() -> None:
    rng = np.random.default_rng(7)
    quiet = (rng.normal(0, 0.0005, 16000 * 8) * 32768).astype("<i2")
    lt = LiveTranscriber(recognizer(), channels=1)
    assert stream(lt, quiet.tobytes(), 3200) == []
    # A loud click is not speech either.
    click = np.zeros(16000 * 3, dtype=np.float32)
    click[16000:16160] = 0.9
    lt = LiveTranscriber(recognizer(), channels=1)
    assert stream(lt, (click * 32767).astype("<i2").tobytes(), 3200) == []
    # The recogniser itself refuses near-silent audio without decoding it.
    assert recognizer().recognize(np.zeros(16000, dtype=np.float32)) is None


def test_jfk_utterance_is_transcribed_once_and_well(asr_dir: Path) -> None:
    from faster_whisper import decode_audio

    audio = decode_audio(str(asr_dir / "jfk.flac"))
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    lt = LiveTranscriber(recognizer(), channels=1)
    utts = stream(lt, pcm, 6400)
    hyp = words(" ".join(u.text for u in utts))
    ref = words("And so my fellow Americans, ask not what your country can do for you, ask what you can do for "
                "your country.")
    assert wer(ref, hyp) <= 0.1, hyp


def wer(ref: list[str], hyp: list[str]) -> float:
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)] / len(ref)


def test_bad_stream_formats_are_refused() -> None:
    with pytest.raises(UnsupportedFormatError, match="16000 Hz"):
        LiveTranscriber(recognizer(), sample_rate=8000)
    with pytest.raises(UnsupportedFormatError, match="1 or 2 channels"):
        LiveTranscriber(recognizer(), channels=3)
    with pytest.raises(UnsupportedFormatError, match="rep_channel"):
        LiveTranscriber(recognizer(), channels=2, rep_channel=2)
