"""The language stage in one call: sentences, questions, trackers, next steps and fillers.

`analyze_language` parses every turn once (spaCy, batched) and derives everything from those
parses; sentence embeddings are computed only when a tracker has examples, and only for
candidate sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from nlp.fillers import count_fillers, count_words
from nlp.next_steps import find_next_steps
from nlp.questions.component import questions_from_sentences
from nlp.questions.context import RollingContext
from nlp.sentences import Sentence, load_spacy, split_sentences
from nlp.trackers import TrackerSet, default_trackers, find_phrase_hits, find_semantic_hits
from nlp.types import NextStep, Question, TrackerHit
from transcription.types import Role, Transcript


@dataclass(slots=True)
class LanguageFindings:
    """What the language stage found. `filler_counts` and `word_counts` map speaker id to counts
    (speakers without fillers are absent from `filler_counts`)."""

    questions: list[Question] = field(default_factory=list)
    trackers: list[TrackerHit] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)
    filler_counts: dict[str, int] = field(default_factory=dict)
    word_counts: dict[str, int] = field(default_factory=dict)
    sentences: list[Sentence] = field(default_factory=list, repr=False)


def analyze_language(
    transcript: Transcript,
    *,
    trackers: TrackerSet | None = None,
    semantic: bool = True,
    question_context: RollingContext | None = None,
    embed: Callable[[Sequence[str]], npt.NDArray[np.float32]] | None = None,
) -> LanguageFindings:
    """Run the whole language stage on a speaker-attributed transcript.

    `trackers` defaults to the built-in set (`nlp/trackers.yaml`). `semantic=False` skips the
    sentence-embedding model (phrase trackers only), e.g. for live partials. `question_context`
    carries the sentences of earlier calls when a conversation arrives in pieces (a live call, one
    utterance per call). `embed` replaces the MiniLM embedder (e.g. a cache the call brief reuses).
    """
    tracker_set = trackers if trackers is not None else default_trackers()
    findings = LanguageFindings(
        filler_counts=count_fillers(transcript.words),
        word_counts=count_words(transcript.words),
    )
    if not transcript.words:
        return findings
    nlp = load_spacy()
    sentences = split_sentences(transcript, nlp=nlp)
    roles: dict[str, Role] = {s.id: s.role for s in transcript.speakers}
    findings.sentences = sentences
    findings.questions = questions_from_sentences(sentences, context=question_context)
    findings.trackers = tracker_hits(sentences, roles, tracker_set, semantic=semantic, embed=embed)
    findings.next_steps = find_next_steps(sentences)
    return findings


def tracker_hits(
    sentences: list[Sentence],
    roles: dict[str, Role],
    tracker_set: TrackerSet,
    *,
    semantic: bool = True,
    embed: Callable[[Sequence[str]], npt.NDArray[np.float32]] | None = None,
) -> list[TrackerHit]:
    """Tracker hits in `sentences` (phrases, then meaning), each tracker limited to the roles it is
    said by; run again when roles change after the language stage (`nlp.analysis`). `embed`
    defaults to the bundled MiniLM embedder."""
    chinese = [s for s in sentences if s.span.doc.lang_ == "zh"]
    if chinese:  # phrases only, as written (`nlp.chinese.trackers`); the rest as English
        from nlp.chinese.trackers import find_chinese_hits

        sentences = [s for s in sentences if s.span.doc.lang_ != "zh"]
    phrase_hits = find_phrase_hits(sentences, roles, tracker_set, load_spacy()) if sentences else []
    hits = list(phrase_hits) + (find_chinese_hits(chinese, roles, tracker_set) if chinese else [])
    if semantic and sentences and any(t.examples for t in tracker_set.trackers):
        if embed is None:
            from nlp.semantic import load_embedder

            embed = load_embedder().embed
        index = {(s.start, s.speaker, s.text): i for i, s in enumerate(sentences)}
        already = {(h.tracker, index[(h.start, h.speaker, h.text)]) for h in phrase_hits}
        hits += find_semantic_hits(sentences, roles, tracker_set, embed, already=already)
    hits.sort(key=lambda h: (h.start, h.tracker))
    return hits
