"""What live cards change: shown calls against randomly held-out calls (`LiveRules.holdout`).

Population: the calls where the coach computed at least one card. Up to the first card nothing
differs between the arms, so whether a call gets a card at all is decided before the treatment and
the randomized comparison stays unbiased, with more power than over every call (calls that never
needed a card add only noise). Outcomes are intention-to-treat: a shown call counts as shown whether
or not the rep followed the card.

- follow-through: share of cards followed (`coaching.live` defines each card's window), per arm;
  in held-out calls it says how often reps did the same thing without the card. Difference with
  the Newcomb 95% interval; cards of one call are treated as independent.
- behaviour: from each call's offline analysis: share of calls with an open question in the first
  90 s (difference, Newcomb interval); mean rep talk ratio and longest monologue (Welch interval).
- outcome: lift = win rate shown / win rate held out - 1, 95% interval by the score method
  (Miettinen-Nurminen, statsmodels `confint_proportions_2indep`), score-test p-value.
  `significant` means the interval excludes 0. Needs `min_group` closed calls in each arm and both
  outcomes present (the sample-size guard the other insights have), else `insufficient_data`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from transcription.display import rounded as _r

Status = Literal["finding", "insufficient_data"]

# Behaviours compared between the arms: (feature, measure). "share" = share of calls with value >= 1.
BEHAVIOURS: tuple[tuple[str, Literal["share", "mean"], str], ...] = (
    ("open_questions_first_90s", "share", "share of calls with an open question by the rep in the first 90 s"),
    ("talk_ratio", "mean", "mean rep talk ratio"),
    ("longest_monologue_s", "mean", "mean longest rep monologue (s)"),
)


@dataclass(frozen=True, slots=True)
class CardOutcome:
    """One card of a call: its id, basis and whether the rep did what it asked."""

    card: str
    basis: str
    followed: bool | None


@dataclass(frozen=True, slots=True)
class LiveCallSummary:
    """One live call as the report reads it. `behaviour`: the call's offline features (None where
    the call is not analysed yet); `won`: None while the deal is open."""

    call_id: str
    held_out: bool
    cards: tuple[CardOutcome, ...]
    won: bool | None = None
    rep: str | None = None
    behaviour: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LiveEffectOptions:
    min_group: int = 30  # closed calls needed in each arm for the outcome comparison
    alpha: float = 0.05


def live_guidance_report(calls: Sequence[LiveCallSummary], options: LiveEffectOptions | None = None) -> dict[str, Any]:
    """The shown-versus-held-out report as JSON-ready data (see the module docstring)."""
    opt = options or LiveEffectOptions()
    carded = [c for c in calls if c.cards]
    shown = [c for c in carded if not c.held_out]
    held = [c for c in carded if c.held_out]
    out: dict[str, Any] = {
        "n_live_calls": len(calls),
        "n_held_out_calls": sum(1 for c in calls if c.held_out),
        "population": "live calls where at least one card was computed",
        "n_calls": len(carded),
        "min_group": opt.min_group,
        "arms": {"shown": _arm(shown), "held_out": _arm(held)},
        "follow_through": _follow_through(shown, held, opt.alpha),
        "behaviour": [_behaviour(f, measure, label, shown, held, opt.alpha) for f, measure, label in BEHAVIOURS],
        "outcome": _outcome(shown, held, opt),
        "by_card": _by_card(shown, held),
        "reps": _reps(carded),
        "method": (
            "randomized holdout per call; population: calls with at least one card computed; intention to treat; "
            "lift = win rate shown / held out - 1 with the score (Miettinen-Nurminen) 95% CI; differences of "
            "proportions with Newcomb CIs, of means with Welch CIs"
        ),
    }
    out["status"] = out["outcome"]["status"]
    return out


def _arm(calls: list[LiveCallSummary]) -> dict[str, Any]:
    cards = [k for c in calls for k in c.cards if k.followed is not None]
    closed = [c for c in calls if c.won is not None]
    won = sum(1 for c in closed if c.won)
    return {"calls": len(calls), "cards": len(cards), "followed": sum(1 for k in cards if k.followed),
            "follow_through": _rate(sum(1 for k in cards if k.followed), len(cards)),
            "closed": len(closed), "won": won, "win_rate": _rate(won, len(closed))}


def _follow_through(shown: list[LiveCallSummary], held: list[LiveCallSummary], alpha: float) -> dict[str, Any]:
    a = [k.followed for c in shown for k in c.cards if k.followed is not None]
    b = [k.followed for c in held for k in c.cards if k.followed is not None]
    return _proportions(sum(a), len(a), sum(b), len(b), alpha)


def _behaviour(feature: str, measure: str, label: str, shown: list[LiveCallSummary],
               held: list[LiveCallSummary], alpha: float) -> dict[str, Any]:
    x = np.array([v for c in shown if (v := c.behaviour.get(feature)) is not None], dtype=np.float64)
    y = np.array([v for c in held if (v := c.behaviour.get(feature)) is not None], dtype=np.float64)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    base = {"feature": feature, "measure": label}
    if measure == "share":
        return {**base, **_proportions(int((x >= 1).sum()), x.size, int((y >= 1).sum()), y.size, alpha)}
    result: dict[str, Any] = {**base, "shown": _r(float(x.mean())) if x.size else None,
                              "held_out": _r(float(y.mean())) if y.size else None,
                              "n_shown": int(x.size), "n_held_out": int(y.size), "difference": None,
                              "difference_ci": None}
    if x.size >= 2 and y.size >= 2 and (x.std() > 0 or y.std() > 0):
        from statsmodels.stats.weightstats import CompareMeans  # here: statsmodels takes seconds to import

        lo, hi = CompareMeans.from_data(x, y).tconfint_diff(alpha=alpha, usevar="unequal")
        result["difference"] = _r(float(x.mean() - y.mean()))
        result["difference_ci"] = [_r(float(lo)), _r(float(hi))]
    return result


def _proportions(k1: int, n1: int, k2: int, n2: int, alpha: float) -> dict[str, Any]:
    """Two shares with Wilson intervals and their difference with the Newcomb interval."""
    out: dict[str, Any] = {"shown": _rate(k1, n1), "held_out": _rate(k2, n2), "n_shown": n1, "n_held_out": n2,
                           "shown_ci": _wilson(k1, n1, alpha), "held_out_ci": _wilson(k2, n2, alpha),
                           "difference": None, "difference_ci": None}
    if n1 and n2:
        from statsmodels.stats.proportion import confint_proportions_2indep

        lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff", alpha=alpha)
        out["difference"] = _r(k1 / n1 - k2 / n2)
        out["difference_ci"] = [_r(float(lo)), _r(float(hi))]
    return out


def _outcome(shown: list[LiveCallSummary], held: list[LiveCallSummary], opt: LiveEffectOptions) -> dict[str, Any]:
    a = [c.won for c in shown if c.won is not None]
    b = [c.won for c in held if c.won is not None]
    k1, n1, k2, n2 = sum(a), len(a), sum(b), len(b)
    out: dict[str, Any] = {"n_shown": n1, "n_held_out": n2, "won_shown": k1, "won_held_out": k2,
                           "win_rate_shown": _rate(k1, n1), "win_rate_held_out": _rate(k2, n2),
                           "lift": None, "lift_ci": None, "p_value": None, "significant": False}
    enough = n1 >= opt.min_group and n2 >= opt.min_group and 0 < k1 + k2 < n1 + n2 and k2 > 0
    if not enough:
        out["status"] = "insufficient_data"
        out["sentence"] = (f"Too few closed calls to compare outcomes: {n1} shown and {n2} held out "
                           f"(at least {opt.min_group} in each, with both outcomes, are needed).")
        return out
    from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

    lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="score", compare="ratio", alpha=opt.alpha)
    p = float(test_proportions_2indep(k1, n1, k2, n2, method="score", compare="ratio").pvalue)
    lift = (k1 / n1) / (k2 / n2) - 1
    out.update(status="finding", lift=_r(lift), lift_ci=[_r(float(lo) - 1), _r(float(hi) - 1)], p_value=_r(p, 6),
               significant=bool(lo > 1 or hi < 1))
    more = "more" if lift >= 0 else "less"
    out["sentence"] = (
        f"Calls that were shown cards were won {abs(lift) * 100:.0f}% {more} often than held-out calls "
        f"(95% CI {(lo - 1) * 100:+.0f}% to {(hi - 1) * 100:+.0f}%; win rate {k1 / n1:.0%} of {n1} vs "
        f"{k2 / n2:.0%} of {n2}; p = {p:.2g})."
    )
    return out


def _by_card(shown: list[LiveCallSummary], held: list[LiveCallSummary]) -> list[dict[str, Any]]:
    keys = sorted({(k.card, k.basis) for c in shown + held for k in c.cards})
    rows = []
    for card, basis in keys:
        a = [k.followed for c in shown for k in c.cards if (k.card, k.basis) == (card, basis) and k.followed is not None]
        b = [k.followed for c in held for k in c.cards if (k.card, k.basis) == (card, basis) and k.followed is not None]
        rows.append({"card": card, "basis": basis, "shown": len(a), "follow_through_shown": _rate(sum(a), len(a)),
                     "held_out": len(b), "follow_through_held_out": _rate(sum(b), len(b))})
    return rows


def _reps(calls: list[LiveCallSummary]) -> list[dict[str, Any]]:
    reps = sorted({c.rep or "" for c in calls})
    rows = []
    for rep in reps:
        mine = [c for c in calls if (c.rep or "") == rep]
        arm = _arm([c for c in mine if not c.held_out])
        held = _arm([c for c in mine if c.held_out])
        rows.append({"rep": rep or None, "calls": len(mine), "cards_shown": arm["cards"], "followed": arm["followed"],
                     "follow_through": arm["follow_through"], "held_out_cards": held["cards"],
                     "held_out_follow_through": held["follow_through"]})
    return rows


def _wilson(k: int, n: int, alpha: float) -> list[float | None] | None:
    if n == 0:
        return None
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, alpha=alpha, method="wilson")
    return [_r(float(lo)), _r(float(hi))]


def _rate(k: int, n: int) -> float | None:
    return _r(k / n) if n else None




__all__ = ["BEHAVIOURS", "CardOutcome", "LiveCallSummary", "LiveEffectOptions", "live_guidance_report"]
