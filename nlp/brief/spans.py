"""Grounded clips: the words of a sentence trimmed to the point, with the times of those words.

A brief item's `text` is a slice of a turn's text as the transcript has it (words joined as
`transcription.scripts.join_words` joins them: by one space, none between two Chinese characters),
so it lies inside what its speaker said between `start` and `end`; `is_grounded` checks exactly
that (tests and `bench/brief_eval.py`), on Chinese text character by character.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Span, Token

from nlp.sentences import Sentence
from transcription.scripts import word_offsets
from transcription.types import Word

# Words that open a sentence without being its point: "So, um, we ...", "And honestly ...".
LEADING_FILLERS = frozenset({
    "um", "uh", "erm", "er", "hmm", "mm", "so", "well", "and", "but", "okay", "ok", "yeah", "yes", "yep", "oh",
    "honestly", "look", "listen", "basically", "anyway", "right", "now", "also", "plus", "then", "see", "like",
    "frankly", "actually", "because", "cause", "'cause",
})  # fmt: skip
_LEADING_PAIRS = frozenset({("you", "know"), ("i", "mean"), ("to", "be"), ("i", "guess"), ("you", "see")})
_CLAUSE_BREAKS = frozenset({",", ";", ":", "\u2014", "\u2013", "--", "-"})
# A sentence up to this many words is kept whole; a longer one is cut to the clause around the point.
WHOLE_SENTENCE_WORDS = 28
_MIN_CLAUSE_WORDS = 7


@dataclass(frozen=True, slots=True)
class Clip:
    """Words said by `speaker` from `start` to `end` (seconds): `text` is their text."""

    text: str
    start: float
    end: float
    speaker: str


class WordMap:
    """Where each word of a transcript sits in its turn's text (the text spaCy parsed), so that a
    span of a parsed sentence maps back to the words, and their times, that it covers. Offsets
    follow `join_words`: one space between words, none between two Chinese characters (each
    character of a Chinese turn is then one character of its text)."""

    def __init__(self, words: Sequence[Word]) -> None:
        self.words = words
        self._offset: list[int] = []
        run = 0
        for i in range(1, len(words) + 1):
            if i == len(words) or words[i].speaker != words[i - 1].speaker:
                self._offset += word_offsets([w.word for w in words[run:i]])[1]
                run = i

    def clip(self, sentence: Sentence, span: Span) -> Clip:
        """The words `span` (a part of `sentence`'s parse) covers, with their times."""
        lo, hi = sentence.word_start, sentence.word_end
        offsets = self._offset[lo:hi]
        a = bisect.bisect_right(offsets, span.start_char) - 1
        b = bisect.bisect_right(offsets, max(span.end_char - 1, span.start_char)) - 1
        a, b = lo + max(a, 0), lo + max(b, 0)
        covered = self.words[a : b + 1]
        return Clip(span.text, covered[0].start, max(w.end for w in covered), sentence.speaker)


def is_grounded(text: str, start: float, end: float, speaker: str, words: Sequence[Word], *, slack_s: float = 0.01) -> bool:
    """True when `text` lies inside the words `speaker` said between `start` and `end`, joined as
    the transcript joins them (`join_words`: on Chinese text no space between characters, so a
    Chinese text is compared character by character)."""
    said = [w.word for w in words
            if w.speaker == speaker and w.start >= start - slack_s and w.end <= end + slack_s and w.word.strip()]
    return bool(text.strip()) and text.strip() in word_offsets(said)[0]


def _norm(text: str) -> str:
    return text.lower().replace("\u2019", "'")


def trim(span: Span, *, keep_question_mark: bool = False, keep_full_width_question_mark: bool = False) -> Span:
    """`span` without opening fillers ("So, um, honestly ...") and closing punctuation; a final "?" stays
    with `keep_question_mark`, a final full-width "？" (a Chinese question) with `keep_full_width_question_mark`."""
    doc = span.doc
    i, end = span.start, span.end
    while i < end:
        word = _norm(doc[i].text)
        if doc[i].is_punct or doc[i].is_space or word in LEADING_FILLERS:
            i += 1
        elif i + 1 < end and (word, _norm(doc[i + 1].text)) in _LEADING_PAIRS and (
            i + 2 >= end or doc[i + 2].is_punct
        ):
            i += 2
        else:
            break
    while end > i and (doc[end - 1].is_punct or doc[end - 1].is_space):
        if keep_question_mark and doc[end - 1].text == "?":
            break
        if keep_full_width_question_mark and doc[end - 1].text == "\uff1f":
            break
        end -= 1
    return doc[i:end] if end > i else span


def _words(span: Span) -> int:
    return sum(1 for t in span if not t.is_punct)


def _inside_word(tok: Token) -> bool:
    """A hyphen or comma written inside a word or number ("one-page", "pre-sales"): no space on
    either side, so no clause break."""
    return tok.i > 0 and not tok.doc[tok.i - 1].whitespace_ and not tok.whitespace_ and tok.i + 1 < len(tok.doc)


def clause_around(sent: Span, start: int, end: int | None = None) -> Span:
    """The part of `sent` to quote for a cue at tokens [start, end): the whole sentence when short,
    else the clause (between commas, semicolons, dashes) holding the cue, widened to its neighbours
    until it has a few words. Fillers and closing punctuation are trimmed."""
    end = start + 1 if end is None else end
    if _words(sent) <= WHOLE_SENTENCE_WORDS:
        return trim(sent)
    bounds = [sent.start] + [t.i + 1 for t in sent if t.text in _CLAUSE_BREAKS and not _inside_word(t)] + [sent.end]
    bounds = sorted(set(bounds))
    k = max(0, bisect.bisect_right(bounds, start) - 1)
    lo, hi = bounds[k], bounds[min(k + 1, len(bounds) - 1)]
    while hi < end and hi != sent.end:
        hi = bounds[bounds.index(hi) + 1]
    doc = sent.doc
    left, right = k, bounds.index(hi)
    while _words(doc[lo:hi]) < _MIN_CLAUSE_WORDS and (left > 0 or right < len(bounds) - 1):
        if left > 0 and (right >= len(bounds) - 1 or _words(doc[bounds[left - 1] : lo]) <= _words(doc[hi : bounds[right + 1]])):
            left -= 1
            lo = bounds[left]
        else:
            right += 1
            hi = bounds[right]
    return trim(doc[lo:hi])


__all__ = ["Clip", "WordMap", "clause_around", "is_grounded", "trim", "WHOLE_SENTENCE_WORDS"]
