"""The committed sample call matches its script: format, length, who speaks where, VTT and content."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import soundfile as sf

SAMPLES = Path(__file__).parents[2] / "samples"
WAV = SAMPLES / "discovery_call.wav"
MONO_WAV = SAMPLES / "discovery_call_mono.wav"
VTT = SAMPLES / "discovery_call.vtt"
SCRIPT_JSON = SAMPLES / "discovery_call.script.json"
RATE = 16_000
FRAME = 160  # 10 ms
SPEECH_DBFS = -35.0  # every utterance window is at least this loud on its own channel
SILENCE_DBFS = -55.0  # and everywhere else that channel stays below this (hiss is about -66 dBFS)
CHANNEL = {"left": 0, "right": 1}


def _dbfs(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(samples**2)) + 1e-12))


@pytest.fixture(scope="module")
def script() -> dict[str, Any]:
    return json.loads(SCRIPT_JSON.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def stereo() -> np.ndarray:
    audio, rate = sf.read(WAV, dtype="float64", always_2d=True)
    assert rate == RATE
    return np.asarray(audio, dtype=np.float64)


@pytest.fixture(scope="module")
def main_lines(script: dict[str, Any]) -> list[dict[str, Any]]:
    return [u for u in script["utterances"] if not u["backchannel"]]


def test_wav_is_16k_stereo_pcm16_two_to_three_minutes(script: dict[str, Any]) -> None:
    info = sf.info(WAV)
    assert (info.samplerate, info.channels, info.subtype) == (RATE, 2, "PCM_16")
    assert 120.0 <= info.duration <= 180.0
    assert info.duration == pytest.approx(script["duration_s"], abs=0.001)


def test_mono_wav_is_the_two_channels_summed(stereo: np.ndarray) -> None:
    mono, rate = sf.read(MONO_WAV, dtype="float64")
    assert rate == RATE and mono.ndim == 1 and len(mono) == len(stereo)
    # Each file was rounded to 16 bits on its own: allow a few quantisation steps.
    assert np.max(np.abs(mono - stereo.sum(axis=1))) < 3 / 32768


def test_rep_is_left_and_customer_right(script: dict[str, Any]) -> None:
    channels = {s["role"]: s["channel"] for s in script["speakers"]}
    assert channels == {"rep": "left", "customer": "right"}
    names = {s["role"]: s["name"] for s in script["speakers"]}
    assert names == {"rep": "Alex Rivera (Acme)", "customer": "Jordan Lee"}


def test_each_utterance_window_has_speech_on_its_channel(stereo: np.ndarray, script: dict[str, Any]) -> None:
    for u in script["utterances"]:
        window = stereo[round(u["start"] * RATE): round(u["end"] * RATE), CHANNEL[u["channel"]]]
        assert _dbfs(window) > SPEECH_DBFS, u["text"]
        # The cue times are trimmed to the voice: speech right at both edges of the window.
        assert np.abs(window[:FRAME]).max() > 0.003 and np.abs(window[-FRAME:]).max() > 0.003, u["text"]


def test_each_channel_is_silent_outside_its_utterances(stereo: np.ndarray, script: dict[str, Any]) -> None:
    for channel, column in CHANNEL.items():
        speaking = np.zeros(len(stereo), dtype=bool)
        for u in script["utterances"]:
            if u["channel"] == channel:
                speaking[round(u["start"] * RATE): round(u["end"] * RATE)] = True
        signal = stereo[:, column]
        frames = len(signal) // FRAME
        quiet = [
            _dbfs(signal[i * FRAME: (i + 1) * FRAME])
            for i in range(frames)
            if not speaking[i * FRAME: (i + 1) * FRAME].any()
        ]
        assert len(quiet) * FRAME / RATE > 30.0  # each side listens for a good part of the call
        assert max(quiet) < SILENCE_DBFS, channel


def _parse_vtt(text: str) -> list[tuple[float, float, str, str]]:
    """A plain WebVTT reader: (start, end, voice name, text) per cue."""
    def seconds(stamp: str) -> float:
        hours, minutes, secs = stamp.split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(secs)

    blocks = text.strip().split("\n\n")
    assert blocks[0].strip() == "WEBVTT"
    cues = []
    for block in blocks[1:]:
        lines = block.splitlines()
        timing = next(i for i, line in enumerate(lines) if "-->" in line)
        start, end = (seconds(part.strip()) for part in lines[timing].split("-->"))
        voiced = re.fullmatch(r"<v ([^>]+)>(.*)", " ".join(lines[timing + 1:]))
        assert voiced, block
        cues.append((start, end, voiced.group(1), voiced.group(2)))
    return cues


def test_vtt_cues_match_the_script(script: dict[str, Any]) -> None:
    cues = _parse_vtt(VTT.read_text(encoding="utf-8"))
    utterances = script["utterances"]
    assert len(cues) == len(utterances) == 24
    assert {name for _, _, name, _ in cues} == {"Alex Rivera (Acme)", "Jordan Lee"}
    for (start, end, name, text), u in zip(cues, utterances, strict=True):
        assert (name, text) == (u["name"], u["text"])
        assert start == pytest.approx(u["start"], abs=0.001) and end == pytest.approx(u["end"], abs=0.001)


def _load_generator() -> ModuleType:
    name = "talktrack_sample_generator"
    spec = importlib.util.spec_from_file_location(name, SAMPLES / "make_discovery_call.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # dataclasses resolve string annotations through sys.modules, so the module must be registered first.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_committed_outputs_come_from_the_committed_script(script: dict[str, Any]) -> None:
    generator = _load_generator()
    scripted = sorted((line.voice.speaker_id, line.text) for line in generator.SCRIPT)
    committed = sorted((u["speaker"], u["text"]) for u in script["utterances"])
    assert scripted == committed


def test_timing_is_conversational(script: dict[str, Any], main_lines: list[dict[str, Any]]) -> None:
    for before, after in zip(main_lines, main_lines[1:], strict=False):
        assert after["speaker"] != before["speaker"]
        assert 0.3 - 0.001 <= after["start"] - before["end"] <= 1.2 + 0.001
    for backchannel in (u for u in script["utterances"] if u["backchannel"]):
        host = next(
            u for u in main_lines if u["start"] <= backchannel["start"] and backchannel["end"] <= u["end"]
        )
        assert host["speaker"] != backchannel["speaker"]
    for speaker in script["speakers"]:
        assert 150 <= speaker["words_per_minute"] <= 180


def test_content_exercises_the_metrics(script: dict[str, Any], main_lines: list[dict[str, Any]]) -> None:
    assert 0.55 <= script["rep_talk_share"] <= 0.65
    first_speech = script["utterances"][0]["start"]
    rep = [u for u in main_lines if u["role"] == "rep"]
    assert any("open" in u["question_types"] and u["start"] - first_speech < 90 for u in rep)
    assert {t for u in rep for t in u["question_types"]} == {"open", "yes_no", "declarative", "choice", "tag"}
    assert 40 <= max(u["end"] - u["start"] for u in rep) <= 60  # the pitch
    customer = [u for u in main_lines if u["role"] == "customer"]
    assert 25 <= max(u["end"] - u["start"] for u in customer) <= 35  # the story
    topics = {t for u in script["utterances"] for t in u["topics"]}
    assert {"pricing", "competitor", "objection_timing", "discount", "next_step", "filler"} <= topics
    text = " ".join(u["text"] for u in script["utterances"])
    for phrase in ("cost per seat", "Gong", "Chorus", "before next quarter", "discount",
                   "proposal by Friday", "next Thursday", "Um,", "you know"):
        assert phrase in text, phrase
