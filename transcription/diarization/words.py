"""Word-level speaker assignment: every recognised word gets the speaker who covers most of it."""

from __future__ import annotations

from bisect import bisect_right

from transcription.types import Word

from .segments import SpeakerSegment


def assign_speakers(words: list[Word], segments: list[SpeakerSegment]) -> list[Word]:
    """Return `words` with `speaker` set from the diarization `segments`.

    Per word, not per recogniser segment, so a one-word "yes" inside the other person's turn gets
    its own speaker. A word overlapping several speakers (overlapped speech, a boundary) goes to the
    one covering most of it; on a tie, to the segment covering its midpoint that started last (the
    voice that just came in). A word outside every segment (VAD missed it, or the recogniser's
    timing drifted into a pause) goes to the nearest segment's speaker. With no segments at all
    every word goes to "S1". Overlap turns (`overlap=True`, a second voice over the main speaker)
    are ignored: each word gets the dominant speaker only (unless there are only overlap turns).
    """
    main = [s for s in segments if not s.overlap] or list(segments)
    if not main:
        return [w.with_speaker("S1") for w in words]
    segs = sorted(main, key=lambda s: (s.start, s.end))
    starts = [s.start for s in segs]
    # Segments can overlap after edits, so scan back from the last segment starting before the
    # word's end until segments can no longer reach it.
    max_len = max(s.end - s.start for s in segs)
    out: list[Word] = []
    for w in words:
        start, end = min(w.start, w.end), max(w.start, w.end)
        mid = 0.5 * (start + end)
        hi = bisect_right(starts, end)
        cover: dict[str, float] = {}
        at_mid: str | None = None
        i = hi - 1
        while i >= 0 and segs[i].start >= start - max_len:
            seg = segs[i]
            ov = min(end, seg.end) - max(start, seg.start)
            if ov > 0:
                cover[seg.speaker] = cover.get(seg.speaker, 0.0) + ov
            if seg.start <= mid <= seg.end and at_mid is None:
                at_mid = seg.speaker
            i -= 1
        if cover:
            best = max(cover.values())
            tied = [spk for spk, v in cover.items() if best - v < 1e-6]
            speaker = at_mid if at_mid in tied else tied[0]
        elif at_mid is not None:  # zero-length word inside a segment
            speaker = at_mid
        else:
            speaker = _nearest(segs, hi, mid)
        out.append(w.with_speaker(speaker))
    return out


def _nearest(segs: list[SpeakerSegment], hi: int, t: float) -> str:
    """Speaker of the segment closest to time `t`; `hi` = index of the first segment starting after t."""
    best, best_d = segs[0].speaker, float("inf")
    for j in range(max(0, hi - 3), min(len(segs), hi + 2)):
        seg = segs[j]
        d = max(seg.start - t, t - seg.end, 0.0)
        if d < best_d:
            best, best_d = seg.speaker, d
    # A long earlier segment may end closer than the last few by start; check the overall ends too.
    for seg in segs[: max(0, hi - 3)]:
        d = max(seg.start - t, t - seg.end, 0.0)
        if d < best_d:
            best, best_d = seg.speaker, d
    return best
