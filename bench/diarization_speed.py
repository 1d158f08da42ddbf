"""Speed and memory of the mono diarizer (`bench.diarization_eval --speed` / `--memory`).

`speed`: bare faster-whisper and the diarizer (with its pitch track) on the same 10-minute mono call,
and the two-speaker split of the call's phrases, in one run; diarization time as a share of ASR time
(target <= 50 %). `memory`: the diarizer's peak RSS by call length, each length in a fresh process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.diarization_sets import ROOT
from transcription.audio import load_audio
from transcription.diarization import SAMPLE_RATE, OverlapDiarizer, diarize_overlap
from transcription.types import Word


def speed(minutes: float = 10.0) -> None:
    """Time bare faster-whisper (tiny.en int8, VAD filter, word timestamps, as bench/speed.py) and the
    diarizer on the same mono call (the bundled sample call's mono mix, repeated), in one run, and
    print diarization time as a share of ASR time (target <= 50%), the segmentation step's share of the
    new diarizer, and the process's peak RSS after each step (it only grows: see --memory)."""
    import resource
    import tempfile

    import soundfile as sf

    from bench.speed import _cpu_s, bare_mono  # the same bare baseline
    from transcription.asr import AsrOptions, load_whisper
    from transcription.diarization import shadows
    from transcription.diarization.segmentation import Segmenter

    one = load_audio(ROOT / "samples" / "discovery_call_mono.wav").mean(axis=0).astype(np.float32)
    audio = np.resize(one, int(minutes * 60 * SAMPLE_RATE))
    opts = AsrOptions()
    load_whisper(opts)
    diarize_overlap(np.zeros(SAMPLE_RATE, np.float32))
    seg_time = [0.0]
    original = Segmenter.probabilities

    def timed_probabilities(self: Segmenter, windows: np.ndarray) -> np.ndarray:
        t = time.perf_counter()
        out = original(self, windows)
        seg_time[0] += time.perf_counter() - t
        return out

    Segmenter.probabilities = timed_probabilities  # type: ignore[method-assign]
    shadow_time = [0.0]
    drop = shadows.drop_echo_shadows

    def timed_drop(*args: Any) -> int:
        t = time.perf_counter()
        out = drop(*args)
        shadow_time[0] += time.perf_counter() - t
        return out

    shadows.drop_echo_shadows = timed_drop  # type: ignore[assignment]

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "call.wav"
        sf.write(path, audio, SAMPLE_RATE, subtype="PCM_16")
        rows = []
        rss = []
        held: list[OverlapDiarizer] = []
        words = _script_words(len(audio) / SAMPLE_RATE)

        def diarize() -> None:
            audio_ = load_audio(path).mean(axis=0).astype(np.float32)
            d = OverlapDiarizer()
            for i in range(0, len(audio_), 30 * SAMPLE_RATE):
                d.add_audio(audio_[i : i + 30 * SAMPLE_RATE], i / SAMPLE_RATE)
            d.finish()
            held.append(d)

        for label, fn in (("bare faster-whisper", lambda: bare_mono(path, opts)),
                          ("segmentation diarizer", diarize),
                          ("+ two-speaker split", lambda: held[0].split(words))):
            t0, c0 = time.perf_counter(), _cpu_s()
            fn()
            rows.append((label, time.perf_counter() - t0, _cpu_s() - c0))
            rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    dur = len(audio) / SAMPLE_RATE
    print(f"{'step':22} {'wall s':>7} {'RTF':>6} {'CPU s':>7} {'peak RSS MB':>11}")
    for (label, wall, cpu), mb in zip(rows, rss, strict=True):
        print(f"{label:22} {wall:7.1f} {wall / dur:6.3f} {cpu:7.1f} {mb:11.0f}")
    print("(the split runs only where the count is in doubt: the worst case adds it to the diarizer)")
    for i in (1,):
        print(f"{rows[i][0]} / ASR: wall {rows[i][1] / rows[0][1]:.0%}, CPU {rows[i][2] / rows[0][2]:.0%} "
              f"({dur / 60:.0f}-minute mono call)")
    print(f"segmentation step: {seg_time[0]:.1f} s = {seg_time[0] / rows[1][1]:.0%} of the segmentation diarizer")
    print(f"echo-shadow check: {shadow_time[0]:.1f} s = {shadow_time[0] / rows[1][1]:.0%} of the segmentation diarizer")


def _script_words(duration_s: float) -> list[Word]:
    """Words of the bundled sample call's script, spread evenly over each utterance and repeated
    like its audio in `speed` (what the split needs, without running the recogniser)."""
    script = json.loads((ROOT / "samples" / "discovery_call.script.json").read_text())
    length = float(script["duration_s"])
    words: list[Word] = []
    for k in range(int(np.ceil(duration_s / length))):
        for u in script["utterances"]:
            toks = str(u["text"]).split()
            a, b = float(u["start"]) + k * length, float(u["end"]) + k * length
            step = (b - a) / max(len(toks), 1)
            words += [Word(a + i * step, a + (i + 0.8) * step, t, "S1") for i, t in enumerate(toks) if b <= duration_s]
    return words


def memory(minutes: list[float]) -> None:
    """Peak RSS of the segmentation diarizer alone on mono calls of several lengths (the sample call's
    mono mix repeated, fed in 30 s chunks as the pipeline does), each in a fresh process."""

    code = (
        "import resource, sys, numpy as np\n"
        "from transcription.audio import load_audio\n"
        "from transcription.diarization import OverlapDiarizer\n"
        "one = load_audio(sys.argv[2]).mean(axis=0).astype(np.float32)\n"
        "n = int(float(sys.argv[1]) * 60 * 16000); step = 30 * 16000\n"
        "d = OverlapDiarizer()\n"
        "for i in range(0, n, step):\n"
        "    idx = np.arange(i, min(n, i + step)) % len(one)\n"
        "    d.add_audio(one[idx], i / 16000)\n"
        "print(len(d.finish()), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    print(f"{'minutes':>7} {'turns':>6} {'peak RSS MB':>11} {'wall s':>7}")
    for m in minutes:
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code, str(m), str(ROOT / "samples" / "discovery_call_mono.wav")],
                             capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
        print(f"{m:7.0f} {out[0]:>6} {float(out[1]):11.0f} {time.perf_counter() - t0:7.1f}")
