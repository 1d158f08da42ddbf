"""Re-segmentation: from window-level speaker similarities to 10 ms speaker labels and turns.

Each speech frame is scored against every speaker centroid by the windows around it (triangular
weight, highest at a window's centre), the best label path per speech region is found by Viterbi
with a cost per speaker change, and turns shorter than `min_turn_s` are handed to a neighbour
unless they fill their whole region (an isolated short answer keeps its own speaker).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .params import DiarizationParams

FRAME_S = 0.01
FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


def frame_scores(
    region: tuple[float, float], centres: FloatArray, sims: FloatArray, params: DiarizationParams
) -> FloatArray:
    """(n_frames, k) similarity of each 10 ms frame of `region` to each speaker.

    `centres` (m,) are the centre times of the region's windows, `sims` (m, k) their similarities
    to the centroids. A frame no window reaches takes the nearest window's scores.
    """
    n = max(1, int(round((region[1] - region[0]) / FRAME_S)))
    t = region[0] + (np.arange(n, dtype=np.float32) + 0.5) * FRAME_S
    dist = np.abs(t[:, None] - centres[None, :])
    w = np.maximum(0.0, 1.0 - dist / max(params.assign_context_s, FRAME_S))
    total = w.sum(axis=1)
    nearest = np.argmin(dist, axis=1)
    w[total == 0, nearest[total == 0]] = 1.0
    w /= w.sum(axis=1, keepdims=True)
    return np.asarray(w @ sims, dtype=np.float32)


def viterbi(scores: FloatArray, switch_penalty: float) -> IntArray:
    """Label path maximising the summed scores minus `switch_penalty` per change of label."""
    n, k = scores.shape
    if k == 1:
        return np.zeros(n, np.int64)
    back = np.zeros((n, k), np.int64)
    acc = scores[0].astype(np.float64)
    for i in range(1, n):
        best_prev = int(np.argmax(acc))
        switch = acc[best_prev] - switch_penalty
        stay_better = acc >= switch
        back[i] = np.where(stay_better, np.arange(k), best_prev)
        acc = np.where(stay_better, acc, switch) + scores[i]
    path = np.zeros(n, np.int64)
    path[-1] = int(np.argmax(acc))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def enforce_min_turn(path: IntArray, scores: FloatArray, min_frames: int) -> IntArray:
    """Give runs shorter than `min_frames` to the neighbouring run whose speaker scores better on
    them; shortest runs first, until none is left or the region is one run."""
    path = path.copy()
    while True:
        bounds = np.flatnonzero(np.diff(path)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [len(path)]])
        if len(starts) == 1:
            return path
        lengths = ends - starts
        i = int(np.argmin(lengths))
        if lengths[i] >= min_frames:
            return path
        s, e = int(starts[i]), int(ends[i])
        candidates = []
        if i > 0:
            candidates.append(int(path[s - 1]))
        if i < len(starts) - 1:
            candidates.append(int(path[e]))
        best = max(candidates, key=lambda lab: float(scores[s:e, lab].sum()))
        path[s:e] = best


def label_region(
    region: tuple[float, float], centres: FloatArray, sims: FloatArray, params: DiarizationParams
) -> list[tuple[float, float, int]]:
    """(start, end, speaker index) turns covering one speech region."""
    scores = frame_scores(region, centres, sims, params)
    path = viterbi(scores, params.switch_penalty)
    path = enforce_min_turn(path, scores, max(1, int(round(params.min_turn_s / FRAME_S))))
    turns: list[tuple[float, float, int]] = []
    bounds = np.flatnonzero(np.diff(path)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(path)]])
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        start = region[0] + s * FRAME_S
        end = min(region[1], region[0] + e * FRAME_S)
        turns.append((start, end, int(path[s])))
    return turns
