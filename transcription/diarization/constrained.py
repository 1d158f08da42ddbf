"""Average-linkage agglomerative clustering with cannot-link constraints.

Two local speakers of the same segmentation window are two different people (the segmentation model
told them apart), so their embeddings must never end up in one cluster: a merge that would join
them is not made. This is what separates two similar voices that CAM++ alone puts close together
(two synthetic voices, two women on one phone line), as long as they take turns within 10 s.

`absorb_small_clusters` then folds clusters too small to be a speaker into the nearest large one,
keeping the same constraint: a small cluster that shared a window with every large one stays.
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
    `cannot_link` (n, n) marks pairs that must stay apart. Labels 0..k-1 by first member.

    Each cluster keeps its nearest allowed neighbour, so a merge costs O(n) plus a rescan of the rows
    that pointed at the merged pair: a 2-hour call's few thousand embeddings cluster in seconds."""
    n = len(x)
    if n <= 1:
        return np.zeros(n, np.int64)
    xf = np.asarray(x, np.float32)
    dist = 1.0 - xf @ xf.T  # average distances between clusters (Lance-Williams), float32
    blocked = cannot_link.astype(bool, copy=True)
    np.fill_diagonal(blocked, True)
    alive = np.ones(n, bool)
    size = np.ones(n, np.float32)
    parent = np.arange(n)
    honour = True

    def masked_row(r: int) -> npt.NDArray[np.float32]:
        row = np.where(alive, dist[r], np.inf)
        if honour:
            row = np.where(blocked[r], np.inf, row)
        row[r] = np.inf
        return row

    def rescan() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        m = np.where(~alive[None, :] | (blocked if honour else np.eye(n, dtype=bool)), np.inf, dist)
        np.fill_diagonal(m, np.inf)
        m[~alive] = np.inf
        nn = np.argmin(m, axis=1)
        return nn, m[np.arange(n), nn]

    nn, nd = rescan()
    clusters = n
    while clusters > 1:
        if num_clusters is not None and clusters <= num_clusters:
            break
        i = int(np.argmin(nd))
        d = nd[i]
        if not np.isfinite(d):
            if num_clusters is not None and honour:
                honour = False  # the constraints leave too many clusters: relax them
                nn, nd = rescan()
                continue
            break
        if num_clusters is None and d > threshold:
            break
        j = int(nn[i])
        # Merge j into i (average linkage: size-weighted mean of the two rows).
        new = (size[i] * dist[i] + size[j] * dist[j]) / (size[i] + size[j])
        dist[i, :] = new
        dist[:, i] = new
        blocked[i, :] |= blocked[j, :]
        blocked[:, i] = blocked[i, :]
        size[i] += size[j]
        alive[j] = False
        nd[j] = np.inf
        parent[parent == j] = i
        clusters -= 1
        # Rows that pointed at i or j, and i itself, look again; the others only compare with i.
        stale = np.flatnonzero(alive & ((nn == i) | (nn == j)))
        for r in set(stale.tolist()) | {i}:
            row = masked_row(r)
            nn[r] = int(np.argmin(row))
            nd[r] = row[nn[r]]
        others = alive.copy()
        others[list(set(stale.tolist()) | {i})] = False
        cand = np.where(others & (~blocked[i] if honour else True), dist[i], np.inf)
        better = cand < nd
        nn[better] = i
        nd[better] = cand[better]
    roots = {r: k for k, r in enumerate(dict.fromkeys(parent.tolist()))}
    return np.array([roots[r] for r in parent.tolist()], np.int64)


def absorb_small_clusters(
    x: FloatArray,
    labels: npt.NDArray[np.int64],
    min_size: int,
    max_k: int,
    apart: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.int64]:
    """Clusters with fewer than `min_size` members (and beyond the `max_k` largest) join the
    nearest kept cluster; labels renumbered 0..k-1. With `apart` (cannot-link pairs), a small cluster
    never joins one it shares a window with: if every kept cluster does, it stays a speaker of its own
    (within `max_k`)."""
    sizes = np.bincount(labels)
    ranked = [int(c) for c in np.argsort(-sizes, kind="stable")]
    keep = [c for c in ranked[:max_k] if sizes[c] >= min_size] or [ranked[0]]
    for c in ranked:
        if c in keep or len(keep) >= max_k or apart is None:
            continue
        members = labels == c
        if all(apart[np.ix_(members, labels == k)].any() for k in keep):
            keep.append(c)
    cents = np.stack([x[labels == c].mean(axis=0) for c in keep])
    cents /= np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-8)
    remap = {c: i for i, c in enumerate(keep)}
    out = np.array([remap.get(int(c), -1) for c in labels], np.int64)
    for c in {int(c) for c in labels} - set(keep):
        members = labels == c
        sims = x[members].mean(axis=0) @ cents.T
        if apart is not None:
            blocked = np.array([apart[np.ix_(members, labels == k)].any() for k in keep])
            if not blocked.all():
                sims = np.where(blocked, -np.inf, sims)
        out[members] = int(np.argmax(sims))
    return out
