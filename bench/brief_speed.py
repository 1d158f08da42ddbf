"""What the call brief adds to `analyze` time, on a 10-minute and a 2-hour call.

    .venv/bin/python -m bench.brief_speed               # 10 min and 2 h, best of 3 warm runs
    .venv/bin/python -m bench.brief_speed --minutes 30 --runs 1

The calls are generated sales calls (`bench.sales_calls`) put end to end until the length is
reached, the rep always the same speaker with the role given, as a transcript with word times.
`nlp.analysis.analyze_transcript` runs warm (spaCy and MiniLM loaded by a first run that is not
timed); the brief's own time is that of `nlp.brief.build.build_brief` inside it, so "without the
brief" is the rest. Targets (issue 22): at most 5% more on 10 minutes, at most 3 s on 2 hours.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from bench.sales_calls import generate_sales_call
from transcription.types import Speaker, Transcript, Word

CALL_DATE = dt.date(2026, 12, 7)


def long_call(minutes: float, first_seed: int = 1) -> Transcript:
    """Generated sales calls end to end, `minutes` long, the rep as S1 and the customer as S2."""
    words: list[Word] = []
    offset, seed = 0.0, first_seed
    while offset < minutes * 60:
        call = generate_sales_call(seed)
        seed += 1
        ids = {call.rep_id: "S1", call.customer_id: "S2"}
        for w in call.transcript.words:
            words.append(Word(round(w.start + offset, 3), round(w.end + offset, 3), w.word, ids[w.speaker]))
        offset += call.transcript.duration_s + 1.0
    speakers = [Speaker("S1", "rep", "Sam"), Speaker("S2", "customer", "Jordan")]
    return Transcript(duration_s=round(offset, 3), speakers=speakers, words=words, source="json")


def timed_analysis(transcript: Transcript) -> tuple[float, float, int, int]:
    """(analyze seconds, of which the brief, items, chapters) for one warm run."""
    import nlp.brief.build as build
    from nlp.analysis import analyze_transcript

    spent: list[float] = []
    original: Callable[..., Any] = build.build_brief

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - t0)

    build.build_brief = timed  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        analysis = analyze_transcript(transcript, call_date=CALL_DATE, call_date_source="argument")
        total = time.perf_counter() - t0
    finally:
        build.build_brief = original  # type: ignore[assignment]
    brief = analysis.brief
    assert brief is not None
    return total, sum(spent), len(brief.items), len(brief.chapters)


def measure(minutes: float, runs: int) -> None:
    transcript = long_call(minutes)
    results = [timed_analysis(transcript) for _ in range(runs)]
    total, brief, items, chapters = min(results, key=lambda r: r[0])
    without = total - brief
    print(f"| {transcript.duration_s / 60:.0f} min | {len(transcript.words)} | {without:.2f} | {total:.2f} | "
          f"{brief:.2f} | {100 * brief / without:.1f}% | {items} | {chapters} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, nargs="*", default=[10, 120])
    ap.add_argument("--runs", type=int, default=3, help="timed runs per length (the fastest counts)")
    args = ap.parse_args()
    timed_analysis(long_call(2))  # load spaCy, MiniLM and the exemplars; not timed
    print("| call | words | analyze without brief (s) | with brief (s) | brief (s) | brief / rest | items | chapters |")
    print("|---|---|---|---|---|---|---|---|")
    for minutes in args.minutes:
        measure(minutes, args.runs)


if __name__ == "__main__":
    main()
