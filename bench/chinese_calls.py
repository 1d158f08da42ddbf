"""Chinese sales calls end to end: each labelled WebVTT call of `bench/chinese_data/calls` goes
through the same path as `talktrack analyze CALL.vtt --rep NAME` (`service.analysis.files`), and its
countable questions (cue, speaker, type), tracker hits (cue, tracker) and next steps (cue, who
committed, date phrase) are compared with the labels in the call's YAML file. Target: exact.

    .venv/bin/python -m bench.chinese_calls            # every call
    .venv/bin/python -m bench.chinese_calls --split heldout
"""

from __future__ import annotations

import argparse
import bisect
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CALLS = Path(__file__).resolve().parent / "chinese_data" / "calls"


@dataclass(frozen=True, slots=True)
class CallCheck:
    id: str
    split: str
    missing: dict[str, list[tuple[Any, ...]]]  # labelled, not found
    extra: dict[str, list[tuple[Any, ...]]]  # found, not labelled
    counts: dict[str, int]  # labelled items per kind

    @property
    def exact(self) -> bool:
        return not any(self.missing.values()) and not any(self.extra.values())


def _cue_starts(vtt: Path) -> list[float]:
    from transcription.transcript_io import _parse_timestamp  # the reader's own timestamp rule

    starts = []
    for n, line in enumerate(vtt.read_text(encoding="utf-8").splitlines(), start=1):
        if "-->" in line:
            starts.append(_parse_timestamp(line.split("-->")[0], n, vtt))
    return starts


def check_call(yaml_path: Path) -> CallCheck:
    """Analyse one labelled call and compare what was found with its labels."""
    from service.analysis.files import AnalyzeOptions, analyze_path

    labels = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    vtt = yaml_path.with_suffix(".vtt")
    analysis = analyze_path(vtt, AnalyzeOptions(rep_name=str(labels["rep"])))
    starts = _cue_starts(vtt)
    names = {s.id: s.name or s.id for s in analysis.transcript.speakers}

    def cue(t: float) -> int:
        return bisect.bisect_right(starts, t + 1e-6)

    found = {
        "questions": Counter((cue(q.start), names[q.speaker], q.type) for q in analysis.questions),
        "trackers": Counter((cue(h.start), h.tracker) for h in analysis.trackers),
        "next_steps": Counter((cue(n.start), names[n.speaker], n.date_phrase) for n in analysis.next_steps),
    }
    wanted = {
        "questions": Counter((int(a), str(b), str(c)) for a, b, c in labels["questions"]),
        "trackers": Counter((int(a), str(b)) for a, b in labels["trackers"]),
        "next_steps": Counter((int(a), str(b), None if c is None else str(c)) for a, b, c in labels["next_steps"]),
    }
    missing = {k: sorted((wanted[k] - found[k]).elements()) for k in wanted}
    extra = {k: sorted((found[k] - wanted[k]).elements()) for k in wanted}
    return CallCheck(str(labels["id"]), str(labels["split"]), missing, extra,
                     {k: sum(v.values()) for k, v in wanted.items()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    args = parser.parse_args(argv)
    checks = [check_call(p) for p in sorted(CALLS.glob("*.yaml"))]
    checks = [c for c in checks if args.split == "all" or c.split == args.split]
    for c in checks:
        status = "exact" if c.exact else "differs"
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in c.counts.items())
        print(f"{c.id:<28} {c.split:<8} {status:<8} ({counts})")
        for kind in ("questions", "trackers", "next_steps"):
            for item in c.missing[kind]:
                print(f"    missing {kind[:-1]}: {item}")
            for item in c.extra[kind]:
                print(f"    extra   {kind[:-1]}: {item}")
    exact = sum(1 for c in checks if c.exact)
    total = {k: sum(c.counts[k] for c in checks) for k in ("questions", "trackers", "next_steps")}
    wrong = {k: sum(len(c.missing[k]) + len(c.extra[k]) for c in checks) for k in total}
    print(f"{exact} of {len(checks)} calls exact; labelled: " + ", ".join(
        f"{total[k]} {k.replace('_', ' ')} ({wrong[k]} missing or extra)" for k in total))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
