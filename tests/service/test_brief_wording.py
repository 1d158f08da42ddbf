"""The brief's optional generated wording (`TALKTRACK_LLM_URL`, docs/brief.md "Generative wording"):
a fake OpenAI-compatible server (http.server on 127.0.0.1, a free port) answers grounded sentences,
invented ones, malformed JSON, a 500 and a hang; the client (`service.analysis.llm_client`) and the
grounding check (`nlp.brief.wording`) keep and drop exactly what they should. A long generated call
is sent chapter by chapter under the prompt budget; with the setting unset nothing is sent; and a
real server (SQLite, worker threads) pointed at the fake one serves the summary with its cites at
`GET /v1/calls/{id}/brief`."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bench.brief_speed import long_call
from nlp.analysis import CallAnalysis, analyze_transcript
from service.analysis import llm_client
from service.analysis.files import AnalyzeOptions, analyze_path
from service.analysis.llm_client import add_wording
from service.core.config import Settings
from tests.datafiles import SAMPLES

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "nlp" / "analysis.schema.json").read_text())
CALL_DATE = dt.date(2026, 12, 7)
ITEM_LINE = re.compile(r'^\[(i\d+)\] .*? at \d+(?::\d\d)+: "(.*)"$')

Responder = Callable[[dict[str, Any]], tuple[int, str] | None]  # None: hang


@dataclass
class FakeLLM:
    """An OpenAI-compatible chat endpoint: records every request (body and headers), answers what
    `respond` returns for it (status, the assistant's text), or hangs when it returns None."""

    respond: Responder
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    url: str = ""

    def items(self, k: int = -1) -> dict[str, str]:
        """The item ids and texts request `k` sent."""
        return items_of(self.requests[k])


def items_of(body: dict[str, Any]) -> dict[str, str]:
    user = body["messages"][1]["content"]
    return {m.group(1): m.group(2) for line in user.splitlines() if (m := ITEM_LINE.match(line))}


def completion(content: str) -> str:
    return json.dumps({"id": "x", "object": "chat.completion", "model": "fake",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                    "finish_reason": "stop"}]})


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    fake = FakeLLM(respond=lambda body: (200, "[]"))
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append(body)
            fake.headers.append(dict(self.headers))
            fake.paths.append(self.path)
            answer = fake.respond(body)
            if answer is None:
                release.wait(30)
                return
            status, content = answer
            data = (completion(content) if status == 200 else '{"error": "boom"}').encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def sample() -> CallAnalysis:
    return analyze_path(SAMPLES / "discovery_call.vtt", AnalyzeOptions(call_date=CALL_DATE,
                                                                       call_date_source="argument"))


def fresh(sample: CallAnalysis) -> CallAnalysis:
    return CallAnalysis.from_dict(sample.to_dict())


def settings(url: str | None, **more: Any) -> Settings:
    return Settings(llm_url=url, llm_model="fake-model", llm_timeout_s=5, **more)


def id_of(items: dict[str, str], phrase: str, nth: int = 0) -> str:
    return [k for k, text in items.items() if phrase in text][nth]


def test_grounded_sentences_are_kept_with_their_cites(sample: CallAnalysis, fake_llm: FakeLLM) -> None:
    def respond(body: dict[str, Any]) -> tuple[int, str]:
        items = items_of(body)
        return 200, json.dumps([
            {"text": "After hiring six new reps last quarter, the win rate dropped from 30% to about 20%.",
             "cites": [id_of(items, "win rate dropped")]},
            {"text": "The price is $60 per seat per month, billed annually, with onboarding included.",
             "cites": [id_of(items, "sixty dollars per seat")]},
            {"text": "They looked at Gong and Chorus last year; both were over their budget.",
             "cites": [id_of(items, "Gong", 0), id_of(items, "Gong", 1)]},
            {"text": "The rep will send the proposal by Friday with a two-year option.",
             "cites": [id_of(items, "send the proposal")]},
        ])

    fake_llm.respond = respond
    analysis = fresh(sample)
    items_before = list(analysis.brief.items) if analysis.brief else []
    add_wording(settings(fake_llm.url, llm_api_key="sekrit"), analysis, "c1")
    brief = analysis.brief
    assert brief is not None and brief.summary is not None
    assert [s.text for s in brief.summary] == [
        "After hiring six new reps last quarter, the win rate dropped from 30% to about 20%.",
        "The price is $60 per seat per month, billed annually, with onboarding included.",
        "They looked at Gong and Chorus last year; both were over their budget.",
        "The rep will send the proposal by Friday with a two-year option.",
    ]
    assert [[brief.items[c.item].kind for c in s.cites] for s in brief.summary] == [
        ["pain"], ["price"], ["objection", "competitor"], ["next_step"]]
    first = brief.summary[0]
    assert (first.start, first.end, first.chapter) == (13.498, 20.083, 0)
    assert [(c.start, c.end) for c in first.cites] == [(13.498, 20.083)]
    assert (brief.summary_dropped, brief.summary_unreadable, brief.summary_model) == (0, 0, "fake-model")
    assert brief.items == items_before  # the extracted items stay as they were
    # One request (the sample call fits the budget), with every item, the model, the key, no transcript.
    assert len(fake_llm.requests) == 1 and fake_llm.paths == ["/v1/chat/completions"]
    body = fake_llm.requests[0]
    assert (body["model"], body["temperature"], body["stream"]) == ("fake-model", 0, False)
    assert fake_llm.headers[0]["Authorization"] == "Bearer sekrit"
    assert sorted(fake_llm.items().values()) == sorted(i.text for i in brief.items)
    assert "Hi, thanks for taking the time" not in json.dumps(body)  # words that are no item's
    data = analysis.to_dict()
    jsonschema.validate(data, SCHEMA)
    assert data["brief"]["summary"][1] == {"text": brief.summary[1].text, "cites": [
        {"item": brief.summary[1].cites[0].item, "start": 116.47, "end": 121.393}],
        "start": 116.47, "end": 121.393, "chapter": 1}


def test_invented_sentences_are_dropped(sample: CallAnalysis, fake_llm: FakeLLM) -> None:
    def respond(body: dict[str, Any]) -> tuple[int, str]:
        items = items_of(body)
        pain, price = id_of(items, "win rate dropped"), id_of(items, "sixty dollars per seat")
        return 200, json.dumps([
            {"text": "The win rate dropped from thirty percent to about twenty.", "cites": [pain]},
            {"text": "The price is $80 per seat per month.", "cites": [price]},  # a number never said
            {"text": "They also looked at Salesforce last year.", "cites": [id_of(items, "Gong")]},  # a competitor
            {"text": "The rep will send the proposal by Friday.", "cites": [pain]},  # the wrong citation
            {"text": "Nobody caught it for weeks.", "cites": []},
            {"text": "Nobody caught it for weeks.", "cites": ["i99"]},
            {"text": "Nobody caught it for weeks."},
        ])

    fake_llm.respond = respond
    analysis = fresh(sample)
    before = llm_client.stats()
    add_wording(settings(fake_llm.url), analysis, "c2")
    brief = analysis.brief
    assert brief is not None and brief.summary is not None
    assert [s.text for s in brief.summary] == ["The win rate dropped from thirty percent to about twenty."]
    assert (brief.summary_dropped, brief.summary_unreadable) == (6, 0)
    after = llm_client.stats()
    assert (after["kept"] - before["kept"], after["dropped"] - before["dropped"]) == (1, 6)


def test_a_dropped_sentence_says_why(sample: CallAnalysis) -> None:
    from nlp.brief.wording import word_brief

    items = sample.brief.items if sample.brief else []
    price = next(i for i, it in enumerate(items) if it.kind == "price")
    pain = next(i for i, it in enumerate(items) if "win rate" in it.text)
    answer = json.dumps([
        {"text": "The price is $80 per seat per month.", "cites": [f"i{price}"]},
        {"text": "They also looked at Salesforce last year.", "cites": [f"i{price}"]},
        {"text": "The rep will send the proposal by Friday.", "cites": [f"i{pain}"]},
        {"text": "Nobody caught it for weeks.", "cites": []},
        {"text": "Nobody caught it for weeks.", "cites": ["i99"]},
    ])
    assert sample.brief is not None
    result = word_brief(sample.brief, sample.transcript, lambda messages: answer)
    assert [(d.text, d.reason) for d in result.dropped] == [
        ("The price is $80 per seat per month.", "not said: 80"),
        ("They also looked at Salesforce last year.", "not said: salesforce, year"),
        ("The rep will send the proposal by Friday.", "not said: send, proposal, friday"),
        ("Nobody caught it for weeks.", "no cites"),
        ("Nobody caught it for weeks.", "unknown id i99"),
    ]
    assert result.kept == []


@pytest.mark.parametrize("answer", [
    "Sure! Here is the summary: the customer has problems.",
    '[{"text": "The win rate dropped", "cites": ["i0"]',
    '{"text": "The win rate dropped from thirty percent to about twenty.", "cites": ["i0"]}',
])
def test_malformed_answers_lose_their_sentences_and_the_call_is_still_analysed(
        sample: CallAnalysis, fake_llm: FakeLLM, answer: str, caplog: pytest.LogCaptureFixture) -> None:
    fake_llm.respond = lambda body: (200, answer)
    analysis = fresh(sample)
    with caplog.at_level(logging.WARNING, logger="service.analysis.llm_client"):
        add_wording(settings(fake_llm.url), analysis, "c3")
    brief = analysis.brief
    assert brief is not None and brief.summary == []
    assert (brief.summary_dropped, brief.summary_unreadable) == (0, 1)
    assert brief.items == (sample.brief.items if sample.brief else None)
    assert "call c3: 1 of 1 wording answers were not the JSON list asked for" in caplog.text
    jsonschema.validate(analysis.to_dict(), SCHEMA)


def test_a_fenced_answer_is_read(sample: CallAnalysis, fake_llm: FakeLLM) -> None:
    fake_llm.respond = lambda body: (200, "```json\n" + json.dumps([
        {"text": "Nobody caught it for weeks.", "cites": [id_of(items_of(body), "Nobody caught")]}]) + "\n```")
    analysis = fresh(sample)
    add_wording(settings(fake_llm.url), analysis)
    assert analysis.brief is not None and [s.text for s in analysis.brief.summary or []] == [
        "Nobody caught it for weeks."]


@pytest.mark.parametrize("case", ["500", "hang", "refused", "public"])
def test_an_endpoint_failure_leaves_the_brief_without_a_summary(
        sample: CallAnalysis, fake_llm: FakeLLM, case: str, caplog: pytest.LogCaptureFixture) -> None:
    fake_llm.respond = (lambda body: (500, "")) if case == "500" else (lambda body: None)
    url = {"500": fake_llm.url, "hang": fake_llm.url, "public": "http://8.8.8.8:11434",
           "refused": "http://127.0.0.1:9"}[case]  # refused before any connection
    analysis = fresh(sample)
    before = llm_client.stats()["failed"]
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="service.analysis.llm_client"):
        add_wording(Settings(llm_url=url, llm_timeout_s=1), analysis, "c4")
    assert time.monotonic() - started < 4
    assert analysis.brief is not None and analysis.brief.summary is None
    assert analysis.brief.items == (sample.brief.items if sample.brief else None)
    assert "summary" not in analysis.to_dict()["brief"]
    assert llm_client.stats()["failed"] == before + 1
    reason = {"500": "LlmEndpointError: HTTP 500", "hang": "LlmEndpointError: timeout",
              "refused": "LlmEndpointError: connection failed (ConnectError)",
              "public": "LlmEndpointError: 8.8.8.8 resolves to 8.8.8.8, which is neither a loopback nor a "
                        "private-network address"}[case]
    assert f"call c4: the brief's wording endpoint failed ({reason}" in caplog.text
    assert len(fake_llm.requests) == (1 if case in ("500", "hang") else 0)


def test_with_the_setting_unset_nothing_is_sent(sample: CallAnalysis, fake_llm: FakeLLM,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALKTRACK_LLM_URL", "")
    monkeypatch.setenv("TALKTRACK_LLM_MODEL", "fake-model")
    unset = Settings()
    assert unset.llm_url in (None, "")
    analysis = fresh(sample)
    add_wording(unset, analysis)
    add_wording(Settings(llm_url=None), analysis)
    assert fake_llm.requests == []
    assert analysis.brief is not None and analysis.brief.summary is None
    assert "summary" not in analysis.to_dict()["brief"]


def test_a_long_call_is_worded_chapter_by_chapter_under_the_budget(fake_llm: FakeLLM) -> None:
    """An hour of generated sales calls: every chapter's items reach the server, each exactly once,
    in chapter order, every prompt under the budget; echoing each item's words keeps them all."""
    analysis = analyze_transcript(long_call(60), call_date=CALL_DATE)
    brief = analysis.brief
    assert brief is not None and len(brief.chapters) >= 4 and len(brief.items) >= 40

    def echo(body: dict[str, Any]) -> tuple[int, str]:
        return 200, json.dumps([{"text": text, "cites": [key]} for key, text in items_of(body).items()])

    fake_llm.respond = echo
    add_wording(settings(fake_llm.url, llm_prompt_chars=3000), analysis, "long")
    assert len(fake_llm.requests) >= 3
    for body in fake_llm.requests:
        assert sum(len(m["content"]) for m in body["messages"]) <= 3000
    sent = [key for body in fake_llm.requests for key in items_of(body)]
    assert sent == [f"i{i}" for i in range(len(brief.items))]  # every item once, in order
    users = "\n".join(body["messages"][1]["content"] for body in fake_llm.requests)
    for k, chapter in enumerate(brief.chapters):
        if any(chapter.start <= it.start < chapter.end for it in brief.items):
            assert f'Chapter {k + 1}: "{chapter.title}"' in users
    worded = analysis.brief
    assert worded is not None and worded.summary is not None
    assert [s.text for s in worded.summary] == [" ".join(it.text.split()) for it in brief.items]
    assert [s.chapter for s in worded.summary] == sorted(s.chapter or 0 for s in worded.summary)
    assert worded.summary_dropped == 0


def test_a_real_server_serves_the_summary(h: Any, fake_llm: FakeLLM, tmp_path: Path) -> None:
    def echo(body: dict[str, Any]) -> tuple[int, str]:
        return 200, json.dumps([{"text": text, "cites": [key]} for key, text in items_of(body).items()]
                               + [{"text": "They signed a contract for 500 seats.", "cites": ["i0"]}])

    fake_llm.respond = echo
    env = {"TALKTRACK_LLM_URL": fake_llm.url, "TALKTRACK_LLM_MODEL": "fake-model"}
    with h.running_stack("sqlite", tmp_path, env) as stack, stack.client("admin") as c:
        r = h.upload(c)
        assert r.status_code == 202, r.text
        call_id = r.json()["id"]
        assert h.wait_status(c, call_id)["status"] == "done"
        brief = c.get(f"/v1/calls/{call_id}/brief").json()["brief"]
        analysis = c.get(f"/v1/calls/{call_id}").json()["analysis"]
    assert len(fake_llm.requests) == 1 and fake_llm.requests[0]["model"] == "fake-model"
    texts = [i["text"] for i in brief["items"]]
    assert [s["text"] for s in brief["summary"]] == texts
    assert [[c["item"] for c in s["cites"]] for s in brief["summary"]] == [[k] for k in range(len(texts))]
    assert [(s["cites"][0]["start"], s["cites"][0]["end"]) for s in brief["summary"]] == [
        (i["start"], i["end"]) for i in brief["items"]]
    assert (brief["summary_dropped"], brief["summary_unreadable"], brief["summary_model"]) == (1, 0, "fake-model")
    assert analysis["brief"]["summary"] == brief["summary"]
    jsonschema.validate(analysis, SCHEMA)
