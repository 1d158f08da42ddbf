"""Fake-stereo detection on real recordings and on mixtures built from them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from transcription.audio import load_audio
from transcription.channels import classify_channels, to_mono


def test_jfk_is_fake_stereo(asr_dir: Path) -> None:
    report = classify_channels(load_audio(asr_dir / "jfk.flac"))
    assert report.layout == "fake-stereo"
    assert report.residual_db < -25


def test_stereo_diarization_is_true_stereo(asr_dir: Path) -> None:
    report = classify_channels(load_audio(asr_dir / "stereo_diarization.wav"))
    assert report.layout == "stereo"
    assert report.residual_db > -5


def _two_voices(asr_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    a = load_audio(asr_dir / "2412-153948-0000.flac")[0]
    b = load_audio(asr_dir / "ES2011a.Headset-0-40s-46s.wav")[0]
    n = min(a.size, b.size)
    return a[:n], b[:n]


def test_copy_at_other_gain_is_fake_stereo(asr_dir: Path) -> None:
    a, _ = _two_voices(asr_dir)
    report = classify_channels(np.stack([a, 0.4 * a]).astype(np.float32))
    assert report.layout == "fake-stereo"


def test_two_voices_with_echo_stay_stereo(asr_dir: Path) -> None:
    a, b = _two_voices(asr_dir)
    # The right channel carries its own voice plus the left voice leaking in at -14 dB.
    report = classify_channels(np.stack([a, b + 0.2 * a]).astype(np.float32))
    assert report.layout == "stereo"


def test_silent_channel_is_one_sided_and_keeps_the_voice(asr_dir: Path) -> None:
    a, _ = _two_voices(asr_dir)
    samples = np.stack([np.zeros_like(a), a]).astype(np.float32)
    report = classify_channels(samples)
    assert report.layout == "one-sided"
    assert report.louder_channel == 1
    assert np.array_equal(to_mono(samples, report), a)


def test_mono_input(asr_dir: Path) -> None:
    samples = load_audio(asr_dir / "LJ002-0020.wav")
    report = classify_channels(samples)
    assert report.layout == "mono"
    assert to_mono(samples, report).shape == (samples.shape[1],)


def test_fake_stereo_mono_is_the_average(asr_dir: Path) -> None:
    samples = load_audio(asr_dir / "jfk.flac")
    mono = to_mono(samples, classify_channels(samples))
    assert np.allclose(mono, samples.mean(axis=0), atol=1e-6)
