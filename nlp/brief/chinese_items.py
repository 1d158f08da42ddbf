"""Pains, needs, objections, budgets, decisions and quoted prices in Chinese sentences: cue tables
and a transparent rule score, where the English items (`nlp.brief.items`) use a fitted model over
English cues and MiniLM similarity (which reads English only).

A sentence (of a Chinese turn, `doc.lang_ == "zh"`) is a `kind` when one of the kind's cues is in
it; its confidence is the cue's weight, then

- a negation right before the cue (不, 没, 没有, 并不, 不太 ...) undoes a pain, objection or need cue
  ("没有漏单", "不贵", "不需要");
- a hypothetical before the cue (如果, 要是, 假如, 万一, ... 的话) multiplies it by 0.4, except for a
  decision: a process is often said as a condition ("三年的话我们要走法务", "超过十万要董事会批");
- a question is not a pain, need, budget, decision or price ("你们支持私有化部署吗？"); an objection
  may be one ("能不能再便宜一点？");
- a pain already solved ("现在好多了", "已经解决了") multiplies it by 0.4;
- the answer to the rep's question about the kind (需求, 看重, 预算 ...) adds 0.1, and a need said as
  the answer to "最看重的是什么" needs no cue of its own (0.6).

Items at or above `THRESHOLD` are kept, at most one per kind and sentence. Pains, needs, objections,
budgets and decisions are the customer's (or an unknown speaker's); prices the rep's (or an
unknown speaker's). `text` is the clause around the cue (between ，。？！；), widened to the clause
before when it is very short; `start`/`end` are the times of the characters it covers. `detail` is
the objection's topic or the decision maker (a title: 老板, 总经理, 法务 ...); `amount` the money said
(budget, price), read from digits or Chinese numerals ("二十万" -> 200000, "两千四" -> 2400).

Where the built-in trackers (`nlp/trackers.yaml`) already list the words (太贵, 超预算, 便宜一点,
下个季度再说, 我做不了主, 拍板 ...), those lists are read here, so that one list is kept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlp.brief.context import CallContext
from nlp.brief.money import chinese_amount
from nlp.brief.types import BriefItem, ItemKind
from transcription.scripts import word_offsets
from transcription.types import Word

THRESHOLD = 0.5
HYPOTHETICAL_FACTOR = 0.4
SOLVED_FACTOR = 0.4
ASKED_BONUS = 0.1
ANSWER_ONLY_NEED = 0.6
_MIN_CLAUSE_CHARS = 5

_CLAUSE_BREAK = "，,。？?！!；;：:"
_NEGATION = re.compile(r"(?:不|没|没有|并不|并没有|不太|不算|没那么|不会|不是|别|无)(?:很|太|那么|怎么|特别|算)?$")
# 要是 as "if", not the 要是 of 主要是 / 还要是 / 就要是.
_HYPOTHETICAL = re.compile(r"如果|(?<![主只就还总不也正都])要是|假如|万一|假设|一旦")
_IF_SUFFIX = re.compile(r"的话")
_SOLVED = re.compile(r"已经解决|解决了|好多了|没问题了|现在好了|改善了|不再")
_QUESTION_END = re.compile(r"[？?]$|(?:吗|么)[。！!]?$")
# A clause that points back ("这个是硬性的") is quoted with the clause before it.
_ANAPHORA = re.compile(r"(?:这个|这|那个|这点|这一点)(?:是|也是|很|必须|一定)")
# Words that open a clause without being its point ("但是我们现在不着急").
_OPENER = re.compile(r"(?:嗯|呃|啊|哦|那个|然后|但是|不过|可是|而且|所以|那么|那)+[，, ]?")
_PAST = re.compile(r"^(?:以前|之前|过去|原来)")


@dataclass(frozen=True, slots=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float
    detail: str | None = None  # the objection's topic


def _alternation(phrases: Sequence[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))


def tracker_phrases(name: str) -> tuple[str, ...]:
    """The Chinese phrases of a built-in tracker (the one list those words are kept in)."""
    from nlp.trackers import default_trackers

    for tracker in default_trackers().trackers:
        if tracker.name == name:
            return tracker.phrases_zh
    return ()


_TITLE = r"(?:老板|领导|总经理|副总|总监|董事长|董事会|财务总监|财务|法务|采购部门|采购部|CEO|CFO|CTO|IT部门|IT|上面|上级|[王李张刘陈杨赵黄周吴孙][总董])"


def _cue(pattern: str, weight: float, detail: str | None = None) -> Cue:
    return Cue(re.compile(pattern), weight, detail)


def _tables() -> dict[str, tuple[Cue, ...]]:
    budget_words = tracker_phrases("budget_objection")
    # 预算有限, 没有预算 state the budget; 超预算, 太贵 object to the price.
    budget_states = [p for p in budget_words if "预算" in p and "超" not in p]
    price_pushback = [p for p in budget_words if p not in budget_states] + list(tracker_phrases("discount_request"))
    timing = tracker_phrases("timing_objection")
    authority = [p for p in tracker_phrases("authority_objection")
                 if re.search(r"我|不是|汇报|请示", p)]  # the speaker cannot decide; the rest are decisions
    decision = [p for p in tracker_phrases("authority_objection") if p not in authority]
    rivals = [p for p in tracker_phrases("competitors") if re.search(r"家|供应商|厂商|竞", p)]
    return {
        "pain": (
            _cue(r"手工|手动|人工(?:录入|统计|核对|对账|整理|分配)|纯手工|重复录入|来回(?:导|复制|倒)", 0.75),
            _cue(r"漏单|漏掉|遗漏|丢单|丢客户|跟丢|流失|对不上|不准|出错|错误|搞错|算错", 0.8),
            _cue(r"太慢|很慢|慢得|比较慢|是慢|特别慢|效率(?:很|太|比较)?低|效率不高|跟不上|卡顿|很卡|太卡", 0.75),
            _cue(r"导不出|找不到|查不到|看不到|打不通|用不了|不好用|难用|不方便|麻烦|头疼|头痛|有点乱|很乱|太乱|混乱|乱七八糟", 0.7),
            _cue(r"(?:要|得|花|用)(?:了)?(?:整整|差不多|将近|至少)?[一二两三四五六七八九十几半0-9]+(?:个)?(?:多)?(?:天|周|星期|礼拜|小时|月)", 0.7),
            _cue(r"投诉|抱怨|吐槽|痛点|最大的问题|问题是|困扰|浪费", 0.7),
        ),
        "need": (
            _cue(r"必须|一定要|务必|硬性|硬指标|前提是|关键是|最看重|最重要的是|核心需求|要求", 0.8),
            _cue(r"最好能|最好是|希望能|希望可以|得能|得支持|要能|要支持|要过|要有|要和|要跟|要兼容|要对接|要打通", 0.7),
            _cue(r"需要(?:支持|对接|打通|兼容|能|有|一个|一套|做到|满足|实现)", 0.7),
            _cue(r"不能(?:太|超过|低于|没有)", 0.6),
        ),
        "objection": (
            _cue(_alternation([*price_pushback, "太贵", "贵了", "有点贵", "挺贵", "比较贵", "超预算", "价格有点高",
                               "价格偏高", "价格太高", "高了不少", "比预期", "便宜一点", "便宜点", "再便宜", "降一点",
                               "打个折", "优惠一点", "性价比不高"]), 0.8, "price"),
            _cue(_alternation([*timing, "再说", "先放一放", "放一放", "不是时候", "不急", "缓缓", "等明年", "年后再",
                               "暂时不", "先不考虑", "没精力"]), 0.8, "timing"),
            _cue(_alternation([*authority, "做不了主", "得问老板", "要问老板", "问一下老板", "问问老板", "请示一下",
                               "不是我定", "我定不了", "我决定不了"])
                 + rf"|(?:要|得|需要)(?:等)?{_TITLE}(?:拍板|同意|点头|批|审批|决定|签字)", 0.8, "authority"),
            _cue(r"已经在用|已经用了|已经有了?(?:一套|系统|供应商)|已经买了|用得(?:挺|还|很)好|和(?:别家|其他家)签了|"
                 rf"(?:{_alternation([*rivals, '其他家', '别的厂商', '人家'])}).{{0,8}}(?:便宜|更低|低一些|低不少|报价|价格|更好)",
                 0.75, "competition"),
            _cue(r"发(?:点|些|一些|一份|个|份|一下)?(?:资料|材料|方案|介绍|案例|白皮书|报价单)(?:给我|给我们|过来)?(?:看看|看一下|先看看)|"
                 r"先(?:发|给)(?:点|些|一些|一份|个)?(?:资料|材料|介绍)|先看看(?:资料|材料|方案)", 0.75, "material"),
        ),
        "budget": (
            _cue(_alternation([*budget_states, "没有这笔预算", "这笔预算", "预算批", "预算冻结", "预算用完", "预算砍",
                               "预算已经", "预算还没"]), 0.65),
            _cue(r"预算", 0.4),  # with an amount said: 0.85
        ),
        "decision": (
            _cue(_alternation(decision) + r"|签字|审批|批准|说了算|拍板|定夺|决策|招标|投标|采购流程|走流程|走采购|"
                 r"走法务|法务审|法务看|法务过|上会|董事会", 0.75),
            _cue(rf"(?:跟|向|找|问|让|给)(?:我们)?(?:的)?{_TITLE}(?:汇报|请示|商量|确认|过目|看一下|看看)|要看{_TITLE}|"
                 rf"(?:得|要|需要|先)(?:问|请示)(?:一下|问)?(?:我们)?{_TITLE}", 0.7),
        ),
    }


@functools.cache
def cues() -> dict[str, tuple[Cue, ...]]:
    """The cue tables per kind (built once: they read the built-in trackers)."""
    return _tables()


# What a rep asks to hear a kind: the customer's answer counts as evidence.
_ASKS = {
    "pain": re.compile(r"问题|痛点|困难|挑战|麻烦|为什么|因为什么|怎么处理|怎么做|现在.*(?:怎么|谁)"),
    "need": re.compile(r"需求|要求|看重|关注|在意|最重要|必须|标准|希望"),
    "objection": re.compile(r"顾虑|担心|贵在|觉得|怎么样|考虑"),
    "budget": re.compile(r"预算|花多少|投入|范围"),
    "decision": re.compile(r"拍板|决定|决策|签字|审批|流程|谁"),
    "price": re.compile(r"多少钱|价格|报价|收费|费用"),
}

# Money: digits or numerals with a scale, and a unit or 万 after them ("二十万", "两千四", "5万元").
# Digits and a scale may have a space between them ("8.5 万": the transcript joins Latin and Han so).
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:\s*[万千百])?|[零〇一二两三四五六七八九十]+[零〇一二两三四五六七八九十百千万亿]*")
_COUNTERS = re.compile(r"^(?:个|条|人|位|家|次|年|月|天|周|号|日|点|折|成|倍|套|台|%|％|多个|小时|分钟|星期|季度|期|步|种|款|项|份)")
_MONEY_UNIT = re.compile(r"^(?:万|元|块|千|百|美元|美金|RMB|w|W)")
_PER_UNIT = re.compile(r"每(?:个|位|人|年|月|用户|账号|座席|坐席|席位|套)|一年|一个月|每年|每月|年费|月费|/年|/月")
_PRICE_WORD = re.compile(r"价格|报价|收费|标准版|专业版|企业版|旗舰版|总价|一共|合计|总共|折后|优惠后|打完折|算下来|实施费|费用|元|块钱")
_NOT_PRICE = re.compile(r"预算|你们(?:现在)?(?:每年)?(?:花|付)|省|节省|回本|营收|收入")


def money_in(text: str) -> tuple[float, int] | None:
    """The first money amount in a Chinese text and where it starts: "二十万" -> 200000, "两千四" ->
    2400, "5万元" -> 50000, "一年两千四" -> 2400 (a count such as 一年, 五六百条, 三十个 is not money,
    nor a number under 100 without a money unit); None when there is none."""
    for m in _NUMBER.finditer(text):
        after = text[m.end() :].lstrip()
        if _COUNTERS.match(after):
            continue
        value = chinese_amount(re.sub(r"\s+", "", m.group(0)))
        if value is None or value < 100 and not _MONEY_UNIT.match(after):
            continue
        return value, m.start()
    return None


def chinese_money(text: str) -> float | None:
    """The value `money_in` finds, or None."""
    found = money_in(text)
    return found[0] if found else None


def _clauses(text: str) -> list[tuple[int, int]]:
    bounds = [0] + [k + 1 for k, c in enumerate(text) if c in _CLAUSE_BREAK] + [len(text)]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def clause_of(text: str, at: int) -> tuple[int, int]:
    """The clause (character range) holding position `at`, without its closing punctuation (a
    question mark stays); widened to the clause before when very short ("说实话，有点乱") or when it
    points back ("我们要过等保三级，这个是硬性的"); an opening 但是 / 而且 / 嗯 ... left out when enough
    remains ("但是我们现在不着急" -> "我们现在不着急")."""
    parts = _clauses(text)
    k = next((n for n, (a, b) in enumerate(parts) if a <= at < b), len(parts) - 1)
    lo, hi = parts[k]
    while hi > lo and text[hi - 1] in _CLAUSE_BREAK and text[hi - 1] not in "？?":
        hi -= 1
    if k > 0 and (hi - lo < _MIN_CLAUSE_CHARS or _ANAPHORA.match(text, lo)):
        lo = parts[k - 1][0]
    while lo < hi and text[lo] in _CLAUSE_BREAK + " ":
        lo += 1
    opener = _OPENER.match(text, lo)
    if opener and hi - opener.end() >= _MIN_CLAUSE_CHARS - 1:
        lo = opener.end()
    return lo, hi


def _negated(text: str, start: int, clause_start: int) -> bool:
    return bool(_NEGATION.search(text[clause_start:start]))


def _hypothetical(text: str, start: int, clause: tuple[int, int]) -> bool:
    """如果/要是 before the cue in its sentence, or 的话 in the cue's clause (not 方便的话, politeness)."""
    before = text[:start]
    if _HYPOTHETICAL.search(before):
        return True
    return bool(_IF_SUFFIX.search(text[clause[0] : clause[1]])) and not re.search(r"方便的话|可以的话|有空的话", text)


def _question(s_text: str, span_type: str | None) -> bool:
    return span_type is not None or bool(_QUESTION_END.search(s_text))


def _asked(ctx: CallContext, i: int, kind: str) -> bool:
    """The last sentence of the other speaker before sentence `i` is a question about `kind`."""
    speaker = ctx.sentences[i].speaker
    for k in range(i - 1, -1, -1):
        prev = ctx.sentences[k]
        if prev.speaker == speaker:
            continue
        if _question(prev.text, prev.span._.question_type) or prev.text.rstrip().endswith(("？", "?")):
            return bool(_ASKS[kind].search(prev.text))
        return False
    return False


def _title(text: str, at: int) -> str | None:
    """The decision maker: the title nearest the cue, before it first ("我们总经理拍板" -> 总经理)."""
    found = [(m.start(), m.group(0)) for m in re.finditer(_TITLE, text)]
    if not found:
        return None
    before = [f for f in found if f[0] <= at]
    return (before[-1] if before else found[0])[1]


_ANSWER_ONLY = "answer"  # a need found only as the answer to a question about needs


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: str
    confidence: float
    at: int  # the cue's start in the sentence text
    end: int
    detail: str | None = None
    amount: float | None = None
    amount_at: int | None = None  # where the amount is said, when it is


def _score(ctx: CallContext, i: int, kind: str, text: str) -> _Hit | None:  # noqa: C901 - one rule table
    s = ctx.sentences[i]
    question = _question(text, s.span._.question_type)
    if kind == "price":
        if not ctx.rep_side(i) or question or _NOT_PRICE.search(text):
            return None
        money = money_in(text)
        if money is None:
            return None
        conf = 0.9 if _PER_UNIT.search(text) else 0.8 if _PRICE_WORD.search(text) else 0.0
        return _Hit(kind, conf, money[1], money[1] + 1, amount=money[0]) if conf else None
    if not ctx.customer_side(i):
        return None
    if question and kind != "objection":
        return None
    best: _Hit | None = None
    for cue in cues()[kind]:
        for m in cue.pattern.finditer(text):
            clause = clause_of(text, m.start())
            conf = cue.weight
            if kind in ("pain", "objection", "need") and _negated(text, m.start(), clause[0]):
                conf = 0.0
            if kind != "decision" and _hypothetical(text, m.start(), clause):
                conf *= HYPOTHETICAL_FACTOR
            if kind == "pain" and (_SOLVED.search(text[m.end() :]) or _PAST.search(text) and _SOLVED.search(text)):
                conf *= SOLVED_FACTOR
            money = None
            if kind == "budget":
                if re.search(r"超|汇报|请示", text):
                    conf = 0.0
                money = money_in(text)
                if money is not None and conf:
                    conf = 0.85
            if conf and _asked(ctx, i, kind):
                conf = min(0.95, conf + ASKED_BONUS)
            detail = cue.detail if kind == "objection" else _title(text, m.start()) if kind == "decision" else None
            if best is None or conf > best.confidence:
                best = _Hit(kind, conf, m.start(), m.end(), detail, *(money or (None, None)))
    if kind == "budget" and (best is None or best.confidence < THRESHOLD) and _asked(ctx, i, "budget"):
        money = money_in(text)
        if money is not None:
            best = _Hit(kind, 0.75, money[1], money[1] + 1, amount=money[0], amount_at=money[1])
    if kind == "need" and (best is None or best.confidence < THRESHOLD) and _asked(ctx, i, "need") and len(text) >= 4:
        best = _Hit(kind, ANSWER_ONLY_NEED, 0, 1, detail=_ANSWER_ONLY)
    return best


def clip_chars(ctx: CallContext, i: int, lo: int, hi: int) -> tuple[str, float, float]:
    """The text [lo, hi) of sentence `i` with the times of the words it covers."""
    s = ctx.sentences[i]
    words: Sequence[Word] = ctx.transcript.words[s.word_start : s.word_end]
    joined, offsets = word_offsets([w.word for w in words])
    text = s.text
    shift = joined.find(text) if text and text in joined else 0
    spoken = [k for k, off in enumerate(offsets) if words[k].word.strip()]
    first = max((k for k in spoken if offsets[k] <= lo + shift), default=spoken[0] if spoken else 0)
    last = max((k for k in spoken if offsets[k] < hi + shift), default=first)
    if not words:
        return text[lo:hi], s.start, s.end
    return text[lo:hi], words[first].start, max(w.end for w in words[first : last + 1])


def _turns(ctx: CallContext) -> list[int]:
    """Each sentence's turn number (a turn: one speaker's sentences in a row)."""
    turn, out = 0, []
    for k, s in enumerate(ctx.sentences):
        if k and s.speaker != ctx.sentences[k - 1].speaker:
            turn += 1
        out.append(turn)
    return out


def chinese_items(ctx: CallContext, kinds: Sequence[ItemKind]) -> list[BriefItem]:
    """The Chinese sentences' items of `kinds` (pain, need, objection, budget, decision, price), at
    most one per kind and sentence, in time order."""
    hits: list[tuple[int, _Hit]] = []
    for i, s in enumerate(ctx.sentences):
        span = s.span
        if span.doc.lang_ != "zh" or span._.is_backchannel or span._.is_rhetorical or not s.text.strip():
            continue
        for kind in kinds:
            hit = _score(ctx, i, kind, s.text) if kind in _ASKS else None
            if hit is not None and hit.confidence >= THRESHOLD:
                hits.append((i, hit))
    # A need found only as an answer gives way to a need with a cue in the same turn.
    turn = _turns(ctx)
    cued = {turn[i] for i, h in hits if h.kind == "need" and h.detail != _ANSWER_ONLY}
    hits = [(i, h) for i, h in hits if not (h.detail == _ANSWER_ONLY and turn[i] in cued)]
    items: list[BriefItem] = []
    for i, hit in hits:
        s = ctx.sentences[i]
        lo, hi = clause_of(s.text, hit.at)
        if hit.amount_at is not None:  # the budget's amount in the next clause: "今年预算有限，大概二十万以内"
            a_lo, a_hi = clause_of(s.text, hit.amount_at)
            lo, hi = min(lo, a_lo), max(hi, a_hi)
        text, start, end = clip_chars(ctx, i, lo, hi)
        detail = None if hit.detail == _ANSWER_ONLY else hit.detail
        items.append(BriefItem(kind=hit.kind, text=text, start=round(start, 3), end=round(end, 3),  # type: ignore[arg-type]
                               speaker=s.speaker, role=ctx.role(i), confidence=round(hit.confidence, 3),
                               detail=detail, amount=hit.amount))
    items.sort(key=lambda it: (it.start, it.kind))
    return items


__all__ = ["THRESHOLD", "chinese_items", "chinese_money", "clause_of", "clip_chars", "cues", "money_in", "tracker_phrases"]
