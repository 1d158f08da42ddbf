"""Average-linkage agglomerative clustering with cannot-link constraints.

Two local speakers of the same segmentation window are two different people (the segmentation model
told them apart), so their embeddings must never end up in one cluster: a merge that would join
them is not made. This is what separates two similar voices that CAM++ alone puts close together
(two synthetic voices, two women on one phone line), as long as they take turns within 10 s.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


def constrained_average_linkage(
    x: FloatArray,
    cannot_link: npt.NDArray[np.bool_],
    threshold: float,
    num_clusters: int | None = None,
) -> IntArray:
    """Cluster the L2-normalised rows of `x` (n, d). Merges go closest first (average cosine distance
    between members) and stop at `threshold`, or, with `num_clusters`, at that many clusters (then
    ignoring the threshold, and the constraints too if they leave more clusters than asked).
    `cannot_link` (n, n) marks pairs that must stay apart. Labels 0..k-1 by first member."""
    n = len(x)
    if n <= 1:
        return np.zeros(n, np.int64)
    dist = 1.0 - (x @ x.T).astype(np.float64)
    np.fill_diagonal(dist, np.inf)
    blocked = cannot_link.copy()
    size = np.ones(n, np.float64)
    alive = np.ones(n, bool)
    parent = np.arange(n)
    clusters = n
    honour = True
    while clusters > 1:
        if num_clusters is not None and clusters <= num_clusters:
            break
        masked = np.where(blocked, np.inf, dist) if honour else dist
        flat = int(np.argmin(masked))
        i, j = divmod(flat, n)
        d = masked[i, j]
        if not np.isfinite(d):
            if num_clusters is not None and honour:
                honour = False  # the constraints leave too many clusters: relax them
                continue
            break
        if num_clusters is None and d > threshold:
            break
        # Merge j into i (Lance-Williams update for average linkage).
        new = (size[i] * dist[i] + size[j] * dist[j]) / (size[i] + size[j])
        dist[i, :] = new
        dist[:, i] = new
        dist[i, i] = np.inf
        dist[j, :] = np.inf
        dist[:, j] = np.inf
        blocked[i, :] |= blocked[j, :]
        blocked[:, i] = blocked[i, :]
        size[i] += size[j]
        alive[j] = False
        parent[parent == j] = i
        clusters -= 1
    roots = {r: k for k, r in enumerate(dict.fromkeys(parent.tolist()))}
    return np.array([roots[r] for r in parent.tolist()], np.int64)
