"""Does an initial prompt cost words on stereo calls? The brief's written calls (`bench/brief_data`,
rendered by espeak-ng, rep left, customer side right) through `transcribe_file` with and without a
prompt on the channels (`TranscribeOptions.stereo_prompt`), scored against their scripts.

Per configuration: word error rate over each channel's script (`bench.asr_wer.score`: normalised,
fillers dropped), and lost turns: turns of at least four words of which the recogniser returned
under 30% (words whose times fall in the turn's rendered span, 0.3 s either side). A lost turn is
what a skipped stretch looks like: Whisper, continuing from a prompt, can jump its timestamps past
speech and never come back for it.

    .venv/bin/python -m bench.stereo_prompt                 # the dev calls, both configurations
    .venv/bin/python -m bench.stereo_prompt --limit 10
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field

from bench.asr_wer import score
from bench.brief_data import EvalCall, load_calls
from bench.brief_data.render import render_calls
from transcription.asr import DISFLUENT_PROMPT
from transcription.pipeline import TranscribeOptions, transcribe_file
from transcription.types import Word

CONFIGS: dict[str, str | None] = {"no prompt (default)": None, "disfluent prompt": DISFLUENT_PROMPT}
LOST_SHARE = 0.3
MIN_TURN_WORDS = 4


@dataclass
class Tally:
    errors: int = 0
    words: int = 0
    lost: int = 0
    turns: int = 0
    calls_with_lost: list[str] = field(default_factory=list)
    seconds: float = 0.0


def lost_turns(call: EvalCall, spans: list[tuple[float, float]], words: list[Word]) -> tuple[int, int]:
    """(turns lost, turns weighed)."""
    lost = weighed = 0
    for (_, text), (start, end) in zip(call.turns, spans, strict=True):
        expected = len(text.split())
        if expected < MIN_TURN_WORDS:
            continue
        weighed += 1
        heard = sum(1 for w in words if w.start >= start - 0.3 and w.end <= end + 0.3)
        lost += heard < LOST_SHARE * expected
    return lost, weighed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev", choices=["dev", "heldout", "all"])
    ap.add_argument("--limit", type=int, default=0, help="only the first N calls")
    args = ap.parse_args(argv)
    calls = load_calls(args.split)
    if args.limit:
        calls = calls[: args.limit]
    rendered = render_calls(calls)
    tallies = {name: Tally() for name in CONFIGS}
    for call in calls:
        r = rendered[call.id]
        refs = {side: " ".join(text for speaker, text in call.turns if (call.role_of(speaker) == "rep") == (side == "S1"))
                for side in ("S1", "S2")}
        cells = []
        for name, prompt in CONFIGS.items():
            t0 = time.perf_counter()
            transcript = transcribe_file(r.stereo, TranscribeOptions(stereo_prompt=prompt))
            tally = tallies[name]
            tally.seconds += time.perf_counter() - t0
            for side, ref in refs.items():
                errors, n = score(ref, " ".join(w.word for w in transcript.words if w.speaker == side))
                tally.errors += errors
                tally.words += n
            lost, weighed = lost_turns(call, r.spans, transcript.words)
            tally.lost += lost
            tally.turns += weighed
            if lost:
                tally.calls_with_lost.append(call.id)
            cells.append(f"{name}: lost {lost}/{weighed}")
        print(f"{call.id}: " + "; ".join(cells), flush=True)
    print(f"\n{len(calls)} calls ({args.split})\n")
    print("| configuration | WER (errors / words) | turns lost | calls with a lost turn | recognition s |")
    print("|---|---:|---:|---:|---:|")
    for name, t in tallies.items():
        print(f"| {name} | {t.errors / max(t.words, 1):.1%} ({t.errors} / {t.words}) | {t.lost} / {t.turns} | "
              f"{len(t.calls_with_lost)} | {t.seconds:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
