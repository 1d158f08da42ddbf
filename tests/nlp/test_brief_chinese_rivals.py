"""The brief on Chinese calls: competitors (`nlp.brief.competitors`: vendors the customer uses,
tried, evaluates or got a quote from, not a system to connect with nor the seller), customer
questions the rep leaves unanswered (`nlp.brief.unanswered`: a change of subject, 这个我们回头再说),
and every item's times on the characters that say its text (`nlp.brief.spans`: `WordMap` and
`is_grounded` join Chinese characters without spaces)."""

from __future__ import annotations

import datetime as dt

import pytest

from nlp.analysis import analyze_transcript
from nlp.brief.competitors import zh_vendor_words
from nlp.brief.spans import WordMap, is_grounded
from nlp.brief.types import Brief, BriefItem
from tests.scripted import chinese_call
from transcription.types import Transcript, Word

CALL_DATE = dt.date(2026, 12, 7)
HELLO = ("R", "您好，我是云帆软件的王磊。")


def brief_of(transcript: Transcript) -> Brief:
    brief = analyze_transcript(transcript, call_date=CALL_DATE, call_date_source="argument").brief
    assert brief is not None
    return brief


def of_kind(transcript: Transcript, kind: str) -> list[BriefItem]:
    return [i for i in brief_of(transcript).items if i.kind == kind]


def tight(item: BriefItem, words: list[Word]) -> bool:
    """The item's start is the start of the word its text begins in and its end the end of the
    word it ends in: the words in [start, end] say the text and nothing before or after it."""
    said = [w for w in words if w.speaker == item.speaker and w.start >= item.start - 1e-6 and w.end <= item.end + 1e-6]
    if not said:
        return False
    text = item.text.replace(" ", "")
    return text.startswith(said[0].word.strip().rstrip("，。？！；、")) and said[-1].word.strip().rstrip(
        "，。？！；、") in text[-len(said[-1].word.strip()):]


def test_vendor_words_come_from_the_competitors_tracker() -> None:
    vendors = zh_vendor_words()
    assert {"用友", "金蝶", "销售易", "纷享销客", "Salesforce"} <= set(vendors)
    assert not {"别家", "竞品", "其他供应商", "竞争对手"} & set(vendors)


@pytest.mark.parametrize(("text", "vendors"), [
    ("我们现在用的是金蝶。", {"金蝶"}),
    ("我们之前试过销售易，不太好用。", {"销售易"}),
    ("我们也在看纷享销客。", {"纷享销客"}),
    ("用友那边给的报价比你们低。", {"用友"}),
    ("我们在对比销售易和纷享销客。", {"销售易", "纷享销客"}),
    ("金蝶用了三年，用友也试过。", {"金蝶", "用友"}),
    ("我们现在用的是Salesforce，太贵了。", {"Salesforce"}),
    ("我们之前用过Zoho，后来不用了。", {"Zoho"}),  # an unlisted name in a using context
    ("我们也在看飞书的方案。", {"飞书"}),  # a system, evaluated
    ("我们现在用的是Salesforce CRM。", {"Salesforce"}),  # the listed name, not "Salesforce CRM"
    # Not rivals: a system to connect with (a need), negated, a chat tool or a spreadsheet in plain use.
    ("系统要能和金蝶对接。", set()),
    ("你们能和用友的接口打通吗？", set()),
    ("我们没用过金蝶。", set()),
    ("我们平时用钉钉沟通。", set()),
    ("我们用Excel记客户。", set()),
])
def test_customer_names_a_competitor(text: str, vendors: set[str]) -> None:
    items = of_kind(chinese_call(HELLO, ("C", text), ("R", "明白。")), "competitor")
    assert {i.detail for i in items} == vendors
    assert all(i.role == "customer" and i.detail and i.detail in i.text for i in items)


def test_competitor_item_quotes_the_clause() -> None:
    items = of_kind(chinese_call(HELLO, ("C", "我们之前试过销售易，不太好用。"), ("R", "明白。")), "competitor")
    assert [(i.text, i.detail, i.confidence) for i in items] == [("我们之前试过销售易", "销售易", 0.95)]


def test_one_item_per_vendor_the_customers_own_words_first() -> None:
    call = chinese_call(("R", "你们之前用的是用友，对吧？"), ("C", "对，用友用了五年了。"), ("C", "用友还是挺稳定的。"))
    items = of_kind(call, "competitor")
    assert [(i.detail, i.role, i.text) for i in items] == [("用友", "customer", "用友用了五年了")]


def test_rep_saying_the_customer_uses_it_counts() -> None:
    items = of_kind(chinese_call(("R", "你们之前用的是用友，对吧？"), ("C", "对，用了五年了。")), "competitor")
    assert [(i.detail, i.role) for i in items] == [("用友", "rep")]


def test_answer_to_a_question_about_rivals() -> None:
    call = chinese_call(("R", "您这边还看了哪几家？"), ("C", "有销售易，还有HubSpot。"))
    assert {i.detail for i in of_kind(call, "competitor")} == {"销售易", "HubSpot"}


@pytest.mark.parametrize("lines", [
    [("R", "您好，我是销售易的王磊。"), ("C", "你好。你们销售易的价格怎么样？")],  # the seller's own company
    [("R", "我们的系统也能和钉钉打通，金蝶也可以。"), ("C", "好的。")],  # the rep's integrations
])
def test_not_competitors(lines: list[tuple[str, str]]) -> None:
    assert of_kind(chinese_call(*lines), "competitor") == []


@pytest.mark.parametrize(("question", "reply", "unanswered"), [
    ("你们支持私有化部署吗？", "好问题，我们先看一下这个报表页面。", True),
    ("你们支持私有化部署吗？", "好问题。我们先看一下这个报表页面。", True),
    ("你们的实施周期大概要多久？", "这个我们回头再说。先给您看一下报表。", True),
    ("你们的实施周期大概要多久？", "这个稍后再聊，我先给您演示一下审批流程。", True),
    ("你们的数据存在哪里？", "对了，您这边销售团队有多少人？", True),
    ("你们的数据存在哪里？", "这个我回去跟技术确认一下再答复您。", True),
    ("你们支持私有化部署吗？", "支持的，私有化和公有云都可以。", False),
    ("你们有移动端吗？", "有的，安卓和苹果都有。", False),
    ("你们的实施周期大概要多久？", "一般两周左右吧。", False),
    ("价格大概是多少？", "每个账号一年两千四。", False),
    ("你们的数据存在哪里？", "都在阿里云上，华东的机房。", False),
    ("能不能把合同模板发我一下？", "好的，我今天下午发您。", False),
    ("这个和你们的竞品比有什么优势？", "主要是实施快，我们一般两周就能上线。", False),
    ("为什么你们的价格比别人高？", "因为我们包含了实施和培训。", False),
])
def test_unanswered_customer_question(question: str, reply: str, unanswered: bool) -> None:
    call = chinese_call(HELLO, ("C", question), ("R", reply), ("C", "好的。"))
    items = of_kind(call, "question")
    assert [i.text for i in items] == ([question] if unanswered else [])  # the final "？" kept
    assert all(i.role == "customer" for i in items)


def test_deflection_is_surer_than_a_change_of_subject() -> None:
    deflected = of_kind(chinese_call(HELLO, ("C", "你们的实施周期大概要多久？"), ("R", "这个我们回头再说。")), "question")
    moved_on = of_kind(chinese_call(HELLO, ("C", "你们的数据存在哪里？"), ("R", "对了，您这边有多少人？")), "question")
    assert deflected[0].confidence > moved_on[0].confidence


def test_small_talk_and_requests_for_material_are_no_questions() -> None:
    for question in ("最近怎么样？", "你先发点资料给我看看好吗？"):
        call = chinese_call(HELLO, ("C", question), ("R", "对了，我们先看一下报表。"))
        assert of_kind(call, "question") == [], question


def test_word_map_counts_characters_on_chinese_text() -> None:
    call = chinese_call(("R", "好的。那我下周二发给您。"))
    brief_steps = of_kind(call, "next_step")
    assert [s.text for s in brief_steps] == ["那我下周二发给您"]
    first = next(w for w in call.words if w.word == "那")
    last = next(w for w in call.words if w.word.startswith("您"))
    assert (brief_steps[0].start, brief_steps[0].end) == (round(first.start, 3), round(last.end, 3))
    assert WordMap(call.words)._offset[:4] == [0, 1, 3, 4]  # 好 的。 那 我: no spaces between characters


def test_is_grounded_on_chinese_and_english() -> None:
    zh = chinese_call(("C", "我们现在用的是 Salesforce 的方案。"))
    end = zh.words[-1].end
    assert is_grounded("用的是 Salesforce 的方案", 0.0, end, "C", zh.words)
    assert not is_grounded("用的是 Salesforce 的方案", 0.0, zh.words[5].end, "C", zh.words)  # cut short
    assert not is_grounded("我们在用金蝶", 0.0, end, "C", zh.words)
    en = [Word(0.0, 0.2, "We", "C"), Word(0.3, 0.5, "tried", "C"), Word(0.6, 0.9, "Gong.", "C")]
    assert is_grounded("We tried Gong", 0.0, 0.9, "C", en)
    assert not is_grounded("tried Gong", 0.0, 0.5, "C", en)


RICH_CALL = (
    HELLO,
    ("C", "你好。我们现在用的是金蝶，之前也试过销售易。"),
    ("R", "那您这边现在最大的问题是什么？"),
    ("C", "现在都是手工录入，每个月要花两三天。系统必须支持私有化部署，还要能和金蝶对接。"),
    ("R", "明白。标准版每个账号一年两千四。"),
    ("C", "有点贵。我们今年预算大概二十万。这个得跟老板汇报一下。你们的数据存在哪里？"),
    ("R", "对了，您这边销售团队有多少人？"),
    ("C", "三十个左右。实施周期大概要多久？"),
    ("R", "这个我们回头再说。那我下周二把方案发给您，您看可以吗？"),
    ("C", "好的，我回去跟老板汇报一下，周五前给您答复。"),
)


def test_every_item_of_a_chinese_call_is_grounded_on_its_characters() -> None:
    call = chinese_call(*RICH_CALL)
    items = brief_of(call).items
    kinds = {i.kind for i in items}
    assert {"competitor", "question", "next_step", "pain", "need", "objection", "budget", "price"} <= kinds, kinds
    for item in items:
        assert is_grounded(item.text, item.start, item.end, item.speaker, call.words), item
        assert tight(item, list(call.words)), item


def test_a_chinese_question_item_keeps_its_final_full_width_question_mark_and_nothing_else_changes() -> None:
    call = chinese_call(*RICH_CALL)
    items = brief_of(call).items
    questions = [i.text for i in items if i.kind == "question"]
    assert questions == ["你们的数据存在哪里？", "实施周期大概要多久？"]
    for item in items:
        assert is_grounded(item.text, item.start, item.end, item.speaker, call.words), item
        if item.kind != "question":
            assert not item.text.endswith(("？", "?")), item  # other items' texts as before
    assert "那我下周二把方案发给您，您看可以吗" in [i.text for i in items if i.kind == "next_step"]
