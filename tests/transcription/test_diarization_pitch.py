"""The pitch cue of mono diarization (`transcription.diarization.pitch`)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from tests.datafiles import ASR
from transcription.diarization import DiarizationParams, Diarizer
from transcription.diarization.encoder import EMBEDDING_SIZE, get_encoder
from transcription.diarization.pitch import (
    frame_log_f0,
    penalty,
    smooth_log_f0,
    speaker_log_f0,
    window_log_f0,
)

SR = 16000
PITCH_TEST_WEIGHT = 2.0  # four times the default: the count must not depend on it


def _voice(f0: float, seconds: float, seed: int = 0) -> np.ndarray:
    """A crude voiced sound: 12 harmonics of `f0` falling 6 dB per octave, with a little noise
    and a slow 3 % vibrato."""
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * f0 * (t + 0.03 / (2 * np.pi * 4.0) * np.sin(2 * np.pi * 4.0 * t))
    x: np.ndarray = np.sum([np.sin(h * phase) / h for h in range(1, 13)], axis=0)
    x = x + 0.05 * np.random.default_rng(seed).normal(size=len(t))
    return np.asarray(0.1 * x / np.max(np.abs(x)), dtype=np.float32)


@pytest.mark.parametrize("f0", [85.0, 120.0, 220.0, 330.0])
def test_median_pitch_of_a_harmonic_voice_is_its_f0(f0: float) -> None:
    log_f0 = frame_log_f0(_voice(f0, 2.0))
    assert len(log_f0) == 198  # the encoder's frame count for 2 s: 1 + (32000 - 400) // 160
    assert np.isnan(log_f0).mean() < 0.05  # nearly every frame voiced
    assert 2 ** window_log_f0(log_f0, 0, len(log_f0)) == pytest.approx(f0, rel=0.02)


def test_120_and_220_hz_voices_are_most_of_an_octave_apart() -> None:
    low = window_log_f0(frame_log_f0(_voice(120.0, 1.6, seed=1)), 0, 160)
    high = window_log_f0(frame_log_f0(_voice(220.0, 1.6, seed=2)), 0, 160)
    assert high - low == pytest.approx(math.log2(220 / 120), abs=0.03)  # 0.874 octave


def test_frames_follow_the_encoder_frames_in_time() -> None:
    audio = np.concatenate([_voice(120.0, 1.0), _voice(240.0, 1.0)])
    log_f0 = frame_log_f0(audio)
    mel, _ = get_encoder().mel_frames(audio)
    assert len(log_f0) == len(mel)
    assert 2 ** np.nanmedian(log_f0[10:90]) == pytest.approx(120.0, rel=0.02)
    assert 2 ** np.nanmedian(log_f0[110:190]) == pytest.approx(240.0, rel=0.02)


def test_noise_and_silence_have_no_pitch() -> None:
    noise = (0.1 * np.random.default_rng(7).normal(size=SR)).astype(np.float32)
    assert np.isnan(frame_log_f0(noise)).mean() > 0.95
    assert np.isnan(frame_log_f0(np.zeros(SR, np.float32))).all()
    assert math.isnan(window_log_f0(frame_log_f0(noise), 0, 100))
    assert len(frame_log_f0(np.zeros(399, np.float32))) == 0  # shorter than one encoder frame


def test_speaker_pitch_and_penalty() -> None:
    low, high = math.log2(120.0), math.log2(220.0)
    f0 = np.array([low, low + 0.1, high, high - 0.2, np.nan, high], np.float32)
    labels = np.array([0, 0, 1, 1, 0, -1], np.int64)  # -1: a window over a speaker change
    spk = speaker_log_f0(f0, labels, k=3)
    assert spk[:2].tolist() == pytest.approx([low + 0.05, high - 0.1], abs=1e-6)  # medians, -1 ignored
    assert math.isnan(spk[2])  # no windows: no pitch
    pen = penalty(np.array([low, high, np.nan], np.float32), spk, weight=0.5, clip_octaves=0.6)
    assert pen.shape == (3, 3)
    # |low - s0| = 0.05; |high - s0| = 0.824 clipped to 0.6; |low - s1| = 0.774 -> 0.6; |high - s1| = 0.1
    assert pen[0, :2].tolist() == pytest.approx([0.025, 0.3], abs=1e-6)
    assert pen[1, :2].tolist() == pytest.approx([0.3, 0.05], abs=1e-6)
    assert not pen[2].any() and not pen[:, 2].any()  # a frame or a speaker without pitch: no penalty


def test_smoothed_frame_pitch_averages_voiced_neighbours_only() -> None:
    f0 = np.full(100, np.nan, np.float32)
    f0[10:50] = 7.0
    f0[50:60] = 8.0
    smooth = smooth_log_f0(f0, half_frames=5, min_voiced=3)
    assert smooth[20] == pytest.approx(7.0)
    assert smooth[50] == pytest.approx((5 * 7.0 + 6 * 8.0) / 11)  # frames 45..55, all voiced
    assert smooth[62] == pytest.approx(8.0)  # 57..59 voiced (3 frames), 60..67 not
    assert math.isnan(smooth[63]) and math.isnan(smooth[90])  # fewer than 3 voiced frames near


@pytest.mark.slow
def test_pitch_cue_keeps_one_voice_one_speaker() -> None:
    from transcription.audio import load_audio

    audio = np.asarray(load_audio(ASR / "jfk.flac").mean(axis=0), dtype=np.float32)
    d = Diarizer(replace(DiarizationParams(), pitch_weight=PITCH_TEST_WEIGHT))
    d.add_audio(audio, 0.0)
    segments = d.finish()
    assert {s.speaker for s in segments} == {"S1"}
    assert len(d._win_f0) == len(d._win_centre) >= 5
    assert 150.0 < 2 ** float(np.nanmedian(d._win_f0)) < 280.0  # JFK's raised speech voice
    assert len(d._region_f0) >= 1
    assert d.speaker_embeddings["S1"].shape == (EMBEDDING_SIZE,)


def test_negative_pitch_weight_is_refused() -> None:
    with pytest.raises(ValueError):
        DiarizationParams(pitch_weight=-1.0)
