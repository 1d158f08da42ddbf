"""The brief's items in Chinese (`nlp.brief.chinese_items`): the customer's pains, needs, objections
with their topic, budgets with their amount and decisions with who decides, and the prices the rep
quotes, found by cue tables and a rule score; negated, hypothetical, solved and asked ones are not,
nor the rep's descriptions; and a Chinese call's follow-up draft quotes the customer."""

from __future__ import annotations

import datetime as dt

import pytest

from nlp.analysis import analyze_transcript
from nlp.brief.chinese_items import chinese_money
from nlp.brief.types import Brief, BriefItem
from tests.scripted import chinese_call
from transcription.types import Transcript

CALL_DATE = dt.date(2026, 12, 7)
KINDS = ("pain", "need", "objection", "budget", "decision", "price")


def brief_of(transcript: Transcript) -> Brief:
    brief = analyze_transcript(transcript, call_date=CALL_DATE, call_date_source="argument").brief
    assert brief is not None
    return brief


def items(*lines: tuple[str, str]) -> list[BriefItem]:
    return [i for i in brief_of(chinese_call(*lines)).items if i.kind in KINDS]


def said(transcript: Transcript, item: BriefItem) -> str:
    """What the item's speaker said between its start and end (one character a word; punctuation
    rides on the word before it)."""
    return "".join(w.word for w in transcript.words
                   if w.speaker == item.speaker and w.start >= item.start - 1e-6 and w.end <= item.end + 1e-6
                   ).rstrip("，。！；")


@pytest.mark.parametrize(("text", "kind", "detail", "amount"), [
    ("现在都是手工录入，每个月要花两三天。", "pain", None, None),
    ("我们经常漏单，客户也跟丢了好几个。", "pain", None, None),
    ("财务和销售的数据对不上。", "pain", None, None),
    ("必须支持私有化部署。", "need", None, None),
    ("系统要能和金蝶对接。", "need", None, None),
    ("最好能在手机上审批。", "need", None, None),
    ("你们这个太贵了。", "objection", "price", None),
    ("这个已经超预算了。", "objection", "price", None),
    ("说实话，价格有点高。", "objection", "price", None),
    ("能不能再便宜一点？", "objection", "price", None),
    ("这个事情下个季度再说吧。", "objection", "timing", None),
    ("现在不是时候。", "objection", "timing", None),
    ("这个项目先放一放。", "objection", "timing", None),
    ("这个我做不了主。", "objection", "authority", None),
    ("这个得问老板。", "objection", "authority", None),
    ("这么大的事要领导拍板。", "objection", "authority", None),
    ("我们已经在用销售易了。", "objection", "competition", None),
    ("别家报价比你们低不少。", "objection", "competition", None),
    ("你先发点资料给我看看。", "objection", "material", None),
    ("预算大概二十万。", "budget", None, 200_000),
    ("今年没有这笔预算。", "budget", None, None),
    ("最后是我们老板拍板。", "decision", "老板", None),
    ("合同要总经理签字。", "decision", "总经理", None),
    ("我们这种采购要走招标。", "decision", None, None),
    ("合同还要法务审核一下。", "decision", "法务", None),
])
def test_a_customers_chinese_sentence_is_found_with_its_topic_and_amount(
    text: str, kind: str, detail: str | None, amount: float | None
) -> None:
    transcript = chinese_call(("R", "好的，我了解一下情况。"), ("C", text))
    found = [i for i in brief_of(transcript).items if i.kind == kind]
    assert len(found) == 1, (text, found)
    item = found[0]
    assert (item.role, item.detail, item.amount) == ("customer", detail, amount)
    assert item.text in text and said(transcript, item) == item.text  # grounded: what was said, when


@pytest.mark.parametrize(("text", "amount"), [
    ("专业版每个座席每年三千六百元。", 3600),
    ("标准版是按用户数收费，每个账号一年两千四。", 2400),
    ("打完折一共是8.5万。", 85_000),
    ("三年签的话，总价是十二万五。", 125_000),
])
def test_the_reps_quoted_price_with_its_amount(text: str, amount: float) -> None:
    found = items(("C", "那价格大概是多少？"), ("R", text))
    assert [(i.kind, i.role, i.amount) for i in found] == [("price", "rep", amount)]


@pytest.mark.parametrize("text", [
    "我们没有漏单的问题。",  # negated
    "也不算太贵。",
    "我们不一定要私有化部署。",
    "如果数据对不上，那就麻烦了。",  # hypothetical
    "要是太贵的话，我们就不考虑了。",
    "以前经常漏单，现在好多了。",  # solved
    "你们的系统会不会漏单？",  # a question is not a pain
    "我们线索大概五六百条。",  # a count is not money
    "主要是我在分配线索。",
    "有什么需要我们准备的，随时跟我说就行。",
])
def test_negated_hypothetical_solved_and_asked_ones_are_not_items(text: str) -> None:
    assert items(("R", "好的，我了解一下情况。"), ("C", text)) == []


def test_the_reps_sentences_are_not_the_customers_pains_and_the_customers_sums_not_prices() -> None:
    assert items(("R", "很多客户都是手工录入，经常漏单，数据也对不上。"), ("C", "嗯，是的。")) == []
    # the customer's own spend, asked about the budget, is the budget, not a price
    assert [i.kind for i in items(("R", "您这边预算大概在什么范围？"), ("C", "我们现在每年在这块花十万。"))] == ["budget"]
    assert items(("C", "你们一年多少钱？"), ("R", "您这边预算是二十万吗？")) == []


def test_a_budget_said_as_the_answer_and_its_amount_clause() -> None:
    found = items(("R", "那你们的预算大概是多少？"), ("C", "今年预算有限，大概二十万以内。"))
    assert [(i.kind, i.text, i.amount) for i in found] == [("budget", "今年预算有限，大概二十万以内", 200_000)]


def test_an_item_is_the_clause_around_its_cue() -> None:
    found = items(("R", "您这边现在怎么做？"), ("C", "我们有三十个销售，现在都是手工录入，每个月要花两三天，老板也不满意。"))
    assert [(i.kind, i.text) for i in found] == [("pain", "现在都是手工录入")]


def test_chinese_amounts() -> None:
    assert chinese_money("预算大概二十万") == 200_000
    assert chinese_money("每个账号一年两千四") == 2400
    assert chinese_money("5万元") == 50_000
    assert chinese_money("三十个人，五六百条线索") is None
    assert chinese_money("打八折") is None


def test_a_chinese_calls_draft_quotes_the_customers_pains_and_needs() -> None:
    transcript = chinese_call(
        ("R", "您好，李经理，我是云帆软件的王磊。您这边现在客户信息是怎么管的？"),
        ("C", "现在都是手工录入，每个月要花两三天。而且经常漏单。"),
        ("R", "明白。那对新系统有什么要求？"),
        ("C", "必须支持私有化部署，还要能和金蝶对接。"),
        ("R", "没问题。标准版每个账号一年两千四。"),
        ("C", "有点贵，这个我得问老板。"),
        ("R", "理解。那我下周二把方案发给您。"),
        ("C", "好的。"),
    )
    transcript.speakers[0].name = "王磊"
    transcript.speakers[1].name = "李静"
    brief = brief_of(transcript)
    assert [(i.kind, i.text, i.detail, i.amount) for i in brief.items if i.kind in KINDS] == [
        ("pain", "现在都是手工录入", None, None),
        ("pain", "经常漏单", None, None),
        ("need", "必须支持私有化部署", None, None),
        ("price", "标准版每个账号一年两千四", None, 2400),
        ("objection", "有点贵", "price", None),
        ("decision", "这个我得问老板", "老板", None),
    ]
    assert brief.email is not None
    body = brief.email.body.splitlines()
    at = body.index("通话中您提到：")
    assert body[at + 1 : at + 4] == ["- “现在都是手工录入”", "- “经常漏单”", "- “必须支持私有化部署”"]
