"""What a mono diarizer returns: speaker turns (`SpeakerSegment`), main and overlapped, and how
they are cut from per-frame decisions (`frame_turns`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class SpeakerSegment:
    """One speaker turn: `speaker` ("S1", "S2", ... in order of first appearance) spoke from
    `start` to `end` seconds.

    `overlap` marks a second voice talking over another speaker's turn (overlapped speech). Turns
    with `overlap=False` never overlap each other and give each moment its dominant speaker; the
    overlap turns come on top (never over the same speaker's own turns) and are what a
    diarization error rate that scores overlapped speech needs. Word assignment ignores them.
    """

    start: float
    end: float
    speaker: str
    overlap: bool = False


def frame_turns(
    on: npt.NDArray[np.bool_],
    dominant: npt.NDArray[np.int64],
    fstep: float,
    t_first: float,
    t_end: float,
    fill_gap_s: float,
    min_turn_s: float,
) -> tuple[list[SpeakerSegment], dict[int, int]]:
    """Turns from per-frame decisions: `on` (frames, k) who talks in each frame, `dominant` the main
    speaker of each frame. Main turns: the main speaker of each frame where anyone speaks, a
    speaker's pauses up to `fill_gap_s` filled when nobody else speaks in between; overlap turns: the
    others on in that frame; turns shorter than `min_turn_s` dropped. Frame i starts at
    `t_first + i * fstep` (clipped to `t_end`). Returns the turns sorted by start, with speaker ids
    "S1", "S2", ... by first appearance, and the map from speaker index to that order."""
    k = on.shape[1] if on.ndim == 2 else 0
    anyone = on.any(axis=1) if k else np.zeros(0, bool)
    main_lab = np.where(anyone, dominant, -1)
    second = on.copy()
    if len(main_lab):
        rows = np.flatnonzero(main_lab >= 0)
        second[rows, main_lab[rows]] = False

    def runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
        d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
        return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))

    def t(i: int) -> float:
        return min(t_end, max(0.0, t_first + i * fstep))

    main: list[tuple[float, float, int]] = []
    for c in range(k):
        for a, b in runs(main_lab == c):
            main.append((t(a), t(b), c))
    main.sort()
    if fill_gap_s > 0 and main:
        merged = [main[0]]
        for s, e, c in main[1:]:
            ps, pe, pc = merged[-1]
            if pc == c and s - pe <= fill_gap_s:
                merged[-1] = (ps, max(pe, e), c)
            else:
                merged.append((s, e, c))
        main = merged
    main = [m for m in main if m[1] - m[0] >= min_turn_s] or main
    overl: list[tuple[float, float, int]] = []
    for c in range(k):
        for a, b in runs(second[:, c]):
            if t(b) - t(a) >= min_turn_s:
                overl.append((t(a), t(b), c))
    order: dict[int, int] = {}
    for _, _, c in sorted(main + overl):
        order.setdefault(c, len(order))
    segs = [SpeakerSegment(round(s, 3), round(e, 3), f"S{order[c] + 1}") for s, e, c in main if e > s]
    segs += [SpeakerSegment(round(s, 3), round(e, 3), f"S{order[c] + 1}", True) for s, e, c in overl if e > s]
    return sorted(segs, key=lambda x: (x.start, x.overlap, x.end)), order
