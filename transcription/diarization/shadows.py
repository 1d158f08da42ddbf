"""Echo shadows: one voice and its own echo heard as two people talking at once.

On a line that echoes (a speakerphone, a hybrid without echo cancelling), a voice comes back a few
tens or hundreds of milliseconds later, fainter. The segmentation model can hear the voice and its
delayed copy as two local speakers talking together: the second local speaker then talks only while
the first does (its activity lies inside the first's), for seconds at a time. Left alone, that
shadow becomes an overlap turn over the whole of the echoing speaker's turns (false alarm) and a
small spurious speaker for the clustering (confusion).

Real overlapped speech can also lie inside another speaker's (someone talking over a long turn), so
the pattern alone is not enough. An echo is a delayed copy of the signal, which shows as a peak in
the power cepstrum at the delay's quefrency (the use the cepstrum was first made for: Bogert, Healy
& Tukey, 1963). A window **echoes** when its audio has a cepstral peak between `ECHO_MIN_DELAY_S` and
`ECHO_MAX_DELAY_S` of at least `ECHO_PEAK` robust deviations (`echo_peak`). In such a window the
segmentation model's overlap is not trusted: its probability that two people talk is set to 0, and
a local speaker is a **shadow**, dropped (activity and probability zeroed), when at least
`SHADOW_CONTAINED` of its active frames are also another local speaker's, over at least
`SHADOW_MIN_S`. A real overlap in an echoing window is lost with it. Thresholds chosen on tuning calls only
(`bench/diarization_calls.py` `ECHO_TUNING_PAIRS` and the other tuning sets; docs/diarization.md,
"Echo, and a small third voice").
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from transcription.audio import SAMPLE_RATE

ECHO_MIN_DELAY_S = 0.04  # shorter quefrencies hold the pitch's rahmonics (periods up to 20 ms)
ECHO_MAX_DELAY_S = 0.3
ECHO_PEAK = 25.0  # cepstral peak in robust deviations (no echo: at most 21 on the tuning calls)
SHADOW_CONTAINED = 0.7  # share of a shadow's active frames that another local speaker shares
SHADOW_MIN_S = 1.0  # the shared frames last at least this long
_FRAME = 8192  # cepstrum frame (0.51 s: longer than the longest delay looked for)
_HOP = 2048
_SILENT = 1e-3  # frames whose peak is under this are skipped


def echo_peak(audio: npt.NDArray[np.floating]) -> float:
    """How strongly `audio` (16 kHz mono) holds a delayed copy of itself: the highest value of its
    mean power cepstrum between `ECHO_MIN_DELAY_S` and `ECHO_MAX_DELAY_S`, in median absolute
    deviations from that band's median (0.0 when there is too little sound to tell)."""
    x = np.asarray(audio, np.float32).reshape(-1)
    if len(x) < _FRAME:
        return 0.0
    frames = np.lib.stride_tricks.sliding_window_view(x, _FRAME)[::_HOP]
    frames = frames[np.abs(frames).max(axis=1) >= _SILENT]
    if not len(frames):
        return 0.0
    log_power = np.log(np.abs(np.fft.rfft(frames * np.hanning(_FRAME), axis=1)) ** 2 + 1e-10)
    cepstrum = np.fft.irfft(log_power - log_power.mean(axis=1, keepdims=True), axis=1).mean(axis=0)
    lo, hi = int(ECHO_MIN_DELAY_S * SAMPLE_RATE), int(ECHO_MAX_DELAY_S * SAMPLE_RATE) + 1
    band = cepstrum[lo:hi]
    median = float(np.median(band))
    spread = float(np.median(np.abs(band - median)))
    return float((band.max() - median) / spread) if spread > 0 else 0.0


def drop_echo_shadows(
    audio: npt.NDArray[np.floating],
    activity: npt.NDArray[np.uint8],
    soft: npt.NDArray[np.floating],
    count_p: npt.NDArray[np.floating],
    frame_step_s: float,
) -> int:
    """Remove the echo shadows (see the module doc) of one window, in place: `audio` the window's
    samples, `activity` / `soft` (frames, local speakers) its 0/1 activity and probabilities,
    `count_p` (frames, 2) its P(someone talks), P(two talk). Returns how many local speakers were
    dropped (-1: the window holds no echo and was left alone)."""
    if echo_peak(audio) < ECHO_PEAK:
        return -1
    count_p[:, 1] = 0
    on = activity.astype(bool)
    active = on.sum(axis=0)
    dropped = 0
    for j in np.argsort(active):  # the least active first: a shadow is the smaller of the two
        shared = (on[:, [i for i in range(on.shape[1]) if i != j]] & on[:, [j]]).sum(axis=0)
        if active[j] and shared.max() >= SHADOW_CONTAINED * active[j] and shared.max() * frame_step_s >= SHADOW_MIN_S:
            activity[:, j] = 0
            soft[:, j] = 0
            on[:, j] = False
            dropped += 1
    return dropped
