"""Trackers: topics a coach wants flagged (pricing, competitors, objections ...), from editable YAML.

A tracker fires on a sentence when one of its phrases matches on lemmas (word forms count: "price"
finds "prices" and "priced"; lower-case text is matched too) or, for trackers with `examples`, when
the sentence means nearly the same as one of them (MiniLM cosine similarity >= `threshold`).
`said_by` limits a tracker to the rep's or the customer's sentences; a speaker whose role is
unknown counts for every tracker, because the role cannot rule it out. On Chinese sentences a
tracker matches its `phrases_zh` (and any of its `phrases`) as they are written, without
lemmas or meaning (`nlp.chinese.trackers`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import yaml

from nlp.errors import TrackerConfigError
from nlp.types import TrackerHit
from transcription.errors import InputNotFoundError
from transcription.once import load_once
from transcription.types import Role

if TYPE_CHECKING:  # reading and checking tracker definitions needs no spaCy
    from spacy.language import Language
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Span

    from nlp.sentences import Sentence

SaidBy = Literal["rep", "customer", "anyone"]
DEFAULT_TRACKERS_PATH = Path(__file__).with_name("trackers.yaml")
DEFAULT_THRESHOLD = 0.6
# Sentences shorter than this carry too little meaning for a semantic match ("Yeah, sure.").
MIN_SEMANTIC_WORDS = 4


@dataclass(frozen=True, slots=True)
class Tracker:
    """One tracker definition (see `nlp/trackers.yaml` for the file format)."""

    name: str
    phrases: tuple[str, ...] = ()
    said_by: SaidBy = "anyone"
    examples: tuple[str, ...] = ()
    threshold: float = DEFAULT_THRESHOLD
    phrases_zh: tuple[str, ...] = ()  # matched on Chinese sentences (with `phrases`)

    def applies_to(self, role: Role) -> bool:
        return self.said_by == "anyone" or role == "unknown" or role == self.said_by


@dataclass(slots=True)
class TrackerSet:
    """The trackers of one analysis, with their matchers and example embeddings built on first use."""

    trackers: tuple[Tracker, ...]
    _matchers: dict[int, tuple[PhraseMatcher, PhraseMatcher]] = field(default_factory=dict, repr=False)
    _examples: dict[str, npt.NDArray[np.float32]] = field(default_factory=dict, repr=False)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.trackers]

    def phrase_matchers(self, nlp: Language) -> tuple[PhraseMatcher, PhraseMatcher]:
        """A lemma matcher and a lower-case matcher; the match id is the tracker's name."""
        key = id(nlp)
        if key not in self._matchers:
            from spacy.matcher import PhraseMatcher

            by_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
            by_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
            for tracker in self.trackers:
                if not tracker.phrases:
                    continue
                # Lemmas depend on the tagger, so patterns go through the whole pipeline.
                docs = list(nlp.pipe(tracker.phrases))
                by_lemma.add(tracker.name, docs)
                by_lower.add(tracker.name, [nlp.make_doc(p) for p in tracker.phrases])
            self._matchers[key] = (by_lemma, by_lower)
        return self._matchers[key]

    def example_embeddings(
        self, embed: Callable[[Sequence[str]], npt.NDArray[np.float32]]
    ) -> dict[str, npt.NDArray[np.float32]]:
        for tracker in self.trackers:
            if tracker.examples and tracker.name not in self._examples:
                self._examples[tracker.name] = embed(list(tracker.examples))
        return self._examples


def _parse_tracker(raw: Any, where: str) -> Tracker:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise TrackerConfigError(f"{where}: every tracker needs a 'name'.")
    name = raw["name"].strip()
    said_by = raw.get("said_by", "anyone")
    if said_by not in ("rep", "customer", "anyone"):
        raise TrackerConfigError(f"{where}: tracker {name!r} has said_by {said_by!r}; use rep, customer or anyone.")
    phrases = raw.get("phrases") or []
    examples = raw.get("examples") or []
    phrases_zh = raw.get("phrases_zh") or []
    for label, items in (("phrases", phrases), ("examples", examples), ("phrases_zh", phrases_zh)):
        if not isinstance(items, list) or not all(isinstance(p, str) and p.strip() for p in items):
            raise TrackerConfigError(f"{where}: tracker {name!r}: '{label}' must be a list of non-empty strings.")
    if not phrases and not examples and not phrases_zh:
        raise TrackerConfigError(f"{where}: tracker {name!r} has neither phrases nor examples.")
    threshold = raw.get("threshold", DEFAULT_THRESHOLD)
    if not isinstance(threshold, int | float) or not 0.0 < float(threshold) <= 1.0:
        raise TrackerConfigError(f"{where}: tracker {name!r}: threshold must be a number in (0, 1].")
    return Tracker(
        name=name,
        phrases=tuple(p.strip() for p in phrases),
        said_by=said_by,
        examples=tuple(e.strip() for e in examples),
        threshold=float(threshold),
        phrases_zh=tuple(p.strip() for p in phrases_zh),
    )


def parse_trackers(text: str, *, where: str = "trackers") -> TrackerSet:
    """Tracker definitions from YAML text (a mapping with a `trackers` list)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TrackerConfigError(f"{where} is not valid YAML: {exc}") from exc
    items = data.get("trackers") if isinstance(data, Mapping) else None
    if not isinstance(items, list) or not items:
        raise TrackerConfigError(f"{where} must contain a non-empty 'trackers:' list.")
    trackers = tuple(_parse_tracker(raw, where) for raw in items)
    names = [t.name for t in trackers]
    if len(set(names)) != len(names):
        raise TrackerConfigError(f"{where}: tracker names must be unique.")
    return TrackerSet(trackers)


def load_trackers(path: str | Path | None = None) -> TrackerSet:
    """Trackers from a YAML file, or the built-in defaults (`nlp/trackers.yaml`) when `path` is None."""
    file = Path(path) if path is not None else DEFAULT_TRACKERS_PATH
    if not file.is_file():
        raise InputNotFoundError(f"Tracker file not found: {file}")
    return parse_trackers(file.read_text(encoding="utf-8"), where=str(file))


@load_once
def default_trackers() -> TrackerSet:
    """The built-in tracker set, loaded once per process so that its phrase matchers and example
    embeddings are built once, not for every call."""
    return load_trackers()


# Words that introduce examples: a phrase inside "like pricing or a competitor" is named as an example.
_EXAMPLE_MARKERS = frozenset({"like", "including", "e.g.", "eg"})
_LIST_POS = frozenset({"DET", "ADJ", "NOUN", "PROPN", "CCONJ", "PUNCT", "NUM"})


def is_example_mention(match: Span, sentence: Span) -> bool:
    """True when `match` sits in a list of examples: "moments that matter, like pricing or a
    competitor coming up", "topics such as budget", "for example pricing". Only nouns, determiners,
    adjectives, "and"/"or" and commas may stand between the marker and the match."""
    doc, sent_start = match.doc, sentence.start
    i = match.start - 1
    while i >= sent_start and doc[i].pos_ in _LIST_POS and doc[i].lower_ not in _EXAMPLE_MARKERS:
        i -= 1
    if i < sent_start:
        return False
    word = doc[i].lower_
    prev = doc[i - 1].lower_ if i - 1 >= sent_start else ""
    if word in _EXAMPLE_MARKERS:
        return doc[i].pos_ != "VERB"  # "we like the pricing" is not an example list
    return (word == "as" and prev == "such") or (word in {"example", "instance"} and prev == "for")


def find_phrase_hits(
    sentences: Sequence[Sentence], roles: Mapping[str, Role], trackers: TrackerSet, nlp: Language
) -> list[TrackerHit]:
    """Lemma and lower-case phrase matches, at most one hit per tracker and sentence. The rep naming a
    topic as an example ("..., like pricing or a competitor coming up") is not a hit."""
    by_lemma, by_lower = trackers.phrase_matchers(nlp)
    by_name = {t.name: t for t in trackers.trackers}
    hits: list[TrackerHit] = []
    for s in sentences:
        seen: set[str] = set()
        matches = sorted(by_lemma(s.span, as_spans=True) + by_lower(s.span, as_spans=True), key=lambda m: m.start)
        for match in matches:
            tracker = by_name[match.label_]
            role = roles.get(s.speaker, "unknown")
            if tracker.name in seen or not tracker.applies_to(role):
                continue
            if role == "rep" and is_example_mention(match, s.span):
                continue
            seen.add(tracker.name)
            hits.append(TrackerHit(tracker.name, s.speaker, s.start, s.end, s.text, "phrase", match.text, 1.0))
    return hits


def find_semantic_hits(
    sentences: Sequence[Sentence],
    roles: Mapping[str, Role],
    trackers: TrackerSet,
    embed: Callable[[Sequence[str]], npt.NDArray[np.float32]],
    *,
    already: set[tuple[str, int]] | None = None,
) -> list[TrackerHit]:
    """Sentences close in meaning to a tracker's examples. `already` holds (tracker, sentence index)
    pairs found by phrase, which are not reported twice. Only candidate sentences are embedded."""
    semantic = [t for t in trackers.trackers if t.examples]
    if not semantic:
        return []
    already = already or set()
    candidates = [
        i
        for i, s in enumerate(sentences)
        if sum(1 for t in s.span if t.is_alpha) >= MIN_SEMANTIC_WORDS
        and not s.span._.is_backchannel
        and any(t.applies_to(roles.get(s.speaker, "unknown")) for t in semantic)
    ]
    if not candidates:
        return []
    examples = trackers.example_embeddings(embed)
    vectors = embed([sentences[i].text for i in candidates])
    hits: list[TrackerHit] = []
    for tracker in semantic:
        scores = (vectors @ examples[tracker.name].T).max(axis=1)
        best = (vectors @ examples[tracker.name].T).argmax(axis=1)
        for row, i in enumerate(candidates):
            s = sentences[i]
            if scores[row] < tracker.threshold or (tracker.name, i) in already:
                continue
            if not tracker.applies_to(roles.get(s.speaker, "unknown")):
                continue
            hits.append(
                TrackerHit(tracker.name, s.speaker, s.start, s.end, s.text, "semantic",
                           tracker.examples[int(best[row])], round(float(scores[row]), 4))
            )
    return hits
