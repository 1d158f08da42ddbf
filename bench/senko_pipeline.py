"""Run senko's own CPU diarization pipeline on WAV files; one JSON line per file on stdout.

Meant for a SEPARATE virtual environment that has `senko` with its dependencies (silero-vad,
numba, umap-learn, ...), never the project's one (see bench/diarization_eval.py's docstring for the
recipe). It imports nothing from Talktrack.

    /work/senko-venv/bin/python bench/senko_pipeline.py a.wav b.wav ...
    ... | /work/senko-venv/bin/python bench/senko_pipeline.py -      # paths from stdin, one a line

Inputs must be 16 kHz mono 16-bit PCM WAV (senko refuses anything else). senko 0.2.2 on the CPU is
Silero VAD -> 1.5 s subsegments (0.6 s shift) -> C++ Fbank -> CAM++ -> spectral clustering (under
20 minutes of audio) -> its segment merge (same-speaker gaps <= 4 s bridged, turns <= 0.78 s dropped).

Output lines:
  {"setup": {"seconds": S, "first_file_seconds": F, "senko": V, "torch": V, "threads": N}}
      S: import + Diarizer(device="cpu", warmup=True); F: the first file, run once untimed before the
      timed runs (its first-call costs: numba JIT, allocator), so that "seconds" below exclude loading.
  {"file": PATH, "segments": [[start, end, speaker], ...], "raw_segments": [...], "seconds": T}
      segments: senko's documented result (`merged_segments`); raw_segments: before its merge step;
      T: wall seconds of `Diarizer.diarize` for that file; "stages": senko's own `timing_stats` (s).
"""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version
from typing import Any


def _segments(result: dict[str, Any] | None, key: str) -> list[list[Any]]:
    if result is None:  # senko returns None when its VAD finds no speech
        return []
    return [[float(s["start"]), float(s["end"]), str(s["speaker"])] for s in result[key]]


def main(argv: list[str]) -> None:
    paths = [line.strip() for line in sys.stdin if line.strip()] if argv == ["-"] else argv
    t0 = time.perf_counter()
    import senko
    import torch

    diarizer = senko.Diarizer(device="cpu", vad="silero", clustering="cpu", warmup=True, quiet=True)
    setup_s = time.perf_counter() - t0
    first_s = 0.0
    if paths:
        t1 = time.perf_counter()
        diarizer.diarize(paths[0])
        first_s = time.perf_counter() - t1
    setup = {"seconds": round(setup_s, 3), "first_file_seconds": round(first_s, 3), "senko": version("senko"),
             "torch": torch.__version__, "threads": torch.get_num_threads()}
    print(json.dumps({"setup": setup}), flush=True)
    for path in paths:
        t = time.perf_counter()
        result = diarizer.diarize(path)
        dt = time.perf_counter() - t
        print(json.dumps({"file": path, "segments": _segments(result, "merged_segments"),
                          "raw_segments": _segments(result, "raw_segments"), "seconds": round(dt, 4),
                          "stages": (result or {}).get("timing_stats", {})}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
