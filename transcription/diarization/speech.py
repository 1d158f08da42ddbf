"""Speech regions: Silero VAD probabilities (bundled with faster-whisper) turned into speech runs.

Works on a stream: `SpeechDetector.add(samples)` can be called with chunks of any size and keeps
only the under-512-sample remainder between calls, plus one probability per 32 ms frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from transcription.audio import SAMPLE_RATE

VAD_FRAME = 512  # Silero's frame at 16 kHz: 32 ms
VAD_FRAME_S = VAD_FRAME / SAMPLE_RATE


class SpeechDetector:
    """Accumulates per-32-ms speech probabilities of a stream."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model  # cached by faster-whisper: loaded once

        self._model = get_vad_model()
        self._rest = np.zeros(0, np.float32)
        self._probs: list[npt.NDArray[np.float32]] = []

    def add(self, samples: npt.NDArray[np.float32]) -> None:
        audio = np.concatenate([self._rest, samples]) if len(self._rest) else samples
        n = len(audio) // VAD_FRAME * VAD_FRAME
        self._rest = np.array(audio[n:], dtype=np.float32)
        if n:
            probs = self._model(np.ascontiguousarray(audio[:n], dtype=np.float32))
            self._probs.append(np.asarray(probs, dtype=np.float32).reshape(-1))

    def flush(self) -> None:
        """Score the last partial frame (zero-padded)."""
        if len(self._rest):
            pad = np.zeros(VAD_FRAME - len(self._rest), np.float32)
            self.add(pad)  # completes the frame
            self._rest = np.zeros(0, np.float32)

    @property
    def probabilities(self) -> npt.NDArray[np.float32]:
        return np.concatenate(self._probs) if self._probs else np.zeros(0, np.float32)


@dataclass(frozen=True)
class SpeechParams:
    """Speech runs from Silero's 32 ms probabilities: a run starts at a frame >= `threshold` and goes
    on while frames stay >= `neg_threshold` (Silero's own hysteresis); silences shorter than
    `min_silence_s` are bridged; runs shorter than `min_speech_s` are dropped (clicks, breaths)."""

    threshold: float = 0.5
    neg_threshold: float = 0.35
    min_silence_s: float = 0.45
    min_speech_s: float = 0.12


def speech_runs(probs: npt.NDArray[np.float32], params: SpeechParams = SpeechParams()) -> list[tuple[float, float]]:  # noqa: B008
    """(start_s, end_s) runs of speech in per-frame probabilities `probs` (see `SpeechParams`)."""
    is_speech = _hysteresis(probs, params.threshold, min(params.neg_threshold, params.threshold))
    runs: list[list[float]] = []
    idx = np.flatnonzero(np.diff(np.concatenate([[0], is_speech.astype(np.int8), [0]])))
    for start_f, end_f in zip(idx[::2], idx[1::2], strict=True):
        start, end = start_f * VAD_FRAME_S, end_f * VAD_FRAME_S
        if runs and start - runs[-1][1] < params.min_silence_s:
            runs[-1][1] = end
        else:
            runs.append([start, end])
    return [(s, e) for s, e in runs if e - s >= params.min_speech_s]


def _hysteresis(probs: npt.NDArray[np.float32], on: float, off: float) -> npt.NDArray[np.bool_]:
    """Frames inside runs that reach `on` somewhere and never drop below `off`."""
    above_off = probs >= off
    out = np.zeros(len(probs), dtype=bool)
    idx = np.flatnonzero(np.diff(np.concatenate([[0], above_off.astype(np.int8), [0]])))
    for s, e in zip(idx[::2], idx[1::2], strict=True):
        if float(probs[s:e].max()) >= on:
            out[s:e] = True
    return out
