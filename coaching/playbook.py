"""The editable talk-track playbook (`coaching/playbook.yaml`): situations, what to do, lines to say.

`Playbook.match(text, role, trackers)` is the cheap per-utterance check the live path calls: tracker
names first, lower-case phrases as the fallback, both restricted by who said it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from transcription.errors import TalktrackError

DEFAULT_PLAYBOOK = Path(__file__).with_name("playbook.yaml")

SituationKind = Literal["moment", "behaviour"]
BandOp = Literal[">=", "<=", ">", "<", "present"]


class PlaybookError(TalktrackError):
    """The playbook file is missing, not YAML, or not shaped like `coaching/playbook.yaml`."""


@dataclass(frozen=True, slots=True)
class Band:
    """A published target for a behaviour: the call is fine when `value op band` holds."""

    op: BandOp
    value: float | None
    source: str

    def holds(self, value: float | None) -> bool | None:
        """True inside the band, False outside, None when the value is unknown."""
        if self.op == "present":
            return None if value is None else value > 0
        if value is None or self.value is None:
            return None
        return {
            ">=": value >= self.value,
            "<=": value <= self.value,
            ">": value > self.value,
            "<": value < self.value,
        }[self.op]


@dataclass(frozen=True, slots=True)
class Situation:
    """One playbook entry. `feature`/`band` for behaviours; `trackers`/`phrases`/`said_by` for moments."""

    id: str
    kind: SituationKind
    title: str
    do: str
    say: tuple[str, ...]
    feature: str | None = None
    band: Band | None = None
    said_by: Literal["customer", "rep", "anyone"] = "customer"
    trackers: frozenset[str] = frozenset()
    phrases: tuple[str, ...] = ()

    @property
    def example(self) -> str:
        return self.say[0] if self.say else ""


@dataclass(frozen=True, slots=True)
class Playbook:
    situations: tuple[Situation, ...]

    def get(self, situation_id: str) -> Situation:
        for s in self.situations:
            if s.id == situation_id:
                return s
        raise KeyError(situation_id)

    @property
    def moments(self) -> tuple[Situation, ...]:
        return tuple(s for s in self.situations if s.kind == "moment")

    @property
    def behaviours(self) -> tuple[Situation, ...]:
        return tuple(s for s in self.situations if s.kind == "behaviour")

    def match(self, text: str, role: str, trackers: frozenset[str] | set[str] = frozenset()) -> list[Situation]:
        """Moment situations this utterance triggers (in playbook order). `role` is the speaker's role."""
        low = text.lower()
        hits: list[Situation] = []
        for s in self.moments:
            if s.said_by != "anyone" and role != s.said_by:
                continue
            if s.trackers & set(trackers) or any(_phrase_in(p, low) for p in s.phrases):
                hits.append(s)
        return hits


@lru_cache(maxsize=256)
def _phrase_regex(phrase: str) -> re.Pattern[str]:
    return re.compile(r"\b" + re.escape(phrase.lower()) + r"\b")


def _phrase_in(phrase: str, low_text: str) -> bool:
    return _phrase_regex(phrase).search(low_text) is not None


def load_playbook(path: Path | str | None = None) -> Playbook:
    """Read a playbook YAML (default: the bundled `coaching/playbook.yaml`)."""
    p = Path(path) if path is not None else DEFAULT_PLAYBOOK
    if path is None:
        return _default_playbook()
    return _read(p)


@lru_cache(maxsize=1)
def _default_playbook() -> Playbook:
    return _read(DEFAULT_PLAYBOOK)


def _read(p: Path) -> Playbook:
    if not p.is_file():
        raise PlaybookError(f"{p}: no such playbook file")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PlaybookError(f"{p}: not valid YAML ({exc})") from exc
    return playbook_from_dict(data, str(p))


def playbook_from_dict(data: Any, where: str = "playbook") -> Playbook:
    """Validate and build a playbook from its parsed YAML/JSON form (e.g. a per-org row in the DB)."""
    if not isinstance(data, dict) or not isinstance(data.get("situations"), dict):
        raise PlaybookError(f"{where}: expected a mapping with a 'situations' mapping")
    out: list[Situation] = []
    for sid, raw in data["situations"].items():
        if not isinstance(raw, dict):
            raise PlaybookError(f"{where}: situation {sid!r} must be a mapping")
        kind = raw.get("kind")
        if kind not in ("moment", "behaviour"):
            raise PlaybookError(f"{where}: situation {sid!r} needs kind 'moment' or 'behaviour'")
        say = raw.get("say", [])
        if isinstance(say, str):
            say = [say]
        if not raw.get("title") or not raw.get("do"):
            raise PlaybookError(f"{where}: situation {sid!r} needs a 'title' and a 'do'")
        band = None
        if isinstance(raw.get("band"), dict):
            b = raw["band"]
            if b.get("op") not in (">=", "<=", ">", "<", "present") or not b.get("source"):
                raise PlaybookError(f"{where}: band of {sid!r} needs op (>=, <=, >, <, present) and source")
            band = Band(b["op"], None if b.get("value") is None else float(b["value"]), str(b["source"]))
        if kind == "behaviour" and not raw.get("feature"):
            raise PlaybookError(f"{where}: behaviour {sid!r} needs a 'feature'")
        said_by = raw.get("said_by", "customer")
        if said_by not in ("customer", "rep", "anyone"):
            raise PlaybookError(f"{where}: said_by of {sid!r} must be customer, rep or anyone")
        out.append(
            Situation(
                id=str(sid),
                kind=kind,
                title=str(raw["title"]),
                do=str(raw["do"]),
                say=tuple(str(x) for x in say),
                feature=None if raw.get("feature") is None else str(raw["feature"]),
                band=band,
                said_by=said_by,
                trackers=frozenset(str(t) for t in raw.get("trackers", []) or []),
                phrases=tuple(str(x).lower() for x in raw.get("phrases", []) or []),
            )
        )
    return Playbook(tuple(out))


__all__ = ["DEFAULT_PLAYBOOK", "Band", "Playbook", "PlaybookError", "Situation", "load_playbook", "playbook_from_dict"]
