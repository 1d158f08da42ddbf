"""Text normalisation for word-error-rate scoring: case, punctuation and numbers.

Human references write "IN EIGHTEEN THIRTEEN", Whisper writes "In 1813."; both must become
"in eighteen thirteen" before words are compared. Deliberately small (in the spirit of Whisper's
English normaliser, Radford et al. 2022, appendix C): lower case, punctuation dropped except
word-internal apostrophes, digits spelled out (four-digit numbers from 1100 to 1999 and 2010 on
as years), hyphens split, a few spellings unified.
"""

from __future__ import annotations

import re

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"), (100, "hundred"))
_SPELLING = {"okay": "ok", "o.k.": "ok", "mr": "mister", "mrs": "missus", "dr": "doctor", "%": "percent"}
_FILLERS = frozenset({"um", "uh", "er", "erm", "hmm", "mm", "ah", "eh", "uhm", "umm"})


def number_to_words(n: int) -> str:
    """Spell a non-negative integer in English words ("1813" -> "one thousand eight hundred thirteen")."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + ("" if ones == 0 else " " + _ONES[ones])
    for value, name in _SCALES:
        if n >= value:
            head, rest = divmod(n, value)
            return number_to_words(head) + " " + name + ("" if rest == 0 else " " + number_to_words(rest))
    raise AssertionError("unreachable")


def _spell_number(digits: str) -> str:
    n = int(digits)
    if len(digits) == 4 and (1100 <= n <= 1999 or 2010 <= n <= 2099) and n % 100 != 0:
        # Years are read in pairs: 1813 -> "eighteen thirteen", 1905 -> "nineteen oh five".
        high, low = divmod(n, 100)
        return number_to_words(high) + " " + ("oh " + _ONES[low] if low < 10 else number_to_words(low))
    return number_to_words(n)


def normalize_text(text: str, *, drop_fillers: bool = False) -> str:
    """Lower-case, punctuation-free, digits-spelled text for WER; `drop_fillers` also removes
    "um", "uh" and the like (references rarely write them)."""
    t = text.lower().replace("’", "'")
    t = re.sub(r"(\d),(\d{3})", r"\1\2", t)
    t = re.sub(r"(\d+)%", r"\1 percent", t)
    t = re.sub(r"\$(\d+)", r"\1 dollars", t)
    t = re.sub(r"\d+", lambda m: " " + _spell_number(m.group()) + " ", t)
    t = re.sub(r"[-–—/]", " ", t)
    t = re.sub(r"[^\w\s']", " ", t)
    t = re.sub(r"(?<!\w)'|'(?!\w)", " ", t)
    words = [_SPELLING.get(w, w) for w in t.split()]
    if drop_fillers:
        words = [w for w in words if w not in _FILLERS]
    return " ".join(words)
