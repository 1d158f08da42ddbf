"""Writing systems in transcript text: Chinese characters (CJK ideographs) beside Latin words.

Chinese is written without spaces between words, so a transcript's text puts no space between two
Chinese characters (or their full-width punctuation) and keeps one around Latin words ("用
Salesforce 的"); what counts as a spoken unit is a character on Chinese text and a word elsewhere
(`spoken_units`). Light on purpose: no imports, used by the transcript types themselves.
"""

from __future__ import annotations

import re

# CJK Unified Ideographs with extension A, the compatibility ideographs and the supplementary
# planes' extensions B-H.
_IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Full-width and CJK punctuation: 。，、？！：；「」『』（）《》…— and the full-width forms.
_CJK_PUNCT = "\u3000-\u303f\uff00-\uffef\u2014\u2026\u00b7"
IDEOGRAPH = re.compile(f"[{_IDEOGRAPH}]")
_CJK_ANY = re.compile(f"[{_IDEOGRAPH}{_CJK_PUNCT}]")
_NON_CJK_WORD = re.compile(f"[^\\W{_IDEOGRAPH}]+")
_UNIT = re.compile(f"(?P<char>[{_IDEOGRAPH}])|(?P<word>[^\\W{_IDEOGRAPH}]+(?:['\u2019.-][^\\W{_IDEOGRAPH}]+)*)|(?P<punct>.)", re.S)
_LATIN_WORD = re.compile(f"[^\\W{_IDEOGRAPH}]+(?:['\u2019][^\\W{_IDEOGRAPH}]+)*")


def is_ideograph(char: str) -> bool:
    """True for one Chinese character (a CJK ideograph)."""
    return IDEOGRAPH.fullmatch(char) is not None


def cjk_count(text: str) -> int:
    """How many Chinese characters `text` holds."""
    return len(IDEOGRAPH.findall(text))


def spoken_units(token: str) -> int:
    """What a token counts as in word counts: its Chinese characters, plus one for any Latin word or
    number in it ("情况" 2, "3点" 2, "Salesforce" 1); 0 for punctuation only."""
    n = cjk_count(token)
    return n + (1 if _NON_CJK_WORD.search(token) else 0) if n else (1 if _NON_CJK_WORD.search(token) else 0)


def is_chinese_text(text: str) -> bool:
    """Whether `text` is Chinese by its writing: it has Chinese characters and at least as many of
    them as Latin words ("我们用 Salesforce" is Chinese, "We use 钉钉 daily" is not)."""
    n = cjk_count(text)
    return n > 0 and n >= len(_LATIN_WORD.findall(text))


def _joins_tight(before: str, after: str) -> bool:
    """No space between two tokens whose touching characters are both Chinese (or CJK punctuation)."""
    return bool(before) and bool(after) and _CJK_ANY.match(before[-1]) is not None and _CJK_ANY.match(after[0]) is not None


def word_offsets(tokens: list[str]) -> tuple[str, list[int]]:
    """The text `join_words` builds from `tokens` and each token's character offset in it (an empty
    token gets the offset of the next token's text)."""
    offsets: list[int] = []
    parts: list[str] = []
    pos = 0
    previous = ""
    empty: list[int] = []  # empty tokens waiting for the next token's offset
    for raw in tokens:
        token = raw.strip()
        if not token:
            empty.append(len(offsets))
            offsets.append(0)
            continue
        if parts and not _joins_tight(previous, token):
            parts.append(" ")
            pos += 1
        for k in empty:
            offsets[k] = pos
        empty = []
        offsets.append(pos)
        parts.append(token)
        pos += len(token)
        previous = token
    for k in empty:
        offsets[k] = pos + 1 if parts else 0
    return "".join(parts), offsets


def split_chinese(token: str) -> list[str]:
    """A whitespace-free run of text cut as Whisper cuts Chinese: one unit per Chinese character,
    a Latin word or number whole, punctuation attached to the unit before it ("您好，我是Alex。" ->
    ["您", "好，", "我", "是", "Alex。"]); a token without Chinese characters is returned whole."""
    if not IDEOGRAPH.search(token):
        return [token]
    units: list[str] = []
    pending = ""  # punctuation before the first unit
    for m in _UNIT.finditer(token):
        piece = m.group(0)
        if m.lastgroup == "punct":
            if units:
                units[-1] += piece
            else:
                pending += piece
        else:
            units.append(pending + piece)
            pending = ""
    return units or [token]


__all__ = ["IDEOGRAPH", "cjk_count", "is_chinese_text", "is_ideograph", "split_chinese", "spoken_units", "word_offsets"]
