"""The brief's evaluation set: written sales calls with their facts labelled (README.md here).

One YAML file per call. `load_calls()` reads them; `build_transcript()` turns a call into the
`Transcript` the language stage reads, with each turn's words spread across the time the turn
takes in the rendered audio (`bench.brief_data.render`) or, without audio, an estimate of it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from transcription.types import Role, Speaker, SpeakerTurn, Transcript, Word

DATA = Path(__file__).resolve().parent
KINDS = ("pain", "need", "objection", "budget", "price", "competitor", "decision", "next_step", "question")
SPLITS = ("dev", "heldout")
OBJECTION_TOPICS = ("price", "timing", "authority", "competition", "material")
OWNERS = ("rep", "customer", "both")
WORDS_PER_S = 2.6  # the estimate without audio: about espeak-ng's pace at speed 150-160


@dataclass(frozen=True)
class CallSpeaker:
    id: str
    name: str
    role: Role


@dataclass(frozen=True)
class Fact:
    """One labelled thing the call establishes, stated in turn `turn` (`quote` is part of its text).
    `also`: other turns that state the same thing again (an acceptance repeating the date, a recap);
    an item there finds the same fact."""

    kind: str
    turn: int
    quote: str
    detail: str | None = None
    owner: str | None = None
    due: str | None = None
    amount: float | None = None
    also: tuple[int, ...] = ()

    @property
    def turns(self) -> tuple[int, ...]:
        return (self.turn, *self.also)


@dataclass(frozen=True)
class Negative:
    """A hard negative: what looks like a `kind` in turn `turn` but is not one (`why`)."""

    kind: str
    turn: int
    quote: str
    why: str


@dataclass(frozen=True)
class EvalCall:
    id: str
    split: str
    call_date: str
    speakers: tuple[CallSpeaker, ...]
    turns: tuple[tuple[str, str], ...]  # (speaker id, text)
    facts: tuple[Fact, ...]
    negatives: tuple[Negative, ...]
    path: Path

    def role_of(self, speaker_id: str) -> Role:
        return next(s.role for s in self.speakers if s.id == speaker_id)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)).isoformat()


def read_call(path: Path) -> EvalCall:
    """One call file (raises KeyError/TypeError/ValueError when it is malformed)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    speakers = tuple(CallSpeaker(str(s["id"]), str(s["name"]), s["role"]) for s in data["speakers"])
    turns = tuple((str(t["speaker"]), str(t["text"])) for t in data["turns"])
    facts = tuple(
        Fact(kind=f["kind"], turn=int(f["turn"]), quote=str(f["quote"]), detail=f.get("detail"),
             owner=f.get("owner"), due=_iso(f.get("due")),
             amount=None if f.get("amount") is None else float(f["amount"]),
             also=tuple(int(i) for i in f.get("also") or ()))
        for f in data["facts"]
    )
    negatives = tuple(Negative(n["kind"], int(n["turn"]), str(n["quote"]), str(n["why"]))
                      for n in data.get("negatives") or ())
    return EvalCall(str(data["id"]), str(data["split"]), _iso(data["call_date"]) or "", speakers, turns, facts,
                    negatives, path)


def call_files() -> list[Path]:
    return sorted(DATA.glob("*.yaml"))


def load_calls(split: str = "all") -> list[EvalCall]:
    """The calls of `split` ("dev", "heldout" or "all"), by id."""
    calls = [read_call(p) for p in call_files()]
    return [c for c in calls if split == "all" or c.split == split]


def estimated_spans(call: EvalCall) -> list[tuple[float, float]]:
    """Each turn's (start, end) without audio: words at `WORDS_PER_S`, 0.5 s between turns."""
    spans, t = [], 0.3
    for _, text in call.turns:
        end = t + max(0.4, len(text.split()) / WORDS_PER_S)
        spans.append((round(t, 3), round(end, 3)))
        t = end + 0.5
    return spans


def word_spans(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The turns' spans as the transcript's words use them: where rendered turns overlap (one voice
    starts before the other ends), the later turn's words start when the earlier ones end, so the
    words stay in the order they were said."""
    out, last = [], 0.0
    for start, end in spans:
        s = max(start, last)
        e = max(end, s + 0.05)
        out.append((s, e))
        last = e
    return out


_TOKEN = re.compile(r"\S+")


def build_transcript(call: EvalCall, spans: list[tuple[float, float]]) -> Transcript:
    """The call's transcript with roles given: each turn's words spread over its span (from
    `word_spans`), each word lasting in proportion to its length, with a short gap after it."""
    ids = {s.id: f"S{i + 1}" for i, s in enumerate(call.speakers)}
    words: list[Word] = []
    for (speaker, text), (start, end) in zip(call.turns, word_spans(spans), strict=True):
        tokens = _TOKEN.findall(text)
        weights = [len(tok) + 2 for tok in tokens]
        unit = (end - start) / sum(weights)
        t = start
        for tok, weight in zip(tokens, weights, strict=True):
            d = weight * unit
            words.append(Word(round(t, 3), round(t + 0.85 * d, 3), tok, ids[speaker]))
            t += d
    turns = [SpeakerTurn(ids[speaker], round(s, 3), round(e, 3))
             for (speaker, _), (s, e) in zip(call.turns, spans, strict=True)]
    turns.sort(key=lambda tr: tr.start)
    speakers = [Speaker(ids[s.id], s.role, s.name) for s in call.speakers]
    duration = max(e for _, e in spans) + 0.8
    return Transcript(duration_s=round(duration, 3), speakers=speakers, words=words, source="json",
                      speaker_turns=turns)
