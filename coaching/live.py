"""Live suggestion rules: which talk-track card to show the rep while the call is still going.

Two kinds of prompt, both from the playbook (`coaching/playbook.yaml`, editable per organisation):

- moment cards: what the customer just said matches a playbook `moment` (pricing, competitor,
  timing, "send me some material"), by tracker name or phrase (`Playbook.match`);
- behaviour nudges, while they can still help: no open question from the rep by
  `no_open_question_s` (card `discovery_opener`), the rep's share of the speech in the last
  `rep_share_window_s` at or above `rep_share_limit` (card `talk_less`), and a rep monologue
  passing `monologue_s` (card `shorter_monologues`).

Precision over volume (prompts every 15-30 s get ignored): at most one prompt per `min_gap_s`,
never the same card twice in a call, at most `max_per_call` prompts. A moment card that arrives
inside the gap is dropped (the moment has passed); a behaviour nudge is checked again later.
All of it is configurable per organisation through `LiveRules.from_dict`.

Times are seconds of stream audio. The coach is fed in stream order and is not thread-safe.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from coaching.playbook import Playbook, Situation, load_playbook
from coaching.suggestions import Utterance
from nlp.types import QuestionType
from transcription.errors import TalktrackError

PromptKind = Literal["moment", "behaviour"]

NO_OPEN_QUESTION = "discovery_opener"
TALK_SHARE = "talk_less"
MONOLOGUE = "shorter_monologues"

# Used when an organisation's playbook lacks the behaviour card a nudge needs.
_FALLBACK_CARDS: dict[str, tuple[str, str, str]] = {
    NO_OPEN_QUESTION: (
        "Ask an open question",
        "Ask an open question about the customer's situation before presenting more.",
        "What prompted you to look at this now?",
    ),
    TALK_SHARE: (
        "Hand the conversation back",
        "Stop and ask a question; let the customer talk.",
        "How does that compare with what you're doing now?",
    ),
    MONOLOGUE: (
        "Pause and check in",
        "You have been talking for a while: stop and check in before going on.",
        "Let me pause there. Is this the part that matters most to you?",
    ),
}


class LiveRulesError(TalktrackError):
    """An organisation's live-rules settings are malformed."""


@dataclass(frozen=True, slots=True)
class LiveRules:
    """An organisation's live-prompt settings. A threshold set to None switches its nudge off.

    min_gap_s: at least this many seconds of call between two prompts.
    max_per_call: most prompts in one call (None: no limit beyond the gap).
    moments: show playbook moment cards at all.
    disabled: card ids never to show.
    no_open_question_s: nudge when the rep has asked no open question by this time.
    rep_share_window_s / rep_share_limit: nudge when the rep holds at least this share of the
        speech in the last window (checked once a full window of call has passed).
    monologue_s: nudge when a rep monologue passes this length; the customer speaking for
        `monologue_break_s` or more ends a monologue, backchannels do not (as the offline metric).
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
                elif isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
                    values[key] = float(value)
                else:
                    raise LiveRulesError(f"live rule {key!r} must be a non-negative number")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["disabled"] = sorted(self.disabled)
        return out


@dataclass(frozen=True, slots=True)
class LivePrompt:
    """One card shown to the rep. `at` is the stream time the prompt was made; `trigger` says
    which rule fired, `evidence` quotes or measures what fired it."""

    id: str
    kind: PromptKind
    title: str
    text: str
    do: str
    trigger: str
    evidence: str
    at: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "do": self.do,
            "trigger": self.trigger,
            "evidence": self.evidence,
            "at": round(self.at, 2),
        }


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
    """Feeds on utterances and the passing of time; returns the prompts to show now."""

    def __init__(self, rules: LiveRules | None = None, playbook: Playbook | None = None) -> None:
        self.rules = rules or LiveRules()
        self.playbook = playbook or load_playbook()
        self.prompts: list[LivePrompt] = []
        self._shown: set[str] = set()
        self._now = 0.0
        self._speech: dict[str, float] = {"rep": 0.0, "customer": 0.0}
        self._recent: deque[tuple[str, float, float]] = deque()  # (role, start, end) within the share window
        self._questions = {"rep": 0, "customer": 0}
        self._open_rep = 0
        self._mono_start: float | None = None
        self._mono_end = 0.0
        self._longest = 0.0

    # -- inputs ------------------------------------------------------------------------------

    def add_utterance(self, u: Utterance, questions: Iterable[QuestionType] = ()) -> list[LivePrompt]:
        """Record one utterance (with the types of the countable questions in it) and return the
        prompts it triggers now (zero or one)."""
        self._now = max(self._now, u.end)
        self._record(u, list(questions))
        candidates: list[LivePrompt] = []
        if self.rules.moments:
            candidates += [self._moment(s, u) for s in self.playbook.match(u.text, u.role, u.trackers)]
        candidates += self._behaviours(self._now)
        return self._admit(candidates)

    def tick(self, now_s: float) -> list[LivePrompt]:
        """The call has reached `now_s` (e.g. called once a second as audio arrives): time-based
        nudges that are due."""
        self._now = max(self._now, now_s)
        return self._admit(self._behaviours(self._now))

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

    def _record(self, u: Utterance, questions: list[QuestionType]) -> None:
        length = max(0.0, u.end - u.start)
        if u.role in self._speech:
            self._speech[u.role] += length
            self._recent.append((u.role, u.start, u.end))
            self._questions[u.role] += len(questions)
        if u.role == "rep":
            self._open_rep += sum(1 for q in questions if q == "open")
            if self._mono_start is None:
                self._mono_start = u.start
            self._mono_end = max(self._mono_end, u.end)
        elif u.role == "customer" and length >= self.rules.monologue_break_s and self._mono_start is not None:
            self._longest = max(self._longest, self._mono_end - self._mono_start)
            self._mono_start = None
        horizon = self._now - self.rules.rep_share_window_s
        while self._recent and self._recent[0][2] <= horizon:
            self._recent.popleft()

    def _rep_share(self, now: float) -> float | None:
        horizon = now - self.rules.rep_share_window_s
        talk = {"rep": 0.0, "customer": 0.0}
        for role, start, end in self._recent:
            talk[role] += max(0.0, end - max(start, horizon))
        total = talk["rep"] + talk["customer"]
        return talk["rep"] / total if total > 0 else None

    # -- rules -------------------------------------------------------------------------------

    def _behaviours(self, now: float) -> list[LivePrompt]:
        r = self.rules
        out: list[LivePrompt] = []
        if r.no_open_question_s is not None and now >= r.no_open_question_s and self._open_rep == 0:
            out.append(self._card(NO_OPEN_QUESTION, "behaviour", "no_open_question",
                                  f"no open question from the rep by {_clock(now)}", now))
        if r.monologue_s is not None and self._mono_start is not None:
            length = self._mono_end - self._mono_start
            if length >= r.monologue_s:
                out.append(self._card(MONOLOGUE, "behaviour", "monologue",
                                      f"rep monologue of {length:.0f} s since {_clock(self._mono_start)}", now))
        if r.rep_share_limit is not None and now >= r.rep_share_window_s:
            share = self._rep_share(now)
            if share is not None and share >= r.rep_share_limit:
                minutes = r.rep_share_window_s / 60
                out.append(self._card(TALK_SHARE, "behaviour", "rep_talk_share",
                                      f"rep spoke {share:.0%} of the speech in the last {minutes:g} min", now))
        return out

    def _moment(self, s: Situation, u: Utterance) -> LivePrompt:
        hit = sorted(s.trackers & u.trackers)
        trigger = f"tracker:{hit[0]}" if hit else "phrase"
        return LivePrompt(s.id, "moment", s.title, s.example, s.do, f"{u.role} {trigger}", _quote(u.text), u.end)

    def _card(self, card: str, kind: PromptKind, trigger: str, evidence: str, at: float) -> LivePrompt:
        try:
            s = self.playbook.get(card)
            title, do, text = s.title, s.do, s.example
        except KeyError:
            title, do, text = _FALLBACK_CARDS[card]
        return LivePrompt(card, kind, title, text, do, trigger, evidence, at)

    def _admit(self, candidates: list[LivePrompt]) -> list[LivePrompt]:
        r = self.rules
        if r.max_per_call is not None and len(self.prompts) >= r.max_per_call:
            return []
        if self.prompts and self._now - self.prompts[-1].at < r.min_gap_s:
            return []
        for p in candidates:
            if p.id in self._shown or p.id in r.disabled:
                continue
            self._shown.add(p.id)
            self.prompts.append(p)
            return [p]
        return []


def _quote(text: str, max_words: int = 30) -> str:
    words = text.split()
    return " ".join(words[:max_words]) + (" ..." if len(words) > max_words else "")


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


__all__ = ["LiveCoach", "LiveMetrics", "LivePrompt", "LiveRules", "LiveRulesError"]
