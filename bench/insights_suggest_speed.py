"""How fast the suggestion engine is, per utterance (the live path) and per call (the offline path).

Usage: .venv/bin/python -m bench.insights_suggest_speed [--repeat 200]

Feeds the bundled sample call's sentences (analysed once, outside the timing) to a fresh
`SuggestionEngine` again and again, and times `suggest_for_call` on the analysed call. Baseline in
the same run: one `str.lower()` + substring scan of every playbook phrase per utterance, the least a
phrase-based engine must do.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from coaching.playbook import load_playbook
from coaching.suggestions import SuggestionEngine, suggest_for_call, utterances_from_analysis

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    from service.analysis.files import AnalyzeOptions, analyze_path

    analysis = analyze_path(ROOT / "samples" / "discovery_call.vtt", AnalyzeOptions(rep_name="Alex Rivera (Acme)"))
    utterances = utterances_from_analysis(analysis)
    playbook = load_playbook()
    phrases = [p for s in playbook.moments for p in s.phrases]

    t0 = time.process_time()
    for _ in range(args.repeat):
        for u in utterances:
            low = u.text.lower()
            _ = [p for p in phrases if p in low]
    base = (time.process_time() - t0) / (args.repeat * len(utterances))

    t0 = time.process_time()
    for _ in range(args.repeat):
        engine = SuggestionEngine(playbook)
        for u in utterances:
            engine.add_utterance(u)
    per_utt = (time.process_time() - t0) / (args.repeat * len(utterances))

    t0 = time.process_time()
    for _ in range(args.repeat):
        suggest_for_call(analysis, playbook=playbook)
    per_call = (time.process_time() - t0) / args.repeat

    print(f"sample call: {len(utterances)} sentences, {len(phrases)} playbook phrases, {args.repeat} repeats (CPU time)")
    print("| step | CPU per unit | x baseline |")
    print("|---|---|---|")
    print(f"| baseline: lower() + substring scan, per utterance | {base * 1e6:.1f} us | 1.0 |")
    print(f"| SuggestionEngine.add_utterance, per utterance | {per_utt * 1e6:.1f} us | {per_utt / base:.1f} |")
    print(f"| suggest_for_call (whole 2.7-minute call, after analysis) | {per_call * 1e3:.2f} ms | - |")


if __name__ == "__main__":
    main()
