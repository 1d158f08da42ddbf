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

On Chinese sentences (no parser: `nlp.chinese`) the key phrases are runs of nouns as jieba's
dictionary tags them (a sales call's words such as 报价单, 私有化部署 count as nouns), at most three
words and eight characters, generic nouns (时间, 客户, 老板 ...) and people's names left out; a
Chinese call's title joins its two best with 与 ("线索与系统"), at most 12 characters, and a
chapter without key phrases is "第 2 部分" instead of "Part 2" (`nlp.brief.language`).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import numpy.typing as npt

from nlp.brief.context import CallContext
from nlp.brief.language import CHINESE, ENGLISH, brief_language
from nlp.brief.types import Chapter
from transcription.once import load_once

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

# Chinese: jieba's noun tags (common, other proper, organisation, place, idiom, noun morpheme, verbal
# noun) and Latin words ("CRM", "Excel"); a verbal noun alone names no topic (管理, 分配).
NOUN_TAGS_ZH = frozenset({"n", "nz", "nt", "ns", "nl", "ng", "vn", "eng"})
_HEAD_TAGS_ZH = NOUN_TAGS_ZH - {"vn"}
# Words of sales calls that jieba tags as something else (合同 "a", 白皮书 "nr", 预算 "v") or not at all.
SALES_NOUNS_ZH = frozenset({
    "私有化部署", "私有化", "公有云", "决策人", "报价单", "报价", "竞品", "法务", "采购", "试用", "试点", "年付", "月付",
    "白皮书", "安全审查", "等保", "单点登录", "用友", "金蝶", "纷享销客", "销售易", "钉钉", "企业微信", "飞书", "预算",
    "合同", "方案", "演示",
})  # fmt: skip
GENERIC_ZH = frozenset({
    "时间", "事情", "事儿", "东西", "情况", "问题", "时候", "方面", "部分", "地方", "意思", "感觉", "样子", "今天", "明天",
    "下周", "客户", "公司", "老板", "领导", "经理", "总经理", "同事", "大家", "朋友", "电话", "会议", "谢谢", "您好",
    "你好", "数字", "个人", "方式", "内容", "关系", "机会", "办法", "程度", "结果", "原因", "范围", "想法", "一点",
    "这种", "那种", "这样", "那样", "上午", "下午", "晚上", "早上", "分钟", "小时", "月份", "年份", "左右", "人数",
    "先生", "女士", "老师", "小伙伴", "一块", "块钱", "整体", "全部", "一部分", "大部分", "汇报",
})  # fmt: skip
MAX_PHRASE_WORDS_ZH = 3
MAX_PHRASE_CHARS_ZH = 8
MAX_TITLE_CHARS_ZH = 12
# The title of a chapter without key phrases, and the word that joins a title's two phrases.
UNTITLED = {ENGLISH: "Part {n}", CHINESE: "第 {n} 部分"}
JOINER = {ENGLISH: "and", CHINESE: "与"}


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
        if s.span.doc.lang_ == "zh":  # the Chinese pipeline has no parser, so no noun chunks (nlp.chinese)
            for key, surface in _chinese_phrases([t.text for t in s.span], names):
                counts[key] += 1
                surfaces.setdefault(key, Counter())[surface] += 1
            continue
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


@load_once
def _tags_zh() -> dict[str, str]:
    """jieba's part-of-speech tag of each word of its dictionary (read once, about a second)."""
    import jieba.posseg

    tags: dict[str, str] = jieba.posseg.dt.word_tag_tab
    return tags


def _tag_zh(word: str) -> str | None:
    if word in SALES_NOUNS_ZH:
        return "n"
    if word.isascii() and word.isalpha() and len(word) > 1:
        return "eng"
    return _tags_zh().get(word)


def _chinese_phrases(words: list[str], names: set[str]) -> list[tuple[str, str]]:
    """The key phrases of one Chinese sentence's words (jieba's): each run of nouns, as (key, surface),
    "销售 团队" / "销售团队"; a run longer than allowed keeps its last words (the head noun)."""
    from spacy.lang.zh.stop_words import STOP_WORDS  # a plain set; nothing is loaded

    phrases: list[tuple[str, str]] = []
    run: list[str] = []

    def close() -> None:
        tokens = run[-MAX_PHRASE_WORDS_ZH:]
        while len(tokens) > 1 and sum(len(t) for t in tokens) > MAX_PHRASE_CHARS_ZH:
            tokens = tokens[1:]
        run.clear()
        if not tokens or not any(_tag_zh(t) in _HEAD_TAGS_ZH for t in tokens):
            return
        if all(t.lower() in GENERIC for t in tokens):
            return
        surface = ""
        for t in tokens:
            surface += (" " if surface and surface[-1].isascii() and t[0].isascii() else "") + t
        if len(surface) < 2:
            return  # one character (钱, 人) names no topic
        phrases.append((" ".join(t.lower() for t in tokens), surface))

    for word in words:
        tag = _tag_zh(word)
        named = word.lower() in names if word.isascii() else any(word in n or n in word for n in names if n)
        if (tag in NOUN_TAGS_ZH and len(word) > 1 and word not in STOP_WORDS and word not in GENERIC_ZH
                and not named and not word.isdigit()):  # a one-character noun (问, 区, 钱) is too loose a word
            run.append(word)
        else:
            close()
    close()
    return phrases


def _title_zh(forms: list[str]) -> str:
    """"线索与系统": the best phrase and the next one that fits and shares no word with it."""
    title = forms[0]
    for other in forms[1:]:
        if len(title) + len(other) + 1 <= MAX_TITLE_CHARS_ZH and other not in title and title not in other:
            return f"{title}{JOINER[CHINESE]}{other}"
    return title


def _title(ranked: list[str], surfaces: dict[str, Counter[str]], language: str = ENGLISH) -> tuple[str, list[str]]:
    forms = [surfaces[k].most_common(1)[0][0] for k in ranked]
    if not forms:
        return "", []
    if language == CHINESE:
        return _title_zh(forms), forms[:4]
    words = forms[0].split()[:5]
    for other in forms[1:]:
        extra = other.split()
        if len(words) + len(extra) + 1 <= 5 and not set(extra) & set(words):
            words = words + [JOINER[ENGLISH]] + extra
            break
    if len(words) == 1 and len(forms) > 1 and len(forms[1].split()) == 1 and forms[1] != words[0]:
        words = [words[0], JOINER[ENGLISH], forms[1]]
    title = " ".join(words)
    return title[:1].upper() + title[1:], forms[:4]


def find_chapters(ctx: CallContext) -> list[Chapter]:
    """The call's chapters, in order, covering it from its first to its last sentence; a chapter
    without key phrases is titled in the call's language ("Part 2", "第 2 部分")."""
    sentences = ctx.sentences
    if not sentences:
        return []
    language = brief_language(ctx.transcript.language)
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
        title, phrases = _title(ranked, surfaces, language)
        start = sentences[lo].start
        end = max(s.end for s in sentences[lo:hi])
        chapters.append(Chapter(title=title or UNTITLED[language].format(n=k + 1), start=round(start, 3),
                                end=round(end, 3), key_phrases=phrases))
    return chapters


__all__ = ["find_chapters", "max_chapters", "min_chapter_s"]
