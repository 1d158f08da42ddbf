"""The editable talk-track playbook (`coaching/playbook.yaml`): situations, what to do, lines to say.

`Playbook.match(text, role, trackers)` is the cheap per-utterance check the live path calls: tracker
names first, lower-case phrases as the fallback, both restricted by who said it.

Languages: a situation may carry a block per language, keyed by the language code (`zh:`), with its
own `title`, `do`, `say`, `phrases` and `band_source`. `Situation.in_language(code)` gives the
situation worded for a call in that language; a field the block leaves out, or a language without a
block, keeps the default text. Phrases are the exception: every block's phrases are matched on
every call (`Situation.match_phrases`), since a call's language may be known only after its first
utterances and a Chinese sentence may quote an English name. A Chinese phrase matches anywhere in
the text (Chinese has no spaces between words); a Latin one as whole words, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from transcription.errors import TalktrackError
from transcription.languages import AUTO, parse_language, primary_language
from transcription.scripts import IDEOGRAPH

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
class SituationText:
    """A situation's wording for calls in one `language` (a code such as "zh"). None or empty
    fields keep the default wording; `phrases` add to the default ones for matching."""

    language: str
    title: str | None = None
    do: str | None = None
    say: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    band_source: str | None = None


# What a language block may set (the rest of a situation is the same in every language).
TEXT_FIELDS = ("title", "do", "say", "phrases", "band_source")


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
    translations: tuple[SituationText, ...] = ()

    @property
    def example(self) -> str:
        return self.say[0] if self.say else ""

    @property
    def match_phrases(self) -> tuple[str, ...]:
        """The default phrases and those of every language block (see the module docstring)."""
        if not self.translations:
            return self.phrases
        return self.phrases + tuple(p for t in self.translations for p in t.phrases)

    def in_language(self, language: str | None) -> Situation:
        """This situation worded for a call in `language` ("zh", "zh-CN"): its block's fields where
        it sets them, the default text elsewhere; itself when it has no block for the language."""
        code = language_code(language)
        block = next((t for t in self.translations if t.language == code), None)
        if block is None:
            return self
        band = self.band
        if band is not None and block.band_source:
            band = replace(band, source=block.band_source)
        return replace(self, title=block.title or self.title, do=block.do or self.do,
                       say=block.say or self.say, band=band)


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
        chinese = IDEOGRAPH.search(low) is not None
        hits: list[Situation] = []
        for s in self.moments:
            if s.said_by != "anyone" and role != s.said_by:
                continue
            if s.trackers & set(trackers) or _any_phrase_in(s.match_phrases, low, chinese):
                hits.append(s)
        return hits


def language_code(language: str | None) -> str | None:
    """The primary language code of a call's language ("zh" for "zh-CN", "zh_Hans", "ZH");
    None for none."""
    return primary_language(language)


# Chinese characters count as a word boundary for a Latin phrase in Chinese text, so "gong" is
# found in "我们看过Gong" as in "we saw Gong". Only text with Chinese characters needs the slower
# lookarounds; elsewhere a Latin phrase is the plain `\b` match and a Chinese one cannot occur.
_BEFORE_LATIN = f"(?:\\b|(?<={IDEOGRAPH.pattern}))"
_AFTER_LATIN = f"(?:\\b|(?={IDEOGRAPH.pattern}))"


def _phrase_pattern(phrase: str, chinese_text: bool) -> str | None:
    """A Chinese phrase anywhere in Chinese text; a Latin one as whole words. None: it cannot
    occur in such text (a Chinese phrase in text without Chinese characters)."""
    low = phrase.lower()
    if IDEOGRAPH.search(low):
        return re.escape(low) if chinese_text else None
    if not chinese_text:
        return r"\b" + re.escape(low) + r"\b"
    left = _BEFORE_LATIN if re.match(r"\w", low) else r"\b"
    right = _AFTER_LATIN if re.search(r"\w$", low) else r"\b"
    return left + re.escape(low) + right


@lru_cache(maxsize=512)
def _phrases_regex(phrases: tuple[str, ...], chinese_text: bool) -> re.Pattern[str] | None:
    """One pattern for a situation's phrases (one search per utterance, not one per phrase)."""
    patterns = [x for p in phrases if (x := _phrase_pattern(p, chinese_text)) is not None]
    return re.compile("|".join(f"(?:{x})" for x in patterns)) if patterns else None


def _any_phrase_in(phrases: tuple[str, ...], low_text: str, chinese_text: bool) -> bool:
    pattern = _phrases_regex(phrases, chinese_text)
    return pattern is not None and pattern.search(low_text) is not None


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
                translations=_language_blocks(raw, str(sid), band is not None, where),
            )
        )
    return Playbook(tuple(out))


# The keys of a situation itself; any other key holding a mapping is a language block.
SITUATION_FIELDS = frozenset({"kind", "title", "do", "say", "feature", "band", "said_by", "trackers", "phrases"})
# Keys that are language codes but also plausible notes ("id": Indonesian, or the situation's own id
# as in the suggestions' JSON): a language block only when they hold a mapping.
_NOTES_UNLESS_MAPPING = frozenset({"id"})


def _language_blocks(raw: dict[Any, Any], sid: str, has_band: bool, where: str) -> tuple[SituationText, ...]:
    """The situation's language blocks, checked: keyed by a language code, a mapping of text fields
    only. A key that is neither a situation field nor a language and holds no mapping is ignored,
    as before languages existed (a stored playbook may carry notes of its own)."""
    blocks: dict[str, SituationText] = {}
    for key, value in raw.items():
        if key in SITUATION_FIELDS:
            continue
        code = _block_language(key)
        if code is None or (key in _NOTES_UNLESS_MAPPING and not isinstance(value, dict)):
            if isinstance(value, dict):
                raise PlaybookError(f"{where}: situation {sid!r} has a block {key!r} that is not a language code: "
                                    "a language block is keyed by a code such as zh, de or ja")
            continue
        if not isinstance(value, dict):
            raise PlaybookError(f"{where}: language block {key!r} of {sid!r} must be a mapping of "
                                f"{', '.join(TEXT_FIELDS)}")
        if code in blocks:
            raise PlaybookError(f"{where}: situation {sid!r} has two language blocks for {code!r}")
        blocks[code] = _language_block(value, code, f"{where}: language block {key!r} of {sid!r}", has_band)
    return tuple(blocks.values())


def _block_language(key: Any) -> str | None:
    """The language code a situation key names ("zh", "zh-CN", "Mandarin" -> "zh"), else None."""
    if not isinstance(key, str):
        return None
    try:
        code = parse_language(key)
    except ValueError:
        return None
    return None if code == AUTO else code


def _language_block(value: dict[Any, Any], code: str, at: str, has_band: bool) -> SituationText:
    unknown = sorted(str(k) for k in value if k not in TEXT_FIELDS)
    if unknown:
        raise PlaybookError(f"{at}: {', '.join(repr(k) for k in unknown)} cannot differ by language "
                            f"(a language block sets only {', '.join(TEXT_FIELDS)})")
    if "band_source" in value and not has_band:
        raise PlaybookError(f"{at}: 'band_source' needs a 'band' on the situation")
    return SituationText(
        language=code,
        title=_block_text(value, "title", at),
        do=_block_text(value, "do", at),
        say=_block_lines(value, "say", at),
        phrases=tuple(p.lower() for p in _block_lines(value, "phrases", at)),
        band_source=_block_text(value, "band_source", at),
    )


def _block_text(value: dict[Any, Any], name: str, at: str) -> str | None:
    if name not in value:
        return None
    text = value[name]
    if not isinstance(text, str) or not text.strip():
        raise PlaybookError(f"{at}: {name!r} must be a non-empty string")
    return text


def _block_lines(value: dict[Any, Any], name: str, at: str) -> tuple[str, ...]:
    lines = value.get(name, [])
    if isinstance(lines, str):
        lines = [lines]
    if not isinstance(lines, list) or not all(isinstance(x, str) and x.strip() for x in lines):
        raise PlaybookError(f"{at}: {name!r} must be a string or a list of non-empty strings")
    return tuple(lines)


__all__ = ["DEFAULT_PLAYBOOK", "TEXT_FIELDS", "Band", "Playbook", "PlaybookError", "Situation", "SituationText",
           "language_code", "load_playbook", "playbook_from_dict"]
