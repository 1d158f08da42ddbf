"""Overlapping speaker turns from real audio: a stereo call where the customer cuts in while the rep
is mid-sentence comes out with both speakers' turns over the same time, in the transcript, the
analysis JSON and RTTM, and one customer interruption."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from bench.diarization_calls import render_utterance
from transcription.audio import SAMPLE_RATE
from transcription.pipeline import transcribe_file
from transcription.transcript_io import write_rttm

REP_LINE = (
    "Our platform records every call and then shows your whole team which questions lead to won deals "
    "so that coaching time goes where it matters most for every new rep"
)
CUSTOMER_LINE = "Sorry to stop you there but what does this cost per seat"
REP_AT_S, CUSTOMER_AT_S = 0.5, 3.5  # the customer starts 3 s into the rep's 10 s sentence


@pytest.fixture(scope="module")
def cut_in_call(tmp_path_factory: pytest.TempPathFactory, espeak: None) -> Path:
    """Rep on the left channel, customer on the right, cutting in mid-sentence."""
    workdir = tmp_path_factory.mktemp("cut-in")
    rep = render_utterance(REP_LINE, ("en-us+m1", 40, 160), workdir)
    customer = render_utterance(CUSTOMER_LINE, ("en-us+f3", 60, 150), workdir)
    a, b = int(REP_AT_S * SAMPLE_RATE), int(CUSTOMER_AT_S * SAMPLE_RATE)
    samples = np.zeros((2, a + len(rep) + SAMPLE_RATE), np.float32)
    samples[0, a : a + len(rep)] = rep
    samples[1, b : b + len(customer)] = customer
    path = workdir / "cut_in.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((samples.T * 32767).astype("<i2").tobytes())
    return path


@pytest.mark.slow
def test_a_stereo_cut_in_gives_overlapping_turns_and_one_customer_interruption(
    cut_in_call: Path, whisper_loaded: None
) -> None:
    from nlp.analysis import analyze_transcript

    t = transcribe_file(cut_in_call)
    assert t.source == "audio-stereo"
    rep, customer = ([x for x in t.speaker_turns if x.speaker == s] for s in ("S1", "S2"))
    # One turn each (the channel's words, joined over short pauses), the customer's inside the rep's.
    assert len(rep) == 1 and len(customer) == 1
    assert rep[0].start < CUSTOMER_AT_S - 1.0 and rep[0].end > customer[0].end + 2.0
    assert abs(customer[0].start - CUSTOMER_AT_S) < 0.5
    # Each word still has one speaker; the customer's question is theirs.
    assert "cost" in " ".join(w.word.lower() for w in t.words if w.speaker == "S2")

    analysis = analyze_transcript(t)
    assert (analysis.metrics.interruptions_rep, analysis.metrics.interruptions_customer) == (0, 1)
    data = json.loads(json.dumps(analysis.to_dict()))
    assert [(x["speaker"], x["start"]) for x in data["speaker_turns"]] == [
        ("S1", rep[0].start), ("S2", customer[0].start)
    ]  # fmt: skip
    assert data["metrics"]["interruptions_customer"] == 1

    rttm = [line.split() for line in write_rttm(t, "cut_in").splitlines()]
    (s1_on, s1_len), (s2_on, s2_len) = ((float(f[3]), float(f[4])) for f in rttm)
    assert [f[7] for f in rttm] == ["S1", "S2"]
    assert s1_on < s2_on and s2_on + s2_len < s1_on + s1_len  # the customer's line within the rep's
