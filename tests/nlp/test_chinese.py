"""The language stage on Chinese text: writing (spaces, characters), sentences, question types,
fillers, trackers, next steps, roles and metrics, and the labelled evaluation sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.chinese_calls import CALLS, check_call
from bench.chinese_questions import classify, load_items, score, unpunctuated
from nlp.chinese.fillers import chinese_filler_spans
from nlp.fillers import count_fillers, count_words
from nlp.language import analyze_language
from nlp.metrics import compute_metrics
from nlp.next_steps import find_next_steps
from nlp.questions.chinese import read_chinese
from nlp.sentences import split_sentences
from nlp.speaker_roles import infer_roles_from_content
from tests.scripted import chinese_call
from transcription.scripts import is_chinese_text, split_chinese, spoken_units, word_offsets
from transcription.transcript_io import read_vtt
from transcription.types import Speaker, Transcript, Word, join_words


def test_chinese_text_is_joined_without_spaces_and_latin_words_keep_theirs() -> None:
    assert join_words(["甚", "至", "出现，", "我们", "用", "Salesforce", "的", "方案。"]) == "甚至出现，我们用 Salesforce 的方案。"
    assert join_words(["I", "see", "it."]) == "I see it."
    text, offsets = word_offsets(["价", "格", "", "是", "CRM"])
    assert (text, offsets) == ("价格是 CRM", [0, 1, 2, 2, 4])
    assert split_chinese("您好，我是Alex。") == ["您", "好，", "我", "是", "Alex。"]
    assert [spoken_units(t) for t in ("情况", "3点", "Salesforce", "，")] == [2, 2, 1, 0]
    assert is_chinese_text("我们用 Salesforce") and not is_chinese_text("We use 钉钉 daily")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # open: question words in place, elliptical 呢, invitations
        ("您这边现在用的是什么系统？", "open"),
        ("你们销售团队大概有多少人", "open"),
        ("这个决定最后是谁来拍板", "open"),
        ("你们一般几月份做预算", "open"),
        ("那预算这块呢？", "open"),
        ("您给我讲讲你们现在的跟进流程。", "open"),
        ("能不能简单介绍一下你们的业务？", "open"),
        ("我想问一下，你们的数据一般存在哪里？", "open"),
        ("那我们这边需要准备什么？", "open"),
        # yes_no: 吗, A-not-A, V了没有, 可以吗
        ("你们现在有CRM系统吗？", "yes_no"),
        ("你们是不是已经在用金蝶了", "yes_no"),
        ("方便不方便把合同先发给法务看一下？", "yes_no"),
        ("你们有什么特别的需求吗？", "yes_no"),
        ("您那边合同签了没有？", "yes_no"),
        ("我们下周四下午三点再约，可以吗？", "yes_no"),
        ("你们用没用过类似的工具", "yes_no"),
        # choice
        ("你们是想先试用还是直接采购？", "choice"),
        ("部署的话是公有云还是私有化", "choice"),
        ("合同是你们出模板还是用我们的", "choice"),
        # tag
        ("这个方案你们上周已经看过了，对吧？", "tag"),
        ("合同还要法务再过一遍是吧", "tag"),
        ("下周二把方案发过去，好吗？", "tag"),
        # declarative: statement with "？", presumption with 吧
        ("你们现在还在用Excel？", "declarative"),
        ("您是负责IT这块的吧", "declarative"),
        # not questions: embedded, reported, set phrases, indefinites, suggestions, 还是 "still"
        ("我不知道你们有没有听说过我们公司。", None),
        ("他问我什么时候能上线。", None),
        ("老板问我为什么这个季度还没签下来。", None),
        ("我们还在考虑要不要换系统。", None),
        ("哪里哪里，您过奖了。", None),
        ("有什么问题您随时联系我。", None),
        ("我们试过好几家供应商了。", None),
        ("我们这边有几个问题想跟您确认一下。", None),
        ("多多少少会有一些迁移成本。", None),
        ("怎么说呢，我们对现在的系统不是很满意。", None),
        ("我们还是想先内部讨论一下。", None),
        ("价格还是有点高。", None),
        ("我们先试用一个月吧。", None),
        ("我来给您介绍一下我们的产品", None),
        ("没事没事，不着急。", None),
        ("价格是多少其实不是最关键的。", None),
    ],
)
def test_question_types(text: str, expected: str | None) -> None:
    reading = read_chinese(text)
    assert (None if reading.is_backchannel else reading.type) == expected


@pytest.mark.parametrize("text", ["是吗？", "真的吗？", "嗯嗯。", "对对对。", "好的好的。"])
def test_reactions_are_backchannels_not_questions(text: str) -> None:
    assert read_chinese(text).is_backchannel


def test_sentences_split_at_punctuation_particles_and_pauses() -> None:
    punctuated = chinese_call(("R", "您好，我是王磊。你们用的什么系统？"))
    assert [s.text for s in split_sentences(punctuated)] == ["您好，我是王磊。", "你们用的什么系统？"]
    # Unpunctuated (as Whisper writes short Mandarin): after a final particle ...
    particles = chinese_call(("R", "你们有预算吗我们这边可以打折"))
    sents = split_sentences(particles)
    assert [s.text for s in sents] == ["你们有预算吗", "我们这边可以打折"]
    assert [s.span._.question_type for s in sents] == ["yes_no", None]
    # ... and at a pause in the words' times.
    words = chinese_call(("R", "好的明白")).words + [
        Word(3.0 + 0.25 * k, 3.2 + 0.25 * k, c, "R") for k, c in enumerate("你们一般几月份做预算")]
    paused = Transcript(duration_s=6.0, speakers=[Speaker("R", role="rep")], words=words, source="audio-mono",
                        language="zh")
    assert [s.text for s in split_sentences(paused)] == ["好的明白", "你们一般几月份做预算"]
    assert paused.turns[0].text == "好的明白你们一般几月份做预算"


def test_a_tag_in_a_sentence_of_its_own_after_ones_own_statement() -> None:
    call = chinese_call(("R", "你们现在每个月大概五百条线索。对吧？"), ("C", "对。"), ("C", "是吧？"))
    found = analyze_language(call, semantic=False)
    assert [(q.speaker, q.type, q.text) for q in found.questions] == [("R", "tag", "对吧？")]


@pytest.mark.parametrize(
    ("text", "fillers"),
    [
        ("嗯，那个，我们预算不多", ["嗯", "那个"]),
        ("那个方案我看过了", []),
        ("就是，我们其实预算不是很多", ["就是"]),
        ("这就是我们的产品", []),
        ("然后我们就把数据导到Excel里", []),
        ("然后，然后就是那个安全审查", ["然后", "然后", "就是"]),
        ("呃我们还没定", ["呃"]),
        ("嗯嗯，好的", []),
        ("是啊", []),
    ],
)
def test_fillers(text: str, fillers: list[str]) -> None:
    assert [text[a:b] for a, b in chinese_filler_spans(text)] == fillers


def test_words_and_fillers_are_counted_in_characters() -> None:
    call = chinese_call(("R", "嗯，那个，我们的价格是 CRM 行业最低的"), ("C", "呃好的"))
    assert count_words(call.words) == {"R": 15, "C": 3}  # 14 characters and CRM
    assert count_fillers(call.words) == {"R": 2, "C": 1}
    metrics = compute_metrics(call, [], count_fillers(call.words))
    assert metrics.filler_rate_rep == round(100 * 2 / 15, 3)
    rep_time = sum(w.end - w.start for w in call.words if w.speaker == "R")
    assert metrics.words_per_minute_rep == round(15 / (rep_time / 60), 2)


def test_trackers_match_chinese_phrases_as_written_and_respect_who_says_them() -> None:
    call = chinese_call(
        ("R", "标准版是按用户数收费，您这边预算大概多少？"),
        ("C", "我们现在用的是金蝶，说实话有点贵。"),
        ("C", "私有化部署你们支持吗？能不能再便宜一点？"),
        ("R", "我们也支持 salesforce 的数据导入。"),
    )
    hits = [(h.tracker, h.speaker, h.phrase) for h in analyze_language(call, semantic=False).trackers]
    assert hits == [
        ("pricing", "R", "按用户数"),
        ("budget_objection", "C", "有点贵"),
        ("competitors", "C", "金蝶"),
        ("security", "C", "私有化部署"),
        ("discount_request", "C", "便宜一点"),
        ("competitors", "R", "Salesforce"),
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([("R", "我下周二把方案发给您。")], [("R", "下周二把方案发给您", "下周二")]),
        ([("R", "好的，那我们下周四下午三点再约。")], [("R", "下周四下午三点再约", "下周四下午三点")]),
        ([("R", "我们会把安全白皮书一起发给您。")], [("R", "把安全白皮书一起发给您", None)]),
        ([("R", "您能把法务的意见整理一下发我吗？"), ("C", "可以，我让他们周三之前整理好。")],
         [("C", "把法务的意见整理一下发我", "周三之前")]),
        ([("R", "您能把合同发我一下吗？"), ("C", "这个我得问问老板。")], []),  # not accepted
        ([("R", "我给您介绍一下我们的产品。")], []),  # a move within the call
        ([("R", "那个报价单我昨天已经发给您了。")], []),  # done already
        ([("R", "如果你们定了，我们下周就安排实施。")], []),  # a condition
        ([("R", "我们不会把数据发给第三方。")], []),  # negated
        ([("C", "嗯，条款我们法务还要再看一下。")], []),  # "our legal", not "we"
    ],
)
def test_next_steps(lines: list[tuple[str, str]], expected: list[tuple[str, str, str | None]]) -> None:
    steps = find_next_steps(split_sentences(chinese_call(*lines)))
    assert [(n.speaker, n.action, n.date_phrase) for n in steps] == expected


def test_roles_from_what_is_said() -> None:
    call = chinese_call(
        ("A", "您好，我是云帆软件的王磊，感谢您今天抽时间跟我们聊。"),
        ("B", "你好。"),
        ("A", "您这边现在用的是什么系统？团队大概有多少人？"),
        ("B", "我们现在用的是金蝶，销售大概三十个人。你们的价格大概是多少？"),
        ("A", "我们的产品是按用户数收费的，我下周二把报价单发给您。"),
        ("B", "好的。"),
    )
    call.speakers = [Speaker("A"), Speaker("B")]
    found = analyze_language(call, semantic=False)
    verdict = infer_roles_from_content(call, found.questions, found.next_steps)
    assert verdict.rep == "A" and verdict.confidence >= 0.8


def test_a_chinese_vtt_is_read_as_characters_with_times_spread_over_the_cue(tmp_path: Path) -> None:
    vtt = tmp_path / "call.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v 王磊>您好，我是 Alex。\n", encoding="utf-8")
    t = read_vtt(vtt)
    assert t.language == "zh"
    assert [w.word for w in t.words] == ["您", "好，", "我", "是", "Alex。"]
    assert t.words[0].start == 1.0 and t.words[-1].end == 4.0
    assert all(a.end == b.start for a, b in zip(t.words, t.words[1:], strict=False))
    assert t.turns[0].text == "您好，我是 Alex。"


def test_the_question_set_meets_its_targets_on_the_heldout_third() -> None:
    items = [i for i in load_items() if i.split == "heldout"]
    assert len(load_items()) >= 300 and len(items) >= 100
    gold = [i.label for i in items]
    written = score(gold, classify([i.text for i in items]))
    assert written.f1 >= 0.85 and written.type_accuracy >= 0.85
    bare = score(gold, classify([unpunctuated(i.text) for i in items]))
    assert bare.precision >= 0.95  # without "？" a declarative question reads as a statement, nothing more


def test_the_labelled_calls_are_exact_end_to_end() -> None:
    checks = [check_call(p) for p in sorted(CALLS.glob("*.yaml"))]
    assert len(checks) >= 10
    assert [c.id for c in checks if not c.exact] == []
