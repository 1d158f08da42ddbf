"""The brief of a Chinese call in Chinese: the follow-up e-mail draft (greeting, thanks, the agreed
next steps with owners 我方/贵方/双方 and dates "12月8日周二前"), the chapter titles made of Chinese
key phrases, and the optional generated wording's prompts and grounding; the step owners a Chinese
call gets; English and any other language keep the English draft (`nlp.brief.language`)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

from nlp.analysis import analyze_transcript
from nlp.brief import wording
from nlp.brief.chapters import UNTITLED, _chinese_phrases
from nlp.brief.email import OWNER_LABELS, SENTENCES, action_zh, day_text_zh, draft_email, shorten_zh
from nlp.brief.language import brief_language
from nlp.brief.money import chinese_amount
from nlp.brief.types import Brief, BriefItem
from tests.scripted import chinese_call, scripted_transcript
from transcription.display import clock
from transcription.types import Transcript

CALL_DATE = dt.date(2026, 12, 7)  # a Monday

CALL = (
    ("R", "您好，李经理，我是云帆软件的王磊。感谢您今天抽时间跟我们聊。"),
    ("C", "你好。我们现在用的是金蝶，销售这边基本还是Excel。"),
    ("R", "明白。那价格方面，标准版是按用户数收费，每个账号一年两千四。"),
    ("C", "预算这个我得跟老板汇报一下。"),
    ("R", "那我下周二把方案和报价单发给您，您再跟老板沟通，好吗？"),
    ("C", "好的，没问题。您能把合同模板也发我一下吗？"),
    ("R", "可以，我明天发您。"),
    ("R", "那咱们下周五下午再约一次？"),
    ("C", "好的。"),
)


def named_call(*lines: tuple[str, str]) -> Transcript:
    transcript = chinese_call(*lines)
    transcript.speakers[0].name = "王磊"
    transcript.speakers[1].name = "李静"
    return transcript


def brief_of(transcript: Transcript) -> Brief:
    brief = analyze_transcript(transcript, call_date=CALL_DATE, call_date_source="argument").brief
    assert brief is not None
    return brief


def step(text: str, role: str = "rep", owner: str | None = "rep", due: str | None = None) -> BriefItem:
    return BriefItem(kind="next_step", text=text, start=1.0, end=2.0, speaker="R" if role == "rep" else "C",
                     role=role, confidence=0.9, owner=owner, due=due)  # type: ignore[arg-type]


def test_a_chinese_calls_draft_is_in_chinese_with_its_steps_owners_and_dates() -> None:
    brief = brief_of(named_call(*CALL))
    assert [(i.owner, i.due, i.date_phrase) for i in brief.of_kind("next_step")] == [
        ("rep", "2026-12-15", "下周二"),
        ("rep", "2026-12-08", "明天"),  # the customer asked, the rep said yes: the rep's step
        ("both", "2026-12-18", "下周五"),
    ]
    assert brief.email is not None
    assert brief.email.subject == "12月7日（周一）通话跟进"
    assert brief.email.body.splitlines() == [
        "李静，您好！",
        "",
        "感谢您在12月7日（周一）抽出时间与我沟通。",
        "",
        "我们约定的下一步：",
        "- 我方：下周二把方案和报价单发给您，您再跟老板沟通（12月15日周二前）",
        "- 我方：把合同模板也发您一下（12月8日周二前）",
        "- 双方：下周五下午再约一次（12月18日周五）",
        "",
        "顺祝商祺！",
        "王磊",
    ]


def test_the_chinese_draft_quotes_as_said_and_says_when_nothing_was_agreed() -> None:
    transcript = named_call(("R", "您好。"), ("C", "你好。"))
    long = "我们现在每个月五六百条线索都是我一个人在Excel里手工分配，经常分配不均，销售团队一直在抱怨，跟进记录也对不上。"
    heard = [BriefItem(kind="pain", text=long, start=5.0, end=9.0, speaker="C", role="customer", confidence=0.9),
             BriefItem(kind="need", text="要能和钉钉打通", start=10.0, end=11.0, speaker="C", role="customer",
                       confidence=0.9)]
    body = draft_email(heard, transcript, None).body.splitlines()
    assert body == [
        "李静，您好！",
        "",
        "感谢您抽出时间与我沟通。",
        "",
        "通话中您提到：",
        f"- “{long[:40]}……”",
        "- “要能和钉钉打通”",
        "",
        "我们还没有约定下一步。您看什么时候方便再沟通？",
        "",
        "顺祝商祺！",
        "王磊",
    ]
    assert draft_email([], transcript, None).subject == "通话跟进"
    transcript.speakers[1].name = None
    assert draft_email([], transcript, "2026-12-07").body.splitlines()[0] == "您好！"


def test_owners_and_due_dates_in_chinese() -> None:
    transcript = named_call(("R", "您好。"), ("C", "你好。"))
    items = [step("我下周二把报价发给您。", due="2026-12-15"),
             step("我回去跟我们老板汇报一下。", role="customer", owner="customer", due="2027-01-05"),
             step("好的，我们下周二再聊。", role="customer", owner="both", due="2026-12-15"),
             step("那我们一月初再跟进一下，您看行吗？", owner=None)]
    lines = draft_email(items, transcript, "2026-12-07").body.splitlines()
    assert lines[4:9] == [
        "我们约定的下一步：",
        "- 我方：下周二把报价发给您（12月15日周二前）",
        "- 贵方：回去跟贵司老板汇报一下（2027年1月5日周二前）",  # another year: with the year
        "- 双方：下周二再聊（12月15日周二）",  # a meeting: on the day, not before it
        "- 一月初再跟进一下",  # no owner known: no label
    ]
    assert day_text_zh("2026-12-11") == "12月11日（周五）"
    assert day_text_zh("2026-12-11", year=True, brackets=False) == "2026年12月11日周五"


@pytest.mark.parametrize(
    ("text", "role", "expected"),
    [
        ("那我下周二把方案和报价单发给您，您再跟老板沟通，好吗", "rep", "下周二把方案和报价单发给您，您再跟老板沟通"),
        ("没问题，我们会把安全白皮书一起发给您", "rep", "把安全白皮书一起发给您"),
        ("那我明天把三年的报价重新发您，您看可以吗", "rep", "明天把三年的报价重新发您"),
        ("那方便的话我们下周四下午三点再约一次把总经理也请过来可以吗", "rep", "下周四下午三点再约一次把总经理也请过来"),
        ("好，那我今天下午先拉个群，把小何也拉进来", "rep", "今天下午先拉个群，把小何也拉进来"),
        ("咱们下周再约个时间细聊吧", "rep", "下周再约个时间细聊"),
        ("麻烦您安排一下法务", "rep", "安排一下法务"),
        # The customer's words from the rep's side.
        ("您能把合同发我一下吗？", "customer", "把合同发您一下"),
        ("我回去跟我们老板汇报一下。", "customer", "回去跟贵司老板汇报一下"),
        ("好的。", "rep", "好的。"),  # nothing left: the words as said
    ],
)
def test_a_steps_action_in_chinese(text: str, role: str, expected: str) -> None:
    assert action_zh(step(text, role=role)) == expected


def test_every_language_has_the_same_sentences_and_others_fall_back_to_english() -> None:
    assert len({frozenset(table) for table in SENTENCES.values()}) == 1
    assert len({frozenset(table) for table in OWNER_LABELS.values()}) == 1
    assert len({frozenset(table) for table in wording.PROMPTS.values()}) == 1
    for table in SENTENCES.values():
        assert all(SENTENCES["en"][k].count("{") == v.count("{") for k, v in table.items())
    assert [brief_language(x) for x in ("zh", "zh-CN", "ZH_hans", "en", "de", "", None)] == [
        "zh", "zh", "zh", "en", "en", "en", "en"]
    assert shorten_zh("短句") == "短句"

    english = scripted_transcript(("S1", "I'll send you the proposal by Friday."), ("S2", "Sounds good."))
    english.speakers[0].name, english.speakers[1].name = "Alex Rivera (Acme)", "Jordan Lee"
    items = [replace(step("I'll send you the proposal by Friday."), due="2026-12-11")]
    expected = draft_email(items, english, "2026-12-07")
    assert expected.subject == "Following up on our call on Monday, December 7"
    assert expected.body.splitlines()[-4] == "- Me: Send you the proposal by Friday (by Friday, December 11)"
    for language in ("de", "ja", "en-US"):
        assert draft_email(items, replace(english, language=language), "2026-12-07") == expected


def test_chinese_key_phrases_title_the_chapters() -> None:
    topic_a = [("R", "您这边现在的线索是怎么分配的？销售团队有多少人？"),
               ("C", "我们销售团队三十个人，线索都是我手工分配，每个月五六百条线索，经常分配不均。"),
               ("R", "我们的系统可以按区域自动分配线索，销售团队每个人都能在手机上看到自己的线索。"),
               ("C", "那线索跟进的记录能不能自动同步？现在销售团队的跟进记录都在Excel里。"),
               ("R", "可以，跟进记录会自动同步到客户档案里，主管也能看到每条线索的跟进进度。"),
               ("C", "线索分配和跟进记录这两块是我们最头疼的，销售团队也一直在抱怨。")]
    topic_b = [("R", "那我们再说说合同和付款方式。合同一般是一年一签，付款可以年付或者按季度付款。"),
               ("C", "我们法务要先审合同条款，特别是数据安全和违约责任这两条合同条款。"),
               ("R", "没问题，合同条款我们可以按贵司法务的模板来改，数据安全条款也可以单独签保密协议。"),
               ("C", "付款方式我们希望按季度付款，发票要开增值税专用发票。"),
               ("R", "按季度付款可以，增值税专用发票也没问题，合同里写清楚付款节点和发票类型。"),
               ("C", "好的，那合同条款和付款节点你们先出一个草稿，我们法务再看。")]
    transcript = chinese_call(*(topic_a * 3), *(topic_b * 3))
    brief = brief_of(transcript)
    said = "".join(w.word for w in transcript.words)
    assert [c.title for c in brief.chapters] == ["销售团队与线索", "合同条款与增值税专用发票"]
    for chapter in brief.chapters:
        assert chapter.key_phrases and all(p in said for p in chapter.key_phrases)
    # Nouns in runs, people's names, one-character and generic words left out.
    words = ["老板", "问", "我", "为什么", "王磊", "的", "CRM", "系统", "和", "时间", "报价单"]
    assert _chinese_phrases(words, {"王磊"}) == [("crm 系统", "CRM系统"), ("报价单", "报价单")]


def test_a_chinese_chapter_without_key_phrases_is_untitled_in_chinese() -> None:
    brief = brief_of(chinese_call(("R", "您好您好，好久不见。"), ("C", "是啊，好久不见，最近怎么样？"),
                                  ("R", "挺好的，谢谢。")))
    assert [c.title for c in brief.chapters] == ["第 1 部分"]
    assert UNTITLED["en"].format(n=1) == "Part 1"


def test_chinese_step_owners_and_dates() -> None:
    brief = brief_of(chinese_call(
        ("R", "我们会把安全白皮书一起发给您。"),
        ("C", "好的，那我回去跟我们老板汇报一下，周五前给您答复。"),
        ("C", "麻烦您安排一下技术跟我们对接。"),
        ("R", "好的，没问题。"),
    ))
    assert [(i.text, i.owner, i.due) for i in brief.of_kind("next_step")] == [
        ("我们会把安全白皮书一起发给您", "rep", None),  # sent along (一起发), not a joint step; no date said
        # the customer takes it back to the boss and answers by Friday (tests/nlp/test_brief_chinese_steps.py)
        ("好的，那我回去跟我们老板汇报一下，周五前给您答复", "customer", "2026-12-11"),
        ("麻烦您安排一下技术跟我们对接", "rep", None),  # asked of the rep, who said yes
    ]


def test_the_generated_wording_of_a_chinese_call_is_asked_and_checked_in_chinese() -> None:
    transcript = named_call(*CALL)
    brief = brief_of(transcript)
    requests = wording.plan_requests(brief, language=transcript.language)
    system, user = requests[0].messages[0]["content"], requests[0].messages[1]["content"]
    assert system.startswith("你根据下面从一通销售电话中提取的条目") and "用简体中文写" in system
    step = next(k for k, item in enumerate(brief.items) if item.kind == "next_step")  # after the price, the boss
    assert user.splitlines()[:2] == [
        "通话中说到的条目，按章节排列（时间为从通话开始起的 分:秒）：",
        f"第 1 章：“{brief.chapters[0].title}”（0:00-{clock(brief.chapters[0].end)}）",
    ]
    assert f"[i{step}] 下一步（销售代表，负责：销售代表，截止：2026年12月15日（周二））于 " \
        f"{clock(brief.items[step].start)}：“那我下周二把方案和报价单发给您，您再跟老板沟通，好吗”" in user.splitlines()
    answer = json.dumps([
        {"text": "王磊将在下周二把方案和报价单发给客户，截止12月15日。", "cites": [f"i{step}"]},
        {"text": "客户需要跟老板沟通。", "cites": [f"i{step}"]},
        {"text": "客户希望下周二把合同签了。", "cites": [f"i{step}"]},
        {"text": "王磊会在3天内把报价单发给客户。", "cites": [f"i{step}"]},
        {"text": "The rep will send the proposal.", "cites": [f"i{step}"]},
    ], ensure_ascii=False)
    result = wording.word_brief(brief, transcript, lambda messages: answer)
    assert [s.text for s in result.kept] == ["王磊将在下周二把方案和报价单发给客户，截止12月15日。", "客户需要跟老板沟通。"]
    # 合同 is said 1.6 s after the step ends (您能把合同模板也发我一下吗), inside the evidence's margin
    assert [(d.text[:6], d.reason) for d in result.dropped] == [
        ("客户希望下周", "not said: 签了"), ("王磊会在3天", "not said: 3"),
        ("The re", "not said: send, proposal")]
    assert requests[0].messages == wording.plan_requests(brief, language="zh-CN")[0].messages
    assert result.requests[0].messages == requests[0].messages


def test_chinese_numbers_are_read_by_value() -> None:
    assert [chinese_amount(t) for t in ("两千四", "一万五", "一千零五", "三十万", "2.5万", "2400", "报价")] == [
        2400.0, 15000.0, 1005.0, 300000.0, 25000.0, 2400.0, None]
    transcript = named_call(*CALL)
    words = transcript.words
    at = next(k for k in range(len(words)) if "".join(w.word for w in words[k:k + 9]).startswith("每个账号一年两千四"))
    price = BriefItem(kind="price", text="每个账号一年两千四", start=words[at].start, end=words[at + 8].end,
                      speaker="R", role="rep", confidence=0.9, amount=2400.0)
    brief = Brief(items=[price])
    request = wording.WordingRequest(chapters=(0,), items=(0,), messages=[])
    kept, dropped = wording.check_sentences([{"text": "每个账号一年2400元。", "cites": ["i0"]},
                                             {"text": "每个账号一年3000元。", "cites": ["i0"]}],
                                            request, brief, transcript, [0])
    assert [s.text for s in kept] == ["每个账号一年2400元。"]
    assert [d.reason for d in dropped] == ["not said: 3000"]
