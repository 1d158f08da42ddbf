"""Next steps in Chinese: commitments to an action after the call, with who committed and when.

A clause is a commitment when

- a first-person subject (我, 我们, 我这边, 咱们) takes on an action (发, 约, 安排, 准备, 对接, 确认,
  跟进 ...) with a word that makes it a plan (会, 来, 先, 再, 马上, 回头, 把 ..., or a date):
  "我下周二把方案发给您", "我们会把安全白皮书一起发给您", "咱们下周再约个时间细聊吧";
- or it proposes a joint one with a date and no subject: "下周四下午三点再约", "那就周五下午碰一下";
- or it asks the listener for one ("您能把合同发我一下吗？", "麻烦您安排一下法务") and the listener's
  next words accept it ("好的", "没问题", "可以"): the listener committed.

A task of the speaker's own before it does not make the step conditional: "等我跟老板商量完了，再给您打电话"
(the call back is the speaker's step).
Not steps: negated (我们不会…, 先不发), conditional (如果…, 要是…的话, 等…再说), past (我昨天已经发给您了)
and undated in-call moves (我给您介绍一下, 我先跟您讲讲). The date phrase is the first Chinese date
the brief's rules know (`nlp.brief.dates`: 下周二, 明天, 月底前 ...), with a time of day after it
("下周四下午三点").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.brief.dates import date_phrases
from nlp.questions.chinese import plain
from nlp.sentences import Sentence
from nlp.types import NextStep

ACTIONS_ZH = (
    "发给|发过去|发过来|发一下|发一份|发您|发你|发我|发到|发邮件|发送|寄|约|安排|准备|整理|出一个|出一份|出个|做一个|做一份|"
    "对接|联系|确认|跟进|同步|提交|申请|演示|拉个群|拉群|打电话|打个电话|回电话|回复|过一下|沟通|汇报|签|提供|更新|补充|邀请|"
    "预约|反馈|落实|推进|报个价|报价|拜访|上门|开通|搭建|协调|核实|测试|试用|试点|问问|问一下|碰一下|碰个头|见面|见|聊|开会|"
    "讨论|看一下|过一遍|审|走流程|走完流程|走个流程|盖章|付款|答复|回话|回个话|给您回|给你回|商量|评估|研究|确定|定下来|敲定|"
    "请示|上报|报给|核算|测算|算一下|出方案|排期|排个期"
)
_ACTION = re.compile(ACTIONS_ZH)
_SPEAKER = r"(?:我们这边|我这边|我们|咱们|我)(?![们的])"  # a first-person subject that starts a clause
_FIRST_PERSON = re.compile(r"(?:我们这边|我这边|我们|咱们|咱|我)")
# What makes a first person's sentence a plan rather than a wish or a habit.
# 回去 / 内部 / 下来: "我回去跟老板汇报一下", "我们内部商量一下" (taking it back is a plan).
_PLAN_MARKER = re.compile(r"会|来|先|再|就|马上|回头|稍后|晚点|尽快|争取|负责|打算|准备|计划|把|这就|立刻|等会|一会儿|今天|明天|下周|"
                          r"本周|这周|月底|周[一二三四五六日]|星期|礼拜|回去|内部|下来|抓紧|随后|之后")
_NEGATION = re.compile(r"不会|不能|没法|没办法|不用|不需要|不打算|别|暂时不|先不|不再|不发|不约|没有|没")
# "方便的话" (if it suits you) is politeness, not a condition.
_CONDITION = re.compile(r"^(?:如果|要是|假如|万一|只要|除非|等)|(?<!方便)(?<!可以)(?<!有空)(?<!有时间)(?<!愿意)(?<!需要)的话")
_PAST = re.compile(r"已经|刚才|刚刚|上次|之前|昨天|前天|上周|去年|早就")
_IN_CALL = re.compile(r"(?:给您|跟您|给你|跟你|为您|向您)(?:介绍|讲讲|讲一下|说说|说一下|演示一下|看一下|展示|过一下|过一遍)"
                      r"|^(?:介绍|讲|说|演示)|(?:先|再)?(?:问一下|问问)$")
# "我先给您演示一下", "咱们先过一下价格": done first, in this call (with `_in_call`'s conditions).
_IN_CALL_FIRST = re.compile(r"^(?:那|就|也|还是)?先(?:给您|跟您|带您|给你|跟你|带你|为您|向您|给大家|跟大家|带大家)?(?:简单|大概|大致|快速)?"
                            r"(?:(?:给您|带您|给你|带你|给大家|带大家)看|演示|过一下|过一遍|介绍|讲|展示|说一下|说说)")
_LOOK_FIRST = re.compile(r"^(?:那|就|也|还是)?先(?:看一下|看看|看下)")
# What puts a move after the call: "会后我先给您演示一下", "回头我们先过一下合同".
_LATER = re.compile(r"回头|会后|之后|以后|过后|稍后|晚点|晚些|回去|改天|下次|随后")
# "我们法务", "我们老板": first person as a possessive, not the one who acts.
_POSSESSIVE = re.compile(r"^(?:的)?(?:法务|老板|领导|财务|IT|技术|团队|采购|同事|总经理|经理|总监|部门|公司|客户|这边的)")
_JOINT = re.compile(r"^(?:那|那就|那么|好|好的|行|就)*(?:咱们|我们)?(?:就)?")
_REQUEST = re.compile(r"^(?:那|那么|好|好的|嗯)*(?:您|你|你们|您这边|你们那边|你们这边)(?:这边|那边)?(?:能不能|能否|可不可以|可以|方便|帮忙|帮我|帮我们)?"
                      r"|^(?:麻烦|请)(?:您|你)?")
_ACCEPTANCE = re.compile(r"^(?:好的|好嘞|好|可以|没问题|行|当然|一定|ok|OK|嗯好|嗯，好|对，好|收到|马上|这个没问题)")
_TIME_OF_DAY = re.compile(r"^(?:的)?(?:早上|上午|中午|下午|晚上|傍晚)?(?:[0-9零一二两三四五六七八九十]+点(?:半|[0-9零一二三四五六七八九十]+分?)?)?(?:之前|前|以前)?")
_TRAILING = re.compile(r"(?:吧|吗|呢|啊|哈|呀|好吗|好不好|对吧|可以吗|行吗)+$")
_CLAUSES = re.compile(r"[，,；;。！!？?]+")
_MODAL_START = re.compile(r"^(?:会|能|可以|要|将|就|也|都)+")
# Obligation ("我得回去跟领导申请一下"): a step only with a date or a firmer marker.
_OBLIGED = re.compile(r"得|必须|需要")
_DATE_FREE_MARKER = re.compile(r"会|马上|尽快|争取|负责|打算|计划|把|这就|立刻")
_ONGOING = re.compile(r"(?:正|还)?在$|正在")
# An action already done: "讨论过了", "评估了一下" (not "了解").
_DONE = re.compile(r"^(?:过|完了|完(?=[。！!，,]|$)|了(?!解))")
# A clause with a subject of its own is not the first person's: "您再跟老板沟通", "他们周五会发".
_OTHER_SUBJECT = re.compile(r"^(?:您|你|他|她|它|他们|她们|你们|大家|对方|老板|领导|财务|法务|采购|技术|同事|客户)")
# A hypothetical condition holds for the rest of its sentence ("如果你们定了，我们下周就安排实施");
# 等 ("once ...") only for its own clause.
_HYPOTHETICAL = re.compile(r"^(?:您|你|你们|您这边|你们那边|贵司|我|我们|咱们)?(?:如果|要是|假如|万一|只要|除非)|(?<!方便)(?<!可以)(?<!有空)(?<!有时间)(?<!愿意)(?<!需要)的话")


def _date(text: str) -> str | None:
    """The first date phrase with the time of day after it ("下周四下午三点")."""
    phrases = date_phrases(text)
    if not phrases:
        return None
    first = phrases[0]
    at = text.find(first)
    tail = _TIME_OF_DAY.match(text[at + len(first) :]) if at >= 0 else None
    return first + (tail.group(0) if tail else "")


def _in_call(upto_verb: str, clause: str, subject: str = "") -> bool:
    """An undated (or "today") move during the call, without a later marker: "我给您介绍一下", "今天给您演示一下",
    "我先给您演示一下", "咱们先过一下价格", "我们先看一下这个报表页面" (not "会后我先给您演示一下", not
    "方案我们先看一下": the customer will review it)."""
    if _date(clause) not in (None, "今天") or _LATER.search(clause):
        return False
    if _IN_CALL.search(upto_verb) or _IN_CALL_FIRST.match(upto_verb):
        return True
    look = _LOOK_FIRST.match(upto_verb)
    if look is None or subject not in ("我们", "咱们", "咱"):
        return False
    # "我们先看一下这个报表页面" (something shown now); "方案我们先看一下" (reviewed later) is a step.
    return subject != "我们" or bool(clause[clause.find(look.group(0)) + len(look.group(0)) :].strip())


def _action(clause: str, start: int) -> str:
    """What is to be done: the clause after its subject, without modal words before it or particles
    after it ("会把白皮书发给您吧" -> "把白皮书发给您")."""
    text = _MODAL_START.sub("", clause[start:]) or clause[start:]
    return _TRAILING.sub("", text).strip("，, ") or clause


def _own_commitment(clause: str) -> str | None:
    """The action a first-person clause commits to, or None."""
    subject = _FIRST_PERSON.search(clause)
    if subject is None or subject.start() > 8:
        return None
    rest = clause[subject.end() :]
    if _POSSESSIVE.match(rest):
        return None
    verb = _ACTION.search(rest)
    if verb is None or _in_call(rest[: verb.end() + 2], clause, subject.group(0)):
        return None
    between = rest[: verb.start()]
    before = clause[: subject.start()]  # "回头我跟技术确认一下"
    if _NEGATION.search(between) or between.endswith("不") or not (
            _PLAN_MARKER.search(between) or _PLAN_MARKER.search(before) or _date(rest)):
        return None
    if _ONGOING.search(between):
        return None  # going on now, not planned: "我们内部还在评估"
    if _OBLIGED.search(between) and not (_DATE_FREE_MARKER.search(between) or _date(rest)):
        return None  # what one has to do, not a plan: "这个我得回去跟领导申请一下"
    if "想" in between and not _date(rest):
        return None  # a wish: "我们还是想先内部讨论一下"
    if _DONE.match(rest[verb.end() :]):
        return None  # done, not planned: "我们内部讨论过了", "我们内部评估了一下"
    return _action(rest, 0)


def _continued(clause: str) -> str | None:
    """A clause without a subject that goes on with the first person's commitment before it in the
    same sentence: "我回去跟老板汇报一下，周五前给您答复" (the second clause)."""
    if _OTHER_SUBJECT.match(clause):
        return None
    verb = _ACTION.search(clause)
    if verb is None or verb.start() > 10 or _in_call(clause[: verb.end() + 2], clause):
        return None
    between = clause[: verb.start()]
    if _NEGATION.search(between) or between.endswith("不") or _DONE.match(clause[verb.end() :]):
        return None
    if not (_PLAN_MARKER.search(between) or _date(clause)):
        return None
    return _action(clause, 0)


def _joint_proposal(clause: str) -> str | None:
    """A dated joint step without a subject: "下周四下午三点再约"."""
    opener = _JOINT.match(clause)
    body = clause[opener.end() :] if opener is not None else clause
    when = _date(body)
    if when is None or not body.startswith(when[:2]):
        return None
    verb = _ACTION.search(body)
    if verb is None or _NEGATION.search(body[: verb.start()]) or _in_call(body[: verb.end() + 2], body):
        return None
    return _action(body, 0)


def _request(clause: str) -> str | None:
    """An action asked of the listener: "您能把合同发我一下吗"."""
    m = _REQUEST.search(clause)
    if m is None or not m.group(0):
        return None
    rest = clause[m.end() :]
    verb = _ACTION.search(rest)
    if verb is None or _NEGATION.search(rest[: verb.start()]):
        return None
    return _action(rest, 0)


# "等我…完了" (once I have ...): a task of the speaker's own before the step that follows it.
_ONCE_I = re.compile(rf"^等{_SPEAKER}")
# Without a comma the step starts at its 再 ("等我跟老板商量完了再给您打电话").
_ONCE_THEN = re.compile(r"(?<=^等)(.*?[了完好后])(?=再)")
# The same order without 等: "我跟老板商量完了再给您回电话" (a done marker, then 再).
_DONE_THEN = re.compile(rf"^{_SPEAKER}[^再]*?(?:完了|完|好了|之后|以后)(?=再)")


def _clauses(text: str) -> list[str]:
    """The clauses of a sentence, an unpunctuated "（等）我…完了再…" cut before its 再."""
    out: list[str] = []
    for clause in (c for c in _CLAUSES.split(text) if c):
        m = _ONCE_THEN.search(clause) if _ONCE_I.match(clause) else _DONE_THEN.match(clause)
        out += [clause[: m.end()], clause[m.end() :]] if m else [clause]
    return out


def _blocked(text: str) -> bool:
    return bool(_CONDITION.search(text) or (_PAST.search(text) and re.search(r"了[。！!，,]*$", text)))


def chinese_step(sentences: Sequence[Sentence], i: int) -> NextStep | None:
    """The next step sentence `i` (Chinese) states, or None (see the module doc)."""
    s = sentences[i]
    if s.span._.is_rhetorical:
        return None
    text = plain(s.text)
    first_person = False  # an earlier clause of the sentence has a first-person subject
    for clause in _clauses(text):
        clause = re.sub(r"^(?:嗯|呃|那个|就是|然后|好的|好|对|行|OK|ok)+", "", clause) or clause
        if _HYPOTHETICAL.search(clause):
            return None
        if _blocked(clause):
            # "等我跟老板商量完了，再给您打电话": the speaker's own task first, then the step.
            first_person = first_person or bool(_ONCE_I.match(clause))
            continue
        action = _own_commitment(clause) or _joint_proposal(clause) or (_continued(clause) if first_person else None)
        subject = _FIRST_PERSON.search(clause)
        first_person = first_person or (subject is not None and subject.start() <= 8
                                        and not _POSSESSIVE.match(clause[subject.end() :]))
        speaker, when = s.speaker, _date(text)
        if action is None:
            action = _request(clause)
            accepted = _accepted_by(sentences, i) if action is not None else None
            if action is None or accepted is None:
                continue
            speaker, when = accepted.speaker, when or _date(plain(accepted.text))
        elif _accepts_request(sentences, i):
            return None  # "可以，我让他们周三之前整理好": the step is the request it accepts
        return NextStep(speaker=speaker, start=s.start, end=s.end, text=s.text, action=action, date_phrase=when)
    return None


def _accepts_request(sentences: Sequence[Sentence], i: int) -> bool:
    """Sentence `i` accepts the other speaker's request just before it (that request is the step)."""
    if not _ACCEPTANCE.match(plain(sentences[i].text)):
        return False
    for k in range(i - 1, -1, -1):
        prev = sentences[k]
        if prev.speaker != sentences[i].speaker:
            return any(_request(c) for c in _CLAUSES.split(plain(prev.text)) if c)
    return False


def _accepted_by(sentences: Sequence[Sentence], i: int) -> Sentence | None:
    for nxt in sentences[i + 1 :]:
        if nxt.speaker != sentences[i].speaker:
            return nxt if _ACCEPTANCE.match(plain(nxt.text)) else None
    return None


__all__ = ["ACTIONS_ZH", "chinese_step"]
