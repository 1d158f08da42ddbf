"""Interruptions found on mono audio against those in the reference turns.

An interruption is what `nlp.metrics.interruptions` counts (a speaker starts while another is
mid-utterance, both talking for >= 0.5 s, and it is not a backchannel). Here there are no words, so a
turn is a backchannel when it is shorter than 1 s, on both sides alike. The reference interruptions
come from the reference RTTM turns (within the UEM); ours from the turns of the overlap-aware
diarizer (`diarize_overlap`: main and overlap turns, as `Transcript.speaker_turns` gets them); the
baseline from its main turns only (one speaker at a time: what the transcript carried before
speaker turns). A found interruption matches a reference one of the same speaker (pyannote's optimal
speaker mapping) starting within 1 s; precision and recall follow, and the recall ratio to the
baseline.

Sets as in `bench/diarization_sets.py` (default: ami-train, ami-dev; no tuning is done here).
Usage: .venv/bin/python -m bench.interruptions_eval [--sets ami-train,ami-dev,generated]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pyannote.core import Annotation, Segment
from pyannote.metrics.diarization import DiarizationErrorRate

from bench.diarization_sets import Item, load_items
from nlp.metrics import interruptions
from transcription.audio import load_audio
from transcription.diarization import diarize_overlap
from transcription.types import SpeakerTurn, merge_turns

ROOT = Path(__file__).resolve().parents[1]

MATCH_S = 1.0


def _turns(spans: list[tuple[float, float, str]], item: Item) -> list[SpeakerTurn]:
    """Spans cropped to the item's UEM, as speaker turns."""
    lo, hi = item.uem.extent().start, item.uem.extent().end
    return merge_turns([SpeakerTurn(spk, max(s, lo), min(e, hi)) for s, e, spk in spans if e > lo and s < hi])


def _annotation(turns: list[SpeakerTurn], uri: str) -> Annotation:
    ann = Annotation(uri=uri)
    for i, t in enumerate(turns):
        ann[Segment(t.start, t.end), i] = t.speaker
    return ann


def _matched(found: list[SpeakerTurn], ref: list[SpeakerTurn], mapping: dict[str, str]) -> int:
    left = list(ref)
    hits = 0
    for f in found:
        spk = mapping.get(f.speaker)
        near = [r for r in left if r.speaker == spk and abs(r.start - f.start) <= MATCH_S]
        if near:
            left.remove(min(near, key=lambda r: abs(r.start - f.start)))
            hits += 1
    return hits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="ami-train,ami-dev")
    args = ap.parse_args()
    items = load_items(args.sets.split(","))
    der = DiarizationErrorRate()
    totals: dict[tuple[str, str], list[int]] = {}
    t0 = time.time()
    for it in items:
        ref_turns = _turns([(s.start, s.end, str(lab)) for s, _, lab in it.reference.itertracks(yield_label=True)], it)
        ref_int = interruptions(ref_turns, [])
        segments = diarize_overlap(load_audio(it.wav)[0])
        systems = {
            "overlap turns": _turns([(s.start, s.end, s.speaker) for s in segments], it),
            "main turns only": _turns([(s.start, s.end, s.speaker) for s in segments if not s.overlap], it),
        }
        for name, turns in systems.items():
            mapping = der.optimal_mapping(_annotation(ref_turns, it.name), _annotation(turns, it.name))
            found = interruptions(turns, [])
            row = totals.setdefault((it.set, name), [0, 0, 0, 0])
            row[0] += 1
            row[1] += len(ref_int)
            row[2] += len(found)
            row[3] += _matched(found, ref_int, {str(k): str(v) for k, v in mapping.items()})
    print(f"Interruptions on mono audio vs reference turns ({time.time() - t0:.0f} s)\n")
    print("| set | files | system | reference | found | matched | precision | recall | recall / baseline |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (set_, name), (files, n_ref, n_found, hits) in totals.items():
        base = totals[(set_, "main turns only")]
        recall = hits / n_ref if n_ref else float("nan")
        base_recall = base[3] / base[1] if base[1] else float("nan")
        ratio = f"{recall / base_recall:.2f}" if base_recall > 0 else ("-" if name == "main turns only" else "inf")
        precision = f"{hits / n_found:.2f}" if n_found else "-"
        print(f"| {set_} | {files} | {name} | {n_ref} | {n_found} | {hits} | {precision} | {recall:.2f} | {ratio} |")


if __name__ == "__main__":
    main()
