"""What choosing live cards from the team's insights costs per utterance, against the rule-only coach.

Usage: .venv/bin/python -m bench.live_cards_cost [--repeats 300]

Feeds the bundled discovery call's script (24 utterances with their question types, and a clock
tick every second of call, as the live session ticks) through `LiveCoach` many times: without insights (the organization's rules and the
published band, the baseline) and with a stored report in which early open questions win (insight
cards, follow-through tracking). Printed: microseconds per utterance (making the coach and the
ticks included) and the ratio. The live worker spends about 0.24 s per utterance on Whisper and spaCy on an idle core
(README, "Live calls"), so this is the share the cards add to the card latency.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from coaching.insights import InsightReport
from coaching.live import LiveCoach, LiveRules
from coaching.suggestions import Utterance
from coaching.synthetic import early_open_questions_report

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = ROOT / "samples" / "discovery_call.script.json"


def run(utts: list[tuple[Utterance, list[str]]], insights: InsightReport | None, repeats: int) -> tuple[float, list[str]]:
    t0 = time.perf_counter()
    cards: list[str] = []
    for _ in range(repeats):
        coach = LiveCoach(LiveRules(), insights=insights)
        second = 1.0
        for u, qs in utts:
            while second <= u.end:
                coach.tick(second)
                second += 1.0
            coach.add_utterance(u, qs)  # type: ignore[arg-type]
        cards = [c.prompt.id for c in coach.finish()]
    return (time.perf_counter() - t0) / (repeats * len(utts)) * 1e6, cards


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=300)
    args = ap.parse_args()
    script = json.loads(SCRIPT.read_text())
    utts = [(Utterance("S1" if u["role"] == "rep" else "S2", u["role"], u["start"], u["end"], u["text"]),
             list(u["question_types"])) for u in script["utterances"]]
    report = early_open_questions_report(split=2.0)
    base_us, base_cards = run(utts, None, args.repeats)
    team_us, team_cards = run(utts, report, args.repeats)
    print(f"{len(utts)} utterances x {args.repeats} calls")
    print("| coach | cards in the call | us per utterance | ratio |")
    print("|---|---|---|---|")
    print(f"| rules and published band (baseline) | {', '.join(base_cards)} | {base_us:.0f} | 1.00 |")
    print(f"| team insights (early open questions win) | {', '.join(team_cards)} | {team_us:.0f} | "
          f"{team_us / base_us:.2f} |")


if __name__ == "__main__":
    main()
