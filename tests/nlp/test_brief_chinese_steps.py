"""Chinese next steps in the brief: a customer who takes it back (我回去跟老板汇报一下，周五前给您答复;
我们内部商量一下), a reply that gives the day of a proposed meeting (咱们下周再约个时间？ / 周四下午可以吗？ ->
下周四, owner both, and no unanswered question), the Chinese dates the brief resolves (这周内, 两天内,
三个工作日内, 月底前, 明天上午, 后天), and what must not become a step (the past, a hypothetical, other
people's plans, a question about the customer's schedule without a commitment)."""

from __future__ import annotations

import datetime as dt

import pytest

from nlp.analysis import analyze_transcript
from nlp.brief.dates import best_due, date_phrases
from nlp.brief.types import Brief
from tests.scripted import chinese_call

CALL_DATE = dt.date(2026, 12, 7)  # a Monday


def brief_of(*lines: tuple[str, str]) -> Brief:
    brief = analyze_transcript(chinese_call(*lines), call_date=CALL_DATE, call_date_source="argument").brief
    assert brief is not None
    return brief


def steps(*lines: tuple[str, str]) -> list[tuple[str, str | None, str | None]]:
    return [(i.text, i.owner, i.due) for i in brief_of(*lines).of_kind("next_step")]


@pytest.mark.parametrize(
    ("line", "due"),
    [
        ("我回去跟老板汇报一下，周五前给您答复。", "2026-12-11"),
        ("我们内部商量一下，这周内给您反馈。", "2026-12-11"),
        ("我这边再确认一下，两天内给您回复。", "2026-12-09"),
        ("我们内部评估一下，三个工作日内给您答复。", "2026-12-10"),
        ("我们争取月底前走完流程。", "2026-12-31"),
        ("好的，我回去评估一下。", None),
        ("我跟财务商量一下，下周二之前给您确定采购数量。", "2026-12-15"),
        ("我这边跟领导请示一下，明天给您回话。", "2026-12-08"),
        ("回头我跟技术确认一下再回复您。", None),
        ("等我跟老板商量完了，再给您打电话。", None),  # the speaker's own task first, then the step
        ("等我跟老板商量完了再给您打电话", None),  # unpunctuated, as a recogniser writes it
        ("我跟老板商量完了再给您回电话。", None),  # the same order without 等
    ],
)
def test_a_customer_who_takes_it_back_commits_to_a_step(line: str, due: str | None) -> None:
    found = steps(("R", "报价单和方案您先看一下。"), ("C", line))
    assert [(owner, d) for _, owner, d in found] == [("customer", due)]


@pytest.mark.parametrize(
    ("proposal", "reply", "due", "phrase"),
    [
        ("那咱们下周再约个时间？", "周四下午可以吗？", "2026-12-17", "下周四"),
        ("咱们下周再约个时间细聊吧？", "那就周四吧。", "2026-12-17", "下周四"),
        ("那咱们下周再碰一下？", "下周三上午十点行。", "2026-12-16", "下周三"),
        ("咱们再约个时间聊聊合同？", "明天下午可以。", "2026-12-08", "明天"),
        ("那咱们下周再约个时间？", "周四不行，周五上午可以。", "2026-12-18", "下周五"),
        ("咱们下周再约个时间？", "我周四下午有空。", "2026-12-17", "下周四"),
    ],
)
def test_a_reply_gives_the_day_of_a_proposed_meeting(proposal: str, reply: str, due: str, phrase: str) -> None:
    brief = brief_of(("R", "方案大概就是这样。"), ("R", proposal), ("C", reply))
    [step] = brief.of_kind("next_step")
    assert (step.owner, step.due, step.date_phrase) == ("both", due, phrase)
    assert not brief.of_kind("question")  # the reply dates the meeting; it is no open question


def test_a_day_given_to_a_question_about_when_is_a_meeting_both_set() -> None:
    [step] = brief_of(("R", "方案大概就是这样。"), ("R", "下周您有时间吗？"), ("C", "周三下午可以。")).of_kind("next_step")
    assert (step.text, step.owner, step.due, step.date_phrase) == ("周三下午可以", "both", "2026-12-16", "下周三")


def test_a_reply_that_declines_the_day_dates_nothing() -> None:
    brief = brief_of(("R", "那咱们下周再约个时间？"), ("C", "周四我不太方便。"))
    assert [(i.owner, i.due) for i in brief.of_kind("next_step")] == [("both", None)]


def test_a_commitment_in_the_reply_keeps_its_own_date() -> None:
    found = steps(("R", "我们会把安全白皮书一起发给您。"), ("C", "好的，我回去跟老板汇报一下，周五前给您答复。"))
    assert found == [("我们会把安全白皮书一起发给您", "rep", None),
                     ("好的，我回去跟老板汇报一下，周五前给您答复", "customer", "2026-12-11")]


@pytest.mark.parametrize(
    "lines",
    [
        (("R", "方案上周已经发过了。"), ("C", "哦，好的。")),  # the past
        (("C", "我们内部已经讨论过了。"), ("R", "好的。")),
        (("C", "我们内部讨论了一下，觉得价格偏高。"), ("R", "理解。")),
        (("R", "如果有需要我再联系您。"), ("C", "好的。")),  # a hypothetical
        (("C", "我们老板下周要去上海出差。"), ("C", "财务那边月底会做预算。")),  # other people's plans
        (("R", "您下周哪天有空？"), ("C", "下周我可能比较忙。")),  # a question, no commitment
        (("R", "您什么时候能给个答复？"), ("C", "这个不好说，要看领导的意思。")),
        (("C", "预算这个我得回去跟领导申请一下。"), ("R", "理解。")),  # what one has to do, undated
        (("C", "我不确定下周能不能定下来。"), ("R", "没关系。")),
        (("C", "这个我们再考虑考虑吧。"), ("R", "好的。")),
        (("R", "您要是觉得可以，我们下周就安排实施。"), ("C", "嗯。")),  # a hypothetical after its subject
        (("C", "我们内部还在评估。"), ("R", "好的。")),  # going on now
        (("C", "我们上个月评估过两家供应商。"), ("R", "明白。")),
        (("C", "他们下周会把合同发过来。"), ("R", "好的。")),
        (("R", "您这周能给个答复吗？"), ("C", "这周可能不行，下周吧。")),  # a request not accepted
        (("C", "等我们商量完了再说。"), ("R", "好的。")),  # wait and see
        (("C", "等你们定了，再说吧。"), ("R", "好的。")),
        (("C", "我们看完再说吧。"), ("R", "好的。")),
        (("C", "我们内部讨论完了。"), ("R", "好的。")),  # done, not planned
    ],
)
def test_no_step(lines: tuple[tuple[str, str], ...]) -> None:
    assert steps(*lines) == []


@pytest.mark.parametrize(
    ("text", "phrase", "due"),
    [
        ("这周内给您反馈", "这周内", "2026-12-11"),
        ("本周之内给您答复", "本周之内", "2026-12-11"),
        ("下周内搞定", "下周内", "2026-12-18"),
        ("这个月内签下来", "这个月内", "2026-12-31"),
        ("两天内给您回复", "两天内", "2026-12-09"),
        ("三个工作日内给您", "三个工作日内", "2026-12-10"),
        ("下个月底前", "下个月底", "2027-01-31"),
        ("月底前走完流程", "月底", "2026-12-31"),
        ("明天上午发您", "明天", "2026-12-08"),
        ("后天再打个电话", "后天", "2026-12-09"),
        ("下个月初给您确定", "下个月初", None),  # a window, no day
    ],
)
def test_chinese_dates(text: str, phrase: str, due: str | None) -> None:
    assert best_due(date_phrases(text), CALL_DATE) == (phrase, due)


def test_within_this_week_on_a_weekend_is_the_day_itself() -> None:
    assert best_due(date_phrases("这周内给您"), dt.date(2026, 12, 12)) == ("这周内", "2026-12-12")


@pytest.mark.parametrize(
    "line",
    [
        "我们先看一下这个报表页面。",  # done now, in this call
        "我先给您演示一下。",
        "咱们先过一下价格。",
        "我先简单介绍一下我们的产品。",
        "我先跟您讲讲。",
        "好，我们先过一遍审批流程。",
        "今天我先给您演示一下。",
    ],
)
def test_an_in_call_move_is_no_step(line: str) -> None:
    assert steps(("R", "您好，我是云帆软件的王磊。"), ("C", "好的。"), ("R", line)) == []


@pytest.mark.parametrize(
    ("line", "due"),
    [
        ("我下周二把方案发给您。", "2026-12-15"),
        ("会后我先把报价发您。", None),
        ("会后我先给您演示一下审批流程。", None),  # a later marker: after the call
        ("回头我先给您演示一下。", None),
        ("方案我们先看一下，周五前给您答复。", "2026-12-11"),  # the customer reviews it later
    ],
)
def test_a_move_after_the_call_stays_a_step(line: str, due: str | None) -> None:
    speaker = "C" if line.startswith("方案") else "R"
    found = steps(("R", "您好，我是云帆软件的王磊。"), ("C", "好的。"), (speaker, line))
    assert [(text, d) for text, _, d in found] == [(line.rstrip("。"), due)]
