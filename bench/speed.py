"""Speed of the transcription stage against bare faster-whisper, in one run on the same files and
the same loaded model.

Rows (real-time factor = wall seconds / audio seconds; lower is faster):
  bare faster-whisper  `WhisperModel.transcribe(path, vad_filter=True, word_timestamps=True)` with
                       the same model, threads, beam and prompt as Talktrack; on stereo, once per
                       channel, one after the other (what a plain script would do).
  transcribe_file      Talktrack's transcription stage (decode, channels, ASR, guards, merge);
                       mono once without and once with diarization, to isolate diarization.
  analyze_path         `talktrack analyze` without the CLI: transcription + language stage + metrics.

Machines here are shared, so absolute numbers are noisy: compare ratios within one run. Each
measurement is repeated `--repeat` times and the fastest kept (the least disturbed run). CPU
seconds (all threads of this process) depend less on other load than wall time: on an idle
machine, wall time is at least CPU seconds / cores.

    .venv/bin/python -m bench.speed [--repeat 2] [--mono FILE] [--stereo FILE]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from faster_whisper.audio import decode_audio

from transcription.asr import AsrOptions, available_cpus, load_whisper, whisper_kwargs
from transcription.audio import probe_audio
from transcription.pipeline import TranscribeOptions, transcribe_file

ROOT = Path(__file__).resolve().parents[1]


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fastest(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(wall s, CPU s of all threads) of the fastest of `repeat` runs."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _cpu_s()
        fn()
        best = min(best, (time.perf_counter() - start, _cpu_s() - cpu))
    return best


def bare_mono(path: Path, opts: AsrOptions) -> None:
    model = load_whisper(opts)
    segments, _ = model.transcribe(str(path), **whisper_kwargs(opts))  # type: ignore[arg-type]
    for _ in segments:  # the generator does the work
        pass


def bare_stereo(path: Path, opts: AsrOptions) -> None:
    model = load_whisper(opts)
    for channel in decode_audio(str(path), split_stereo=True):
        segments, _ = model.transcribe(channel, **whisper_kwargs(opts))  # type: ignore[arg-type]
        for _ in segments:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--mono", type=Path, default=ROOT / "samples" / "discovery_call_mono.wav")
    parser.add_argument("--stereo", type=Path, default=ROOT / "samples" / "discovery_call.wav")
    args = parser.parse_args()
    opts = AsrOptions()
    load_whisper(opts)  # load (and warm) outside the timings
    transcribe_file(ROOT / ".." / "shared" / "data" / "asr" / "LJ002-0035.wav")

    try:
        from service.analysis.files import AnalyzeOptions, analyze_path
    except ImportError:
        analyze_path = None  # type: ignore[assignment]
    else:  # load spaCy and the sentence encoder outside the timings too
        analyze_path(ROOT / ".." / "shared" / "data" / "asr" / "jfk.flac", AnalyzeOptions())

    rows: list[tuple[str, str, float, float, float]] = []  # (what, file, audio s, wall s, CPU s)

    def measure(label: str, path: Path, fn: Callable[[], object]) -> float:
        wall, cpu = fastest(fn, args.repeat)
        rows.append((label, path.name, probe_audio(path).duration_s, wall, cpu))
        print(f"  {label:<50} {wall:7.1f} s wall {cpu:7.1f} s CPU", file=sys.stderr)
        return wall

    mono, stereo = args.mono, args.stereo
    bare_m = measure("bare faster-whisper (mono)", mono, lambda: bare_mono(mono, opts))
    ours_m = measure(
        "transcribe_file, no diarization (mono)",
        mono,
        lambda: transcribe_file(mono, TranscribeOptions(diarize=False)),
    )
    ours_md = measure("transcribe_file, with diarization (mono)", mono, lambda: transcribe_file(mono))
    bare_s = measure(
        "bare faster-whisper, channel by channel (stereo)", stereo, lambda: bare_stereo(stereo, opts)
    )
    seq_s = measure(
        "transcribe_file, channels in turn (stereo)",
        stereo,
        lambda: transcribe_file(stereo, TranscribeOptions(parallel_channels=False)),
    )
    ours_s = measure(
        "transcribe_file, channels in parallel (stereo)", stereo, lambda: transcribe_file(stereo)
    )
    full: dict[str, float] = {}
    if analyze_path is not None:
        full["mono"] = measure("analyze_path (mono)", mono, lambda: analyze_path(mono, AnalyzeOptions()))
        full["stereo"] = measure(
            "analyze_path (stereo)", stereo, lambda: analyze_path(stereo, AnalyzeOptions())
        )

    baseline = {mono.name: bare_m, stereo.name: bare_s}
    load = os.getloadavg()
    print(
        f"\ncores: {available_cpus()}, load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )
    print(f"model: {opts.model or 'bundled tiny.en'}, {opts.compute_type}, beam {opts.beam_size}\n")
    print("| run | file | audio s | wall s | RTF | x bare faster-whisper | CPU s (all threads) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, name, audio, wall, cpu in rows:
        ratio = wall / baseline[name]
        print(
            f"| {label} | {name} | {audio:.1f} | {wall:.1f} | {wall / audio:.3f} | {ratio:.2f} | {cpu:.1f} |"
        )
    print()
    print(f"mono, everything but diarization over bare faster-whisper: {100 * (ours_m / bare_m - 1):+.0f}%")
    share = ours_md - ours_m
    print(
        f"diarization's share (mono): {share:.1f} s = {100 * share / ours_md:.0f}% of transcribe_file with diarization"
    )
    print(f"stereo, parallel channels vs in turn: {seq_s / ours_s:.2f}x faster")
    if full:
        audio_s = probe_audio(stereo).duration_s
        cpu = next(r[4] for r in rows if r[0] == "analyze_path (stereo)")
        print(
            f"stereo call analysed (analyze_path): RTF {full['stereo'] / audio_s:.3f} (target <= 0.12); "
            f"CPU seconds per audio second {cpu / audio_s:.3f}, so RTF >= {cpu / audio_s / available_cpus():.3f} "
            f"on {available_cpus()} idle cores"
        )


if __name__ == "__main__":
    main()
