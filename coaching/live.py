"""Live cards: which talk-track card to show the rep while the call is still going, on what basis,
and whether the rep then did what it asked.

Two kinds of card, both decided by the same `SuggestionEngine` as the offline suggestions:

- moment cards (basis `playbook`): what the customer just said matches a playbook `moment`
  (pricing, competitor, timing, "send me some material"), by tracker name or phrase;
- behaviour cards, from the team's insight report (`coaching.live_plan`): an open question still
  missing shortly before the 90 s mark, a monologue nearing the split, the rep's share of the last
  `rep_share_window_s` crossing the split. Basis `insight` with the team's numbers, `published`
  with the band, no card when the team's data tested the feature and found nothing, and the
  organization's live rules (basis `playbook`) when there is nothing to judge with at all.

Precision over volume (prompts every 15-30 s get ignored): at most one prompt per `min_gap_s`,
never the same card twice in a call, at most `max_per_call` prompts. A moment card that arrives
inside the gap is dropped (the moment has passed); a behaviour nudge is checked again later.

Follow-through (`LiveCard.followed`, `followed_at`), judged on the utterances after the card:

- open-question card: the rep asks an open question within `FOLLOW_WINDOWS_S["open_question"]` (60 s);
- monologue card: the monologue ends (the customer speaks `monologue_break_s` or more) within 15 s;
- talk-share card: the rep's share of the last window falls to the goal within 120 s;
- moment card: the rep asks a question (the playbook's talk tracks all end with one) within 30 s.

A window that closes, or a call that ends, without it gives `followed: false`. Times are seconds of
stream audio. The coach is fed in stream order and is not thread-safe.

Language: cards are worded for the call's `language` (the playbook's language block, the engine's
own sentences from `coaching.wording`). The live service sets it as the call goes: the chosen
language, or with `auto` the language detected so far.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from coaching.insights import InsightReport
from coaching.live_plan import OPEN_QUESTIONS_WINDOW_S, LiveNudge, PlanSettings, goal_text, plan_nudges
from coaching.playbook import Playbook, Situation, load_playbook
from coaching.suggestions import Basis, SuggestionEngine, Utterance, trim_chinese_quote
from coaching.wording import ENGLISH, sentence
from nlp.types import QuestionType
from transcription.display import clock
from transcription.errors import TalktrackError
from transcription.scripts import is_chinese_text

PromptKind = Literal["moment", "behaviour"]

# How long after a card the rep has to do what it asked (see the module docstring).
FOLLOW_WINDOWS_S: dict[str, float] = {"open_question": 60.0, "monologue": 15.0, "talk_share": 120.0, "moment": 30.0}
_FOLLOW_KIND = {"open_questions_first_90s": "open_question", "longest_monologue_s": "monologue",
                "talk_ratio": "talk_share"}


class LiveRulesError(TalktrackError):
    """An organisation's live-rules settings are malformed."""


@dataclass(frozen=True, slots=True)
class LiveRules:
    """An organisation's live-prompt settings. A threshold set to None switches its rule off.

    min_gap_s: at least this many seconds of call between two prompts.
    max_per_call: most prompts in one call (None: no limit beyond the gap).
    moments: show playbook moment cards at all.
    disabled: card ids never to show.
    no_open_question_s: rule when no outcomes judge it: nudge when the rep has asked no open
        question by this time.
    rep_share_window_s / rep_share_limit: the talk share is the rep's share of the speech in the
        last window (checked once a full window of call has passed); the limit is the rule used
        when neither a finding nor a band gives a split.
    monologue_s: rule when nothing else gives a split: nudge when a rep monologue passes this
        length; the customer speaking for `monologue_break_s` or more ends a monologue,
        backchannels do not (as the offline metric).
    lead_s: insight and published cards fire this long before their deadline (the 90 s mark of
        early open questions, the monologue split).
    holdout: share of live calls (0 to 1), drawn at random per call, whose cards are computed and
        stored but not shown, to measure what the cards change (`coaching.live_effect`).
    """

    min_gap_s: float = 30.0
    max_per_call: int | None = None
    moments: bool = True
    disabled: frozenset[str] = frozenset()
    no_open_question_s: float | None = 60.0
    rep_share_window_s: float = 180.0
    rep_share_limit: float | None = 0.75
    monologue_s: float | None = 90.0
    monologue_break_s: float = 1.0
    lead_s: float = 15.0
    holdout: float = 0.0

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> LiveRules:
        """Build from JSON settings (unknown keys and wrong types raise `LiveRulesError`)."""
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise LiveRulesError(f"unknown live rule setting(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "disabled":
                if not isinstance(value, list | tuple | set | frozenset) or not all(isinstance(v, str) for v in value):
                    raise LiveRulesError("live rule 'disabled' must be a list of card ids")
                values[key] = frozenset(value)
            elif key == "moments":
                if not isinstance(value, bool):
                    raise LiveRulesError("live rule 'moments' must be true or false")
                values[key] = value
            elif key == "max_per_call":
                if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                    raise LiveRulesError("live rule 'max_per_call' must be a non-negative integer or null")
                values[key] = value
            else:
                nullable = key in ("no_open_question_s", "rep_share_limit", "monologue_s")
                if value is None and nullable:
                    values[key] = None
                elif (isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < float("inf")
                      and (key != "holdout" or value <= 1)):
                    values[key] = float(value)
                else:
                    limit = " between 0 and 1" if key == "holdout" else ""
                    raise LiveRulesError(f"live rule {key!r} must be a non-negative number{limit}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["disabled"] = sorted(self.disabled)
        return out

    def plan_settings(self) -> PlanSettings:
        return PlanSettings(self.lead_s, self.no_open_question_s, self.rep_share_limit, self.monologue_s,
                            self.disabled)


@dataclass(frozen=True, slots=True)
class LivePrompt:
    """One card for the rep. `at` is the stream time the prompt was made; `trigger` says which
    rule fired; `evidence` says what fired it and what it rests on; `basis` is `insight`,
    `published` or `playbook`; `finding` holds the team's numbers (insight cards only)."""

    id: str
    kind: PromptKind
    title: str
    text: str
    do: str
    trigger: str
    evidence: str
    at: float
    basis: Basis = "playbook"
    finding: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "do": self.do,
            "trigger": self.trigger,
            "evidence": self.evidence,
            "basis": self.basis,
            "finding": self.finding,
            "at": round(self.at, 2),
        }


@dataclass(slots=True)
class LiveCard:
    """A card the coach made in this call, with its follow-through: `followed` is None while its
    window is open, then True (at `followed_at`, stream seconds) or False."""

    prompt: LivePrompt
    follow: str  # a key of FOLLOW_WINDOWS_S
    goal: tuple[str, float] | None = None  # (op, value) a talk-share card asks the share to reach
    followed: bool | None = None
    followed_at: float | None = None

    @property
    def deadline(self) -> float:
        return self.prompt.at + FOLLOW_WINDOWS_S[self.follow]

    def to_dict(self) -> dict[str, Any]:
        return {**self.prompt.to_dict(), "follow_window_s": FOLLOW_WINDOWS_S[self.follow],
                "followed": self.followed,
                "followed_at": None if self.followed_at is None else round(self.followed_at, 2)}


@dataclass(frozen=True, slots=True)
class LiveMetrics:
    """Running numbers of the call so far. `talk_ratio` is the rep's share of all speech (None
    before anyone with a known role spoke); `current_monologue_s` is the open rep monologue (0
    when the customer has the floor)."""

    elapsed_s: float
    talk_ratio: float | None
    rep_speech_s: float
    customer_speech_s: float
    questions_rep: int
    questions_customer: int
    open_questions_rep: int
    current_monologue_s: float
    longest_monologue_s: float

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


class LiveCoach:
    """Feeds on utterances and the passing of time; returns the prompts to show now and keeps
    every card it made (`cards`) with its follow-through."""

    def __init__(self, rules: LiveRules | None = None, playbook: Playbook | None = None,
                 insights: InsightReport | None = None, language: str = ENGLISH) -> None:
        self.rules = rules or LiveRules()
        self.engine = SuggestionEngine(playbook or load_playbook(), insights, language)
        self.nudges: list[LiveNudge] = plan_nudges(self.engine, self.rules.plan_settings())
        self.cards: list[LiveCard] = []
        self._shown: set[str] = set()
        self._now = 0.0
        self._first_speech: float | None = None
        self._speech: dict[str, float] = {"rep": 0.0, "customer": 0.0}
        self._recent: deque[tuple[str, float, float]] = deque()  # (role, start, end) within the share window
        self._questions = {"rep": 0, "customer": 0}
        self._open_rep = 0
        self._open_rep_early = 0  # within OPEN_QUESTIONS_WINDOW_S of the first speech
        self._mono_start: float | None = None
        self._mono_end = 0.0
        self._longest = 0.0

    @property
    def prompts(self) -> list[LivePrompt]:
        return [c.prompt for c in self.cards]

    @property
    def language(self) -> str:
        """The language cards are worded in from now on (cards already made keep theirs)."""
        return self.engine.language

    @language.setter
    def language(self, language: str) -> None:
        if language != self.engine.language:
            self.engine.language = language
            # Same decisions and thresholds; only the nudges' wording depends on the language.
            self.nudges = plan_nudges(self.engine, self.rules.plan_settings())

    # -- inputs ------------------------------------------------------------------------------

    def add_utterance(self, u: Utterance, questions: Iterable[QuestionType] = ()) -> list[LivePrompt]:
        """Record one utterance (with the types of the countable questions in it) and return the
        prompts it triggers now (zero or one)."""
        self._now = max(self._now, u.end)
        qs = list(questions)
        ended_monologue = self._record(u, qs)
        self._follow_up(u, qs, ended_monologue)
        candidates: list[LivePrompt] = []
        moments = self.engine.match_moments(u)
        if self.rules.moments:
            candidates += [self._moment(s, u) for s, _ in moments]
        candidates += self._behaviours(self._now)
        return self._admit(candidates)

    def tick(self, now_s: float) -> list[LivePrompt]:
        """The call has reached `now_s` (e.g. called once a second as audio arrives): time-based
        nudges that are due."""
        self._now = max(self._now, now_s)
        self._follow_up(None, [], None)
        return self._admit(self._behaviours(self._now))

    def finish(self, end_s: float | None = None) -> list[LiveCard]:
        """The call is over: open follow-through windows close unfollowed. Returns `cards`."""
        if end_s is not None:
            self._now = max(self._now, end_s)
        for c in self.cards:
            if c.followed is None:
                c.followed = False
        return self.cards

    @property
    def metrics(self) -> LiveMetrics:
        rep, cust = self._speech["rep"], self._speech["customer"]
        current = self._mono_end - self._mono_start if self._mono_start is not None else 0.0
        return LiveMetrics(
            elapsed_s=self._now,
            talk_ratio=rep / (rep + cust) if rep + cust > 0 else None,
            rep_speech_s=rep,
            customer_speech_s=cust,
            questions_rep=self._questions["rep"],
            questions_customer=self._questions["customer"],
            open_questions_rep=self._open_rep,
            current_monologue_s=current,
            longest_monologue_s=max(self._longest, current),
        )

    # -- state -------------------------------------------------------------------------------

    def _record(self, u: Utterance, questions: list[QuestionType]) -> float | None:
        """Update the running numbers; returns the start of the customer's reply when this
        utterance ended a rep monologue."""
        length = max(0.0, u.end - u.start)
        ended: float | None = None
        if u.role in self._speech:
            if self._first_speech is None:
                self._first_speech = u.start
            self._speech[u.role] += length
            self._recent.append((u.role, u.start, u.end))
            self._questions[u.role] += len(questions)
        if u.role == "rep":
            opens = sum(1 for q in questions if q == "open")
            self._open_rep += opens
            if self._first_speech is not None and u.start < self._first_speech + OPEN_QUESTIONS_WINDOW_S:
                self._open_rep_early += opens
            if self._mono_start is None:
                self._mono_start = u.start
            self._mono_end = max(self._mono_end, u.end)
        elif u.role == "customer" and length >= self.rules.monologue_break_s and self._mono_start is not None:
            self._longest = max(self._longest, self._mono_end - self._mono_start)
            self._mono_start = None
            ended = u.start
        horizon = self._now - self.rules.rep_share_window_s
        while self._recent and self._recent[0][2] <= horizon:
            self._recent.popleft()
        return ended

    def _rep_share(self, now: float) -> float | None:
        horizon = now - self.rules.rep_share_window_s
        talk = {"rep": 0.0, "customer": 0.0}
        for role, start, end in self._recent:
            talk[role] += max(0.0, end - max(start, horizon))
        total = talk["rep"] + talk["customer"]
        return talk["rep"] / total if total > 0 else None

    def _follow_up(self, u: Utterance | None, questions: list[QuestionType], ended_monologue: float | None) -> None:
        """Mark cards whose request the rep has now met, and close expired windows."""
        share: float | None = None
        for c in self.cards:
            if c.followed is not None:
                continue
            at: float | None = None
            asked = "open" in questions if c.follow == "open_question" else c.follow == "moment" and bool(questions)
            if u is not None and u.role == "rep" and u.end > c.prompt.at and asked:
                at = u.end
            if c.follow == "monologue" and ended_monologue is not None and ended_monologue >= c.prompt.at - 1e-9:
                at = ended_monologue
            if c.follow == "talk_share" and c.goal is not None:
                share = self._rep_share(self._now) if share is None else share
                if share is not None and _holds(c.goal[0], share, c.goal[1]):
                    at = self._now
            if at is not None and at <= c.deadline:
                c.followed, c.followed_at = True, at
            elif self._now > c.deadline:
                c.followed = False

    # -- rules -------------------------------------------------------------------------------

    def _behaviours(self, now: float) -> list[LivePrompt]:
        out: list[LivePrompt] = []
        for n in self.nudges:
            if n.card in self._shown:
                continue
            prompt = self._check(n, now)
            if prompt is not None:
                out.append(prompt)
        return out

    def _check(self, n: LiveNudge, now: float) -> LivePrompt | None:
        lang = n.language
        if n.feature == "open_questions_first_90s":
            if n.basis == "playbook":
                due, have = now >= n.fire_at, self._open_rep
                this_call = sentence(lang, "no_open_question_yet", at=clock(now))
                trigger = "no_open_question"
            else:
                start = self._first_speech
                due = start is not None and now >= start + n.fire_at and now < start + OPEN_QUESTIONS_WINDOW_S
                have = self._open_rep_early
                this_call = sentence(lang, "open_questions_so_far", n=have, s="s" if have != 1 else "", at=clock(now))
                trigger = "open_questions_first_90s"
            if not due or have >= n.goal:
                return None
            return self._card(n, trigger, this_call, now)
        if n.feature == "longest_monologue_s":
            if self._mono_start is None:
                return None
            length = self._mono_end - self._mono_start
            if length < n.fire_at:
                return None
            this_call = sentence(lang, "monologue_so_far", length=length, since=clock(self._mono_start))
            return self._card(n, "monologue", this_call, now)
        if now < self.rules.rep_share_window_s:
            return None
        share = self._rep_share(now)
        if share is None or _holds(n.goal_op, share, n.goal):
            return None
        minutes = self.rules.rep_share_window_s / 60
        this_call = sentence(lang, "rep_share_recent", share=share, minutes=minutes)
        return self._card(n, "rep_talk_share", this_call, now)

    def _card(self, n: LiveNudge, trigger: str, this_call: str, at: float) -> LivePrompt:
        s = n.situation  # worded in the nudge's language by the plan
        goal = "" if n.basis == "playbook" else sentence(n.language, "card_goal", goal=goal_text(n))
        evidence = sentence(n.language, "card_evidence", this_call=this_call, goal=goal, basis=n.basis_text).strip()
        return LivePrompt(s.id, "behaviour", s.title, s.example, s.do, trigger, evidence, at, n.basis,
                          n.finding_dict())

    def _moment(self, s: Situation, u: Utterance) -> LivePrompt:
        hit = sorted(s.trackers & u.trackers)
        trigger = f"tracker:{hit[0]}" if hit else "phrase"
        worded = s.in_language(self.language)
        return LivePrompt(s.id, "moment", worded.title, worded.example, worded.do, f"{u.role} {trigger}",
                          _quote(u.text), u.end)

    def _admit(self, candidates: list[LivePrompt]) -> list[LivePrompt]:
        r = self.rules
        if r.max_per_call is not None and len(self.cards) >= r.max_per_call:
            return []
        if self.cards and self._now - self.cards[-1].prompt.at < r.min_gap_s:
            return []
        for p in candidates:
            if p.id in self._shown or p.id in r.disabled:
                continue
            self._shown.add(p.id)
            nudge = next((n for n in self.nudges if n.card == p.id), None)
            if p.kind == "moment" or nudge is None:
                self.cards.append(LiveCard(p, "moment"))
            else:
                self.cards.append(LiveCard(p, _FOLLOW_KIND[nudge.feature],
                                           goal=(nudge.goal_op, nudge.goal) if nudge.feature == "talk_ratio" else None))
            return [p]
        return []


def _holds(op: str, value: float, goal: float) -> bool:
    return {">=": value >= goal, "<=": value <= goal, ">": value > goal, "<": value < goal}[op]


def _quote(text: str, max_words: int = 30) -> str:
    if is_chinese_text(text):
        return trim_chinese_quote(text)
    words = text.split()
    return " ".join(words[:max_words]) + (" ..." if len(words) > max_words else "")


__all__ = ["FOLLOW_WINDOWS_S", "LiveCard", "LiveCoach", "LiveMetrics", "LivePrompt", "LiveRules", "LiveRulesError"]
