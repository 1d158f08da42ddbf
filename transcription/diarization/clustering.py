"""Clustering of window embeddings into speakers, with the speaker count found automatically.

Agglomerative clustering with average linkage on cosine distance, cut at a distance threshold
(or at a given count), then ghost clusters (too little speech) merged into their nearest neighbour
and a few k-means style refinement rounds. The threshold decides "one voice or two": a single
speaker's windows stay within it, so a one-voice file gives exactly one cluster.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.cluster.hierarchy import fcluster, linkage

from .params import DiarizationParams

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


def normalise_rows(x: npt.NDArray[np.floating]) -> FloatArray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.asarray(x / np.maximum(norms, 1e-8), dtype=np.float32)


def centroids_of(embeddings: FloatArray, labels: IntArray, weights: FloatArray, k: int) -> FloatArray:
    """Weighted, L2-normalised mean embedding of each label 0..k-1."""
    cents = np.zeros((k, embeddings.shape[1]), np.float32)
    np.add.at(cents, labels, embeddings * weights[:, None])
    return normalise_rows(cents)


def cluster_embeddings(
    embeddings: FloatArray,
    weights: FloatArray,
    params: DiarizationParams,
    num_speakers: int | None = None,
) -> tuple[IntArray, FloatArray]:
    """Label each embedding row with a speaker index 0..k-1; return (labels, centroids (k, d)).

    `weights` are the seconds of speech each window stands for; they decide which clusters are
    ghosts. Labels are numbered in order of first appearance (row order is time order).
    """
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros((0, embeddings.shape[1] if embeddings.ndim == 2 else 0), np.float32)
    x = normalise_rows(embeddings)
    if n == 1 or num_speakers == 1:
        labels = np.zeros(n, np.int64)
        return labels, centroids_of(x, labels, weights, 1)

    # Hour-long calls: cluster a regular subsample, then give every window its nearest centroid.
    sample = np.arange(n)
    if n > params.max_cluster_windows:
        sample = np.linspace(0, n - 1, params.max_cluster_windows).round().astype(np.int64)
    tree = linkage(x[sample].astype(np.float64), method="average", metric="cosine")
    if num_speakers is not None:
        sub = fcluster(tree, t=min(num_speakers, len(sample)), criterion="maxclust")
    elif params.count_method == "silhouette":
        sub = _silhouette_cut(tree, x[sample], weights[sample], params)
    else:
        sub = fcluster(tree, t=params.cluster_threshold, criterion="distance")
        if sub.max() > params.max_speakers:
            sub = fcluster(tree, t=params.max_speakers, criterion="maxclust")
        if sub.max() < params.min_speakers:
            sub = fcluster(tree, t=min(params.min_speakers, len(sample)), criterion="maxclust")
    k = int(sub.max())
    cents = centroids_of(x[sample], (sub - 1).astype(np.int64), weights[sample], k)
    labels = np.argmax(x @ cents.T, axis=1).astype(np.int64)

    labels = _merge_ghosts(x, labels, weights, params, fixed=num_speakers)
    for _ in range(params.refine_iterations):
        k = int(labels.max()) + 1
        cents = centroids_of(x, labels, weights, k)
        new = np.argmax(x @ cents.T, axis=1).astype(np.int64)
        new = _relabel_dense(new)
        if np.array_equal(new, labels):
            break
        labels = _merge_ghosts(x, new, weights, params, fixed=num_speakers)
    labels = _order_by_first_appearance(labels)
    return labels, centroids_of(x, labels, weights, int(labels.max()) + 1)


def _silhouette_cut(
    tree: npt.NDArray[np.float64], x: FloatArray, weights: FloatArray, params: DiarizationParams
) -> npt.NDArray[np.int32]:
    """Cut the tree into one cluster when its last merge is closer than `cluster_threshold`
    (`short_threshold` when there is less than `short_speech_s` of speech), else
    into the k in 2..max_speakers (ghost clusters not counted) with the best mean silhouette."""
    one = np.ones(len(x), np.int32)
    total = float(weights.sum())
    # Few windows give noisy embeddings that split one voice apart: ask for more separation then.
    threshold = params.short_threshold if total < params.short_speech_s else params.cluster_threshold
    if float(tree[-1, 2]) < threshold:
        return one
    dist = 1.0 - x @ x.T
    floor = max(params.min_speaker_s, params.min_speaker_share * total)
    best, best_score = one, -np.inf
    seen: set[int] = set()
    for k in range(2, min(params.max_speakers, len(x)) + 1):
        labels = fcluster(tree, t=k, criterion="maxclust")
        mass = np.bincount(labels, weights=weights)[1:]
        real = int((mass >= floor).sum())
        if real < 2 or real in seen:
            continue
        seen.add(real)
        score = _silhouette(dist, labels)
        if score > best_score:
            best, best_score = labels, score
    return best


def _silhouette(dist: npt.NDArray[np.floating], labels: npt.NDArray[np.integer]) -> float:
    ks = np.unique(labels)
    if len(ks) < 2:
        return -1.0
    mean_to = np.stack([dist[:, labels == k].mean(axis=1) for k in ks], axis=1)  # (n, k)
    own = np.searchsorted(ks, labels)
    n_own = np.bincount(own, minlength=len(ks))[own]
    a = mean_to[np.arange(len(labels)), own] * n_own / np.maximum(n_own - 1, 1)
    mean_to[np.arange(len(labels)), own] = np.inf
    b = mean_to.min(axis=1)
    return float(np.mean((b - a) / np.maximum(np.maximum(a, b), 1e-9)))


def _merge_ghosts(
    x: FloatArray, labels: IntArray, weights: FloatArray, params: DiarizationParams, fixed: int | None
) -> IntArray:
    """Merge clusters with too little speech into the most similar remaining cluster, smallest first."""
    labels = _relabel_dense(labels)
    total = float(weights.sum())
    floor = max(params.min_speaker_s, params.min_speaker_share * total)
    lowest = fixed if fixed is not None else params.min_speakers
    while True:
        k = int(labels.max()) + 1
        if k <= lowest:
            return labels
        mass = np.bincount(labels, weights=weights, minlength=k)
        smallest = int(np.argmin(mass))
        if mass[smallest] >= floor and (fixed is None or k <= fixed):
            return labels
        cents = centroids_of(x, labels, weights, k)
        sims = cents @ cents[smallest]
        sims[smallest] = -np.inf
        labels = labels.copy()
        labels[labels == smallest] = int(np.argmax(sims))
        labels = _relabel_dense(labels)


def _relabel_dense(labels: IntArray) -> IntArray:
    _, dense = np.unique(labels, return_inverse=True)
    return dense.astype(np.int64)


def _order_by_first_appearance(labels: IntArray) -> IntArray:
    order: dict[int, int] = {}
    for lab in labels.tolist():
        order.setdefault(lab, len(order))
    return np.array([order[lab] for lab in labels.tolist()], dtype=np.int64)
