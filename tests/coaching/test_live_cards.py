"""Live behaviour cards chosen by the team's insight report: basis, thresholds from the finding's
split, wording with the team's numbers, no card where the data found nothing, follow-through."""

from __future__ import annotations

import numpy as np
import pytest

from coaching.features import FeatureColumns
from coaching.insights import Comparison, InsightOptions, InsightReport, compute_insights
from coaching.live import LiveCoach, LiveRules, LiveRulesError
from coaching.suggestions import Utterance
from nlp.types import QuestionType

NO_MOMENTS = {"moments": False}


def team_report(feature: str, op: str, threshold: float | None, values: np.ndarray, won: np.ndarray) -> InsightReport:
    """The insight report of a team whose calls have `values` of `feature` and outcomes `won`."""
    cols = FeatureColumns.from_arrays(outcome=won.astype(float), duration_s=np.full(len(won), 600.0),
                                      metrics={feature: values})
    comp = Comparison(feature, op, threshold, "team split")  # type: ignore[arg-type]
    return compute_insights(cols, InsightOptions(regression=False), comparisons=[comp])


def early_open_questions_win(seed: int = 1, n: int = 500, effect: bool = True) -> InsightReport:
    rng = np.random.default_rng(seed)
    asked = rng.random(n) < 0.5
    won = rng.random(n) < np.where(asked & effect, 0.45, 0.25)
    return team_report("open_questions_first_90s", ">=", 1.0, asked.astype(float), won)


def rep(start: float, end: float, text: str = "we do this and that") -> Utterance:
    return Utterance("S1", "rep", start, end, text)


def customer(start: float, end: float, text: str = "okay I see that") -> Utterance:
    return Utterance("S2", "customer", start, end, text)


def feed(coach: LiveCoach, utts: list[tuple[Utterance, list[QuestionType]]], until: float) -> list[str]:
    fired = []
    for u, qs in utts:
        fired += [p.id for p in coach.add_utterance(u, qs)]
    t = 1.0
    while t <= until:
        fired += [p.id for p in coach.tick(t)]
        t += 1.0
    return fired


def test_significant_finding_gives_an_insight_card_before_the_90_s_mark_with_the_team_numbers() -> None:
    report = early_open_questions_win()
    f = report.finding("open_questions_first_90s")
    assert f is not None and f.significant and f.likelihood is not None and f.likelihood_ci is not None
    coach = LiveCoach(LiveRules(**NO_MOMENTS), insights=report)
    fired = feed(coach, [(rep(5, 30), ["yes_no"]), (customer(31, 40), [])], until=100)
    assert fired == ["discovery_opener"]
    card = coach.cards[0].prompt
    # first speech at 5 s: the 90 s window closes at 95 s, the card comes lead_s (15 s) before it
    assert card.at == 80.0 and card.basis == "insight" and card.trigger == "open_questions_first_90s"
    lo, hi = f.likelihood_ci
    assert (f"In your team's {f.n_with + f.n_without} closed calls, won deals were {f.likelihood * 100:.0f}% more "
            f"likely (95% CI {lo * 100:.0f}-{hi * 100:.0f}%) to have at least one open question") in card.evidence
    assert card.evidence.startswith("This call: 0 open questions from the rep by 1:20.")
    assert card.finding == {"feature": "open_questions_first_90s", "comparison": "open_questions_first_90s >= 1",
                            "lift": round(f.lift, 4), "lift_ci": [round(x, 4) for x in f.lift_ci],
                            "n_with": f.n_with, "n_without": f.n_without}
    assert card.to_dict()["basis"] == "insight" and card.to_dict()["finding"] == card.finding


def test_an_open_question_in_the_window_means_no_card_and_the_split_sets_how_many() -> None:
    coach = LiveCoach(LiveRules(**NO_MOMENTS), insights=early_open_questions_win())
    assert feed(coach, [(rep(0, 10, "What prompted this?"), ["open"])], until=120) == []
    # A team whose split is two open questions: one is not enough.
    rng = np.random.default_rng(4)
    count = rng.integers(0, 4, 600).astype(float)
    won = rng.random(600) < np.where(count >= 2, 0.45, 0.25)
    report = team_report("open_questions_first_90s", ">=", 2.0, count, won)
    coach = LiveCoach(LiveRules(**NO_MOMENTS), insights=report)
    assert feed(coach, [(rep(0, 10, "What prompted this?"), ["open"])], until=120) == ["discovery_opener"]
    assert "1 open question from the rep by 1:15" in coach.cards[0].prompt.evidence
    assert "The goal: at least 2 open questions by the rep in the first 90 s." in coach.cards[0].prompt.evidence


def test_a_feature_tested_without_a_finding_gives_no_card_not_even_the_rule() -> None:
    report = early_open_questions_win(effect=False)
    f = report.finding("open_questions_first_90s")
    assert f is not None and f.status == "finding" and not f.significant
    coach = LiveCoach(LiveRules(**NO_MOMENTS), insights=report)
    assert feed(coach, [(rep(0, 30), [])], until=150) == []
    assert [n.card for n in coach.nudges] == ["talk_less", "shorter_monologues"]  # untested: rule and band


def test_without_outcomes_the_band_is_published_and_the_rule_is_the_organizations() -> None:
    empty = InsightReport(0, 0, 0, InsightOptions(), [], None)
    coach = LiveCoach(LiveRules(**NO_MOMENTS), insights=empty)
    bases = {n.card: (n.basis, n.goal_op, n.goal) for n in coach.nudges}
    assert bases == {"discovery_opener": ("playbook", ">=", 1.0), "talk_less": ("published", "<=", 0.65),
                     "shorter_monologues": ("playbook", "<", 90.0)}
    assert feed(coach, [(rep(0, 30), [])], until=61) == ["discovery_opener"]
    card = coach.cards[0].prompt
    assert card.basis == "playbook" and card.finding is None and "live rule" in card.evidence


def test_monologue_card_at_the_split_minus_the_lead_and_its_follow_through() -> None:
    rng = np.random.default_rng(2)
    longest = rng.uniform(10, 120, 600)
    won = rng.random(600) < np.where(longest >= 60, 0.2, 0.4)  # long monologues lose
    report = team_report("longest_monologue_s", ">=", 60.0, longest, won)
    coach = LiveCoach(LiveRules(no_open_question_s=None, **NO_MOMENTS), insights=report)
    nudge = next(n for n in coach.nudges if n.card == "shorter_monologues")
    assert (nudge.basis, nudge.goal_op, nudge.goal, nudge.fire_at) == ("insight", "<", 60.0, 45.0)
    fired = [p.id for p in coach.add_utterance(rep(0, 40), [])] + [p.id for p in coach.add_utterance(rep(40, 46), [])]
    assert fired == ["shorter_monologues"]
    assert "won deals were" in coach.cards[0].prompt.evidence and "less likely" in coach.cards[0].prompt.evidence
    coach.add_utterance(customer(50, 60), [])  # the customer takes the floor 4 s after the card
    assert coach.cards[0].followed is True and coach.cards[0].followed_at == 50.0
    # Not followed: the rep goes on for more than 15 s.
    late = LiveCoach(LiveRules(no_open_question_s=None, **NO_MOMENTS), insights=report)
    late.add_utterance(rep(0, 46), [])
    late.add_utterance(rep(46, 70), [])
    late.add_utterance(customer(70, 80), [])
    assert late.cards[0].followed is False and late.cards[0].followed_at is None


def test_a_finding_against_the_card_gives_no_card() -> None:
    rng = np.random.default_rng(3)
    longest = rng.uniform(10, 120, 600)
    won = rng.random(600) < np.where(longest >= 60, 0.4, 0.2)  # in this team long monologues win
    report = team_report("longest_monologue_s", ">=", 60.0, longest, won)
    assert report.findings[0].significant
    coach = LiveCoach(LiveRules(**NO_MOMENTS), insights=report)
    assert "shorter_monologues" not in [n.card for n in coach.nudges]


def test_talk_share_card_at_the_team_split_and_followed_when_the_share_falls() -> None:
    rng = np.random.default_rng(5)
    ratio = rng.uniform(0.3, 0.8, 600)
    won = rng.random(600) < np.where(ratio <= 0.55, 0.4, 0.2)
    report = team_report("talk_ratio", "<=", 0.55, ratio, won)
    coach = LiveCoach(LiveRules(no_open_question_s=None, monologue_s=None, **NO_MOMENTS), insights=report)
    fired: list[str] = []
    for i in range(18):  # 10 s blocks, rep 6 s and customer 4 s: a 60% share (under the rule's 75%)
        fired += [p.id for p in coach.add_utterance(rep(10 * i, 10 * i + 6), [])]
        fired += [p.id for p in coach.add_utterance(customer(10 * i + 6, 10 * i + 10), [])]
    assert fired == ["talk_less"] and coach.cards[0].prompt.at == 180.0
    assert coach.cards[0].prompt.basis == "insight" and "rep spoke 60%" in coach.cards[0].prompt.evidence
    for i in range(18, 30):  # then the customer talks most: the share of the last 3 min falls under 55%
        coach.add_utterance(rep(10 * i, 10 * i + 2), [])
        coach.add_utterance(customer(10 * i + 2, 10 * i + 10), [])
    card = coach.cards[0]
    assert card.followed is True and card.followed_at is not None and 180 < card.followed_at <= 300


def test_follow_through_of_open_question_and_moment_cards_and_finish() -> None:
    coach = LiveCoach(LiveRules(min_gap_s=0), insights=early_open_questions_win())
    coach.add_utterance(rep(0, 30), [])
    coach.tick(76.0)
    coach.add_utterance(rep(80, 84, "How do you run onboarding today?"), ["open"])
    coach.add_utterance(customer(85, 88, "How much does it cost?"), [])
    coach.add_utterance(rep(89, 92, "It is sixty a seat."), [])
    cards = coach.finish(100.0)
    assert [(c.prompt.id, c.followed, c.followed_at) for c in cards] == [
        ("discovery_opener", True, 84.0), ("pricing_objection", False, None)]
    d = cards[0].to_dict()
    assert d["followed"] is True and d["follow_window_s"] == 60.0 and d["basis"] == "insight"


def test_holdout_setting() -> None:
    assert LiveRules.from_dict({"holdout": 0.25}).holdout == 0.25
    assert LiveRules.from_dict({"holdout": 1}).holdout == 1.0
    for bad in (1.5, -0.1, "half", float("nan")):
        with pytest.raises(LiveRulesError):
            LiveRules.from_dict({"holdout": bad})


def test_behaviour_cards_on_a_chinese_call_are_worded_in_chinese_with_the_same_numbers() -> None:
    report = early_open_questions_win()
    f = report.finding("open_questions_first_90s")
    assert f is not None and f.likelihood is not None and f.likelihood_ci is not None
    english = LiveCoach(LiveRules(moments=False), insights=report)
    chinese = LiveCoach(LiveRules(moments=False), insights=report, language="zh")
    script: list[tuple[Utterance, list[QuestionType]]] = [(rep(5, 30, "我们的系统可以自动分配线索"), ["yes_no"]),
                                                          (customer(31, 40, "好的"), [])]
    assert feed(chinese, list(script), until=100) == feed(english, list(script), until=100) == ["discovery_opener"]
    card = chinese.cards[0].prompt
    assert (card.at, card.basis, card.finding) == (80.0, "insight", english.cards[0].prompt.finding)
    assert (card.title, card.text) == ("用开放式问题开场", "在给您看具体内容之前，想先请教一下：是什么让您现在开始关注这件事的？")
    lo, hi = f.likelihood_ci
    assert card.evidence == (
        "本通话：到 1:20 为止销售代表提出了 0 个开放式问题。目标：销售代表前 90 秒内的开放式提问至少 1 个。"
        f"在您团队已结束的 {f.n_with + f.n_without} 通通话中，赢单通话出现“销售代表在前 90 秒内至少提出一个开放式问题”的"
        f"可能性比丢单通话高 {f.likelihood * 100:.0f}%（95% 置信区间 {lo * 100:.0f}-{hi * 100:.0f}%）。")


def test_rule_cards_on_a_chinese_call_say_it_is_the_organizations_rule() -> None:
    coach = LiveCoach(LiveRules(no_open_question_s=None, moments=False), language="zh")
    coach.add_utterance(rep(0, 60), [])
    [card] = coach.add_utterance(rep(60, 92), [])
    assert (card.id, card.basis, card.title) == ("shorter_monologues", "playbook", "别一口气讲太久")
    assert card.evidence == "本通话：销售代表从 0:00 起已连续讲了 92 秒。本组织的实时规则：单段独白不超过 90 秒。"
