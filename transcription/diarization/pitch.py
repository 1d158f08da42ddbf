"""A cheap pitch cue for diarization beside the Resemblyzer embeddings.

Each speaker's pitch is the median log2-F0 of their windows (the median of each window's voiced
frames); re-segmentation then lowers a 10 ms frame's score for a speaker by how far the frame's
smoothed pitch lies from that speaker's (`penalty`, weighted by `DiarizationParams.pitch_weight`).
The pitch acts on frames, not in the clustering: one voice's intonation moves its window pitch by
0.1-0.4 octave, as much as two similar voices differ, so pitch in the clustering split single
voices, while at speaker changes (where a 1.6 s window mixes two voices) it is the sharper cue.

F0 per 10 ms frame (the same frames as the encoder's mel frames), at 8 kHz,
from the autocorrelation of a Hann-windowed 40 ms frame (one FFT per frame), divided by the
window's own autocorrelation and by the frame's energy: the shortest lag between 1/`F0_MAX_HZ` and
1/`F0_MIN_HZ` whose peak comes within 10 % of the best peak gives the period (multiples of the
period peak as high), and the frame counts as voiced when that peak reaches `VOICING_THRESHOLD`
and the frame is not near silence. One window's statistic is the median over its voiced frames, which
absorbs the occasional octave error; a window with too few voiced frames has no pitch (NaN).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import fft as sfft
from scipy.signal import resample_poly

from .encoder import FRAME_CENTRE_S, frame_count
from .params import SAMPLE_RATE

FloatArray = npt.NDArray[np.float32]

RATE = 8000  # analysed at half the encoder's rate: voice pitch is far below 4 kHz, the FFTs shrink 4x
HOP = RATE // 100  # 10 ms, as the encoder's mel frames
FRAME = 4 * HOP  # 40 ms
_CENTRE = round(FRAME_CENTRE_S * RATE)  # where the encoder's 25 ms frame 0 is centred, in RATE samples
F0_MIN_HZ = 60.0
F0_MAX_HZ = 400.0
VOICING_THRESHOLD = 0.5
_SILENCE_DB = 40.0  # frames this far below the loudest frame of the speech region are not voiced
_NFFT = 512  # >= FRAME + the longest lag: no circular wrap-around at the lags searched
MIN_VOICED_SHARE = 0.1
CONTEXT_FRAMES = 20  # smoothed frame pitch: +-0.2 s
MIN_VOICED_FRAMES = 5
_OCTAVE_TOLERANCE = 0.9
_WINDOW = np.hanning(FRAME).astype(np.float32)
_WINDOW_AC = np.correlate(_WINDOW, _WINDOW, mode="full")[FRAME - 1 :].astype(np.float32) / float(np.sum(_WINDOW**2))


def frame_log_f0(samples: FloatArray) -> FloatArray:
    """log2 of F0 in Hz for each 10 ms frame i of 16 kHz `samples` (centred at sample 160 i + 200,
    as the encoder's frame i, and as many frames), NaN where unvoiced."""
    n = frame_count(len(samples))
    if n == 0:
        return np.zeros(0, np.float32)
    x = resample_poly(np.asarray(samples, dtype=np.float32), 1, SAMPLE_RATE // RATE).astype(np.float32)
    # Left-pad by half a frame: then frame i starts at padded sample HOP i + _CENTRE, so it is
    # centred where the encoder's 25 ms frame i is centred.
    padded = np.concatenate([np.zeros(FRAME // 2, np.float32), x, np.zeros(FRAME, np.float32)])
    starts = np.arange(n) * HOP + _CENTRE
    frames = np.lib.stride_tricks.sliding_window_view(padded, FRAME)[starts]
    frames = frames - frames.mean(axis=1, keepdims=True)
    spec = sfft.rfft(frames * _WINDOW, n=_NFFT, axis=1)
    ac = sfft.irfft((spec.real**2 + spec.imag**2).astype(np.float32), n=_NFFT, axis=1)[:, :FRAME]
    energy = ac[:, 0]
    lo, hi = int(RATE / F0_MAX_HZ), int(RATE / F0_MIN_HZ)
    # Divided by the window's own autocorrelation, a periodic signal scores about 1 at its period
    # whatever the lag (Boersma 1993).
    band = ac[:, lo : hi + 1] / _WINDOW_AC[lo : hi + 1] / np.maximum(energy, 1e-12)[:, None]
    # The shortest lag that is a local peak within 10 % of the best: multiples of the period
    # score as high as the period itself, so the best peak alone would often halve F0.
    is_peak = np.zeros_like(band, dtype=bool)
    is_peak[:, 1:-1] = (band[:, 1:-1] >= band[:, :-2]) & (band[:, 1:-1] >= band[:, 2:])
    good = is_peak & (band >= _OCTAVE_TOLERANCE * band.max(axis=1, keepdims=True))
    k = np.where(good.any(axis=1), np.argmax(good, axis=1), 0)
    peak = band[np.arange(n), k]
    # Parabolic interpolation of the peak for sub-sample lags.
    left = band[np.arange(n), np.maximum(k - 1, 0)]
    right = band[np.arange(n), np.minimum(k + 1, band.shape[1] - 1)]
    denom = left - 2 * peak + right
    shift = np.where(np.abs(denom) > 1e-12, 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0.0)
    lag = lo + k + np.clip(shift, -0.5, 0.5)
    loud = energy > energy.max() * 10 ** (-_SILENCE_DB / 10)
    voiced = (peak >= VOICING_THRESHOLD) & loud & (k > 0) & (k < band.shape[1] - 1)
    out = np.full(n, np.nan, np.float32)
    out[voiced] = np.log2(RATE / lag[voiced]).astype(np.float32)
    return out


def window_log_f0(log_f0: FloatArray, start: int, length: int) -> float:
    """Median log2-F0 of the voiced frames in [start, start + length), NaN with fewer than
    `MIN_VOICED_SHARE` of them voiced."""
    seg = log_f0[start : start + length]
    voiced = seg[~np.isnan(seg)]
    if len(seg) == 0 or len(voiced) < max(1, MIN_VOICED_SHARE * len(seg)):
        return float("nan")
    return float(np.median(voiced))


def speaker_log_f0(window_f0: FloatArray, labels: npt.NDArray[np.int64], k: int) -> FloatArray:
    """(k,) median log2-F0 of each speaker's voiced windows (label -1: nobody's); NaN without any."""
    f0 = np.asarray(window_f0, dtype=np.float32)
    spk = np.full(k, np.nan, np.float32)
    for j in range(k):
        mine = f0[(labels == j) & ~np.isnan(f0)]
        if len(mine):
            spk[j] = float(np.median(mine))
    return spk


def penalty(f0: FloatArray, speaker_f0: FloatArray, weight: float, clip_octaves: float) -> FloatArray:
    """(n, k) `weight` * |f0 - speaker_f0| (log2 Hz), the difference clipped to `clip_octaves`;
    0 where either has no pitch."""
    diff = np.abs(np.asarray(f0, np.float32)[:, None] - np.asarray(speaker_f0, np.float32)[None, :])
    return np.asarray(weight * np.nan_to_num(np.minimum(diff, clip_octaves), nan=0.0), dtype=np.float32)


def smooth_log_f0(log_f0: FloatArray, half_frames: int = CONTEXT_FRAMES, min_voiced: int = MIN_VOICED_FRAMES) -> FloatArray:
    """Per frame, the mean log2-F0 of the voiced frames within `half_frames` on each side; NaN
    with fewer than `min_voiced` of them. This is the pitch re-segmentation compares with each
    speaker's: sharper in time than a 1.6 s embedding window, steadier than one frame."""
    voiced = ~np.isnan(log_f0)
    val = np.concatenate([[0.0], np.cumsum(np.where(voiced, log_f0, 0.0))])
    cnt = np.concatenate([[0], np.cumsum(voiced)])
    idx = np.arange(len(log_f0))
    lo, hi = np.maximum(idx - half_frames, 0), np.minimum(idx + half_frames + 1, len(log_f0))
    n = cnt[hi] - cnt[lo]
    out = np.full(len(log_f0), np.nan, np.float32)
    ok = n >= min_voiced
    out[ok] = ((val[hi] - val[lo])[ok] / n[ok]).astype(np.float32)
    return out

