"""Re-segmentation: from window-level speaker similarities to 10 ms speaker labels and turns.

Each speech frame is scored against every speaker centroid by the windows around it (triangular
weight, highest at a window's centre), the best label path per speech region is found by Viterbi
with a cost per speaker change, and turns shorter than `min_turn_s` are handed to a neighbour
unless they fill their whole region (an isolated short answer keeps its own speaker).
`second_voice` then marks the frames where a second speaker is likely talking over the first
(overlapped speech): around each speaker change, and where another speaker scores almost as well.
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


def second_voice(path: IntArray, scores: FloatArray, params: DiarizationParams) -> IntArray:
    """Per frame, the speaker talking over `path`'s speaker, or -1 for none.

    Two cues, both cheap: (1) for `overlap_margin_s` on each side of a speaker change the outgoing
    and the incoming speaker are both taken to speak (people start before the other has finished);
    (2) a frame whose second-best speaker scores within `overlap_score_gap` of the path's speaker
    gets that second speaker too (a window over two voices sits between their centroids). Runs
    shorter than `overlap_min_s` are dropped.
    """
    n, k = scores.shape
    second = np.full(n, -1, np.int64)
    if k < 2 or n == 0:
        return second
    margin = int(round(params.overlap_margin_s / FRAME_S))
    if margin > 0:
        for b in (np.flatnonzero(np.diff(path)) + 1).tolist():
            before, after = int(path[b - 1]), int(path[b])
            lo, hi = max(0, b - margin), min(n, b + margin)
            seg = second[lo:b]
            seg[(path[lo:b] != after) & (seg < 0)] = after
            seg = second[b:hi]
            seg[(path[b:hi] != before) & (seg < 0)] = before
    if params.overlap_score_gap > 0:
        rest = scores.copy()
        rest[np.arange(n), path] = -np.inf
        runner = np.argmax(rest, axis=1)
        close = scores[np.arange(n), path] - rest[np.arange(n), runner] < params.overlap_score_gap
        second = np.where((second < 0) & close, runner, second)
    min_frames = int(round(params.overlap_min_s / FRAME_S))
    for s, e in _runs(second):
        if second[s] >= 0 and e - s < min_frames:
            second[s:e] = -1
    return second


def _runs(labels: IntArray) -> list[tuple[int, int]]:
    """(start, end) frame index pairs of the runs of equal labels."""
    bounds = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate([[0], bounds]).astype(np.int64)
    ends = np.concatenate([bounds, [len(labels)]]).astype(np.int64)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def label_region(
    region: tuple[float, float],
    centres: FloatArray,
    sims: FloatArray,
    params: DiarizationParams,
    frame_penalty: FloatArray | None = None,
) -> tuple[list[tuple[float, float, int]], list[tuple[float, float, int]]]:
    """(start, end, speaker index) turns covering one speech region, and the overlapped-speech
    turns of a second voice on top of them (see `second_voice`). `frame_penalty` (n_frames, k),
    if given, is subtracted from the frame scores."""
    scores = frame_scores(region, centres, sims, params)
    if frame_penalty is not None:
        scores = scores - frame_penalty[: len(scores)]
    path = viterbi(scores, params.switch_penalty)
    path = enforce_min_turn(path, scores, max(1, int(round(params.min_turn_s / FRAME_S))))
    second = second_voice(path, scores, params)

    def turns_of(labels: IntArray) -> list[tuple[float, float, int]]:
        out = []
        for s, e in _runs(labels):
            if labels[s] >= 0:
                out.append((region[0] + s * FRAME_S, min(region[1], region[0] + e * FRAME_S), int(labels[s])))
        return out

    return turns_of(path), turns_of(second)
