"""Fundamental frequency (F0, the voice's pitch) of 16 kHz mono audio: YIN (de Cheveigné & Kawahara,
2002), vectorised with numpy.

The speaker-count split uses it as the voice feature CAM++ does not carry: two voices that CAM++
puts as close together as one voice's own utterances often differ in pitch. One F0 value per 10 ms
frame (0: unvoiced), from 40 ms frames: the squared-difference function from FFT correlations, its
cumulative-mean normalisation, the first dip under `threshold` (else no pitch), parabolic
interpolation. About 0.1 s of CPU per minute of audio.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from transcription.audio import SAMPLE_RATE

FloatArray = npt.NDArray[np.float32]

PITCH_HOP = 160  # samples: one F0 value per 10 ms
PITCH_FRAME_S = PITCH_HOP / SAMPLE_RATE
_WINDOW = 640  # samples integrated per lag (40 ms)
F0_MIN, F0_MAX = 60.0, 400.0
_MAX_LAG = int(SAMPLE_RATE / F0_MIN)  # 266
_MIN_LAG = int(SAMPLE_RATE / F0_MAX)  # 40
_FFT = 1024  # >= _WINDOW + _MAX_LAG
PITCH_SPAN = _WINDOW + _MAX_LAG  # samples one hop's F0 reads


def yin(audio: npt.NDArray[np.floating], threshold: float = 0.15, min_rms: float = 0.005) -> FloatArray:
    """F0 in Hz per 10 ms hop of `audio` (16 kHz mono float), hop i covering samples from 160 i over
    40 ms; 0 where the hop is unvoiced or quieter than `min_rms`. Only hops whose 40 ms plus the
    longest lag (`PITCH_SPAN` samples in all) lie inside `audio` are returned: append `PITCH_SPAN`
    zeros to get every hop that starts inside it."""
    x = np.asarray(audio, np.float32).reshape(-1)
    n = (len(x) - PITCH_SPAN) // PITCH_HOP + 1 if len(x) >= PITCH_SPAN else 0
    out = np.zeros(max(n, 0), np.float32)
    if n <= 0:
        return out
    for lo in range(0, n, 2048):  # bounded memory: 2048 frames x 1024 floats at a time
        idx = (lo + np.arange(min(2048, n - lo)))[:, None] * PITCH_HOP + np.arange(PITCH_SPAN)[None, :]
        frames = x[idx].astype(np.float64)
        out[lo : lo + len(frames)] = _yin_frames(frames, threshold, min_rms)
    return out


def _yin_frames(frames: npt.NDArray[np.float64], threshold: float, min_rms: float) -> FloatArray:
    """F0 of each row of `frames` (each `_WINDOW + _MAX_LAG` samples)."""
    head = frames[:, :_WINDOW]
    rms = np.sqrt((head**2).mean(axis=1))
    # d(tau) = sum_j (x_j - x_{j+tau})^2 over j < W = E(0) + E(tau) - 2 r(tau)
    a = np.fft.rfft(head, _FFT)
    b = np.fft.rfft(frames, _FFT)
    r = np.fft.irfft(np.conj(a) * b, _FFT)[:, : _MAX_LAG + 1]
    sq = np.concatenate([np.zeros((len(frames), 1)), np.cumsum(frames**2, axis=1)], axis=1)
    lags = np.arange(_MAX_LAG + 1)
    e_tau = sq[:, lags + _WINDOW] - sq[:, lags]
    d = np.maximum(e_tau[:, :1] + e_tau - 2 * r, 0.0)
    d[:, 0] = 0.0
    cum = np.cumsum(d[:, 1:], axis=1) / np.arange(1, _MAX_LAG + 1)
    dn = np.ones_like(d)
    dn[:, 1:] = d[:, 1:] / np.maximum(cum, 1e-12)
    below = dn[:, _MIN_LAG:] < threshold
    found = below.any(axis=1)
    first = np.argmax(below, axis=1) + _MIN_LAG
    rows = np.arange(len(frames))
    # Walk down to the bottom of the dip that first crosses the threshold.
    tau = first.copy()
    for _ in range(_MAX_LAG):
        nxt = np.minimum(tau + 1, _MAX_LAG)
        step = (nxt > tau) & (dn[rows, nxt] < dn[rows, tau])
        if not step.any():
            break
        tau = np.where(step, nxt, tau)
    lo, hi = np.maximum(tau - 1, 1), np.minimum(tau + 1, _MAX_LAG)
    y0, y1, y2 = dn[rows, lo], dn[rows, tau], dn[rows, hi]
    denom = y0 - 2 * y1 + y2
    shift = np.where(np.abs(denom) > 1e-12, 0.5 * (y0 - y2) / np.where(denom == 0, 1, denom), 0.0)
    period = tau + np.clip(shift, -1, 1)
    f0 = np.where(found & (rms >= min_rms), SAMPLE_RATE / period, 0.0)
    return f0.astype(np.float32)
