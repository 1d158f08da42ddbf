"""The grounding check of generated wording: every content word of a generated sentence must have
been said at the moments it cites, or be given by the cited items' own fields (docs/brief.md,
"Generative wording (optional)"; the rules are listed in `nlp.brief.wording`'s module doc).

`evidence` gathers what was said and given around the cited items; `ungrounded_words` (English and
Latin words, by a light stem, numbers by value) and `ungrounded_chinese` (jieba's words, numbers by
value) list what a sentence says beyond it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlp.brief.language import CHINESE, ENGLISH
from nlp.brief.money import _SCALES, _UNITS, ZH_NUMBER, chinese_amount, parse_amount
from nlp.brief.types import BriefItem
from transcription.scripts import IDEOGRAPH
from transcription.types import Transcript

# Objection topics in Chinese (an item's detail, given to the wording and grounding it).
OBJECTION_TOPICS_ZH = {"price": "价格", "timing": "时间", "authority": "决策权", "competition": "竞争",
                       "material": "资料"}

# Words about the conversation itself, which a summary uses without their having been said.
_FRAME_TEXT = """
customer customers client clients prospect prospects buyer buyers rep reps seller sellers
salesperson sales speaker speakers side call conversation discussion
said says say saying mentioned mention mentions noted note notes asked ask asks explained explains
described describes raised raises shared shares stated states added adds agreed agree agrees
confirmed confirms committed commits promised promises offered offers wants want wanted plans plan
planned expressed expresses expects expect discussed discuss discusses talked talk told tells
concern concerns point points item items also currently still
st nd rd th
"""
FRAME_WORDS = frozenset(_FRAME_TEXT.split())
# The same in Chinese: words about the call and its people, units and measure words.
_FRAME_TEXT_ZH = """
客户 客户方 销售 销售代表 代表 对方 双方 我方 贵方 他们 她们 他 她 通话 电话 沟通 对话 讨论 交流 本次
提到 提及 提出 表示 说 说到 谈到 称 认为 指出 强调 希望 想要 想 计划 打算 准备 同意 答应 承诺 约定 确认 询问 问 问到
回答 解释 介绍 分享 补充 还 也 仍 仍然 目前 当前 现在 已经 将 会 要 需要 可能 进一步 相关 方面 情况 问题 事项 内容
元 块 人民币 美元 个 位 家 套 条 次 年 月 日 号 天 周
"""
FRAME_WORDS_ZH = frozenset(_FRAME_TEXT_ZH.split())
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "pain": ("pain", "problem", "challenge"), "need": ("need", "requirement"), "objection": ("objection",),
    "budget": ("budget",), "price": ("price", "quote", "quoted"), "competitor": ("competitor", "alternative"),
    "decision": ("decision", "decides", "decide", "approve", "approves", "sign", "signs", "off"),
    "next_step": ("next", "step", "steps", "follow", "up", "due"), "question": ("question", "unanswered"),
}
KIND_WORDS_ZH: dict[str, tuple[str, ...]] = {
    "pain": ("痛点", "问题", "困难", "挑战", "难点"), "need": ("需求", "需要", "要求"),
    "objection": ("异议", "顾虑", "担心", "担忧"), "budget": ("预算",), "price": ("价格", "报价", "价钱"),
    "competitor": ("竞争对手", "竞品", "对手"), "decision": ("决策", "决定", "拍板", "审批", "签字", "批准", "决策人"),
    "next_step": ("下一步", "跟进", "截止", "之前", "前"), "question": ("问题", "未回答", "没有回答", "疑问"),
}

_WORD = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+", re.UNICODE)

def english_stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS  # a plain set; spaCy's models are not loaded

    return frozenset(STOP_WORDS)


def stem(word: str) -> str:
    """A light, deterministic stem: "prices", "pricing", "price" -> "pric"; "dropped" -> "drop"."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    else:
        for suffix in ("ing", "ed", "es", "ly", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
                w = w[: -len(suffix)]
                break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) >= 3 and w[-1] == w[-2] and w[-1] not in "aeioulsz":
        w = w[:-1]
    return w


def _normalised(text: str) -> str:
    text = text.replace("\u2019", "'").replace(",", "").lower()
    text = re.sub(r"(\d)\s*(k|m|bn|mil)\b", r"\1 \2", text)
    return text.replace("-", " ")


def number_values(text: str) -> tuple[set[float], set[int]]:
    """The numbers said in `text` (digits or words, with scales: "$60k", "sixty thousand"), and the
    positions (in `_WORD` tokens of the normalised text) of the tokens that made them."""
    tokens = _WORD.findall(_normalised(text))
    values: set[float] = set()
    used: set[int] = set()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        starts = tok[0].isdigit() or (tok in _UNITS and tok not in {"a", "an"}) or (tok in {"a", "an"} and nxt in _SCALES)
        if not starts:
            i += 1
            continue
        j = i + 1
        while j < len(tokens):
            t = tokens[j]
            if t in _SCALES or (t in _UNITS and t not in {"a", "an"}) or (t == "and" and j + 1 < len(tokens)
                                                                         and tokens[j + 1] in _UNITS):
                j += 1
            else:
                break
        value = parse_amount(" ".join(tokens[i:j]))
        if value is not None:
            values.add(round(value, 6))
            used.update(range(i, j))
        i = j
    return values, used


@dataclass(frozen=True, slots=True)
class Evidence:
    stems: frozenset[str]
    words: frozenset[str]
    numbers: frozenset[float]
    # For a sentence in Chinese: what was said and given, lower case and without spaces, and the
    # numbers in it read as Chinese ("两千四", "30万").
    text: str = ""
    zh_numbers: frozenset[float] = frozenset()


def _chinese_numbers(text: str) -> set[float]:
    values = (chinese_amount(m.group(0)) for m in ZH_NUMBER.finditer(text))
    return {round(v, 6) for v in values if v is not None}


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def evidence(transcript: Transcript, items: Sequence[BriefItem], margin_s: float) -> Evidence:
    said: list[str] = []
    for item in items:
        lo, hi = item.start - margin_s, item.end + margin_s
        said.append(" ".join(w.word for w in transcript.words if w.end >= lo and w.start <= hi))
    extra: list[str] = []
    for item in items:
        extra += KIND_WORDS.get(item.kind, ())
        extra += [item.detail or "", item.date_phrase or "", day_text(item.due) if item.due else ""]
    extra += [s.name for s in transcript.speakers if s.name]
    spoken = _normalised(" ".join(said))
    given = _normalised(" ".join(extra))
    words = set(_WORD.findall(spoken)) | set(_WORD.findall(given))
    numbers = number_values(spoken)[0] | number_values(given)[0]
    for item in items:
        if item.amount is not None:
            numbers.add(round(float(item.amount), 6))
        if item.due:
            day = dt.date.fromisoformat(item.due)
            numbers.update({float(day.day), float(day.year)})
    given_zh = [w for item in items for w in KIND_WORDS_ZH.get(item.kind, ())]
    given_zh += [OBJECTION_TOPICS_ZH.get(item.detail or "", "") for item in items]
    given_zh += [day_text(item.due, CHINESE) for item in items if item.due]
    text = _compact(" ".join(said) + " " + " ".join(extra) + " " + " ".join(given_zh))
    zh_numbers = _chinese_numbers(text) | numbers
    for item in items:
        if item.due:
            zh_numbers.add(float(dt.date.fromisoformat(item.due).month))
    return Evidence(frozenset(stem(w) for w in words), frozenset(words), frozenset(numbers), text,
                     frozenset(zh_numbers))


def ungrounded_words(sentence: str, evidence: Evidence, stop_words: frozenset[str]) -> list[str]:
    """The words and numbers of `sentence` that the evidence does not ground (empty: grounded); a
    sentence with Chinese characters is read as Chinese (`ungrounded_chinese`)."""
    if IDEOGRAPH.search(sentence):
        return ungrounded_chinese(sentence, evidence, stop_words)
    original = _WORD.findall(sentence.replace("\u2019", "'").replace(",", ""))
    values, number_tokens = number_values(sentence)
    missing = [_number_text(v) for v in sorted(values) if v not in evidence.numbers]
    lowered = _WORD.findall(_normalised(sentence))
    # The normalised tokens line up with the original ones except where "60k" splits in two.
    names = {w.lower() for k, w in enumerate(original) if k > 0 and w[:1].isupper() and not w.isupper()
             or k > 0 and w.isupper() and len(w) > 1}
    for k, tok in enumerate(lowered):
        if k in number_tokens or tok[0].isdigit() or len(tok) < 2:
            continue
        if tok in stop_words or tok in FRAME_WORDS or stem(tok) in _FRAME_STEMS:
            continue
        if tok in names:
            if tok not in evidence.words:
                missing.append(tok)
        elif stem(tok) not in evidence.stems:
            missing.append(tok)
    return list(dict.fromkeys(missing))


_FRAME_STEMS = frozenset(stem(w) for w in FRAME_WORDS)
# A word that is only a number, with a measure word or unit after it: "三十个", "2400元", "30%".
ZH_NUMBER_WORD = re.compile(f"(?:{ZH_NUMBER.pattern})(?:个|位|条|人|年|月|日|号|天|次|家|套|元|块|万元|%|％)?")


def ungrounded_chinese(sentence: str, evidence: Evidence, stop_words: frozenset[str]) -> list[str]:
    """`ungrounded_words` of a Chinese sentence: its words as jieba segments them, each to be found
    in the evidence's text (stop words and `FRAME_WORDS_ZH` aside), its numbers by value, its Latin
    words as in English."""
    from spacy.lang.zh.stop_words import STOP_WORDS as ZH_STOP_WORDS  # a plain set

    from nlp.chinese.pipeline import load_chinese

    missing: list[str] = []
    for token in load_chinese().make_doc(sentence):
        word = token.text.strip()
        if not word or not any(c.isalnum() for c in word):
            continue
        if ZH_NUMBER_WORD.fullmatch(word):  # before the stop words, which hold digits and numerals
            number = ZH_NUMBER.match(word)
            value = chinese_amount(number.group(0)) if number else None
            if value is not None and round(value, 6) not in evidence.zh_numbers and word.lower() not in evidence.text:
                missing.append(_number_text(value))
            continue
        if word in ZH_STOP_WORDS or word in FRAME_WORDS_ZH:
            continue
        low = word.lower()
        if word.isascii():
            if low in evidence.text or low in stop_words or low in FRAME_WORDS or stem(low) in _FRAME_STEMS \
                    or stem(low) in evidence.stems:
                continue
        elif _covered(low, evidence.text, ZH_STOP_WORDS):
            continue
        missing.append(word)
    return list(dict.fromkeys(missing))


def _covered(word: str, said: str, stop_words: frozenset[str] | set[str]) -> bool:
    """Whether `word` is made of pieces of two characters or more that were said, and of stop or
    frame words: jieba joins a name it does not know to the word after it ("王磊会")."""
    i = 0
    while i < len(word):
        for j in range(len(word), i, -1):
            piece = word[i:j]
            if j - i >= 2 and piece in said or piece in stop_words or piece in FRAME_WORDS_ZH:
                i = j
                break
        else:
            return False
    return True


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def day_text(iso: str, language: str = ENGLISH) -> str:
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    if language == CHINESE:
        return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS_ZH[day.weekday()]}）"
    return f"{day.strftime('%A')}, {day.strftime('%B')} {day.day} {day.year}"


__all__ = [
    "FRAME_WORDS", "FRAME_WORDS_ZH", "KIND_WORDS", "KIND_WORDS_ZH", "OBJECTION_TOPICS_ZH", "Evidence", "day_text",
    "english_stop_words", "evidence", "number_values", "stem", "ungrounded_chinese", "ungrounded_words",
]
