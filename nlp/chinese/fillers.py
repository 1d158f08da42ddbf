"""Chinese fillers, from the text alone (no segmentation needed), like the English ones
(`nlp.fillers`): hesitation sounds and words used as fillers, not the same words used for what
they mean.

- 呃, 额, 唔, 嗯 (and 嗯嗯 inside a sentence): hesitations; 嗯 as a whole reply ("嗯。", "嗯嗯，好的")
  is a backchannel, not a filler;
- 啊 opening a clause ("啊，这个……"); the final particle of "是啊", "好啊" is not one;
- 那个 / 这个 set off by a pause mark or next to another filler ("那个，我们……", "那个那个", "就是那个"),
  or opening a clause before a pronoun ("那个我们预算不多"); "那个方案" (that plan) is not one;
- 就是 opening a clause before a pause mark, a pronoun or another filler ("就是，我们……", "就是说"),
  not "这就是我们的产品" or "就是这个问题";
- 然后 next to another filler, repeated, or before a pause mark ("然后，然后就是……", "然后嗯");
  "然后我们把数据导出来" (and then) is not one.
"""

from __future__ import annotations

import re

from nlp.backchannels import is_backchannel_text

_PAUSE = "，,。.！!？?；;：:、…—～~"
_HESITATION = r"呃+|额+|唔+|嗯+|emm+|呃嗯"
_WORD_FILLERS = r"那个|这个|就是说|就是|然后呢|然后"
_PRONOUN = r"我|我们|你|您|你们|他|她|他们|咱们|咱|大家|这边|那边"
# A clause starts at the start of the text, after a pause mark or after another filler.
_FILLER = re.compile(
    rf"(?P<hes>{_HESITATION})"
    rf"|(?P<a>(?:(?<=^)|(?<=[{_PAUSE}]))啊+(?=[{_PAUSE}]|$|那个|这个|就是|我|我们|你|您))"
    rf"|(?P<word>{_WORD_FILLERS})"
)
_CLAUSE_START = re.compile(rf"(?:^|[{_PAUSE}])$")


def _is_filler_word(text: str, start: int, end: int, previous_filler_end: int) -> bool:
    word = text[start:end]
    before = text[:start]
    after = text[end:]
    clause_start = bool(_CLAUSE_START.search(before)) or start == previous_filler_end
    next_is_pause = not after or after[0] in _PAUSE
    next_is_filler = re.match(rf"(?:{_HESITATION}|{_WORD_FILLERS}|啊)", after) is not None
    if word in ("那个", "这个"):
        return next_is_pause or next_is_filler or (clause_start and re.match(rf"(?:{_PRONOUN})", after) is not None)
    if word in ("就是", "就是说"):
        return clause_start and (word == "就是说" or next_is_pause or next_is_filler
                                 or re.match(rf"(?:{_PRONOUN}|说)", after) is not None)
    # 然后, 然后呢: before a pause or another filler, or right after one ("嗯然后")
    return next_is_pause or next_is_filler or (start == previous_filler_end and start > 0)


def chinese_filler_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character ranges of the fillers in a Chinese text (spaces removed first by
    the caller: `join_words` puts none between Chinese characters)."""
    if is_backchannel_text(text):
        return []  # "嗯。", "嗯嗯，好的": a reply, not a hesitation
    spans: list[tuple[int, int]] = []
    previous_end = -1
    for m in _FILLER.finditer(text):
        start, end = m.span()
        if m.lastgroup == "word" and not _is_filler_word(text, start, end, previous_end):
            continue
        spans.append((start, end))
        previous_end = end
    return spans


def count_chinese_fillers(text: str) -> int:
    """How many fillers a speaker's run of Chinese text holds."""
    return len(chinese_filler_spans(text))


__all__ = ["chinese_filler_spans", "count_chinese_fillers"]
