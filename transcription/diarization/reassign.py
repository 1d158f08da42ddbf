"""Who is the main speaker every reassignment hop (0.2 s): the decision after clustering.

Each hop has a CAM++ embedding of the surrounding second; it is compared with every speaker's
centroid, after subtracting the centroids' mean (`center`), so two voices that CAM++ puts close
together point apart; the segmentation's vote can be added (`seg_weight`); a Viterbi pass with a
cost per change of speaker smooths the hops with speech. Then, up to `rounds` times and until the
labels settle, each speaker's centroid is re-estimated from the one-voice hops now given to it and
the hops are decided again (k-means started from the clusters): where the segmentation model mixed
two voices in its windows, the window centroids were blends, and this pulls them apart.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

# Centroid re-estimation uses only hops where one voice talks in at least this share of the frames,
# and keeps a speaker's old centroid when fewer than MIN_HOPS_PER_CENTROID such hops are theirs.
ONE_VOICE_SHARE = 0.8
MIN_HOPS_PER_CENTROID = 5


def main_speakers(
    short: FloatArray,
    centroids: FloatArray,
    vote: npt.NDArray[np.float64],
    speech: npt.NDArray[np.float64],
    alone: npt.NDArray[np.float64],
    *,
    seg_weight: float,
    switch: float,
    center: bool,
    rounds: int,
) -> IntArray:
    """Speaker index per hop. `short` (hops, 192): the hops' embeddings (zeros: no speech);
    `centroids` (k, 192) L2-normalised; per hop, `vote` (hops, k): the segmentation's share of
    windows saying each speaker talks, `speech`: share of frames with anyone talking, `alone`: share
    of frames with exactly one voice."""
    norms = np.linalg.norm(short, axis=1, keepdims=True)
    raw = short / np.maximum(norms, 1e-8)
    idx = np.flatnonzero(speech > 0)
    label: IntArray = np.full(len(short), -1, np.int64)
    for round_ in range(1 + rounds):
        before = label
        unit, ref = raw, centroids
        if center:
            mu = centroids.mean(axis=0)
            unit, ref = unit_rows(raw - mu), unit_rows(centroids - mu)
        total = np.where(norms > 0, unit @ ref.T, 0.0) + seg_weight * vote
        label = np.argmax(total, axis=1)
        if len(idx):
            label[idx] = viterbi(total[idx], switch)
        if round_ == rounds or np.array_equal(label, before):
            break
        voiced = np.flatnonzero((alone >= ONE_VOICE_SHARE) & (norms[:, 0] > 0))
        new = [raw[voiced[label[voiced] == c]].mean(axis=0)
               if (label[voiced] == c).sum() >= MIN_HOPS_PER_CENTROID else centroids[c]
               for c in range(len(centroids))]
        centroids = unit_rows(np.stack(new))
    return label


def unit_rows(x: npt.NDArray[np.floating]) -> FloatArray:
    """Rows of `x` scaled to unit length (zero rows stay zero), as float32."""
    out: FloatArray = (x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-8)).astype(np.float32)
    return out


def viterbi(scores: npt.NDArray[np.float64], switch: float) -> IntArray:
    """Best label path through (steps, labels) scores with a cost `switch` per change of label."""
    n, k = scores.shape
    acc = scores[0].copy()
    back = np.zeros((n, k), np.int64)
    for t in range(1, n):
        stay = acc
        best = int(np.argmax(acc))
        move = acc[best] - switch
        back[t] = np.where(stay >= move, np.arange(k), best)
        acc = np.maximum(stay, move) + scores[t]
    path = np.zeros(n, np.int64)
    path[-1] = int(np.argmax(acc))
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path
