"""Chinese replies to a proposed step: an acceptance ("好的", "可以", "没问题") and the day a short reply
proposes or confirms ("周四下午可以吗？", "那就周四吧", "下周三上午十点行"), for the next steps of
`nlp.brief.steps` and the unanswered questions of `nlp.brief.unanswered`."""

from __future__ import annotations

import re

from nlp.brief.context import CallContext
from nlp.brief.dates import date_phrases, specificity

_ZH_ACCEPT = re.compile(r"^(?:嗯|那|那就|好的|好嘞|好啊|好|可以|行|没问题|当然|一定|OK|ok|收到|就这么定|就这样)")
_ZH_NO = re.compile(r"不行|不可以|不方便|不太|没空|没时间|来不及|不在|不合适|不一定|再说|改天|已经|上周|昨天|还不")
_ZH_YES = re.compile(r"可以|行|好|没问题|方便|合适|怎么样|如何|吧|定|OK|ok|有空|都行")
_ZH_SELF = re.compile(r"给您|给你|发|回复|答复|反馈|回话|报价")  # "我周五给您答复吧": a commitment of its own
_ZH_CLOCK = re.compile(r"[0-9零一二两三四五六七八九十]+点")
_ZH_CLAUSES = re.compile(r"[，,；;。！!？?]+")


def date_reply(text: str) -> str | None:
    """The day a short Chinese reply proposes or confirms for a meeting ("周四下午可以吗？" -> "周四"),
    or None: a refusal ("周四我不太方便"), the past, or no day."""
    for clause in (c for c in _ZH_CLAUSES.split(text) if c):
        phrases = [p for p in date_phrases(clause) if specificity(p) >= 2]
        if not phrases or _ZH_NO.search(clause) or _ZH_SELF.search(clause) or sum(1 for c in clause if c.isalnum()) > 16:
            continue
        if _ZH_YES.search(clause) or sum(len(p) for p in phrases) * 2 >= len(clause) or _ZH_CLOCK.search(clause):
            return phrases[0]
    return None


def accepts(text: str) -> bool:
    return bool(_ZH_ACCEPT.match(text.strip())) and not _ZH_NO.search(text)


_ZH_MEETING = re.compile(r"约|安排|碰|聊|见面|演示|开会|会议|沟通|拜访|上门|时间|哪天|什么时候|方便|有空")


def answers_a_proposal(ctx: CallContext, i: int) -> bool:
    """Chinese sentence `i` gives or confirms the day of a meeting the other speaker just proposed
    ("咱们下周再约个时间？" / "周四下午可以吗？"): part of that step, not a question left open."""
    s = ctx.sentences[i]
    if s.span.doc.lang_ != "zh" or date_reply(s.text) is None:
        return False
    for j in range(i - 1, max(-1, i - 4), -1):
        if ctx.sentences[j].speaker != s.speaker:
            return bool(_ZH_MEETING.search(ctx.sentences[j].text))
    return False


_ZH_WHEN = re.compile(r"有时间|有空|方便|哪天|什么时候|几点|时间")


def schedule_reply(ctx: CallContext, i: int) -> str | None:
    """The day a Chinese reply gives to the other speaker's question about when ("下周您有时间吗？" /
    "周三下午可以。" -> "下周三"): a meeting both set; None otherwise."""
    s = ctx.sentences[i]
    if s.span.doc.lang_ != "zh" or (reply := date_reply(s.text)) is None:
        return None
    for j in range(i - 1, max(-1, i - 4), -1):
        if ctx.sentences[j].speaker != s.speaker:
            asked = ctx.sentences[j].text.rstrip()
            if asked.endswith(("？", "?")) and _ZH_WHEN.search(asked):
                return reply_phrase(date_phrases(asked), reply)
            return None
    return None


_ZH_WEEK_WINDOW = re.compile(r"^(下下|下个?|这个?|本)(?:周|星期|礼拜)$")
_ZH_BARE_DAY = re.compile(r"^(?:周|星期|礼拜)[一二三四五六日天]$")


def reply_phrase(step_phrases: list[str], reply: str) -> str:
    """The day a Chinese reply gives a step dated by a week only: "下周" + "周四" -> "下周四"."""
    window = next((m for p in step_phrases if (m := _ZH_WEEK_WINDOW.match(p))), None)
    if window is not None and _ZH_BARE_DAY.match(reply):
        return window.group(1) + reply
    return reply


__all__ = ["accepts", "answers_a_proposal", "date_reply", "reply_phrase", "schedule_reply"]
