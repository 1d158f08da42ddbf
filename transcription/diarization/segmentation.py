"""Local speaker activity in 10 s windows: pyannote segmentation-3.0 (powerset) on the CPU.

The network gives, per frame (16.875 ms step), 7 powerset classes: nobody, local speaker 1, 2 or 3
alone, or one of the three pairs. The most likely class per frame is turned into three 0/1 tracks
("multilabel"), so overlapped speech shows as two local speakers active in the same frame. Local
speaker numbers mean nothing across windows; clustering links them.
"""

from __future__ import annotations

import threading
from itertools import combinations

import numpy as np
import numpy.typing as npt

from transcription.audio import SAMPLE_RATE
from transcription.once import load_once

from .models import segmentation_model

WINDOW_S = 10.0
WINDOW_SAMPLES = int(WINDOW_S * SAMPLE_RATE)
LOCAL_SPEAKERS = 3


def powerset_mapping(num_speakers: int = LOCAL_SPEAKERS, max_together: int = 2) -> npt.NDArray[np.uint8]:
    """(classes, speakers) 0/1 matrix: which local speakers each powerset class switches on
    (class 0 = nobody, then singles, then pairs, in pyannote's order)."""
    rows = []
    for size in range(max_together + 1):
        for group in combinations(range(num_speakers), size):
            row = np.zeros(num_speakers, np.uint8)
            row[list(group)] = 1
            rows.append(row)
    return np.stack(rows)


class Segmenter:
    """Batched sliding-window segmentation. `frame_step_s` / `frame_start_s` place frame i of a
    window starting at t at `t + frame_start_s + i * frame_step_s` (its receptive field's start)."""

    def __init__(self) -> None:
        self._model = segmentation_model()
        self._mapping = powerset_mapping()
        self._lock = threading.Lock()
        self.frame_step_s = float(self._model.frame_step)
        self.frame_duration_s = float(self._model.frame_duration)
        self.frame_start_s = float(self._model.frame_start)
        self.frames_per_window = int(self._model.num_frames(WINDOW_SAMPLES))

    def frame_centres(self) -> npt.NDArray[np.float64]:
        """Centre time of each frame of a window, from the window's start (seconds)."""
        i = np.arange(self.frames_per_window, dtype=np.float64)
        out: npt.NDArray[np.float64] = self.frame_start_s + i * self.frame_step_s + 0.5 * self.frame_duration_s
        return out

    def probabilities(self, windows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """(n, frames, 7) powerset class probabilities of `windows` (n, 160000 samples)."""
        import torch

        with self._lock, torch.inference_mode():
            log_probs = self._model(torch.from_numpy(np.ascontiguousarray(windows, np.float32))[:, None, :])
        out: npt.NDArray[np.float32] = log_probs.exp().numpy()  # the network ends in a log-softmax
        return out

    def to_activity(self, probs: npt.NDArray[np.floating]) -> npt.NDArray[np.uint8]:
        """Powerset probabilities (..., 7) -> 0/1 local speaker activity (..., 3) of the best class."""
        out: npt.NDArray[np.uint8] = self._mapping[np.argmax(probs, axis=-1)]
        return out

    def marginals(self, probs: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
        """Powerset probabilities (..., 7) -> probability that each local speaker talks (..., 3)."""
        out: npt.NDArray[np.float32] = (probs.astype(np.float32) @ self._mapping.astype(np.float32))
        return out

    def count_probabilities(self, probs: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
        """Powerset probabilities (..., 7) -> (..., 2): P(at least one speaker), P(two speakers)."""
        sizes = self._mapping.sum(axis=1)
        p = probs.astype(np.float32)
        out: npt.NDArray[np.float32] = np.stack([p[..., sizes >= 1].sum(-1), p[..., sizes >= 2].sum(-1)], axis=-1)
        return out


@load_once
def get_segmenter() -> Segmenter:
    """The process-wide segmentation model (loaded once)."""
    return Segmenter()
