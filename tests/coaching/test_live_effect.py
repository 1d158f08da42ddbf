"""The shown-versus-held-out report on hand-made calls with known counts."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from coaching.live_effect import CardOutcome, LiveCallSummary, LiveEffectOptions, live_guidance_report


def calls(n: int, won: int, held_out: bool, followed: int, rep: str, asked: int) -> list[LiveCallSummary]:
    """`n` calls with one open-question card each; the first `won` won, the first `followed`
    followed it, the first `asked` had an open question in the first 90 s."""
    return [
        LiveCallSummary(f"{rep}-{held_out}-{i}", held_out, (CardOutcome("discovery_opener", "insight", i < followed),),
                        won=i < won, rep=rep, behaviour={"open_questions_first_90s": 1.0 if i < asked else 0.0,
                                                         "talk_ratio": 0.5 + 0.001 * i, "longest_monologue_s": None})
        for i in range(n)
    ]


def test_report_counts_rates_and_intervals() -> None:
    shown = calls(100, 40, False, 60, "Dana", 62)
    held = calls(100, 25, True, 15, "Eli", 20)
    no_card = [LiveCallSummary("x", False, (), won=True)]  # outside the population
    report = live_guidance_report(shown + held + no_card)
    assert report["n_live_calls"] == 201 and report["n_calls"] == 200 and report["status"] == "finding"
    o = report["outcome"]
    assert (o["win_rate_shown"], o["win_rate_held_out"], o["lift"]) == (0.4, 0.25, 0.6)
    lo, hi = confint_proportions_2indep(40, 100, 25, 100, method="score", compare="ratio")
    assert o["lift_ci"] == [round(lo - 1, 4), round(hi - 1, 4)] and o["lift_ci"][0] > 0 and o["significant"]
    assert "won 60% more often" in o["sentence"]
    ft = report["follow_through"]
    assert (ft["shown"], ft["held_out"], ft["difference"]) == (0.6, 0.15, 0.45)
    assert ft["difference_ci"][0] > 0.3
    share = report["behaviour"][0]
    assert (share["shown"], share["held_out"], share["difference"]) == (0.62, 0.2, 0.42)
    monologue = report["behaviour"][2]
    assert monologue["n_shown"] == 0 and monologue["difference"] is None
    assert [(r["rep"], r["cards_shown"], r["follow_through"], r["held_out_cards"]) for r in report["reps"]] == [
        ("Dana", 100, 0.6, 0), ("Eli", 0, None, 100)]
    assert report["by_card"] == [{"card": "discovery_opener", "basis": "insight", "shown": 100,
                                  "follow_through_shown": 0.6, "held_out": 100, "follow_through_held_out": 0.15}]


def test_sample_size_guard() -> None:
    report = live_guidance_report(calls(29, 10, False, 5, "Dana", 5) + calls(100, 25, True, 5, "Eli", 5))
    o = report["outcome"]
    assert report["status"] == "insufficient_data" and o["lift"] is None and o["lift_ci"] is None
    assert "29 shown and 100 held out" in o["sentence"]
    small = live_guidance_report(calls(29, 10, False, 5, "Dana", 5) + calls(29, 5, True, 5, "Eli", 5),
                                 LiveEffectOptions(min_group=20))
    assert small["status"] == "finding" and small["outcome"]["lift"] == pytest.approx(1.0)
