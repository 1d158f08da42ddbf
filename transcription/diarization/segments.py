"""What a mono diarizer returns: speaker turns (`SpeakerSegment`), main and overlapped."""

from __future__ import annotations

from dataclasses import dataclass


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
