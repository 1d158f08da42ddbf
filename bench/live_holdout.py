"""Does the live-guidance report measure what live cards do? Simulated teams with a planted effect.

Usage: .venv/bin/python -m bench.live_holdout [--corpora 40] [--calls 1200] [--null-corpora 200]

Each corpus is one team's live calls, run through the real `LiveCoach` with an insight report that
says early open questions win (so the coach makes the insight card "ask an open question" 15 s
before the 90 s mark when the rep has asked none). Per call:

- the rep asks an open question early on their own with probability 0.45 (then no card);
- half of the calls, at random, are held out (`holdout: 0.5`): their card is computed, not shown;
- a rep who is shown the card follows it (an open question within its window, before the 90 s
  mark) with probability 0.6; a held-out rep asks one anyway at that point with probability 0.15;
- a call with an open question in the first 90 s is won with probability 0.25 x RR, else 0.25.

The planted effect of showing the card, among calls that get one, is the lift
(1 + (RR - 1) x 0.6) / (1 + (RR - 1) x 0.15) - 1: +32% with RR = 1.8, and 0 with RR = 1 (null).
The report (`coaching.live_effect.live_guidance_report`, as the API computes it) gives a lift with
its 95% CI per corpus. Printed: how often the CI covers the planted lift, how often it excludes 0,
the follow-through in each arm, and, as the baseline, how often the same score interval over every
live call (not only those with a card, so the effect is diluted by calls that never needed one)
excludes 0: the ratio of the two shows the power the report's population choice buys.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from coaching.insights import InsightReport
from coaching.live import LiveCoach, LiveRules
from coaching.live_effect import CardOutcome, LiveCallSummary, live_guidance_report
from coaching.suggestions import Utterance
from coaching.synthetic import early_open_questions_report

BASE_WIN = 0.25
P_EARLY = 0.45
P_FOLLOW = 0.6
P_LATE_ANYWAY = 0.15
HOLDOUT = 0.5


@dataclass
class CorpusResult:
    lift: float | None
    ci: tuple[float, float] | None
    follow_shown: float
    follow_held: float
    all_calls_ci: tuple[float, float]


def simulate_call(rng: np.random.Generator, insights: InsightReport, held_out: bool, rr: float,
                  i: int) -> LiveCallSummary:
    coach = LiveCoach(LiveRules(moments=False), insights=insights)
    rep, cust = "S1", "S2"
    coach.add_utterance(Utterance(rep, "rep", 0.0, 5.0, "Hi, thanks for making the time today."), [])
    coach.add_utterance(Utterance(cust, "customer", 5.5, 8.0, "Sure, happy to talk."), [])
    if rng.random() < P_EARLY:
        t = float(rng.uniform(10, 60))
        coach.add_utterance(Utterance(rep, "rep", t, t + 3, "What made you look at this now?"), ["open"])
        coach.add_utterance(Utterance(cust, "customer", t + 3.5, t + 12, "We lost a few deals."), [])
    coach.tick(76.0)
    if coach.cards and rng.random() < (P_LATE_ANYWAY if held_out else P_FOLLOW):
        t = float(rng.uniform(77, 85))
        coach.add_utterance(Utterance(rep, "rep", t, t + 3, "How does your team handle that today?"), ["open"])
    coach.add_utterance(Utterance(cust, "customer", 88.0, 96.0, "Mostly by hand, to be honest."), [])
    cards = coach.finish(120.0)
    early = coach.metrics.open_questions_rep > 0  # every simulated open question falls before 90 s
    won = bool(rng.random() < BASE_WIN * (rr if early else 1.0))
    return LiveCallSummary(f"c{i}", held_out, tuple(CardOutcome(c.prompt.id, c.prompt.basis, c.followed) for c in cards),
                           won=won, rep=f"rep{i % 8}", behaviour={"open_questions_first_90s": float(early)})


def run_corpus(seed: int, n_calls: int, rr: float, insights: InsightReport) -> CorpusResult:
    rng = np.random.default_rng(seed)
    calls = [simulate_call(rng, insights, bool(rng.random() < HOLDOUT), rr, i) for i in range(n_calls)]
    report = live_guidance_report(calls)
    o = report["outcome"]
    shown = [c for c in calls if not c.held_out]
    held = [c for c in calls if c.held_out]
    k1, n1 = sum(bool(c.won) for c in shown), len(shown)
    k2, n2 = sum(bool(c.won) for c in held), len(held)
    lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="score", compare="ratio")
    return CorpusResult(o["lift"], None if o["lift_ci"] is None else tuple(o["lift_ci"]),
                        report["follow_through"]["shown"] or 0.0, report["follow_through"]["held_out"] or 0.0,
                        (float(lo) - 1, float(hi) - 1))


def planted_lift(rr: float) -> float:
    return (1 + (rr - 1) * P_FOLLOW) / (1 + (rr - 1) * P_LATE_ANYWAY) - 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=int, default=40)
    ap.add_argument("--null-corpora", type=int, default=200, help="extra null corpora for the false-positive rate")
    ap.add_argument("--calls", type=int, default=1200)
    args = ap.parse_args()
    insights = early_open_questions_report(split=1.0)
    t0 = time.perf_counter()
    rows = []
    for name, rr, n in (("planted effect (RR 1.8)", 1.8, args.corpora), ("null (RR 1.0)", 1.0, args.corpora),
                        ("null (RR 1.0), more corpora", 1.0, args.null_corpora)):
        truth = planted_lift(rr)
        seed0 = {1.8: 0, 1.0: 10_000}[rr] + (50_000 if "more" in name else 0)
        results = [run_corpus(seed0 + k, args.calls, rr, insights) for k in range(n)]
        judged = [r for r in results if r.ci is not None]
        covers = sum(r.ci[0] <= truth <= r.ci[1] for r in judged if r.ci)
        signif = sum(r.ci[0] > 0 or r.ci[1] < 0 for r in judged if r.ci)
        base_sig = sum(r.all_calls_ci[0] > 0 or r.all_calls_ci[1] < 0 for r in results)
        rows.append((name, n, truth, float(np.mean([r.lift for r in judged if r.lift is not None])), covers,
                     len(judged), signif, float(np.mean([r.follow_shown for r in results])),
                     float(np.mean([r.follow_held for r in results])), base_sig))
    secs = time.perf_counter() - t0
    print(f"{args.calls} live calls per corpus, holdout {HOLDOUT:g}, {secs:.0f} s")
    print("| scenario | corpora | planted lift | mean estimate | 95% CI covers planted | CI excludes 0 (Wilson 95%) "
          "| follow-through shown / held out | baseline (all live calls): CI excludes 0 | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, n, truth, est, cov, judged, sig, fs, fh, base_sig in rows:
        ratio = f"{sig / base_sig:.2f}" if base_sig else "-"
        lo, hi = proportion_confint(sig, judged, method="wilson")
        print(f"| {name} | {n} | {truth:+.1%} | {est:+.1%} | {cov}/{judged} | {sig}/{judged} = {sig / judged:.1%} "
              f"({lo:.1%}-{hi:.1%}) "
              f"| {fs:.0%} / {fh:.0%} | {base_sig}/{n} | {ratio} |")


if __name__ == "__main__":
    main()
