"""Chinese calls through the product: `talktrack analyze` of a Chinese WebVTT in a real process (its
brief in Chinese), the upload API's `language` field and the organization's default on a real server
(both backends), the suggestions and the brief's follow-up draft in Chinese, the call page's metrics
and full-text search on Chinese text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.chinese_calls import CALLS
from service.web.brief_view import build_brief_view
from service.web.call_view import build_call_view

ROOT = Path(__file__).resolve().parents[2]
CALL = CALLS / "zh01-crm-discovery.vtt"
# zh01's follow-up draft on a call of Monday 16 November 2026: the customer's pain in her words
# (`nlp.brief.chinese_items`), the rep's step, due the next Tuesday.
EMAIL_BODY = [
    "李静，您好！",
    "",
    "感谢您在11月16日（周一）抽出时间与我沟通。",
    "",
    "通话中您提到：",
    "- “说实话，有点乱”",
    "",
    "我们约定的下一步：",
    "- 我方：下周二把方案和报价单发给您，您再跟老板沟通（11月24日周二前）",
    "",
    "顺祝商祺！",
    "王磊",
]


def talktrack(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


def test_analyze_a_chinese_vtt_end_to_end() -> None:
    result = talktrack("analyze", CALL, "--rep", "王磊", "--format", "json", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # jieba's dictionary loads without a word on the terminal
    analysis = json.loads(result.stdout)
    assert analysis["language"] == "zh"
    assert analysis["turns"][0]["text"] == "您好，李经理，我是云帆软件的王磊。感谢您今天抽时间跟我们聊。"
    assert [(q["text"], q["type"]) for q in analysis["questions"]] == [
        ("我想先了解一下，您这边现在用的是什么系统来管客户？", "open"),
        ("那你们销售团队大概有多少人？", "open"),
        ("现在每个月的线索大概有多少？", "open"),
        ("都是谁在分配？", "open"),
        ("那价格大概是多少？", "open"),
        ("您这边预算大概在什么范围？", "open"),
        ("那我下周二把方案和报价单发给您，您再跟老板沟通，好吗？", "tag"),
    ]
    assert [(h["tracker"], h["phrase"]) for h in analysis["trackers"]] == [
        ("competitors", "金蝶"), ("pricing", "价格"), ("pricing", "按用户数"), ("authority_objection", "跟老板汇报"),
        ("next_steps", "发给您"), ("pricing", "报价"),
    ]
    assert [(n["action"], n["date_phrase"]) for n in analysis["next_steps"]] == [
        ("下周二把方案和报价单发给您", "下周二")]
    assert analysis["metrics"]["question_count_rep"] == 6 and analysis["metrics"]["open_question_count_rep"] == 5

    text = talktrack("analyze", CALL, "--rep", "王磊", "--no-progress")
    assert text.returncode == 0, text.stderr
    assert "characters, Chinese" in text.stdout.splitlines()[1]
    assert "Rep characters per minute" in text.stdout and "Rep fillers per 100 characters" in text.stdout
    assert "words per minute" not in text.stdout

    # The brief: the CLI's headings in English, the chapter's title and the draft in Chinese.
    brief = talktrack("analyze", CALL, "--rep", "王磊", "--date", "2026-11-16", "--format", "brief", "--no-progress")
    assert brief.returncode == 0, brief.stderr
    assert brief.stderr == ""
    lines = brief.stdout.splitlines()
    assert lines[3:5] == ["Chapters", "     0:00-1:21     系统与线索"]
    assert "     1:12  Rep: 那我下周二把方案和报价单发给您，您再跟老板沟通，好吗 (due Tue 2026-11-24)" in lines
    at = lines.index("Follow-up e-mail draft (edit before sending)")
    assert lines[at + 1 :] == ["Subject: 11月16日（周一）通话跟进", "", *EMAIL_BODY]


def test_the_upload_language_field_and_the_organization_default(stack: Any, h: Any) -> None:
    vtt = CALL.read_text(encoding="utf-8")
    with stack.client("admin") as admin, stack.client("rep1") as rep:
        bad = h.upload(admin, vtt, language="Klingon")
        assert bad.status_code == 422
        assert "unknown language 'Klingon': use auto (detect it), en, zh" in bad.text
        assert admin.get("/v1/language").json() == {"default_language": None}
        assert rep.put("/v1/language", json={"default_language": "zh"}).status_code == 403
        r = admin.put("/v1/language", json={"default_language": "zh-CN"})
        assert r.status_code == 200 and r.json() == {"default_language": "zh"}
        assert admin.put("/v1/language", json={"default_language": "xx"}).status_code == 422
        assert rep.get("/v1/language").json() == {"default_language": "zh"}

        chosen = h.upload(admin, vtt, language="Mandarin", rep="王磊", started_at="2026-11-16T02:00:00Z").json()
        assert chosen["language"] == "zh"
        default = h.upload(admin, vtt, rep="王磊").json()
        assert default["language"] is None  # the organization's default applies when it is analysed
        for call in (chosen, default):
            done = h.wait_status(admin, call["id"])
            assert done["status"] == "done", done
            analysis = admin.get(f"/v1/calls/{call['id']}").json()["analysis"]
            assert analysis["language"] == "zh" and len(analysis["questions"]) == 7
            # The suggestions stored with the analysis are worded in the call's language.
            suggestions = admin.get(f"/v1/calls/{call['id']}/suggestions").json()["suggestions"]
            assert [(x["id"], x["title"]) for x in suggestions] == [("competitor_mention", "回应竞品"),
                                                                    ("pricing_objection", "处理价格异议")]
            assert suggestions[1]["why"] == "客户在 0:55 提到：“那价格大概是多少？”"
        # The brief's follow-up draft and chapter title in Chinese, at the API and on the call page.
        brief = admin.get(f"/v1/calls/{chosen['id']}/brief").json()["brief"]
        assert brief["email"] == {"subject": "11月16日（周一）通话跟进", "body": "\n".join(EMAIL_BODY) + "\n"}
        assert [c["title"] for c in brief["chapters"]] == ["系统与线索"]
        page = build_brief_view(brief, [], 81.3)
        assert page.email_body.splitlines() == EMAIL_BODY and [c.title for c in page.chapters] == ["系统与线索"]
        assert admin.put("/v1/language", json={"default_language": None}).json() == {"default_language": None}

        # Full-text search finds a Chinese word inside a sentence, and not a word that is not there.
        found = admin.get("/v1/calls", params={"q": "报价单", "limit": 200}).json()["items"]
        assert {chosen["id"], default["id"]} <= {c["id"] for c in found}
        assert admin.get("/v1/calls", params={"q": "报价单 王磊", "limit": 200}).json()["items"]
        assert not admin.get("/v1/calls", params={"q": "私有化部署", "limit": 200}).json()["items"]

        # The call page's view counts characters, labels the published bands as measured on English
        # calls and puts no space between Chinese characters.
        view = build_call_view(analysis, {})
        rows = {m.name: m for m in view.metrics}
        assert rows["words_per_minute_rep"].label == "Rep characters per minute"
        assert rows["talk_ratio"].source.endswith("(measured on English calls)")
        assert "<span class=\"w\" data-t=\"0.50\">您</span><span" in str(view.turns[0].words_html)
