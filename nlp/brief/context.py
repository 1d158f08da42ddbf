"""What every part of the brief reads about a call: its sentences with roles, their embeddings
and their similarity to each kind's exemplars, and the map from parsed words back to times."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.brief.exemplars import similarities
from nlp.brief.spans import WordMap
from nlp.brief.vectors import EmbeddingCache
from nlp.sentences import Sentence
from transcription.types import Role, Transcript

# Sentences with fewer words carry too little meaning for an embedding (as for the trackers).
MIN_EMBED_WORDS = 4


def alpha_words(sentence: Sentence) -> int:
    return sum(1 for t in sentence.span if t.is_alpha)


def embeddable(sentence: Sentence) -> bool:
    """The sentences the semantic trackers embed (and the brief reads): four words or more, not
    a backchannel."""
    return alpha_words(sentence) >= MIN_EMBED_WORDS and not sentence.span._.is_backchannel


@dataclass(slots=True)
class CallContext:
    """One call as the brief sees it. `vectors[i]` is sentence i's unit embedding (zeros when it
    was too short to embed, `has_vector[i]` False); `sims[kind][i]` its similarity to the kind's
    exemplars (0 without a vector)."""

    transcript: Transcript
    sentences: list[Sentence]
    roles: dict[str, Role]
    words: WordMap
    vectors: npt.NDArray[np.float32]
    has_vector: npt.NDArray[np.bool_]
    sims: dict[str, npt.NDArray[np.float32]]
    call_date: dt.date | None = None
    names: dict[str, str] = field(default_factory=dict)
    alpha: list[int] = field(default_factory=list)  # each sentence's number of words
    memo: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False)  # per-sentence results, computed once

    @property
    def has_rep(self) -> bool:
        return any(role == "rep" for role in self.roles.values())

    def role(self, i: int) -> Role:
        return self.roles.get(self.sentences[i].speaker, "unknown")

    def customer_side(self, i: int) -> bool:
        """Said by the customer, or by a speaker whose role is unknown."""
        return self.role(i) in ("customer", "unknown")

    def rep_side(self, i: int) -> bool:
        return self.role(i) in ("rep", "unknown")

    def sim(self, kind: str, i: int) -> float | None:
        return float(self.sims[kind][i]) if self.has_vector[i] else None


def build_context(
    transcript: Transcript, sentences: list[Sentence], cache: EmbeddingCache, call_date: dt.date | None
) -> CallContext:
    """Embed what the trackers did not (short calls, a tracker set without examples) and score
    every embedded sentence against the exemplars."""
    from nlp.semantic import EMBEDDING_DIM

    alpha = [alpha_words(s) for s in sentences]
    idx = [i for i, s in enumerate(sentences) if alpha[i] >= MIN_EMBED_WORDS and not s.span._.is_backchannel]
    vectors = np.zeros((len(sentences), EMBEDDING_DIM), dtype=np.float32)
    has_vector = np.zeros(len(sentences), dtype=bool)
    if idx:
        vectors[idx] = cache.embed([sentences[i].text for i in idx])
        has_vector[idx] = True
    sims = similarities(vectors)
    for kind in sims:
        sims[kind] = np.where(has_vector, sims[kind], 0.0).astype(np.float32)
    names = {s.id: s.name for s in transcript.speakers if s.name}
    return CallContext(
        transcript=transcript,
        sentences=sentences,
        roles={s.id: s.role for s in transcript.speakers},
        words=WordMap(transcript.words),
        vectors=vectors,
        has_vector=has_vector,
        sims=sims,
        call_date=call_date,
        names=names,
        alpha=alpha,
    )


__all__ = ["CallContext", "MIN_EMBED_WORDS", "alpha_words", "build_context", "embeddable"]
