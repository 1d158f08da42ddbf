"""Echo shadows (`transcription.diarization.shadows`): a voice and its own echo are one speaker, not
two people talking at once; real overlapped speech (no echo) is left alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from transcription.diarization.shadows import ECHO_PEAK, SHADOW_MIN_S, drop_echo_shadows, echo_peak

SR = 16000
FRAME_S = 0.016875  # segmentation-3.0's frame step


def _babble(seconds: float, seed: int) -> np.ndarray:
    """Noise shaped like speech: syllable-rate bursts (4 per second) of filtered noise."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    noise = np.convolve(rng.normal(0, 1, n), np.hanning(24), mode="same")
    envelope = np.clip(np.sin(2 * np.pi * 4 * np.arange(n) / SR + rng.uniform(0, 6)), 0, None) ** 2
    out: np.ndarray = (0.3 * noise * envelope / np.abs(noise).max()).astype(np.float32)
    return out


def _echoed(x: np.ndarray, delay_s: float, gain: float) -> np.ndarray:
    d = int(delay_s * SR)
    out = x.copy()
    out[d:] += gain * x[:-d]
    return out


def test_an_echo_shows_as_a_cepstral_peak_and_plain_speech_does_not() -> None:
    plain = _babble(10, 1)
    assert echo_peak(plain) < ECHO_PEAK
    for delay, gain in ((0.06, 0.5), (0.12, 0.4), (0.25, 0.7)):
        assert echo_peak(_echoed(plain, delay, gain)) > 2 * ECHO_PEAK, (delay, gain)
    two_people = plain + _babble(10, 2)  # two different sources at once: no delayed copy
    assert echo_peak(two_people) < ECHO_PEAK
    assert echo_peak(np.zeros(5 * SR, np.float32)) == 0.0
    assert echo_peak(plain[:1000]) == 0.0  # too short to tell


def _window(shadow_from: int, shadow_to: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 10 s window: local speaker 0 talks in frames 50-500, local speaker 1 in the given frames."""
    frames = 589
    activity = np.zeros((frames, 3), np.uint8)
    activity[50:500, 0] = 1
    activity[shadow_from:shadow_to, 1] = 1
    soft = activity.astype(np.float32) * 0.9
    count_p = np.stack([np.full(frames, 0.95), np.where(activity.sum(axis=1) == 2, 0.8, 0.05)], axis=1)
    return activity, soft, count_p.astype(np.float32)


def test_a_local_speaker_inside_an_echoing_voice_is_dropped() -> None:
    audio = _echoed(_babble(10, 3), 0.1, 0.6)
    activity, soft, count_p = _window(100, 400)  # 5 s, all inside speaker 0's speech
    assert drop_echo_shadows(audio, activity, soft, count_p, FRAME_S) == 1
    assert activity[:, 1].sum() == 0 and soft[:, 1].sum() == 0
    assert activity[:, 0].sum() == 450  # the voice itself stays
    assert count_p[:, 1].max() == 0  # no overlap in a window that echoes


def test_overlap_without_an_echo_is_left_alone() -> None:
    audio = _babble(10, 4) + _babble(10, 5)
    activity, soft, count_p = _window(100, 400)
    before = (activity.copy(), count_p.copy())
    assert drop_echo_shadows(audio, activity, soft, count_p, FRAME_S) == -1
    assert np.array_equal(activity, before[0]) and np.array_equal(count_p, before[1])


def test_a_short_or_separate_second_voice_in_an_echoing_window_is_kept() -> None:
    audio = _echoed(_babble(10, 6), 0.15, 0.5)
    short = int(SHADOW_MIN_S / FRAME_S) - 5
    activity, soft, count_p = _window(200, 200 + short)  # inside, but shorter than SHADOW_MIN_S
    assert drop_echo_shadows(audio, activity, soft, count_p, FRAME_S) == 0
    assert activity[:, 1].sum() == short
    activity, soft, count_p = _window(450, 589)  # mostly after speaker 0 stops: a turn, not a shadow
    assert drop_echo_shadows(audio, activity, soft, count_p, FRAME_S) == 0
    assert activity[:, 1].sum() == 139


@pytest.mark.slow
def test_a_call_where_one_side_echoes_is_not_one_long_overlap(tmp_path: Path, espeak: None) -> None:
    """An echo tuning call (`echo-us-annie-gb-steph`: one side comes back 80 ms later): without the
    shadow rule the segmentation model hears the echoing voice as two people for most of its turns."""
    from pyannote.core import Annotation, Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    from bench.diarization_calls import (
        ECHO_TUNING_ECHO,
        ECHO_TUNING_PAIRS,
        ECHO_TUNING_SEED,
        render_sales_calls,
    )
    from transcription.audio import load_audio
    from transcription.diarization import OverlapDiarizationParams, diarize_overlap

    name = "echo-us-annie-gb-steph"
    i = list(ECHO_TUNING_PAIRS).index(name)
    call = render_sales_calls({name: ECHO_TUNING_PAIRS[name]}, ECHO_TUNING_SEED + i, cache_dir=tmp_path,
                              echo={name: ECHO_TUNING_ECHO[name]})[0]
    audio = load_audio(call.wav).mean(axis=0)
    ref = Annotation()
    for k, (s, e, spk) in enumerate(call.turns):
        ref[Segment(s, e), k] = spk
    uem = Timeline([Segment(0, call.duration_s)])

    def scored(params: OverlapDiarizationParams) -> dict[str, float]:
        hyp = Annotation()
        for k, seg in enumerate(diarize_overlap(audio, params=params)):
            hyp[Segment(seg.start, seg.end), k] = seg.speaker
        scores: dict[str, float] = DiarizationErrorRate()(ref, hyp, uem=uem, detailed=True)
        return scores

    kept = scored(OverlapDiarizationParams())
    assert kept["diarization error rate"] < 0.15, kept
    assert kept["false alarm"] / kept["total"] < 0.1, kept
    left = scored(OverlapDiarizationParams(drop_echo_shadows=False))
    assert left["false alarm"] / left["total"] > 0.3, left
