"""Live suggestion rules on scripted utterances: which card fires when, and what holds it back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coaching.live import LiveCoach, LiveRules, LiveRulesError
from coaching.suggestions import Utterance
from nlp.types import QuestionType

SCRIPT = Path(__file__).resolve().parents[2] / "samples" / "discovery_call.script.json"


def rep(start: float, end: float, text: str) -> Utterance:
    return Utterance("S1", "rep", start, end, text)


def customer(start: float, end: float, text: str, trackers: frozenset[str] = frozenset()) -> Utterance:
    return Utterance("S2", "customer", start, end, text, trackers)


def test_pricing_question_from_the_customer_gives_the_pricing_card() -> None:
    coach = LiveCoach()
    assert coach.add_utterance(rep(0, 4, "What prompted you to look at this now?"), ["open"]) == []
    prompts = coach.add_utterance(customer(5, 8, "How much does it cost per seat?"))
    assert [p.id for p in prompts] == ["pricing_objection"]
    p = prompts[0]
    assert p.kind == "moment" and p.at == 8 and p.trigger == "customer phrase"
    assert p.evidence == "How much does it cost per seat?" and p.text.startswith("Fair question")


def test_the_rep_saying_a_trigger_phrase_fires_nothing() -> None:
    coach = LiveCoach()
    assert coach.add_utterance(rep(0, 4, "Our price is sixty dollars a seat."), ["open"]) == []


def test_tracker_name_triggers_and_is_named_in_the_trigger() -> None:
    coach = LiveCoach()
    prompts = coach.add_utterance(customer(1, 3, "We use the other one.", frozenset({"competitors"})))
    assert [(p.id, p.trigger) for p in prompts] == [("competitor_mention", "customer tracker:competitors")]


def test_at_most_one_prompt_per_gap_and_never_the_same_card_twice() -> None:
    coach = LiveCoach(LiveRules(min_gap_s=30))
    coach.add_utterance(rep(0, 3, "What brings you here?"), ["open"])
    assert [p.id for p in coach.add_utterance(customer(10, 12, "What's the price?"))] == ["pricing_objection"]
    # 18 s later: inside the gap, the competitor moment is dropped.
    assert coach.add_utterance(customer(28, 30, "We also looked at Gong.")) == []
    # After the gap: the pricing card again is never shown twice, a new competitor mention is.
    assert coach.add_utterance(customer(50, 52, "It is too expensive.")) == []
    assert [p.id for p in coach.add_utterance(customer(60, 62, "Chorus was cheaper."))] == ["competitor_mention"]
    assert [p.id for p in coach.prompts] == ["pricing_objection", "competitor_mention"]


def test_one_utterance_with_several_moments_gives_one_card() -> None:
    coach = LiveCoach()
    text = "We looked at Gong and Chorus, both over our budget, and we can't do anything before next quarter."
    prompts = coach.add_utterance(customer(5, 12, text))
    assert [p.id for p in prompts] == ["pricing_objection"]


def test_no_open_question_nudge_comes_at_60_s_from_the_clock() -> None:
    coach = LiveCoach(LiveRules(disabled=frozenset({"talk_less"})))  # the published talk-share band
    coach.add_utterance(rep(0, 20, "Let me tell you about our product."))
    coach.add_utterance(rep(21, 40, "It does many things."), ["yes_no"])
    assert coach.tick(59.0) == []
    prompts = coach.tick(60.0)
    assert [p.id for p in prompts] == ["discovery_opener"]
    assert prompts[0].kind == "behaviour" and prompts[0].trigger == "no_open_question" and prompts[0].at == 60.0
    assert coach.tick(200.0) == []  # never twice


def test_an_open_question_in_time_prevents_the_nudge() -> None:
    coach = LiveCoach()
    coach.add_utterance(rep(0, 5, "What made you take this call?"), ["open"])
    assert coach.tick(61.0) == []


def test_monologue_nudge_and_backchannels_do_not_break_it() -> None:
    coach = LiveCoach(LiveRules(no_open_question_s=None))
    t = 0.0
    fired: list[str] = []
    while t < 100:
        fired += [p.id for p in coach.add_utterance(rep(t, t + 9.5, "and another feature"))]
        fired += [p.id for p in coach.add_utterance(customer(t + 9.6, t + 10.0, "mm-hmm"))]
        t += 10
    assert fired == ["shorter_monologues"]
    # The rep utterance ending at 99.5 s is the first to take the monologue past 90 s.
    assert coach.prompts[0].at == pytest.approx(99.5) and "rep monologue of" in coach.prompts[0].evidence
    coach.add_utterance(customer(101, 104, "Sorry, can I ask something about that?"))
    assert coach.metrics.current_monologue_s == 0.0 and coach.metrics.longest_monologue_s == pytest.approx(99.5)


def test_rep_talk_share_nudge_after_a_full_window() -> None:
    coach = LiveCoach(LiveRules(no_open_question_s=None, monologue_s=None))
    fired: list[str] = []
    for i in range(20):  # 10 s blocks: rep 8 s, customer 2 s (a real answer, breaks monologues)
        fired += [p.id for p in coach.add_utterance(rep(10 * i, 10 * i + 8, "we do this and that"))]
        fired += [p.id for p in coach.add_utterance(customer(10 * i + 8, 10 * i + 10, "okay I see that"))]
    assert fired == ["talk_less"]
    assert coach.prompts[0].at == pytest.approx(180.0) and "80%" in coach.prompts[0].evidence
    m = coach.metrics
    assert m.talk_ratio == pytest.approx(0.8) and m.rep_speech_s == pytest.approx(160.0)


def test_disabled_cards_moments_off_and_max_per_call() -> None:
    coach = LiveCoach(LiveRules(disabled=frozenset({"pricing_objection"}), min_gap_s=0))
    assert coach.add_utterance(customer(1, 2, "What's the price?")) == []
    assert [p.id for p in coach.add_utterance(customer(3, 4, "We use Gong."))] == ["competitor_mention"]
    quiet = LiveCoach(LiveRules(moments=False))
    assert quiet.add_utterance(customer(1, 2, "What's the price?")) == []
    capped = LiveCoach(LiveRules(max_per_call=1, min_gap_s=0))
    capped.add_utterance(customer(1, 2, "What's the price?"))
    assert capped.add_utterance(customer(3, 4, "We use Gong.")) == []


def test_rules_from_org_settings() -> None:
    rules = LiveRules.from_dict({"min_gap_s": 45, "disabled": ["talk_less"], "monologue_s": None})
    assert rules.min_gap_s == 45.0 and rules.disabled == frozenset({"talk_less"}) and rules.monologue_s is None
    assert LiveRules.from_dict(rules.to_dict()) == rules
    assert LiveRules.from_dict(None) == LiveRules()
    for bad in ({"min_gap": 3}, {"min_gap_s": "soon"}, {"min_gap_s": -1}, {"disabled": "talk_less"},
                {"moments": 1}, {"max_per_call": 2.5}):
        with pytest.raises(LiveRulesError):
            LiveRules.from_dict(bad)


def test_scripted_sample_call_gives_exactly_the_pricing_card() -> None:
    """The bundled discovery call's script (human text, script times): the rep opens with an open
    question at 8 s, the customer asks the price after the pitch and raises competitors, budget and
    timing in the next utterance, inside the 30 s gap."""
    script = json.loads(SCRIPT.read_text())
    pricing = next(u for u in script["utterances"] if u["role"] == "customer" and "pricing" in u["topics"])
    pitch = next(u for u in script["utterances"] if "monologue" in u["topics"])
    coach = LiveCoach()
    fired = []
    for u in script["utterances"]:
        qtypes: list[QuestionType] = list(u["question_types"])
        utt = Utterance("S1" if u["role"] == "rep" else "S2", u["role"], u["start"], u["end"], u["text"])
        fired += coach.add_utterance(utt, qtypes) + coach.tick(u["end"])
    assert [(p.id, p.at) for p in fired] == [("pricing_objection", pricing["end"])]
    m = coach.metrics
    assert m.talk_ratio == pytest.approx(script["rep_talk_share"], abs=0.01)
    assert m.longest_monologue_s == pytest.approx(pitch["end"] - pitch["start"], abs=0.01)
    # With a 10 s gap the competitor mention gets its card too.
    coach = LiveCoach(LiveRules(min_gap_s=10))
    ids = []
    for u in script["utterances"]:
        utt = Utterance("S1" if u["role"] == "rep" else "S2", u["role"], u["start"], u["end"], u["text"])
        ids += [p.id for p in coach.add_utterance(utt, list(u["question_types"]))]
    assert ids == ["pricing_objection", "competitor_mention"]


def _language_stage_trackers(text: str) -> frozenset[str]:
    """The tracker names the live path's language stage finds in one customer utterance (phrase
    trackers, as `service.live.sessions` runs it)."""
    from nlp.language import analyze_language
    from transcription.scripts import split_chinese
    from transcription.types import Speaker, Transcript, Word

    units = [u for tok in text.split() for u in split_chinese(tok)]
    words = [Word(0.25 * i, 0.25 * i + 0.2, u, "S2") for i, u in enumerate(units)]
    transcript = Transcript(duration_s=words[-1].end, speakers=[Speaker("S2", role="customer")], words=words,
                            source="audio-stereo")
    return frozenset(h.tracker for h in analyze_language(transcript, semantic=False).trackers)


def test_a_mandarin_utterance_on_a_chinese_call_gives_the_chinese_card() -> None:
    text = "这个价格太贵了，我们预算没有那么多。"
    trackers = _language_stage_trackers(text)
    assert {"pricing", "budget_objection"} <= trackers
    coach = LiveCoach(language="zh")
    [card] = coach.add_utterance(customer(5, 8, text, trackers))
    assert (card.id, card.title, card.trigger) == ("pricing_objection", "处理价格异议", "customer tracker:budget_objection")
    assert card.text == "您问得很实在。和现在丢单带来的损失相比，您觉得这个投入怎么样？"
    assert card.do == "先认可客户的顾虑，再把价格和客户自己讲到的价值联系起来，并问一问他们是拿什么来比较的。"
    assert card.evidence == text
    # No tracker needed: the Chinese phrases of the playbook's block find "send me some material".
    [send] = coach.add_utterance(customer(60, 63, "那你先发点资料给我看看吧。"))
    assert (send.id, send.title, send.trigger) == ("send_material", "把“发点资料给我”变成下一步", "customer phrase")


def test_an_auto_call_words_its_cards_in_the_language_it_settles_on() -> None:
    coach = LiveCoach(LiveRules(min_gap_s=0))  # `auto`: English until a language is known
    [first] = coach.add_utterance(customer(5, 8, "How much does it cost per seat?"))
    assert first.title == "Handle the pricing objection"
    coach.language = "zh"
    [second] = coach.add_utterance(customer(20, 24, "我们之前也看过Gong，还有别家。"))
    assert (second.id, second.title) == ("competitor_mention", "回应竞品")
    assert [p.title for p in coach.prompts] == ["Handle the pricing objection", "回应竞品"]  # made cards keep theirs
