"""Talk-track suggestions for one call: what to do, a line to say, why, and where in the call.

Three kinds, ranked in this order (tests pin it):
1. `insight`: a behaviour where the team's own won/lost comparison is significant (after
   Benjamini-Hochberg) and this call sits on the losing side. Ranked by estimated impact: the
   absolute difference in win rate between the two sides.
2. `published`: a behaviour outside a published band (Gong Labs), used only when the team's data
   cannot judge that feature (no outcomes yet, or too few calls). Ranked by how far outside the band.
3. `playbook`: a moment the customer created (pricing, competitor, timing, "send me material"),
   with the playbook's talk track. Not a claim about outcomes; ranked by time in the call.
A behaviour whose own-data finding is *not* significant gives no suggestion at all, not even from
a published band: the team's own outcomes were tested and showed nothing.

Targets in proportion to the call: a behaviour measured over a whole call (questions per call, the
longest customer story or rep monologue, an open question in the first 90 s, a next step before
hanging up) is not judged on a call shorter than `SHORT_CALL_S` (2 minutes): a 30-second clip is not
told to ask 11 questions. Shares (the talk ratio) are judged at any length.

`SuggestionEngine` is incremental: the live path feeds it one utterance at a time
(`add_utterance` returns the moments that utterance triggers, each situation once per call); the
offline path feeds every sentence of the file, then asks for the ranked list. Which basis a
behaviour's suggestion rests on is decided in one place, `SuggestionEngine.guidance`, for both the
offline list and the live cards (`coaching.live`).

Language: the engine words its suggestions for the call's `language` ("en", "zh", ...): the
playbook's language block for it (`Situation.in_language`) and the engine's own sentences (why,
values, bases) from `coaching.wording`; a language without either keeps the default text.
`suggest_for_call` takes the language from the transcript unless told otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from coaching.features import CallFeatures, features_from_analysis
from coaching.insights import Finding, InsightReport
from coaching.playbook import Band, Playbook, Situation, load_playbook
from coaching.wording import ENGLISH, finding_sentence, sentence, value_text
from nlp.analysis import CallAnalysis
from transcription.display import clock
from transcription.scripts import is_chinese_text
from transcription.types import Role, Transcript, join_words

Basis = Literal["insight", "published", "playbook"]
_TIER: dict[str, int] = {"insight": 0, "published": 1, "playbook": 2}
MAX_EVIDENCE = 3
# Below this length, behaviours in LENGTH_DEPENDENT get no suggestion (see the module docstring).
SHORT_CALL_S = 120.0
LENGTH_DEPENDENT = frozenset({
    "question_count_rep", "open_question_count_rep", "open_questions_first_90s",
    "longest_customer_story_s", "longest_monologue_s", "tracker:next_steps",
})
MAX_QUOTE_WORDS = 30
# A Chinese quote's limit in characters: Chinese has no spaces to count words by.
MAX_QUOTE_CHARS = 60


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a suggestion applies: seconds from the start of the call, who spoke, their words."""

    at_s: float
    speaker: str
    role: Role
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return {"at_s": round(self.at_s, 2), "at": clock(self.at_s), "speaker": self.speaker,
                "role": self.role, "quote": self.quote}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One ranked suggestion. `impact`: estimated gain in win rate (insight basis), else 0;
    `severity`: how far outside its band the call is (published basis), else 0."""

    id: str
    title: str
    what: str
    example: str
    why: str
    basis: Basis
    where: tuple[Evidence, ...]
    impact: float = 0.0
    severity: float = 0.0
    feature: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "what": self.what,
            "example": self.example,
            "why": self.why,
            "basis": self.basis,
            "impact": round(self.impact, 4),
            "feature": self.feature,
            "where": [e.to_dict() for e in self.where],
        }


@dataclass(frozen=True, slots=True)
class Guidance:
    """What a suggestion for one playbook behaviour would rest on, given the team's insights.

    basis: `insight` (the team's finding is significant: `finding`), `published` (the team's data
    cannot judge the feature, the situation has a published `band`), or None: no suggestion.
    `tested` tells the two kinds of None apart: True when the team's outcomes judged the feature
    and found nothing (never fall back to anything), False when there was nothing to judge with
    and no band. `reason` is the sentence a published-basis suggestion adds. `situation` (and so
    `band`) is worded in the engine's language.
    """

    situation: Situation
    basis: Basis | None
    finding: Finding | None = None
    band: Band | None = None
    tested: bool = False
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Utterance:
    """One sentence or utterance as the engine sees it. `trackers`: tracker names hit in it."""

    speaker: str
    role: Role
    start: float
    end: float
    text: str
    trackers: frozenset[str] = frozenset()


@dataclass(slots=True)
class SuggestionEngine:
    """Feed utterances, get moment suggestions as they happen and a ranked list at the end.
    `language`: the call's language, which the suggestions are worded in (see the module docstring)."""

    playbook: Playbook = field(default_factory=load_playbook)
    insights: InsightReport | None = None
    language: str = ENGLISH
    _moments: dict[str, list[Evidence]] = field(default_factory=dict)
    _order: list[str] = field(default_factory=list)

    def add_utterance(self, u: Utterance) -> list[Suggestion]:
        """Record the utterance; return suggestions for situations it triggers for the first time."""
        return [self._moment_suggestion(s) for s, first in self.match_moments(u) if first]

    def match_moments(self, u: Utterance) -> list[tuple[Situation, bool]]:
        """Record the utterance; every moment situation it triggers, each with whether this is the
        first time in the call (the live coach decides itself when a card may show)."""
        out: list[tuple[Situation, bool]] = []
        for s in self.playbook.match(u.text, u.role, u.trackers):
            seen = self._moments.get(s.id)
            ev = Evidence(u.start, u.speaker, u.role, _trim(u.text))
            if seen is None:
                self._moments[s.id] = [ev]
                self._order.append(s.id)
            elif len(seen) < MAX_EVIDENCE:
                seen.append(ev)
            out.append((s, seen is None))
        return out

    def moment_suggestions(self) -> list[Suggestion]:
        """Every moment seen so far, in the order they first happened."""
        return [self._moment_suggestion(self.playbook.get(sid)) for sid in self._order]

    def suggestions(self, features: CallFeatures, transcript: Transcript | None = None) -> list[Suggestion]:
        """The ranked list for the whole call: behaviours (from `features`) and moments seen."""
        out = [b for s in self.playbook.behaviours if (b := self._behaviour(s, features, transcript)) is not None]
        out.extend(self.moment_suggestions())
        return rank(out)

    def _moment_suggestion(self, s: Situation) -> Suggestion:
        where = tuple(self._moments.get(s.id, []))
        first = where[0] if where else None
        s = s.in_language(self.language)
        if first is None:
            why = s.title
        else:
            key = "moment_why_customer" if first.role == "customer" else "moment_why_speaker"
            why = sentence(self.language, key, at=clock(first.at_s), quote=first.quote)
        return Suggestion(s.id, s.title, s.do, s.example, why, "playbook", where)

    def guidance(self, s: Situation) -> Guidance:
        """The basis a suggestion for behaviour `s` rests on (see `Guidance`); offline and live."""
        finding = self.insights.finding(s.feature) if self.insights is not None and s.feature else None
        s = s.in_language(self.language)
        if finding is not None and finding.status == "finding":
            if finding.significant and finding.lift is not None:
                return Guidance(s, "insight", finding=finding, tested=True)
            return Guidance(s, None, finding=finding, tested=True)  # tested, nothing found: no band either
        if s.band is None:
            return Guidance(s, None)
        no_outcomes = self.insights is None or self.insights.n_calls == 0
        reason = sentence(self.language, "no_outcomes" if no_outcomes else "too_few_outcomes")
        return Guidance(s, "published", band=s.band, reason=reason)

    def _behaviour(
        self, s: Situation, features: CallFeatures, transcript: Transcript | None
    ) -> Suggestion | None:
        assert s.feature is not None
        if s.feature in LENGTH_DEPENDENT and features.duration_s < SHORT_CALL_S:
            return None
        g = self.guidance(s)
        if g.basis is None:
            return None
        value = _feature_value(features, s.feature)
        where = tuple(_behaviour_evidence(s, transcript)) if transcript is not None else ()
        label = value_text(s.feature, value, self.language)
        worded = g.situation
        if g.basis == "insight":
            finding = g.finding
            assert finding is not None and finding.lift is not None
            on_with = finding.holds_for(value)
            if on_with is None or on_with == (finding.lift > 0):
                return None  # unknown, or already on the winning side
            why = sentence(self.language, "insight_why", sentence=finding_sentence(finding, self.language),
                           value=label)
            return Suggestion(s.id, worded.title, worded.do, worded.example, why, "insight", where,
                              impact=abs(finding.risk_difference), feature=s.feature)
        band = g.band
        assert band is not None
        if band.holds(value) is not False:
            return None
        why = sentence(self.language, "published_why", value=label, source=band.source, reason=g.reason).strip()
        return Suggestion(s.id, worded.title, worded.do, worded.example, why, "published", where,
                          severity=_severity(band.op, band.value, value), feature=s.feature)


def rank(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """Insight-based first by impact, then published-band ones by severity, then moments by time."""
    def key(s: Suggestion) -> tuple[int, float, float]:
        at = s.where[0].at_s if s.where else 0.0
        if s.basis == "insight":
            return (0, -s.impact, at)
        if s.basis == "published":
            return (1, -s.severity, at)
        return (2, at, 0.0)

    return sorted(suggestions, key=key)


def suggest_for_call(
    analysis: CallAnalysis,
    insights: InsightReport | None = None,
    playbook: Playbook | None = None,
    features: CallFeatures | None = None,
    language: str | None = None,
) -> list[Suggestion]:
    """Ranked suggestions for an analysed call (the offline path: every sentence fed in order),
    worded in `language` (default: the transcript's)."""
    engine = SuggestionEngine(playbook or load_playbook(), insights, language or analysis.transcript.language)
    for u in utterances_from_analysis(analysis):
        engine.add_utterance(u)
    feats = features or features_from_analysis(analysis, call_id="call")
    return engine.suggestions(feats, analysis.transcript)


# A sentence ends at . ? ! (or the full-width 。？！ of Chinese), closing quotes and brackets after it.
_SENTENCE_END = re.compile(r"[.?!。？！]['\")\]”’）」』]*$")


def utterances_from_analysis(analysis: CallAnalysis) -> list[Utterance]:
    """The call's sentences (split at . ? ! and 。？！ inside each turn), each with the trackers that hit it.

    A tracker hit belongs to the one sentence of its speaker that starts at or before the hit (the
    latest such), so interpolated word times cannot attach it to a neighbouring sentence.
    """
    t = analysis.transcript
    roles = {s.id: s.role for s in t.speakers}
    spans: list[tuple[str, float, float, str]] = []
    for turn in t.turns:
        words = t.words[turn.word_start:turn.word_end]
        start_i = 0
        for i, w in enumerate(words):
            if _SENTENCE_END.search(w.word) or i == len(words) - 1:
                chunk = words[start_i:i + 1]
                spans.append((turn.speaker, chunk[0].start, chunk[-1].end, join_words([x.word for x in chunk])))
                start_i = i + 1
    names: list[set[str]] = [set() for _ in spans]
    for h in analysis.trackers:
        best = -1
        for i, (spk, start, _, _) in enumerate(spans):
            if spk == h.speaker and start <= h.start + 0.01 and (best < 0 or start >= spans[best][1]):
                best = i
        if best >= 0:
            names[best].add(h.tracker)
    return [
        Utterance(spk, roles.get(spk, "unknown"), start, end, text, frozenset(n))
        for (spk, start, end, text), n in zip(spans, names, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class _Stretch:
    speaker: str
    start: float
    end: float
    text: str


def _stretches(t: Transcript) -> list[_Stretch]:
    """Turns with the other side's backchannels (under 1 s) folded away, as the story and
    monologue metrics count them, so a quote starts where the speaker started."""
    out: list[_Stretch] = []
    for turn in t.turns:
        short = turn.end - turn.start < 1.0
        if out and out[-1].speaker == turn.speaker:
            last = out[-1]
            out[-1] = _Stretch(last.speaker, last.start, max(last.end, turn.end), f"{last.text} {turn.text}")
        elif out and short and len(out) >= 1:
            continue  # a backchannel: does not break the other speaker's stretch
        else:
            out.append(_Stretch(turn.speaker, turn.start, turn.end, turn.text))
    return out


def _behaviour_evidence(s: Situation, t: Transcript) -> list[Evidence]:
    """Where in the call a behaviour shows: the stretch of speech a coach would jump to."""
    roles = {sp.id: sp.role for sp in t.speakers}
    stretches = _stretches(t)
    rep = [x for x in stretches if roles.get(x.speaker) == "rep"]
    cust = [x for x in stretches if roles.get(x.speaker) == "customer"]
    if not rep:
        return []
    first_speech = stretches[0].start
    pick = max(rep, key=lambda x: x.end - x.start)  # default: the rep's longest stretch
    if s.feature == "longest_customer_story_s":
        if cust:
            pick = max(cust, key=lambda x: x.end - x.start)
    elif s.feature == "open_questions_first_90s":
        early = [x for x in rep if x.start <= first_speech + 90 and len(x.text.split()) >= 8]
        pick = early[0] if early else rep[0]
    elif s.feature == "question_count_rep":
        plain = [x for x in rep if "?" not in x.text]
        pick = max(plain, key=lambda x: x.end - x.start) if plain else pick
    elif s.feature == "tracker:next_steps":
        pick = rep[-1]
    return [Evidence(pick.start, pick.speaker, roles.get(pick.speaker, "unknown"), _trim(pick.text))]


def _feature_value(features: CallFeatures, feature: str) -> float | None:
    if feature.startswith("tracker:"):
        return 1.0 if feature.split(":", 1)[1] in features.trackers else 0.0
    return features.metrics.get(feature)


def _severity(op: str, target: float | None, value: float | None) -> float:
    """Relative distance outside the band (0 inside or unknown)."""
    if value is None or target is None or target == 0:
        return 1.0 if op == "present" else 0.0
    return abs(value - target) / abs(target)


def _trim(text: str) -> str:
    if is_chinese_text(text):
        return trim_chinese_quote(text)
    words = text.split()
    return text if len(words) <= MAX_QUOTE_WORDS else " ".join(words[:MAX_QUOTE_WORDS]) + " ..."


def trim_chinese_quote(text: str, max_chars: int = MAX_QUOTE_CHARS) -> str:
    """A Chinese quote cut at `max_chars` characters (" ..." marks the cut), as English quotes are
    cut at `MAX_QUOTE_WORDS` words."""
    return text if len(text) <= max_chars else text[:max_chars] + " ..."


__all__ = [
    "Evidence",
    "Guidance",
    "Suggestion",
    "SuggestionEngine",
    "Utterance",
    "rank",
    "suggest_for_call",
    "trim_chinese_quote",
    "utterances_from_analysis",
]
