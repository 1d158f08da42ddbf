"""Sweep the overlap-aware diarizer's clustering and reconstruction parameters on the tuning sets.

Segmentation and CAM++ embeddings run once per file (they depend only on `step_s` and the chunking);
every variant then re-runs clustering and reconstruction on them. Tune on ami-train, ami-dev,
generated and generated-extra only.

Usage: .venv/bin/python -m bench.diarization_sweep --sets ami-train,ami-dev,generated \
           --grid cluster_threshold=0.5,0.6,0.7 --grid min_cluster_size=1,2,4 [--set step_s=2.5]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
from pathlib import Path

import numpy as np
from pyannote.metrics.diarization import DiarizationErrorRate

from bench.diarization_sets import load_items, to_annotation
from transcription.audio import load_audio
from transcription.diarization import OverlapDiarizationParams, OverlapDiarizer

ROOT = Path(__file__).resolve().parents[1]


def _value(name: str, text: str) -> object:
    kind = type(getattr(OverlapDiarizationParams(), name))
    if kind is bool:
        return text.lower() in ("1", "true", "yes")
    return kind(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="ami-train,ami-dev,generated")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...")
    ap.add_argument("--oracle", action="store_true", help="also give the true speaker count")
    args = ap.parse_args()
    base = OverlapDiarizationParams(**{k: _value(k, v) for k, v in (kv.split("=", 1) for kv in args.set)})
    names = [g.split("=", 1)[0] for g in args.grid]
    values = [[_value(n, v) for v in g.split("=", 1)[1].split(",")] for n, g in zip(names, args.grid, strict=True)]
    variants = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)] or [{}]
    items = load_items(args.sets.split(","))
    sets = sorted({it.set for it in items})
    der = {(i, st): DiarizationErrorRate() for i in range(len(variants)) for st in sets + ["all"]}
    ok = {(i, st): 0 for i in range(len(variants)) for st in sets}
    n_items = {st: sum(it.set == st for it in items) for st in sets}
    for it in items:
        audio = load_audio(it.wav).mean(axis=0).astype(np.float32)
        n_ref = len(it.reference.crop(it.uem).labels())
        d = OverlapDiarizer(base, num_speakers=n_ref if args.oracle else None)
        d.add_audio(audio, 0.0)
        line = []
        for i, var in enumerate(variants):
            d.params = dataclasses.replace(base, **var)
            hyp = to_annotation(d.finish(), it.name)
            x = der[(i, it.set)](it.reference, hyp, uem=it.uem)
            der[(i, "all")](it.reference, hyp, uem=it.uem)
            ok[(i, it.set)] += int(len(hyp.crop(it.uem).labels()) == n_ref)
            line.append(f"{100 * x:5.1f}")
        print(f"{it.set:10} {it.name:24} {' '.join(line)}", flush=True)
    print()
    for i, var in enumerate(variants):
        cells = [f"{st} {100 * abs(der[(i, st)]):5.1f}% ({ok[(i, st)]}/{n_items[st]})" for st in sets]
        print(f"{var}  " + "  ".join(cells) + f"  all {100 * abs(der[(i, 'all')]):5.1f}%")


if __name__ == "__main__":
    main()
