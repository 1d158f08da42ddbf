"""Library text on the call page besides the warnings, in the reader's language
(`service.web.library_text`): the "No rep identified" card's `why` and a metric band's source. Every
template of `nlp.speaker_roles` (`NO_REP_...`) and `coaching.benchmarks` (`..._SOURCE`) has a
translated row whose English is the English page's; a Chinese reader's call page shows real notes
and sources in Chinese, and the English page and the API keep the libraries' English."""

from __future__ import annotations

import html
import re
import string
from pathlib import Path
from typing import Any

from service.core.i18n import DEFAULT_LOCALE, tr
from service.web.analysis_warnings import Table, recognised
from service.web.library_text import (
    band_source_rows,
    band_source_text,
    published_source_rows,
    roles_head_rows,
    roles_reason_rows,
    roles_why_rows,
    roles_why_text,
)
from service.web.wording import web_text
from tests.service.web.stored_call import HELLO_WORDS, signed_in_call
from transcription.types import Speaker, Transcript, TranscriptSource, Word

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
CJK = re.compile(r"[\u4e00-\u9fff]")
ROLES_TABLES: tuple[Table, ...] = (roles_why_rows, roles_head_rows, roles_reason_rows)
SOURCE_TABLES: tuple[Table, ...] = (band_source_rows, published_source_rows)


def _library_templates() -> dict[str, str]:
    """The roles note's templates (`NO_REP_...`) and the bands' sources (`..._SOURCE`), by name."""
    from coaching import benchmarks
    from nlp import speaker_roles

    found = {f"nlp.speaker_roles.{k}": v for k, v in vars(speaker_roles).items()
             if k.startswith("NO_REP_") and isinstance(v, str)}
    found |= {f"coaching.benchmarks.{k}": v for k, v in vars(benchmarks).items()
              if k.endswith("_SOURCE") and isinstance(v, str)}
    return found


def test_every_template_has_one_translated_row() -> None:
    templates = _library_templates()
    assert len(templates) == 15  # 10 of the roles note, 5 of the bands' sources
    tables: tuple[Table, ...] = (*ROLES_TABLES, band_source_rows)
    rows = [row for table in tables for row in table()]
    table = [row.template for row in rows]
    assert sorted(table) == sorted(templates.values()), "a template without a row, or a row without a template"
    assert {row.template for row in published_source_rows()} <= set(table)
    for row in rows:
        assert set(PLACEHOLDER.findall(row.message.msgid)) == row.fields(), row.template
        chinese = tr("zh_CN", row.message.msgid)
        assert chinese != row.message.msgid and CJK.search(chinese), row.template


def _sample(template: str) -> tuple[str, dict[str, str]]:
    """`template` written with a value for each field (a number where it has a number's format), and
    each field's text in it (a percentage's without its sign)."""
    values: dict[str, object] = {}
    texts: dict[str, str] = {}
    for _literal, name, spec, _conversion in string.Formatter().parse(template):
        if name:
            number = bool(spec and spec[-1] in "dfgen%")
            values[name] = (0.125 if spec and spec.endswith("%") else 12) if number else f"Val-{name}"
            texts[name] = format(values[name], spec or "").removesuffix("%")
    return template.format(**values), texts


def test_each_plain_row_reads_its_template_back_with_the_english_page_wording() -> None:
    """A text written from a row's template (one without a field made of other rows) is recognised
    as that row, with its values, and the row's English is what the English page shows."""
    for table in (roles_head_rows, roles_reason_rows, published_source_rows, band_source_rows):
        for row in table():
            if row.values:
                continue  # its fields are other rows' text: read back from real text below
            text, texts = _sample(row.template)
            message = recognised(text, table)
            assert message is not None and message.msgid == row.message.msgid, text
            assert {k: str(v) for k, v in message.params.items()} == texts, text
            assert str(message) == web_text(text), text


def _transcript(turns: list[tuple[str, str]], source: TranscriptSource = "vtt",
                speakers: tuple[str, ...] = ()) -> Transcript:
    words: list[Word] = []
    t = 0.0
    for speaker, text in turns:
        for tok in text.split():
            words.append(Word(round(t, 2), round(t + 0.3, 2), tok, speaker))
            t += 0.35
        t += 0.6
    ids = speakers or tuple(sorted({sp for sp, _ in turns}))
    return Transcript(duration_s=t, speakers=[Speaker(sid) for sid in ids], words=words, source=source)


CHAT = [("S1", "Morning. Did you see the game last night? It went on for ages."),
        ("S2", "I did. What a finish. Did you stay up for the whole thing?"),
        ("S1", "Most of it. I fell asleep before the end though.")]


def real_notes() -> list[str]:
    """`why`s as `nlp.speaker_roles` writes them: each head, and each reason of the content scorer."""
    from nlp.speaker_roles import infer_roles_from_content, roles_note

    calls = {
        "one_speaker": _transcript([("S1", text) for _, text in CHAT]),
        "no_words": _transcript([], speakers=("S1", "S2")),
        "few_words": _transcript([("S1", "Hi there"), ("S2", "Hello")]),
        "one_voice": _transcript([*[("S1", text) for _, text in CHAT], ("S2", "Yes.")]),
        "unclear": _transcript(CHAT),
    }
    reasons = {}
    for name, transcript in calls.items():
        verdict = infer_roles_from_content(transcript, [], [])
        assert verdict.rep is None and verdict.reason is not None, name
        reasons[name] = verdict.reason
    written: list[tuple[TranscriptSource, str | None]] = [
        ("vtt", reasons["one_speaker"]), ("json", reasons["no_words"]), ("audio-stereo", reasons["few_words"]),
        ("audio-mono", reasons["one_voice"]), ("vtt", reasons["unclear"]), ("audio-mono", None),
        ("audio-stereo", None), ("chat", None)]
    notes = [roles_note(_transcript(CHAT, source), reason) for source, reason in written]
    return [note.why for note in notes if note is not None]


# What a Chinese reader sees of `real_notes`, in their order.
CHINESE = [
    "尚未确定哪位说话人是销售代表：转写文本中没有说话人被标注为销售代表，而且只识别出一位说话人（S1），无从区分销售代表"
    "和客户。确定销售代表之前，所有销售代表指标都为空。",
    "尚未确定哪位说话人是销售代表：转写文本中没有说话人被标注为销售代表，而且通话中没有任何词语，无从区分销售代表和客户。"
    "确定销售代表之前，所有销售代表指标都为空。",
    "尚未确定哪位说话人是销售代表，而且通话只有 3 个词，太少，无法从对话内容判断谁是销售代表。确定销售代表之前，所有销售"
    "代表指标都为空。",
    "尚未确定哪位说话人是销售代表：这段单声道录音中没有声音与已录入的声纹档案匹配，而且一个声音（S1）占了 97% 的词，说话人"
    "很可能没有被区分开，无法从对话内容看出谁是销售代表。确定销售代表之前，所有销售代表指标都为空。",
    "尚未确定哪位说话人是销售代表：转写文本中没有说话人被标注为销售代表，而且从对话内容无法清楚判断谁是销售代表（最像销售"
    "代表的是 S1，置信度 0.50；需要达到 0.80）。确定销售代表之前，所有销售代表指标都为空。",
    "尚未确定哪位说话人是销售代表：这段单声道录音中没有声音与已录入的声纹档案匹配。确定销售代表之前，所有销售代表指标都为空。",
    "尚未确定哪位说话人是销售代表。确定销售代表之前，所有销售代表指标都为空。",
    "尚未确定哪位说话人是销售代表：转写文本中没有说话人被标注为销售代表。确定销售代表之前，所有销售代表指标都为空。",
]


def test_real_notes_read_in_chinese_and_as_the_english_page_always_showed_them() -> None:
    notes = real_notes()
    assert [roles_why_text(why, "zh_CN") for why in notes] == CHINESE
    for why in notes:
        message = recognised(why, roles_why_rows)
        assert message is not None and str(message) == web_text(why) == roles_why_text(why, DEFAULT_LOCALE)
    assert "(`--rep NAME`)" in notes[0] and "--rep" not in roles_why_text(notes[0], DEFAULT_LOCALE)


def test_a_note_any_part_of_which_no_template_writes_stays_english() -> None:
    older = ("No speaker is known to be the rep, and the rep could not be guessed. Every rep metric is empty "
             "until the rep is known.")
    assert recognised(older, roles_why_rows) is None
    assert roles_why_text(older, "zh_CN") == older
    assert band_source_text("a coach's own band", "zh_CN") == "a coach's own band"


def real_sources() -> list[str]:
    from coaching.benchmarks import TEAM_SOURCE, published_bands

    return [*(b.source for b in published_bands("en").values()), *(b.source for b in published_bands("zh").values()),
            TEAM_SOURCE.format(n=32)]


SOURCES_CHINESE = [
    "Gong Labs（公开数据）：赢单中销售代表发言占比约 43%；超过 65% 不利于成交",
    "Gong Labs（公开数据）：每通电话 11-14 个问题",
    "Gong Labs（公开数据）：客户最长叙述达到 4 分钟或以上为佳，50 秒或以下偏弱",
    "Gong Labs（公开数据）：赢单中销售代表发言占比约 43%；超过 65% 不利于成交（在英文通话上测得）",
    "Gong Labs（公开数据）：每通电话 11-14 个问题（在英文通话上测得）",
    "Gong Labs（公开数据）：客户最长叙述达到 4 分钟或以上为佳，50 秒或以下偏弱（在英文通话上测得）",
    "团队的赢单通话（中间 50%，n = 32）",
]


def test_band_sources_read_in_chinese_and_unchanged_in_english() -> None:
    sources = real_sources()
    assert sources[0] == "Gong Labs (published): rep talk ratio about 43% in won deals; above 65% hurts"
    assert sources[-1] == "team's won calls (middle 50%, n = 32)"
    assert [band_source_text(s, "zh_CN") for s in sources] == SOURCES_CHINESE
    assert [band_source_text(s, DEFAULT_LOCALE) for s in sources] == sources
    for source in sources:
        message = recognised(source, band_source_rows)
        assert message is not None and str(message) == source


def _roles_card(page: str) -> str:
    card = re.search(r'<section class="card warn" id="roles-note"[^>]*><h2[^>]*>[^<]*</h2>\s*<p>(.*?)</p>', page, re.S)
    assert card is not None, "no roles card"
    return html.unescape(card.group(1))


def _band_titles(page: str) -> list[str]:
    metrics = re.search(r'id="metrics".*?</table>', page, re.S)
    assert metrics is not None, "no metrics table"
    return [html.unescape(t) for t in re.findall(r'<span title="([^"]*)">', metrics.group(0))]


def test_the_call_page_shows_the_note_and_the_band_sources_in_chinese_and_the_api_keeps_english(
        tmp_path: Path) -> None:
    from coaching.benchmarks import published_bands

    why = real_notes()[3]  # a mono recording's, with the content scorer's reason
    note = {"why": why, "fix": "To fix this call, analyse the recording again with `--speakers 2`."}
    analysis: dict[str, Any] = {
        "schema_version": 1, "duration_s": 600.0, "has_timing": True, "language": "en", "warnings": [],
        "speakers": [{"id": "S1", "role": "unknown"}, {"id": "S2", "role": "unknown"}],
        **HELLO_WORDS,
        "metrics": {"talk_ratio": None, "question_count_rep": 3, "longest_customer_story_s": 20.0},
        "roles_note": note,
    }
    with signed_in_call(tmp_path, analysis, title="No rep call", media_kind="audio") as (client, call_id, secret):
        api = client.get(f"/v1/calls/{call_id}", headers={"Authorization": f"Bearer {secret}"})
        assert api.status_code == 200
        assert api.json()["analysis"]["roles_note"] == note  # the API keeps the library's English

        client.cookies.set("tt_lang", "zh-CN")
        page = client.get(f"/calls/{call_id}")
        assert page.status_code == 200
        assert _roles_card(page.text) == CHINESE[3]
        assert sorted(_band_titles(page.text)) == sorted(SOURCES_CHINESE[:3])

        client.cookies.set("tt_lang", "en")
        english = client.get(f"/calls/{call_id}").text
        assert _roles_card(english) == web_text(why) == why  # a mono note has no command line in its why
        assert sorted(_band_titles(english)) == sorted(b.source for b in published_bands("en").values())
