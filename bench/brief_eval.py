"""How well the call brief finds what a call established: recall and precision per kind, next-step
owners and due dates, and grounding, on the written calls of `bench/brief_data` (README there).

    .venv/bin/python -m bench.brief_eval --split dev --path transcript      # tuning numbers
    .venv/bin/python -m bench.brief_eval --split dev --path transcript --misses   # what was missed (dev only)
    .venv/bin/python -m bench.brief_eval --split heldout --path all --json out.json
    .venv/bin/python -m bench.brief_eval --split dev --path stereo --misses --cache .cache/brief-asr  # recognise once

Paths:
  transcript  the call's own words with roles given; each turn's words spread over the time it
              takes in the rendered audio (`bench.brief_data.build_transcript`), analysed by
              `nlp.analysis.analyze_transcript` with the call's date
  stereo      the rendered stereo recording (rep left, customer side right) through the whole
              pipeline (`service.analysis.files`: speech recognition, speakers, language, brief)
  mono        the mono mix through the whole pipeline (speaker count hint on calls of 3 or 4 people)

Matching: a brief item finds a labelled fact of the same kind when its time span overlaps the span
of the fact's turn (or of a turn in its `also` list) by at least half the item's length (at most
1 s needed). Each item finds at most one fact and each fact is found at most once: pairs are taken
greedily, the item whose words share most of the fact's quote first, then an item on the fact's own
turn before one on an `also` turn, then by overlap. Recall: found
facts / facts; precision: items that found a fact / items. Next steps found: owner right, and due
exact where the label has a due date. Grounding: every word of an item's text (lower case, without
punctuation) is among the transcript's words (on audio, the recogniser's) between its start and end,
0.5 s either side; the bench prints every item that fails.

Held-out calls are never tuned on: `--misses` lists per-item misses for dev calls only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bench.brief_data import KINDS, EvalCall, Fact, build_transcript, estimated_spans, load_calls, word_spans
from nlp.brief.types import BriefItem
from transcription.types import Transcript, Word

PATHS = ("transcript", "stereo", "mono")
GROUND_PAD_S = 0.5
MAX_OVERLAP_NEEDED_S = 1.0


@dataclass
class CallRun:
    """One call analysed on one path: the brief's items, the words they must lie in, the labelled
    turns' time spans, and how long analysing took (the brief's share measured apart)."""

    call: EvalCall
    path: str
    items: list[BriefItem]
    words: list[Word]
    spans: list[tuple[float, float]]
    analyze_s: float
    brief_s: float
    duration_s: float


@dataclass
class KindScore:
    support: int = 0
    predicted: int = 0
    found: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.support if self.support else None

    @property
    def precision(self) -> float | None:
        return self.found / self.predicted if self.predicted else None


@dataclass
class Ratio:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def value(self) -> float | None:
        return self.right / self.total if self.total else None


@dataclass
class Report:
    path: str
    split: str
    calls: int = 0
    kinds: dict[str, KindScore] = field(default_factory=lambda: {k: KindScore() for k in KINDS})
    owner: Ratio = field(default_factory=Ratio)
    due: Ratio = field(default_factory=Ratio)
    due_when_none: Ratio = field(default_factory=Ratio)  # found steps without a labelled date given one
    topic: Ratio = field(default_factory=Ratio)
    competitor_name: Ratio = field(default_factory=Ratio)
    amount: Ratio = field(default_factory=Ratio)
    on_negatives: int = 0
    grounded: Ratio = field(default_factory=Ratio)
    grounding_failures: list[str] = field(default_factory=list)
    analyze_s: float = 0.0
    brief_s: float = 0.0
    audio_s: float = 0.0
    misses: list[str] = field(default_factory=list)


_NON_WORD = re.compile(r"[^\w\s]")


def norm_words(text: str) -> list[str]:
    """Lower case, punctuation removed (a hyphen or an apostrophe splits nothing: "twenty-nine" is
    "twentynine" on both sides), split on spaces."""
    return _NON_WORD.sub("", text.lower().replace("\u2019", "'")).split()


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def fact_overlap(item: BriefItem, fact: Fact, spans: list[tuple[float, float]]) -> float | None:
    """How much `item` overlaps the fact's turns, or None when too little to count."""
    best = max(overlap((item.start, item.end), spans[t]) for t in fact.turns)
    needed = min(0.5 * (item.end - item.start), MAX_OVERLAP_NEEDED_S)
    return best if best > 0 and best >= needed else None


def quote_share(item: BriefItem, fact: Fact) -> float:
    quote = norm_words(fact.quote)
    said = set(norm_words(item.text))
    return sum(w in said for w in quote) / len(quote) if quote else 0.0


def match(run: CallRun) -> dict[int, int]:
    """Item index -> fact index, one to one, per kind (see the module docstring)."""
    pairs = []
    for i, item in enumerate(run.items):
        for j, fact in enumerate(run.call.facts):
            if fact.kind != item.kind:
                continue
            amount = fact_overlap(item, fact, run.spans)
            if amount is not None:
                main = overlap((item.start, item.end), run.spans[fact.turn]) >= amount
                pairs.append((quote_share(item, fact), main, amount, i, j))
    pairs.sort(key=lambda p: (-p[0], not p[1], -p[2], p[3], p[4]))
    out: dict[int, int] = {}
    taken: set[int] = set()
    for _, _, _, i, j in pairs:
        if i not in out and j not in taken:
            out[i] = j
            taken.add(j)
    return out


def ungrounded(item: BriefItem, words: list[Word]) -> list[str]:
    """The item's words that are not among the transcript's words at its time (±0.5 s)."""
    lo, hi = item.start - GROUND_PAD_S, item.end + GROUND_PAD_S
    said = {w for word in words if word.end >= lo and word.start <= hi for w in norm_words(word.word)}
    return [w for w in norm_words(item.text) if w not in said]


def _name(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def score(runs: list[CallRun], path: str, split: str, list_misses: bool) -> Report:
    report = Report(path, split, calls=len(runs))
    for run in runs:
        report.analyze_s += run.analyze_s
        report.brief_s += run.brief_s
        report.audio_s += run.duration_s
        pairs = match(run)
        found = {j: i for i, j in pairs.items()}
        for fact in run.call.facts:
            report.kinds[fact.kind].support += 1
        for i, item in enumerate(run.items):
            report.kinds[item.kind].predicted += 1
            bad = ungrounded(item, run.words)
            report.grounded.add(not bad)
            if bad:
                report.grounding_failures.append(f"{run.call.id} {item.kind} [{item.start:.1f}-{item.end:.1f}] "
                                                 f"{item.text!r}: not said there: {' '.join(bad)}")
            if i in pairs:
                continue
            if any(n.kind == item.kind and overlap((item.start, item.end), run.spans[n.turn]) > 0
                   for n in run.call.negatives):
                report.on_negatives += 1
        for j, fact in enumerate(run.call.facts):
            if j not in found:
                continue
            item = run.items[found[j]]
            report.kinds[fact.kind].found += 1
            if fact.kind == "next_step":
                report.owner.add(item.owner == fact.owner)
                if fact.due is not None:
                    report.due.add(item.due == fact.due)
                else:
                    report.due_when_none.add(item.due is not None)
            if fact.kind == "objection" and fact.detail in ("price", "timing", "authority", "competition", "material"):
                report.topic.add(item.detail == fact.detail)
            if fact.kind == "competitor" and fact.detail:
                got = _name(item.detail or item.text)
                report.competitor_name.add(bool(got) and (_name(fact.detail) in got or got in _name(fact.detail)))
            if fact.amount is not None:
                report.amount.add(item.amount is not None and abs(item.amount - fact.amount) <= 0.01 * fact.amount)
        if list_misses and run.call.split == "dev":
            report.misses += describe_misses(run, pairs)
    return report


def describe_misses(run: CallRun, pairs: dict[int, int]) -> list[str]:
    """Dev calls only: each fact not found, each item that found nothing, each wrong owner or date."""
    out = []
    found = {j: i for i, j in pairs.items()}
    for j, fact in enumerate(run.call.facts):
        if j not in found:
            out.append(f"{run.call.id} MISSED {fact.kind} turn {fact.turn}: {fact.quote!r}")
            continue
        item = run.items[found[j]]
        if fact.kind == "next_step" and (item.owner != fact.owner or (fact.due and item.due != fact.due)):
            out.append(f"{run.call.id} STEP turn {fact.turn}: owner {item.owner} (label {fact.owner}), "
                       f"due {item.due} (label {fact.due}), phrase {item.date_phrase!r}: {item.text!r}")
    for i, item in enumerate(run.items):
        if i not in pairs:
            turn = next((t for t, s in enumerate(run.spans) if overlap((item.start, item.end), s) > 0), -1)
            out.append(f"{run.call.id} EXTRA {item.kind} turn {turn} [{item.start:.1f}-{item.end:.1f}]: {item.text!r}")
    return out


@contextmanager
def brief_timer() -> Iterator[list[float]]:
    """Time every `build_brief` call made inside (the analysis imports it from its module at call
    time): the brief's own cost, sharing the embeddings the trackers already computed."""
    import nlp.brief.build as build

    spent: list[float] = []
    original = build.build_brief

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - t0)

    build.build_brief = timed
    try:
        yield spent
    finally:
        build.build_brief = original


def turn_spans(calls: list[EvalCall]) -> tuple[dict[str, list[tuple[float, float]]], dict[str, Any]]:
    """Each call's turn times from the rendered audio (and the renderings), or estimates when
    espeak-ng or sox is missing."""
    import shutil

    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        print("espeak-ng or sox missing: the transcript path uses estimated turn times", file=sys.stderr)
        return {c.id: estimated_spans(c) for c in calls}, {}
    from bench.brief_data.render import render_calls

    rendered = render_calls(calls)
    return {cid: r.spans for cid, r in rendered.items()}, dict(rendered)


def run_transcript(call: EvalCall, spans: list[tuple[float, float]]) -> CallRun:
    from nlp.analysis import analyze_transcript

    transcript = build_transcript(call, spans)
    with brief_timer() as spent:
        t0 = time.perf_counter()
        analysis = analyze_transcript(transcript, call_date=dt.date.fromisoformat(call.call_date),
                                      call_date_source="argument")
        took = time.perf_counter() - t0
    items = analysis.brief.items if analysis.brief else []
    return CallRun(call, "transcript", items, analysis.transcript.words, word_spans(spans), took, sum(spent),
                   transcript.duration_s)


def cache_file(wav: Path, cache: Path) -> Path:
    """Where `--cache` keeps the recording's analysis, keyed by the audio's bytes (clear the folder
    after changing transcription)."""
    return cache / f"{wav.stem}-{hashlib.sha256(wav.read_bytes()).hexdigest()[:16]}.json"


def forget_content_roles(transcript: Transcript) -> Transcript:
    """The transcript with the roles the content scorer (`nlp.speaker_roles`) set made unknown again."""
    speakers = [s if s.role_source != "content" else replace(s, role="unknown", role_confidence=None, role_source=None)
                for s in transcript.speakers]
    return replace(transcript, speakers=speakers)


def run_audio(call: EvalCall, path: str, wav: Path, spans: list[tuple[float, float]],
              cache: Path | None = None) -> CallRun:
    """The recording through recognition, speakers, the language stage and the brief; with `cache`
    the recognised transcript is read from there when kept (its time then leaves out recognition)."""
    from nlp.analysis import analyze_transcript
    from service.analysis.files import AnalyzeOptions, load_transcript
    from transcription.transcript_io import transcript_from_json

    people = len(call.speakers)
    hint: dict[str, Any] = {"num_speakers": people} if path == "mono" and people > 2 else {}
    kept = cache_file(wav, cache) if cache is not None else None
    with brief_timer() as spent:
        t0 = time.perf_counter()
        if kept is not None and kept.exists():
            # roles the content scorer gave are the language stage's: decided again by the current code
            transcript = forget_content_roles(transcript_from_json(json.loads(kept.read_text())))
        else:
            transcript = load_transcript(wav, AnalyzeOptions(rep_channel=0, **hint))
        analysis = analyze_transcript(transcript, call_date=dt.date.fromisoformat(call.call_date),
                                      call_date_source="argument")
        took = time.perf_counter() - t0
    if kept is not None and not kept.exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps(analysis.to_dict()))
    items = analysis.brief.items if analysis.brief else []
    return CallRun(call, path, items, analysis.transcript.words, spans, took, sum(spent),
                   analysis.transcript.duration_s)


def _f(value: float | None) -> str:
    return "   -" if value is None else f"{value:.2f}"


def _ratio(r: Ratio) -> str:
    return "-" if r.value is None else f"{r.value:.2f} ({r.right}/{r.total})"


def print_report(report: Report, show_misses: bool) -> None:
    print(f"\n## path: {report.path}, split: {report.split}, {report.calls} calls")
    print(f"{'kind':<11} {'support':>7} {'found':>6} {'items':>6} {'recall':>7} {'precision':>9}")
    total = KindScore()
    for kind, k in report.kinds.items():
        total.support += k.support
        total.found += k.found
        total.predicted += k.predicted
        print(f"{kind:<11} {k.support:>7} {k.found:>6} {k.predicted:>6} {_f(k.recall):>7} {_f(k.precision):>9}")
    print(f"{'all':<11} {total.support:>7} {total.found:>6} {total.predicted:>6} {_f(total.recall):>7} "
          f"{_f(total.precision):>9}")
    print(f"next steps found: owner right {_ratio(report.owner)}; due exact {_ratio(report.due)} "
          f"(of those with a labelled date); a date given where none was said {_ratio(report.due_when_none)}")
    print(f"objection topic right {_ratio(report.topic)}; competitor name right {_ratio(report.competitor_name)}; "
          f"amount right {_ratio(report.amount)}; unmatched items on hard negatives: {report.on_negatives}")
    print(f"grounding: {_ratio(report.grounded)} of items inside what was said at their times")
    for failure in report.grounding_failures:
        print(f"  NOT GROUNDED {failure}")
    if report.analyze_s:
        share = report.brief_s / report.analyze_s
        print(f"time: analyze {report.analyze_s:.1f} s for {report.audio_s / 60:.1f} min of calls, "
              f"of which the brief {report.brief_s:.1f} s ({share:.1%})")
    if show_misses:
        for line in report.misses:
            print(f"  {line}")


def as_json(report: Report) -> dict[str, Any]:
    return {
        "path": report.path, "split": report.split, "calls": report.calls,
        "kinds": {k: {"support": s.support, "found": s.found, "items": s.predicted, "recall": s.recall,
                      "precision": s.precision} for k, s in report.kinds.items()},
        "next_step_owner": report.owner.value, "next_step_due_exact": report.due.value,
        "due_given_when_none": report.due_when_none.value, "objection_topic": report.topic.value,
        "competitor_name": report.competitor_name.value, "amount": report.amount.value,
        "unmatched_on_hard_negatives": report.on_negatives, "grounding": report.grounded.value,
        "grounding_failures": report.grounding_failures, "analyze_s": round(report.analyze_s, 2),
        "brief_s": round(report.brief_s, 2), "audio_s": round(report.audio_s, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev", choices=["dev", "heldout", "all"])
    ap.add_argument("--path", default="transcript", choices=[*PATHS, "all"])
    ap.add_argument("--calls", default="", help="only these call ids (comma separated)")
    ap.add_argument("--misses", action="store_true", help="list misses and extra items (dev calls only)")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    ap.add_argument("--cache", type=Path, default=None,
                    help="keep the recordings' transcripts in this folder and reuse them (audio paths; for "
                         "iterating on the brief: its 'analyze' time then leaves out recognition; roles the content "
                         "scorer gave are decided again by the current code)")
    args = ap.parse_args(argv)
    calls = load_calls(args.split)
    if args.calls:
        wanted = set(args.calls.split(","))
        calls = [c for c in calls if c.id in wanted]
    if not calls:
        ap.error("no calls selected")
    if args.misses and any(c.split == "heldout" for c in calls):
        print("held-out calls are never tuned on: misses are listed for dev calls only", file=sys.stderr)
    paths = list(PATHS) if args.path == "all" else [args.path]
    spans, rendered = turn_spans(calls)
    if any(p != "transcript" for p in paths) and not rendered:
        ap.error("the audio paths need espeak-ng and sox to render the calls")
    reports = []
    for path in paths:
        runs = []
        for call in calls:
            if path == "transcript":
                runs.append(run_transcript(call, spans[call.id]))
            else:
                runs.append(run_audio(call, path, getattr(rendered[call.id], path), spans[call.id], args.cache))
            print(f"{path}: {call.id} done ({len(runs[-1].items)} items, {runs[-1].analyze_s:.1f} s)", file=sys.stderr)
        for split in ("dev", "heldout"):  # each split on its own: the held-out numbers are the ones reported
            split_runs = [r for r in runs if r.call.split == split]
            if split_runs:
                report = score(split_runs, path, split, args.misses)
                print_report(report, args.misses)
                reports.append(report)
    if args.json:
        args.json.write_text(json.dumps([as_json(r) for r in reports], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
