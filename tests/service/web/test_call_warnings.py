"""The analysis warnings on the call page in the reader's language (`service.web.analysis_warnings`):
every warning template of the libraries has a translated row whose English is the English page's,
a Chinese reader's call page shows real warnings in Chinese with their values, and the English page
and the API keep the analysis's English."""

from __future__ import annotations

import ast
import html
import re
import string
from pathlib import Path
from typing import Any

import numpy as np

from service.core.i18n import DEFAULT_LOCALE, Message, tr
from service.web.analysis_warnings import rows, template_pattern, warning_message, warning_text
from service.web.wording import web_text
from tests.service.web.stored_call import HELLO_WORDS, signed_in_call

REPO = Path(__file__).parents[3]
LIBRARIES = ("transcription", "nlp", "coaching")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _library_templates() -> dict[str, str]:
    """Every module-level `..._WARNING` string of the libraries, "module.NAME" -> its template (read
    from the source: a new warning constant is found without importing anything)."""
    found = {}
    for package in LIBRARIES:
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.parse(path.read_text()).body:
                targets = node.targets if isinstance(node, ast.Assign) else \
                    [node.target] if isinstance(node, ast.AnnAssign) else []
                value = getattr(node, "value", None)
                for target in targets:
                    if isinstance(target, ast.Name) and target.id.endswith("_WARNING") and \
                            isinstance(value, ast.Constant) and isinstance(value.value, str):
                        module = ".".join(path.relative_to(REPO).with_suffix("").parts)
                        found[f"{module}.{target.id}"] = value.value
    return found


def _sample(template: str) -> tuple[str, dict[str, str]]:
    """`template` written with a value for each field (a number where it has a number's format), and
    each field's text in it."""
    values: dict[str, object] = {}
    texts: dict[str, str] = {}
    for _literal, name, spec, _conversion in string.Formatter().parse(template):
        if name:
            values[name] = 12.5 if spec and spec[-1] in "dfgen%" else f"Val-{name}"
            texts[name] = format(values[name], spec or "")
    return template.format(**values), texts


def test_every_library_warning_template_has_a_translated_row() -> None:
    templates = _library_templates()
    assert len(templates) >= 11  # the ones there were when the table was written
    table = {row.template for row in rows()}
    missing = sorted(name for name, template in templates.items() if template not in table)
    assert missing == [], f"no row in service/web/analysis_warnings.py for {missing}"
    assert table <= set(templates.values()), "a row for a template no library has any more"
    assert len(table) == len(rows())
    for row in rows():
        assert set(PLACEHOLDER.findall(row.message.msgid)) == row.fields(), row.template
        chinese = tr("zh_CN", row.message.msgid)
        assert chinese != row.message.msgid and re.search(r"[\u4e00-\u9fff]", chinese), row.template


def test_each_row_reads_its_template_back_with_the_english_page_wording() -> None:
    """A warning written from a row's template is recognised as that row, with the values it was
    written with, and the row's English is exactly what the English page shows of the warning."""
    for row in rows():
        warning, texts = _sample(row.template)
        message = warning_message(warning)
        assert message is not None and message.msgid == row.message.msgid, warning
        assert {k: str(v) for k, v in message.params.items()} == texts
        assert str(message) == web_text(warning) == warning_text(warning, DEFAULT_LOCALE)
    assert warning_message("a warning an uploaded JSON brought with it") is None
    assert warning_text("a warning an uploaded JSON brought with it (`talktrack relabel`)", "zh_CN") == \
        "a warning an uploaded JSON brought with it"


def test_a_template_pattern_takes_numbers_and_repeated_fields_as_written() -> None:
    pattern = template_pattern("in {name} ({seconds:.0f} s) as {name}")
    match = pattern.match("in German (30 s) as German")
    assert match is not None and match.groupdict() == {"name": "German", "seconds": "30"}
    assert pattern.match("in German (30 s) as French") is None
    assert pattern.match("in German (thirty s) as German") is None


def _vtt(tmp_path: Path, name: str, cues: list[str]) -> Path:
    path = tmp_path / name
    lines = ["WEBVTT", ""]
    for i, text in enumerate(cues):
        lines += [f"00:00:{2 * i:02d}.000 --> 00:00:{2 * i + 2:02d}.000", text, ""]
    path.write_text("\n".join(lines))
    return path


def real_warnings(tmp_path: Path) -> list[str]:
    """Warnings as the libraries write them (their own functions and constants)."""
    from transcription.asr import AsrOptions
    from transcription.diarization.count import MISSED_SPEAKERS_WARNING
    from transcription.pipeline import NO_SPEECH_WARNING
    from transcription.roles import stale_profile_warnings
    from transcription.routing import LanguageRouter, LanguageSpan
    from transcription.transcript_io import read_vtt
    from transcription.unheard import UnheardSpeech, unheard_warnings
    from transcription.voiceprint import VoiceProfile

    unnamed = read_vtt(_vtt(tmp_path, "call-7.vtt", ["Hello there", "Hi"])).warnings
    unknown_rep = read_vtt(_vtt(tmp_path, "named.vtt", ["<v Alex Rivera>Hello", "<v Bo Li>Hi"]),
                           rep_name="Dana").warnings
    profile = VoiceProfile(name="Dana", embedding=np.ones(4, dtype=np.float32), created_at="2026-01-01T00:00:00Z",
                           n_seconds=30.0, encoder="ecapa-v1")
    router = LanguageRouter(AsrOptions(language="en"), 30.0)
    router.spans = [LanguageSpan(0.0, 100.0, "en"), LanguageSpan(100.0, 130.2, "de", 0.912),
                    LanguageSpan(130.2, 150.0, "fr")]
    auto = unheard_warnings([UnheardSpeech(160.0, 172.0, "ja", 0.884), UnheardSpeech(200.0, 207.0)], detected=True)
    chosen = unheard_warnings([UnheardSpeech(220.0, 229.0, "zh", 0.97), UnheardSpeech(240.0, 246.0)])
    return [*unnamed, *unknown_rep, *stale_profile_warnings([profile], "campplus-v1"),
            MISSED_SPEAKERS_WARNING.format(expected=2), NO_SPEECH_WARNING, *router.warnings(), *auto, *chosen]


# What a Chinese reader sees of `real_warnings`, in their order.
CHINESE = [
    "call-7.vtt 没有标注说话人，因此整份转写文本被视为同一位说话人，任何指标都无法对比销售代表和客户；"
    "请为每条字幕标注说话人：使用语音标签（<v Alex Rivera>Hello）或“姓名: ”前缀",
    "没有名为“Dana”的说话人（说话人：Alex Rivera、Bo Li），因此未确定各方角色",
    "声纹档案“Dana”是用 ecapa-v1 说话人编码器生成的，而不是 campplus-v1，且没有保存录入音频可供重新生成："
    "本次未使用该档案；请重新录入该销售代表的声纹",
    "预计有 2 位说话人，但只识别出一个声音：录音中看不出有两个人轮流发言",
    "未发现语音",
    "1:40 至 2:10（30 秒）的德语语音（de，p=0.91）已按德语转写；本通话的主要语言是英语",
    "2:10 至 2:30（20 秒）的法语语音（fr）已按法语转写；本通话的主要语言是英语",
    "2:40 至 2:52（12 秒）的日语语音（ja，p=0.88）未转写：语音模型没有从中识别出文字",
    "3:20 至 3:27（7 秒）的语音没有识别出文字：可能是噪声，或是语音模型无法识别的语言",
    "3:40 至 3:49（9 秒）的中文语音（zh，p=0.97）未转写：它不是本通话选定的语言（将语言设为“自动识别”时，每种语言都会被转写）",
    "4:00 至 4:06（6 秒）的语音没有识别出文字：可能是其他语言，也可能是噪声（将语言设为“自动识别”时，会识别并转写其他语言）",
]


def test_real_warnings_read_in_chinese_with_their_values(tmp_path: Path) -> None:
    warnings = real_warnings(tmp_path)
    assert len(warnings) == len(CHINESE)
    assert [warning_text(w, "zh_CN") for w in warnings] == CHINESE
    assert [warning_text(w, "en") for w in warnings] == [web_text(w) for w in warnings]
    assert all(isinstance(warning_message(w), Message) for w in warnings)


def _items(page: str) -> list[str]:
    """The items of the call page's warnings card."""
    card = re.search(r'<section class="card warn"><h2>[^<]*</h2><ul>(.*?)</ul></section>', page, re.S)
    assert card is not None, "no warnings card"
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", card.group(1), re.S)]


def test_the_call_page_shows_the_warnings_in_chinese_and_the_api_keeps_english(tmp_path: Path) -> None:
    warnings = real_warnings(tmp_path)
    analysis: dict[str, Any] = {
        "schema_version": 1, "duration_s": 600.0, "has_timing": True, "language": "en", "warnings": warnings,
        "speakers": [{"id": "S1", "role": "rep", "name": "Dana"}, {"id": "S2", "role": "customer", "name": "Bo"}],
        **HELLO_WORDS,
        "metrics": {},
    }
    with signed_in_call(tmp_path, analysis, title="Warned call", media_kind="vtt") as (client, call_id, secret):
        api = client.get(f"/v1/calls/{call_id}", headers={"Authorization": f"Bearer {secret}"})
        assert api.status_code == 200
        assert api.json()["analysis"]["warnings"] == warnings  # the API keeps the library's English

        client.cookies.set("tt_lang", "zh-CN")
        page = client.get(f"/calls/{call_id}")
        assert page.status_code == 200
        assert _items(page.text) == CHINESE
        assert "<h2>预警</h2>" in page.text

        client.cookies.set("tt_lang", "en")
        english = _items(client.get(f"/calls/{call_id}").text)
        assert english == [web_text(w) for w in warnings]
        assert english[2].endswith("it was not used; enrol the rep again")  # the page's own actions, no CLI
