"""Trackers on Chinese sentences: a tracker's `phrases_zh` and `phrases` matched as written.

Chinese has no word forms to reduce to lemmas, and word boundaries are the segmenter's guess, so a
phrase in Chinese characters matches anywhere in the sentence's text (spaces removed: "价格" in
"价格大概是多少"); a Latin phrase ("Salesforce", "CRM") matches as a whole word, ignoring case.
Matching by meaning is not used on Chinese sentences: the bundled MiniLM reads English only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from nlp.types import TrackerHit
from transcription.scripts import IDEOGRAPH
from transcription.types import Role

if TYPE_CHECKING:
    from nlp.sentences import Sentence
    from nlp.trackers import Tracker, TrackerSet


def _pattern(phrase: str) -> re.Pattern[str]:
    if IDEOGRAPH.search(phrase):
        return re.compile(re.escape(re.sub(r"\s+", "", phrase)))
    words = r"\s*".join(re.escape(w) for w in phrase.split())
    return re.compile(rf"(?<![A-Za-z0-9]){words}(?![A-Za-z0-9])", re.IGNORECASE)


def _patterns(tracker: Tracker) -> list[tuple[str, re.Pattern[str]]]:
    return [(p, _pattern(p)) for p in (*tracker.phrases_zh, *tracker.phrases)]


def find_chinese_hits(
    sentences: Sequence[Sentence], roles: Mapping[str, Role], trackers: TrackerSet
) -> list[TrackerHit]:
    """Phrase hits in Chinese sentences, at most one per tracker and sentence (the earliest match
    in the sentence, the longest phrase there, names the phrase)."""
    compiled = [(t, _patterns(t)) for t in trackers.trackers]
    hits: list[TrackerHit] = []
    for s in sentences:
        text = re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", s.text)
        role = roles.get(s.speaker, "unknown")
        for tracker, patterns in compiled:
            if not tracker.applies_to(role):
                continue
            found = [(m.start(), -len(phrase), phrase) for phrase, pattern in patterns if (m := pattern.search(text))]
            if found:
                _, _, phrase = min(found)  # the earliest match, the longest phrase there
                hits.append(TrackerHit(tracker.name, s.speaker, s.start, s.end, s.text, "phrase", phrase, 1.0))
    return hits


__all__ = ["find_chinese_hits"]
