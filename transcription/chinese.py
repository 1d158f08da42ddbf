"""Chinese words as the recogniser gives them, made fit for a transcript.

Whisper writes Mandarin in Traditional or Simplified characters, as its training text happened to
be; Talktrack's Chinese transcripts are in Simplified characters (OpenCC's `t2s` table, in the pure
Python `opencc-python-reimplemented`). With word timestamps, Whisper's Chinese "words" are single
characters or short words, with the punctuation it wrote attached (，。？ are in faster-whisper's
punctuation sets); a token that is punctuation only is joined to its neighbour, so every word holds
at least one character that is read, and word times stay in order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Any

from transcription.once import load_once
from transcription.types import Word


@load_once
def _t2s() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


# 著 is Simplified too, but only for zhù ("famous", "to write"): the aspect particle and the verb
# (看着, 意味着, 接着, 着急) are 着 in Mainland writing, and Whisper, trained on both scripts, often
# writes them 著. OpenCC's t2s keeps every 著 (its tw2s changes them, but also 什么 into 什幺 in the
# pure-Python build), so a 著 becomes 着 unless it is inside one of these zhù words.
_ZHU_WORDS = ("著名", "著作", "著称", "著述", "著者", "著录", "著书", "著文", "显著", "卓著", "昭著", "名著",
              "原著", "专著", "巨著", "编著", "论著", "遗著", "译著", "合著", "拙著", "新著", "大著", "土著", "撰著")
# A zhù word where it starts, else a lone 著 (the alternation tries the words first at each place).
_ZHU_OR_ZHE = re.compile("|".join(_ZHU_WORDS) + "|著")


def _particle_zhe(text: str) -> str:
    """`text` with every 著 outside a zhù word (`_ZHU_WORDS`) written 着; same length."""
    return _ZHU_OR_ZHE.sub(lambda m: m.group(0) if len(m.group(0)) > 1 else "着", text) if "著" in text else text


def to_simplified(text: str) -> str:
    """`text` with Traditional characters replaced by Simplified ones and the particle 著 written 着
    (anything else kept; the length may change only where OpenCC's phrase table changes it)."""
    return _particle_zhe(str(_t2s().convert(text))) if text else text


def _simplified_tokens(tokens: list[str]) -> list[str]:
    """Convert the tokens together, so OpenCC's phrase table sees neighbouring characters, and cut
    the result back at the same places; one by one if a phrase changed its length."""
    joined = to_simplified("".join(tokens))
    if len(joined) != sum(len(t) for t in tokens):
        return [to_simplified(t) for t in tokens]
    out, i = [], 0
    for t in tokens:
        out.append(joined[i : i + len(t)])
        i += len(t)
    return out


def _is_punctuation(token: str) -> bool:
    return all(unicodedata.category(c)[0] in "PSZ" for c in token)


def tidy_chinese_words(words: list[Word]) -> list[Word]:
    """Simplified characters; punctuation-only tokens joined to the word before them (to the next
    one at the start); times made non-decreasing (a word never starts before the one before it, and
    never ends before it starts)."""
    texts = _simplified_tokens([w.word for w in words])
    out: list[Word] = []
    pending = ""  # punctuation before the first word
    for w, text in zip(words, texts, strict=True):
        text = text.strip()
        if not text:
            continue
        if _is_punctuation(text):
            if out:
                out[-1] = replace(out[-1], word=out[-1].word + text)
            else:
                pending += text
            continue
        start = max(w.start, out[-1].start) if out else w.start
        out.append(replace(w, word=pending + text, start=start, end=max(w.end, start)))
        pending = ""
    return out
