"""How long the command line and the server take to start, against a bare Python.

    .venv/bin/python -m bench.startup              # 5 timed runs of each command
    .venv/bin/python -m bench.startup --runs 9
    OMP_NUM_THREADS=1 .venv/bin/python -m bench.startup   # one torch thread (a busy machine)

Each command runs in a fresh process, once untimed (so every run reads its files from the page
cache) and then `--runs` times; the table gives the median and the fastest wall-clock time, the
median over the median of `python -c pass` (the baseline, measured in the same run), and the median
CPU time (user + system, all threads). On a busy machine the wall time mostly measures the
neighbours; the CPU time less so, though torch's threads spin while they wait for a core and add
to it. `analyze` runs on the sample transcript with its output thrown away, against an empty data
directory. Then the import-time top offenders of that `analyze` (`python -X importtime`), summed
per top-level package. Targets, on 2 idle cores: `talktrack --help` at most 0.5 s, `analyze` of a
transcript at most 2.5 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "samples/discovery_call.vtt"
PY = sys.executable
CLI = [PY, "-m", "service.cli"]  # what the `talktrack` script runs, without depending on its path
COMMANDS: list[tuple[str, list[str]]] = [
    ("python -c pass", [PY, "-c", "pass"]),
    ("talktrack --help", [*CLI, "--help"]),
    (f"talktrack analyze {SAMPLE}", [*CLI, "analyze", SAMPLE]),
    ("import service.api.main", [PY, "-c", "import service.api.main"]),
]
TARGETS = {"talktrack --help": 0.5, f"talktrack analyze {SAMPLE}": 2.5}


def _env(data_dir: str) -> dict[str, str]:
    return {**os.environ, "TALKTRACK_DATA_DIR": data_dir, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one run of `cmd` (it must succeed)."""
    cpu0, t0 = _children_cpu_s(), time.perf_counter()
    subprocess.run(cmd, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, _children_cpu_s() - cpu0


def import_offenders(cmd: list[str], env: dict[str, str], top: int) -> list[tuple[str, float]]:
    """(top-level package, seconds of its own module bodies) of one `-X importtime` run, largest first."""
    run = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=REPO, env=env, check=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    own: dict[str, float] = defaultdict(float)
    for line in run.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, self_us, _cumulative, name = (part.strip() for part in line.replace("import time:", "|").split("|"))
        own[name.split(".")[0]] += int(self_us) / 1e6
    return sorted(own.items(), key=lambda kv: -kv[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command (default: 5)")
    parser.add_argument("--top", type=int, default=12, help="packages in the import-time list (default: 12)")
    args = parser.parse_args()

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{cpus} CPUs, load average {load} at the start; {args.runs} runs of each command\n")
    with tempfile.TemporaryDirectory(prefix="talktrack-startup-") as data_dir:
        env = _env(data_dir)
        rows = []
        for label, cmd in COMMANDS:
            timed(cmd, env)  # untimed: page cache, bytecode
            runs = [timed(cmd, env) for _ in range(args.runs)]
            walls = [wall for wall, _ in runs]
            rows.append((label, statistics.median(walls), min(walls), statistics.median(cpu for _, cpu in runs)))
        base = rows[0][1]
        print("| command | median s | fastest s | × `python -c pass` | CPU s (median) | target |")
        print("|---|---:|---:|---:|---:|---|")
        for label, median, fastest, cpu in rows:
            target = f"≤ {TARGETS[label]} s" if label in TARGETS else ""
            print(f"| `{label}` | {median:.2f} | {fastest:.2f} | {median / base:.0f} | {cpu:.2f} | {target} |")

        analyze = dict(COMMANDS)[f"talktrack analyze {SAMPLE}"]
        print(f"\nImport time of `talktrack analyze {SAMPLE}` by top-level package (own module bodies, one run):")
        print("| package | s |")
        print("|---|---:|")
        for package, seconds in import_offenders(analyze, env, args.top):
            print(f"| `{package}` | {seconds:.2f} |")


if __name__ == "__main__":
    main()
