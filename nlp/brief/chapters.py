"""Chapters: the call cut into topic sections (TextTiling over MiniLM sentence embeddings), each
titled with its key phrases.

Boundaries (Hearst 1997, with embeddings for word counts): between each pair of neighbouring
sentences, the cosine similarity of the mean embedding of the `block` sentences before and the
`block` after, smoothed; a gap's depth is how far it sits below the highest similarity on each
side. The deepest gaps deeper than the TextTiling cutoff (mean depth minus half its standard
deviation) become boundaries, at most `max_chapters(duration) - 1` of them and none leaving a
chapter shorter than `min_chapter_s(duration)`; a boundary moves to the start of the speaker's
turn it falls in. A chapter's title joins its two best key phrases (noun chunks of its sentences,
ranked by tf-idf against the other chapters, generic words left out), 2 to 5 words.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import numpy.typing as npt

from nlp.brief.context import CallContext
from nlp.brief.types import Chapter

# Nouns too generic to title a section.
GENERIC = frozenset({
    "thing", "lot", "way", "time", "bit", "kind", "people", "question", "call", "today", "week", "day", "minute",
    "something", "anything", "everything", "nothing", "sense", "point", "yes", "okay", "guy", "guys", "stuff",
    "part", "idea", "year", "month", "moment", "number", "example", "fact", "case", "hand", "end", "start",
    "right", "sort", "place", "one", "ones", "everybody", "everyone", "somebody", "anyone", "someone", "hour",
    "minutes", "hours", "weeks", "days", "years", "months", "thanks", "thank", "bye", "morning", "afternoon",
    "name", "side", "piece", "line", "second", "now", "lots", "couple", "few", "half", "times", "level", "step",
    "mm", "hmm", "um", "uh", "yeah", "sure", "percent", "folks", "problem", "questions", "chat",
    "dollar", "dollars", "thousand", "hundred", "euro", "euros", "tomorrow",
})  # fmt: skip
_DROP_POS = frozenset({"DET", "PRON", "PUNCT", "NUM", "PART", "CCONJ", "ADP", "SPACE", "INTJ", "AUX", "SCONJ"})


def max_chapters(duration_s: float) -> int:
    """At most one chapter per 2.5 minutes, 12 in all: a 3-minute call gets 1-2, a 2-hour call 12."""
    return max(1, min(12, math.ceil(duration_s / 150.0)))


def min_chapter_s(duration_s: float) -> float:
    """No chapter shorter than 45 s, nor than half of an even split (5 minutes on a 2-hour call)."""
    return max(45.0, duration_s / (2 * max_chapters(duration_s)))


def _gap_scores(vectors: npt.NDArray[np.float32], block: int) -> npt.NDArray[np.float64]:
    """Cosine similarity of the mean of `block` vectors before each gap and `block` after it."""
    n = len(vectors)
    csum = np.vstack([np.zeros((1, vectors.shape[1])), np.cumsum(vectors.astype(np.float64), axis=0)])
    gaps = np.arange(1, n)
    lo, hi = np.maximum(gaps - block, 0), np.minimum(gaps + block, n)
    left = csum[gaps] - csum[lo]
    right = csum[hi] - csum[gaps]
    num = (left * right).sum(axis=1)
    den = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1) + 1e-9
    scores: npt.NDArray[np.float64] = num / den
    if len(scores) >= 3:  # smooth over three gaps
        scores = np.convolve(np.pad(scores, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    return scores


def _depths(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each gap's depth: the rise to the nearest peak on its left plus that on its right (climbing
    while the scores do not fall), in two passes."""
    n = len(scores)
    left, right = scores.copy(), scores.copy()
    for g in range(1, n):
        if scores[g - 1] >= scores[g]:
            left[g] = left[g - 1]
    for g in range(n - 2, -1, -1):
        if scores[g + 1] >= scores[g]:
            right[g] = right[g + 1]
    depths: npt.NDArray[np.float64] = (left - scores) + (right - scores)
    return depths


def boundaries(ctx: CallContext) -> list[int]:
    """Sentence indices where a new chapter starts (not 0), in order."""
    sentences = ctx.sentences
    units = [i for i in range(len(sentences)) if ctx.has_vector[i]]
    if not sentences:
        return []
    first, last = sentences[0].start, max(s.end for s in sentences)
    duration = last - first
    limit = max_chapters(duration)
    block = max(3, min(10, round(len(units) / 30)))
    if limit < 2 or len(units) < 2 * block + 2:
        return []
    scores = _gap_scores(ctx.vectors[units], block)
    depths = _depths(scores)
    cutoff = float(depths.mean() - depths.std() / 2)
    shortest = min_chapter_s(duration)
    starts: list[float] = [first]
    chosen: list[int] = []
    for g in np.argsort(-depths, kind="stable"):
        if len(chosen) >= limit - 1 or depths[g] <= max(cutoff, 1e-6):
            break
        i = _turn_start(ctx, units[int(g) + 1])
        t = sentences[i].start
        if t - first < shortest or last - t < shortest or any(abs(t - s) < shortest for s in starts[1:]):
            continue
        starts.append(t)
        chosen.append(i)
    return sorted(set(chosen))


def _turn_start(ctx: CallContext, i: int) -> int:
    """Move a boundary back to the first sentence of the speaker's turn (at most three sentences)."""
    j = i
    while j > 0 and i - j < 3 and ctx.sentences[j - 1].speaker == ctx.sentences[i].speaker:
        j -= 1
    return j if j == 0 or ctx.sentences[j - 1].speaker != ctx.sentences[i].speaker else i


def _phrases(ctx: CallContext, lo: int, hi: int) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """Key-phrase counts of sentences [lo, hi): lemma key -> count, and key -> surface forms."""
    counts: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = {}
    names = {w.lower() for name in ctx.names.values() for w in name.replace("(", " ").replace(")", " ").split()}
    for k, s in enumerate(ctx.sentences[lo:hi], start=lo):
        if not ctx.has_vector[k]:
            continue  # short sentences ("Yes, sure.") name no topic
        if s.span.doc.lang_ == "zh":
            continue  # the Chinese pipeline has no parser, so no noun chunks (nlp.chinese)
        for chunk in s.span.noun_chunks:
            toks = [t for t in chunk if t.pos_ not in _DROP_POS and not t.is_stop and t.is_alpha]
            if not toks or not any(t.pos_ in ("NOUN", "PROPN") for t in toks):
                continue
            if any(t.ent_type_ == "PERSON" or t.lower_ in names for t in toks):
                continue  # people's names title nothing
            if all(t.lemma_.lower() in GENERIC for t in toks):
                continue
            key = " ".join(t.lemma_.lower() for t in toks)
            surface = " ".join(t.text if t.pos_ == "PROPN" else t.text.lower() for t in toks)
            counts[key] += 1
            surfaces.setdefault(key, Counter())[surface] += 1
    return counts, surfaces


def _title(ranked: list[str], surfaces: dict[str, Counter[str]]) -> tuple[str, list[str]]:
    forms = [surfaces[k].most_common(1)[0][0] for k in ranked]
    if not forms:
        return "", []
    words = forms[0].split()[:5]
    for other in forms[1:]:
        extra = other.split()
        if len(words) + len(extra) + 1 <= 5 and not set(extra) & set(words):
            words = words + ["and"] + extra
            break
    if len(words) == 1 and len(forms) > 1 and len(forms[1].split()) == 1 and forms[1] != words[0]:
        words = [words[0], "and", forms[1]]
    title = " ".join(words)
    return title[:1].upper() + title[1:], forms[:4]


def find_chapters(ctx: CallContext) -> list[Chapter]:
    """The call's chapters, in order, covering it from its first to its last sentence."""
    sentences = ctx.sentences
    if not sentences:
        return []
    cuts = [0, *boundaries(ctx), len(sentences)]
    spans = list(zip(cuts, cuts[1:], strict=False))
    counted = [_phrases(ctx, lo, hi) for lo, hi in spans]
    df: Counter[str] = Counter()
    for counts, _ in counted:
        df.update(counts.keys())
    n = len(spans)
    chapters: list[Chapter] = []
    for k, ((lo, hi), (counts, surfaces)) in enumerate(zip(spans, counted, strict=True)):
        def score(key: str, counts: Counter[str] = counts) -> float:
            idf = math.log(1.0 + n / df[key]) if n > 1 else 1.0
            return counts[key] * idf * (1.0 + 0.5 * (len(key.split()) > 1))

        ranked = sorted(counts, key=lambda key: (-score(key), key))[:6]
        title, phrases = _title(ranked, surfaces)
        start = sentences[lo].start
        end = max(s.end for s in sentences[lo:hi])
        chapters.append(Chapter(title=title or f"Part {k + 1}", start=round(start, 3), end=round(end, 3),
                                key_phrases=phrases))
    return chapters


__all__ = ["find_chapters", "max_chapters", "min_chapter_s"]
