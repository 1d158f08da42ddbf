"""The speaker-count rule against its previous version, on the same diarizer runs.

The count rule (`transcription/diarization/count.py`) acts after the diarizer; re-running the
diarizer for every variant of the rule costs most of an evaluation's time on a 2-core machine. This
runs the diarizer once per call (as `bench.diarization_eval`'s `segmentation` system does: 30 s
chunks, then `finish()`), keeps its state in a cache folder, and prints per set the speaker count,
DER and worst call of the voices alone, of the previous rule (before a hardly heard third voice
joined the nearer voice, `count.ABSORB_SMALL_THIRD`) and of the current rule (prior 2, the server's
default). The words are the bundled
recogniser's, cached as in `bench.diarization_eval` (same folder, same keys). "count" counts every
label the diarizer gives; "listed" counts the speakers the product lists, those that get words (a
voice heard only under another's words is not listed).

Usage: .venv/bin/python -m bench.speaker_count_ab --sets dev-pairs,one-voice [--cache DIR] [--files]
                                                 [--no-echo-shadows]
  --files: one line per call where the two rules or the voices differ in speaker count.
  --no-echo-shadows: the diarizer without the echo-shadow rule (`shadows.py`), cached apart.
Sets as in `bench.diarization_sets` (the heldout-2 and heldout-3 sets are for reporting: run them
once, with the rule fixed).
"""

from __future__ import annotations

import argparse
import contextlib
import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pyannote.core import Annotation, Segment, Timeline
from pyannote.metrics.diarization import DiarizationErrorRate

import transcription.diarization.count as count
from bench.diarization_eval import _cached_words
from bench.diarization_sets import ONE_VOICE_SETS, SINGLE_VOICE, Item, load_items, to_annotation
from transcription.audio import load_audio
from transcription.diarization import (
    SAMPLE_RATE,
    OverlapDiarizationParams,
    OverlapDiarizer,
    SpeakerSegment,
    assign_speakers,
)
from transcription.diarization.campplus import get_campplus
from transcription.diarization.segmentation import get_segmenter
from transcription.types import Word

RULES = ("voices", "previous", "current")


@contextlib.contextmanager
def previous_rule() -> Iterator[None]:
    """The count rule before this round: three voices with a hardly heard third, where two people
    are expected, are replaced by the phrases' split (when it holds two voices) instead of the third
    joining the nearer voice (`count.ABSORB_SMALL_THIRD`)."""
    count.ABSORB_SMALL_THIRD = False
    try:
        yield
    finally:
        count.ABSORB_SMALL_THIRD = True


def diarized(it: Item, cache: Path, echo_shadows: bool = True) -> dict[str, Any]:
    """The diarizer's state after `finish()` for `it`, its turns and the words (cached)."""
    path = cache / f"{it.set}__{it.name}{'' if echo_shadows else '__no-shadows'}.pkl"
    if path.exists():
        state: dict[str, Any] = pickle.loads(path.read_bytes())
        state["d"]._seg, state["d"]._enc = get_segmenter(), get_campplus()
        return state
    audio = load_audio(it.wav).mean(axis=0).astype(np.float32)
    d = OverlapDiarizer(OverlapDiarizationParams(drop_echo_shadows=echo_shadows))
    step = 30 * SAMPLE_RATE
    for i in range(0, max(len(audio), 1), step):
        d.add_audio(audio[i : i + step], i / SAMPLE_RATE)
    voices = d.finish()
    words = _cached_words(audio) if voices else []
    uem = it.uem if it.uem else Timeline([Segment(0, len(audio) / SAMPLE_RATE)])
    state = {"set": it.set, "name": it.name, "voices": voices, "words": words, "ref": it.reference, "uem": uem,
             "one_voice": it.set in ONE_VOICE_SETS or it.set == "single", "dur": len(audio) / SAMPLE_RATE}
    seg, enc = d._seg, d._enc
    d._seg, d._enc, d._on_windows = None, None, None  # type: ignore[assignment]
    path.write_bytes(pickle.dumps({**state, "d": d}))
    d._seg, d._enc = seg, enc
    return {**state, "d": d}


def listed_count(segments: list[SpeakerSegment], words: list[Word]) -> int:
    """How many speakers the product lists: those that get words (`transcription.pipeline` drops a
    voice heard only under another); without words, every label."""
    if not words:
        return len({s.speaker for s in segments})
    return len({w.speaker for w in assign_speakers(words, segments)})


@dataclass
class Tally:
    files: int = 0
    right: int = 0
    listed_right: int = 0  # speaker count as the product lists it: the speakers that got words
    errors: float = 0.0
    total: float = 0.0
    worst: tuple[float, str] = (-1.0, "")
    parts: dict[str, float] = field(default_factory=lambda: {"missed detection": 0.0, "false alarm": 0.0,
                                                             "confusion": 0.0})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="dialogue-tuning,dev-pairs,one-voice")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "talktrack-count-ab")
    ap.add_argument("--files", action="store_true")
    ap.add_argument("--no-echo-shadows", action="store_true")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    sets = args.sets.split(",")
    items = load_items(sets)
    if "single" in sets:
        items += [Item("single", p.stem, p, Annotation(uri=p.stem), Timeline()) for p in SINGLE_VOICE]
    tallies: dict[tuple[str, str], Tally] = {}
    for it in items:
        st = diarized(it, args.cache, not args.no_echo_shadows)
        n_ref = 1 if st["one_voice"] else len(st["ref"].crop(st["uem"]).labels())
        outcome: dict[str, list[SpeakerSegment]] = {"voices": st["voices"]}
        for rule in RULES[1:]:
            segs = st["voices"]
            if segs and st["words"]:
                with previous_rule() if rule == "previous" else contextlib.nullcontext():
                    segs = count.settle_count(st["d"], st["voices"], st["words"], 2).segments
            outcome[rule] = segs
        ks = {rule: len({s.speaker for s in segs}) for rule, segs in outcome.items()}
        listed = {rule: listed_count(segs, st["words"]) for rule, segs in outcome.items()}
        ders = {}
        for rule, segs in outcome.items():
            t = tallies.setdefault((st["set"], rule), Tally())
            t.files += 1
            t.right += ks[rule] == n_ref
            t.listed_right += listed[rule] == n_ref
            if st["one_voice"]:
                continue
            c = DiarizationErrorRate()(st["ref"], to_annotation(segs, st["name"]), uem=st["uem"], detailed=True)
            e = c["missed detection"] + c["false alarm"] + c["confusion"]
            for k in t.parts:
                t.parts[k] += c[k]
            t.errors += e
            t.total += c["total"]
            ders[rule] = e / max(c["total"], 1e-9)
            if ders[rule] >= t.worst[0]:
                t.worst = (ders[rule], st["name"])
        if args.files and len(set(ks.values())) > 1:
            der = " -> ".join(f"{100 * ders[r]:5.1f} %" for r in RULES) if ders else ""
            print(f"{st['set']:20} {st['name']:32} ref {n_ref} speakers " + " -> ".join(str(ks[r]) for r in RULES)
                  + f"  {der}", flush=True)
    print(f"\n{'set':20} {'rule':9} {'files':>5} {'count':>7} {'listed':>7} {'DER':>7} {'miss/FA/conf':>15} "
          f"{'worst':>7}")
    for st_name in sets:
        for rule in RULES:
            if (st_name, rule) not in tallies:
                continue
            t = tallies[(st_name, rule)]
            head = f"{st_name:20} {rule:9} {t.files:5d} {t.right:3d}/{t.files:<3d} {t.listed_right:3d}/{t.files:<3d}"
            if not t.total:
                print(f"{head} (one voice each: speaker count only)")
                continue
            parts = "/".join(f"{100 * v / t.total:.1f}" for v in t.parts.values())
            print(f"{head} {100 * t.errors / t.total:6.1f}% {parts:>15} {100 * t.worst[0]:6.1f}% {t.worst[1]}")


if __name__ == "__main__":
    main()
