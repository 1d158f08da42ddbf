"""Which behaviour cards a live call watches for, each with the basis it rests on and its threshold.

The decision is the offline one (`SuggestionEngine.guidance`), per playbook behaviour whose feature
can be measured while the call runs (`LIVE_FEATURES`):

- `insight`: the team's finding is significant (after Benjamini-Hochberg). The threshold is the
  finding's split, on the winning side: e.g. "open_questions_first_90s >= 1" with a positive lift
  asks for one open question in the first 90 s. The card fires while the call can still get there:
  `lead_s` before the 90 s mark, `lead_s` before a monologue reaches the split (but not before half
  of it), or when the rep's share of the last window crosses the split. A finding whose winning
  side is the opposite of what the card asks (long monologues win, say) gives no card.
- no card: the team's outcomes tested the feature and found nothing.
- `published`: the team's data cannot judge it and the playbook situation has a published band;
  the band's value is the threshold.
- `playbook`: nothing to judge with and no band; the organization's live rule fires
  (`no_open_question_s`, `monologue_s`, `rep_share_limit`) and the card says that it is a rule of
  the organization, not a finding.

The evidence sentences are worded in the engine's language (`coaching.wording`); `LiveCoach` plans
again when a call's language becomes known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from coaching import wording
from coaching.insights import Finding, Op
from coaching.playbook import Situation, SituationText
from coaching.suggestions import Basis, Guidance, SuggestionEngine
from transcription.display import clock
from transcription.display import rounded as _r

LiveFeature = Literal["open_questions_first_90s", "talk_ratio", "longest_monologue_s"]

OPEN_QUESTIONS_WINDOW_S = 90.0  # `open_questions_first_90s` counts from the first speech (nlp/metrics.py)

# Features a live card can act on, with the side a card pushes the rep towards and the card id used
# when the organization's playbook has no behaviour for the feature.
LIVE_FEATURES: dict[LiveFeature, tuple[Literal["more", "less"], str]] = {
    "open_questions_first_90s": ("more", "discovery_opener"),
    "talk_ratio": ("less", "talk_less"),
    "longest_monologue_s": ("less", "shorter_monologues"),
}

# Used when an organization's playbook lacks the behaviour a live feature needs.
FALLBACK_SITUATIONS: dict[LiveFeature, Situation] = {
    "open_questions_first_90s": Situation(
        "discovery_opener", "behaviour", "Ask an open question",
        "Ask an open question about the customer's situation before presenting more.",
        ("What prompted you to look at this now?",), feature="open_questions_first_90s",
        translations=(SituationText("zh", "问一个开放式问题", "在继续介绍之前，先问一个关于客户现状的开放式问题。",
                                    ("是什么让您现在开始考虑这件事的？",)),)),
    "talk_ratio": Situation(
        "talk_less", "behaviour", "Hand the conversation back", "Stop and ask a question; let the customer talk.",
        ("How does that compare with what you're doing now?",), feature="talk_ratio",
        translations=(SituationText("zh", "把话题交还给客户", "停下来问一个问题，让客户多说。",
                                    ("这和您现在的做法相比怎么样？",)),)),
    "longest_monologue_s": Situation(
        "shorter_monologues", "behaviour", "Pause and check in",
        "You have been talking for a while: stop and check in before going on.",
        ("Let me pause there. Is this the part that matters most to you?",), feature="longest_monologue_s",
        translations=(SituationText("zh", "停一下，确认客户的想法", "您已经讲了一段时间：先停下来确认一下，再继续。",
                                    ("我先停一下。这部分是您最关心的吗？",)),)),
}

_NEGATE: dict[Op, Op] = {">=": "<", "<": ">=", "<=": ">", ">": "<="}


@dataclass(frozen=True, slots=True)
class LiveNudge:
    """One behaviour card a call watches for.

    `goal_op`/`goal`: the winning side the card asks for ("open questions >= 1", "share <= 0.65",
    "monologue < 62 s"). `fire_at`: when it fires: a call time in seconds (open questions: counted
    from the first speech for insight/published cards, from the stream start for the playbook rule),
    a monologue length in seconds, or the talk share itself. `basis_text` is the evidence sentence
    about the basis (the team's numbers, the band's source, or the organization's rule), in the
    call's `language`, as is `situation`."""

    situation: Situation
    feature: LiveFeature
    basis: Basis
    goal_op: Op
    goal: float
    fire_at: float
    basis_text: str
    finding: Finding | None = None
    language: str = wording.ENGLISH

    @property
    def card(self) -> str:
        return self.situation.id

    def finding_dict(self) -> dict[str, Any] | None:
        """The `finding` of a suggestion event (insight cards only)."""
        f = self.finding
        if f is None:
            return None
        return {"feature": f.feature, "comparison": f.comparison, "lift": _r(f.lift),
                "lift_ci": None if f.lift_ci is None else [_r(x) for x in f.lift_ci],
                "n_with": f.n_with, "n_without": f.n_without}

    def to_dict(self) -> dict[str, Any]:
        return {"card": self.card, "feature": self.feature, "basis": self.basis, "goal": f"{self.goal_op} {self.goal:g}",
                "fire_at": round(self.fire_at, 3), "finding": self.finding_dict()}


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """The live rules the plan reads (a view of `coaching.live.LiveRules`)."""

    lead_s: float
    no_open_question_s: float | None
    rep_share_limit: float | None
    monologue_s: float | None
    disabled: frozenset[str]


def plan_nudges(engine: SuggestionEngine, rules: PlanSettings) -> list[LiveNudge]:
    """The behaviour cards this call watches for, in `LIVE_FEATURES` order."""
    out: list[LiveNudge] = []
    for feature in LIVE_FEATURES:
        situation = next((s for s in engine.playbook.behaviours if s.feature == feature), FALLBACK_SITUATIONS[feature])
        if situation.id in rules.disabled:
            continue
        nudge = _nudge(feature, engine.guidance(situation), rules, engine.language)
        if nudge is not None:
            out.append(nudge)
    return out


def _nudge(feature: LiveFeature, g: Guidance, rules: PlanSettings, language: str) -> LiveNudge | None:
    s = g.situation
    if g.basis == "insight":
        f = g.finding
        assert f is not None and f.lift is not None
        goal = _winning_side(f)
        if goal is None or not _pushes(feature, goal[0]):
            return None
        return _at_split(feature, s, "insight", goal, team_numbers(f, language), rules, f, language)
    if g.tested:
        return None
    if g.basis == "published" and g.band is not None and g.band.value is not None and g.band.op != "present":
        goal = (g.band.op, g.band.value)
        if _pushes(feature, goal[0]):
            text = wording.sentence(language, "published_basis", source=g.band.source, reason=g.reason)
            return _at_split(feature, s, "published", goal, text, rules, None, language)
    return _rule(feature, s, rules, language)


def _winning_side(f: Finding) -> tuple[Op, float] | None:
    """The winning side of a finding's split as (op, threshold); "present" means at least one."""
    assert f.lift is not None
    if f.op == "present":
        return (">=", 1.0) if f.lift > 0 else None
    if f.threshold is None:
        return None
    return (f.op, f.threshold) if f.lift > 0 else (_NEGATE[f.op], f.threshold)


def _pushes(feature: LiveFeature, op: Op) -> bool:
    """Whether a card for `feature` asks for this side ("more" wants >= / >, "less" wants <= / <)."""
    more = LIVE_FEATURES[feature][0] == "more"
    return op in (">=", ">") if more else op in ("<=", "<")


def _at_split(feature: LiveFeature, s: Situation, basis: Basis, goal: tuple[Op, float], text: str,
              rules: PlanSettings, finding: Finding | None, language: str) -> LiveNudge | None:
    op, t = goal
    if feature == "open_questions_first_90s":
        need = float(math.floor(t) + 1 if op == ">" else math.ceil(t))
        if need <= 0:
            return None
        fire = max(0.0, OPEN_QUESTIONS_WINDOW_S - rules.lead_s)
        return LiveNudge(s, feature, basis, ">=", need, fire, text, finding, language)
    if feature == "longest_monologue_s":
        if t <= 0:
            return None
        return LiveNudge(s, feature, basis, op, t, max(t - rules.lead_s, t / 2), text, finding, language)
    return LiveNudge(s, feature, basis, op, t, t, text, finding, language)


def _rule(feature: LiveFeature, s: Situation, rules: PlanSettings, language: str) -> LiveNudge | None:
    """The organization's live rule for a feature nobody's outcomes can judge (basis `playbook`)."""
    if feature == "open_questions_first_90s":
        if rules.no_open_question_s is None:
            return None
        text = wording.sentence(language, "rule_open_question", at=clock(rules.no_open_question_s))
        return LiveNudge(s, feature, "playbook", ">=", 1.0, rules.no_open_question_s, text, language=language)
    if feature == "longest_monologue_s":
        if rules.monologue_s is None:
            return None
        text = wording.sentence(language, "rule_monologue", limit=rules.monologue_s)
        return LiveNudge(s, feature, "playbook", "<", rules.monologue_s, rules.monologue_s, text, language=language)
    if rules.rep_share_limit is None:
        return None
    text = wording.sentence(language, "rule_rep_share", limit=rules.rep_share_limit)
    return LiveNudge(s, feature, "playbook", "<", rules.rep_share_limit, rules.rep_share_limit, text,
                     language=language)


def team_numbers(f: Finding, language: str = wording.ENGLISH) -> str:
    """The team's finding in one sentence, e.g. "In your team's 500 closed calls, won deals were
    76% more likely (95% CI 40-120%) to have at least one open question ..." (`coaching.wording`)."""
    return wording.team_numbers(f, language)


def goal_text(n: LiveNudge) -> str:
    """The card's goal in words, in the nudge's language ("rep talk ratio at most 65%", "at least 2
    open questions by ...", "销售代表发言占比不超过 65%")."""
    return wording.goal_text(n.feature, n.goal_op, n.goal, n.language)


__all__ = ["LIVE_FEATURES", "OPEN_QUESTIONS_WINDOW_S", "LiveFeature", "LiveNudge", "PlanSettings",
           "goal_text", "plan_nudges", "team_numbers"]
