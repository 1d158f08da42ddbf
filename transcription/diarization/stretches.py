"""The best two-speaker account of a call, from the words' own stretches.

When the voice clustering gives one speaker, the call is cut where the words pause (`STRETCH_PAUSE_S`)
or a sentence ends, and every stretch long enough (`MIN_STRETCH_S`) is described by two things about
its voice: the mean of its 1 s CAM++ hop embeddings (dozens of hops pooled, so steadier than any one
of them) and its median pitch (`pitch.yin`, in semitones; a voice feature CAM++ does not carry).
Two-means on both (CAM++ direction after subtracting the stretches' mean, plus the pitch standardised
and weighted `PITCH_WEIGHT`) splits the stretches into two voices; the shorter stretches then go to
the nearer voice. A person talks in stretches, so a split that follows them never changes speaker in
mid-phrase, unlike one decided every 0.2 s.

How far apart the two groups are is the split's voice evidence (`VoiceSplit.voice_gap`,
`VoiceSplit.pitch_gap`); `count.py` weighs it with the conversation. Chosen on tuning calls only
(`bench/speaker_count_tune.py`; docs/diarization.md, "Speaker count").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from transcription.types import Word

from .pitch import PITCH_FRAME_S
from .reassign import unit_rows

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

STRETCH_PAUSE_S = 0.25  # a pause this long between two words ends a stretch
MIN_STRETCH_S = 0.8  # shorter stretches are not clustered (they go to the nearer voice afterwards)
MIN_HOPS = 2  # 1 s hop embeddings a clustered stretch needs
MIN_VOICED = 10  # pitch frames (10 ms) with a pitch a clustered stretch needs
PITCH_WEIGHT = 0.3  # weight of the standardised median pitch beside the unit CAM++ direction
MIN_CLUSTERED = 4  # fewer clusterable stretches: no split
_PITCH_WINDOW_S = 0.04  # a pitch frame's analysis window (its centre is 20 ms after its start)
_SENTENCE_END = (".", "?", "!")


@dataclass(frozen=True, slots=True)
class Stretch:
    """Words between two pauses or sentence ends: `start`/`end` in seconds, `words` how many."""

    start: float
    end: float
    words: int


@dataclass(frozen=True, slots=True)
class VoiceSplit:
    """Two voices found among a call's stretches. `labels`: 0/1 per stretch (every stretch);
    `centroids` (2, 192): the two voices' CAM++ centroids (L2-normalised); `voice_gap`: the cosine
    distance between the two groups' mean embeddings over the mean distance of a stretch from its
    group's mean (one voice split in two gives about 1, two voices more); `pitch_gap`: the distance
    between the groups' mean (median) pitch over the pooled standard deviation of the stretches'
    pitch (d'), and `range_gap` the same for the pitch's interquartile range; `clustered`: the
    stretches the split was made on."""

    labels: IntArray = field(repr=False)
    centroids: FloatArray = field(repr=False)
    voice_gap: float
    pitch_gap: float
    range_gap: float
    clustered: int


def word_stretches(words: list[Word], pause_s: float = STRETCH_PAUSE_S) -> list[Stretch]:
    """`words` (sorted by time) cut after a sentence's last word and at pauses of `pause_s`."""
    groups: list[list[Word]] = []
    for w in words:
        if groups and not (w.start - groups[-1][-1].end >= pause_s
                           or groups[-1][-1].word.rstrip("\"')").endswith(_SENTENCE_END)):
            groups[-1].append(w)
        else:
            groups.append([w])
    return [Stretch(g[0].start, g[-1].end, len(g)) for g in groups]


def split_stretches(
    stretches: list[Stretch], hops: FloatArray, hop_s: float, f0: FloatArray, t0: float = 0.0
) -> VoiceSplit | None:
    """Two voices among `stretches` from the 1 s hop embeddings `hops` (one per `hop_s`, hop m centred
    at `t0 + (m + 0.5) hop_s`; zero rows: no speech) and the pitch track `f0` (Hz per 10 ms frame from
    `t0`, 0: unvoiced). None with fewer than `MIN_CLUSTERED` stretches to cluster or one group."""
    unit = unit_rows(hops) if len(hops) else np.zeros((0, 0), np.float32)
    has = np.linalg.norm(hops, axis=1) > 0 if len(hops) else np.zeros(0, bool)
    emb: list[FloatArray | None] = []
    pitch: list[tuple[float, float] | None] = []
    clusterable: list[bool] = []
    for st in stretches:
        a, b = st.start - t0, st.end - t0
        m = np.arange(max(0, int(a / hop_s) - 1), min(len(hops), int(b / hop_s) + 1))
        m = m[((m + 0.5) * hop_s >= a) & ((m + 0.5) * hop_s < b) & has[m]]
        lo = max(0, int(np.ceil((a - _PITCH_WINDOW_S / 2) / PITCH_FRAME_S)))
        hi = min(len(f0), int(np.ceil((b - _PITCH_WINDOW_S / 2) / PITCH_FRAME_S)))
        voiced = f0[lo:hi][f0[lo:hi] > 0] if hi > lo else np.zeros(0, np.float32)
        emb.append(unit[m].mean(axis=0) if len(m) else None)
        semitones = 12 * np.log2(voiced)
        pitch.append((float(np.median(semitones)), float(np.subtract(*np.percentile(semitones, [75, 25]))))
                     if len(voiced) else None)
        clusterable.append(b - a >= MIN_STRETCH_S and len(m) >= MIN_HOPS and len(voiced) >= MIN_VOICED)
    idx = np.flatnonzero(clusterable)
    if len(idx) < MIN_CLUSTERED:
        return None
    c = np.stack([emb[i] for i in idx]).astype(np.float32)  # type: ignore[misc]
    p = np.array([pitch[i] for i in idx], np.float64)  # (n, 2): median, interquartile range
    mu_c, mu_p, sd_p = c.mean(axis=0), p.mean(axis=0), p.std(axis=0) + 1e-6

    def features(e: FloatArray, f: tuple[float, float] | None) -> npt.NDArray[np.float64]:
        z = np.zeros(2) if f is None else (np.asarray(f) - mu_p) / sd_p
        return np.concatenate([unit_rows(e - mu_c), PITCH_WEIGHT * z])

    x = np.stack([features(c[j], (p[j, 0], p[j, 1])) for j in range(len(idx))])
    label = _two_means(x)
    if label is None:
        return None
    means = np.stack([x[label == k].mean(axis=0) for k in (0, 1)])
    labels = np.full(len(stretches), -1, np.int64)
    labels[idx] = label
    for i, e in enumerate(emb):
        if labels[i] < 0 and e is not None:
            labels[i] = int(np.argmin(((features(e, pitch[i]) - means) ** 2).sum(axis=1)))
    _fill_from_neighbours(stretches, labels)
    cents = unit_rows(np.stack([c[label == k].mean(axis=0) for k in (0, 1)]))
    within = float(np.mean([1.0 - (unit_rows(c[label == k]) @ cents[k]).mean() for k in (0, 1)]))
    between = 1.0 - float(cents[0] @ cents[1])
    pa, pb = p[label == 0], p[label == 1]
    pooled = np.sqrt((pa.var(axis=0) * len(pa) + pb.var(axis=0) * len(pb)) / len(p))
    gaps = np.abs(pa.mean(axis=0) - pb.mean(axis=0)) / np.maximum(pooled, 1e-6)
    return VoiceSplit(labels, cents, between / max(within, 1e-6), float(gaps[0]), float(gaps[1]), len(idx))


def hop_labels(stretches: list[Stretch], labels: IntArray, n_hops: int, hop_s: float, t0: float = 0.0) -> IntArray:
    """Speaker of every hop: its stretch's label, or the nearest stretch's where it is in none."""
    out: IntArray = np.zeros(n_hops, np.int64)
    if not stretches:
        return out
    starts = np.array([s.start - t0 for s in stretches])
    ends = np.array([s.end - t0 for s in stretches])
    t = (np.arange(n_hops) + 0.5) * hop_s
    gap = np.maximum(starts[None, :] - t[:, None], 0) + np.maximum(t[:, None] - ends[None, :], 0)
    out[:] = labels[np.argmin(gap, axis=1)]
    return out


def _two_means(x: npt.NDArray[np.float64]) -> IntArray | None:
    """Two-means on the rows of `x`, started from the sign of the first principal component."""
    mu = x.mean(axis=0)
    _, _, vt = np.linalg.svd(x - mu, full_matrices=False)
    label: IntArray = ((x - mu) @ vt[0] > 0).astype(np.int64)
    for _ in range(50):
        if label.min() == label.max():
            return None
        means = np.stack([x[label == k].mean(axis=0) for k in (0, 1)])
        new = np.argmin(((x[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)
        if np.array_equal(new, label):
            break
        label = new
    return None if label.min() == label.max() else label


def _fill_from_neighbours(stretches: list[Stretch], labels: IntArray) -> None:
    """Stretches without a label (no hop embedding) take the nearest labelled stretch's."""
    known = np.flatnonzero(labels >= 0)
    for i in np.flatnonzero(labels < 0):
        j = known[np.argmin([abs(stretches[k].start - stretches[i].start) for k in known])]
        labels[i] = labels[j]
