"""Filler words ("um", "uh", "erm", "you know", "like" used as a filler), counted per speaker.

Works on the recogniser's words alone (no parser), so it runs on any transcript, including
streaming partials. "like" counts only where it is a filler: set off by commas ("it was, like,
huge"), next to another filler ("like, um"), or opening a sentence before a comma. "I like it",
"like a CRM", "looks like", "would like to" are never fillers. "you know" counts where it is a
parenthetical ("it's, you know, expensive"), not where it has an object ("you know the price",
"do you know").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from transcription.scripts import is_chinese_text, spoken_units
from transcription.types import Word, join_words

# Hesitation sounds are always fillers.
HESITATIONS = frozenset({"um", "uh", "erm", "er", "uhm", "umm", "uhh", "ehm"})
_EDGE_PUNCT = re.compile(r"^[^\w']+|[^\w']+$")
_CLAUSE_BREAK = (",", ".", "?", "!", ";", ":", "-", "\u2014", "\u2026")
# "you know" followed by one of these is a verb with an object or clause: "you know what", "you know him".
_KNOW_OBJECT = frozenset(
    {"what", "how", "why", "where", "when", "who", "which", "that", "this", "these", "those", "him", "her", "them",
     "it", "the", "a", "an", "if", "whether", "about", "me", "us", "my", "your", "our", "their", "his",
     "anything", "something", "everything", "anyone", "someone", "exactly", "more", "better", "each"}
)
# "you know" preceded by these is a real verb: "do you know", "did you know", "if you know".
_KNOW_SUBJECT_CONTEXT = frozenset(
    {"do", "did", "don't", "didn't", "if", "as", "would", "will", "could", "might", "and", "what", "i",
     "because", "'cause", "cause", "should", "let", "to", "now"}
)


def normalise(token: str) -> str:
    """Lower case without surrounding punctuation (apostrophes kept): "Um," -> "um"."""
    return _EDGE_PUNCT.sub("", token.strip().lower().replace("\u2019", "'"))


def _breaks_after(raw: str) -> bool:
    return raw.rstrip().endswith(_CLAUSE_BREAK)


def filler_length(tokens: Sequence[str], index: int) -> int:
    """How many tokens from `index` form a filler (0 if none, 2 for "you know").

    `tokens` are raw recogniser words, punctuation attached ("like,", "Um").
    """
    raw = tokens[index]
    word = normalise(raw)
    if not word:
        return 0
    prev_raw = tokens[index - 1] if index > 0 else ""
    prev = normalise(prev_raw)
    nxt = normalise(tokens[index + 1]) if index + 1 < len(tokens) else ""
    if word in HESITATIONS:
        return 1
    if word == "like":
        after_comma = index == 0 or _breaks_after(prev_raw)
        comma_after = _breaks_after(raw)
        if comma_after and (after_comma or prev not in {"feel", "feels", "felt", "looks", "look", "seems"}):
            return 1  # "it was, like, huge" / "Like, we tried"
        if nxt in HESITATIONS or prev in HESITATIONS:
            return 1  # "like um", "uh like"
        if nxt == "like" or prev == "like":
            return 1  # "like like"
        return 0
    if word == "you" and nxt == "know" and index + 1 < len(tokens):
        know_raw = tokens[index + 1]
        after = normalise(tokens[index + 2]) if index + 2 < len(tokens) else ""
        parenthetical_before = index == 0 or _breaks_after(prev_raw) or prev in HESITATIONS
        parenthetical_after = _breaks_after(know_raw) or after == "" or after in HESITATIONS
        if prev in _KNOW_SUBJECT_CONTEXT and not _breaks_after(prev_raw):
            return 0
        if after in _KNOW_OBJECT and not _breaks_after(know_raw):
            return 0
        if parenthetical_after or (parenthetical_before and after not in _KNOW_OBJECT):
            return 2
        # Unpunctuated text: between two words that are not its object ("it's you know expensive").
        if not any(_breaks_after(t) for t in tokens) and after not in _KNOW_OBJECT:
            return 2
        return 0
    return 0


def is_filler(tokens: Sequence[str], index: int) -> bool:
    """True if the word at `index` starts a filler (see `filler_length`)."""
    return filler_length(tokens, index) > 0


def filler_phrases(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) token ranges of the fillers in a sequence of words, end exclusive."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        n = filler_length(tokens, i)
        if n:
            spans.append((i, i + n))
            i += n
        else:
            i += 1
    return spans


def count_fillers(words: list[Word]) -> dict[str, int]:
    """Number of fillers per speaker id (speakers without fillers are absent).

    Filler context never crosses a change of speaker. A run of Chinese text is read by the
    Chinese rules (`nlp.chinese.fillers`: 嗯, 呃, 那个, 就是, 然后 used as fillers).
    """
    counts: dict[str, int] = {}
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and words[j].speaker == words[i].speaker:
            j += 1
        tokens = [w.word for w in words[i:j]]
        text = join_words(tokens)
        if is_chinese_text(text):
            from nlp.chinese.fillers import count_chinese_fillers

            found = count_chinese_fillers(text)
        else:
            found = len(filler_phrases(tokens))
        if found:
            counts[words[i].speaker] = counts.get(words[i].speaker, 0) + found
        i = j
    return counts


def count_words(words: list[Word]) -> dict[str, int]:
    """Number of spoken words per speaker (tokens that are only punctuation are not words); each
    Chinese character counts as one (`transcription.scripts.spoken_units`)."""
    counts: dict[str, int] = {}
    for w in words:
        n = (spoken_units(w.word) or 1) if normalise(w.word) else 0
        if n:
            counts[w.speaker] = counts.get(w.speaker, 0) + n
    return counts
