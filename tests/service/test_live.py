"""The live WebSocket and events endpoint against a real server on a loopback port: protocol
errors, access rules, a full streamed call with its suggestions, and the stored call analysed
offline like an upload."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf

from service.commands.live import StreamResult, read_recording, stream_recording
from tests.datafiles import ASR

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "discovery_call.wav"
SCRIPT = REPO / "samples" / "discovery_call.script.json"


@dataclass
class LiveServer:
    url: str
    ws: str
    settings: Any
    keys: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def client(self, role: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import uvicorn

    from service.api.main import create_app
    from service.api.routes import live as live_routes
    from service.core.accounts import create_key, create_org, create_team, create_user
    from service.core.config import Settings
    from service.core.db import run_migrations, session_scope

    tmp = tmp_path_factory.mktemp("live")
    settings = Settings(data_dir=tmp / "data", key_cache_s=0)
    run_migrations(settings)
    srv = LiveServer(url="", ws="", settings=settings)
    with session_scope(settings) as s:
        a, b = create_org(s, "Org A"), create_org(s, "Org B")
        team = create_team(s, a.id, "East")
        rep1 = create_user(s, a.id, "Dana", team_id=team.id)
        rep2 = create_user(s, a.id, "Eli", team_id=team.id)
        srv.ids.update(rep1=rep1.id, rep2=rep2.id)
        srv.keys.update(admin=create_key(s, a.id, "admin").secret,
                        rep1=create_key(s, a.id, "rep", user_id=rep1.id).secret,
                        rep2=create_key(s, a.id, "rep", user_id=rep2.id).secret,
                        admin_b=create_key(s, b.id, "admin").secret)
    app = create_app(settings)
    if not any(getattr(r, "path", "") == "/v1/live" for r in app.routes):
        app.include_router(live_routes.router, prefix="/v1")
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="websockets-sansio")
    userver = uvicorn.Server(config)
    thread = threading.Thread(target=userver.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not userver.started:
        assert thread.is_alive() and time.monotonic() < deadline, "live test server did not start"
        time.sleep(0.05)
    port = userver.servers[0].sockets[0].getsockname()[1]
    srv.url, srv.ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/v1/live"
    try:
        yield srv
    finally:
        userver.should_exit = True
        thread.join(timeout=60)
        engine = getattr(app.state, "live_engine", None)
        if engine is not None:
            engine.shutdown()


async def _exchange(url: str, messages: list[str | bytes], headers: dict[str, str] | None = None
                    ) -> tuple[list[dict[str, Any]], int | None]:
    """Send `messages`, collect events until the server closes; returns (events, close code)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    events: list[dict[str, Any]] = []
    async with connect(url, additional_headers=headers or {}) as ws:
        try:
            for m in messages:
                await ws.send(m)
            async for raw in ws:
                events.append(json.loads(raw))
        except ConnectionClosed:
            pass
        code = ws.close_code
    return events, code


def exchange(server: LiveServer, messages: list[str | bytes], role: str | None = "admin"
             ) -> tuple[list[dict[str, Any]], int | None]:
    headers = {"Authorization": f"Bearer {server.keys[role]}"} if role else {}
    return asyncio.run(asyncio.wait_for(_exchange(server.ws, messages, headers), 120))


START = json.dumps({"type": "start", "sample_rate": 16000, "channels": 1})


def test_unauthenticated_start_is_refused(server: LiveServer) -> None:
    events, code = exchange(server, [START], role=None)
    assert [(e["type"], e["code"]) for e in events] == [("error", "unauthorized")] and code == 1008
    bad_key = json.dumps({"type": "start", "sample_rate": 16000, "channels": 1, "api_key": "tt_nope"})
    events, code = exchange(server, [bad_key], role=None)
    assert events[0]["code"] == "unauthorized" and code == 1008


def test_bad_first_message(server: LiveServer) -> None:
    for first in (b"\x00\x01" * 100, "hello", json.dumps({"type": "stop"}), json.dumps([1, 2])):
        events, code = exchange(server, [first])
        assert [e["code"] for e in events] == ["bad_start"] and code == 1008, first
    bad_channel = json.dumps({"type": "start", "sample_rate": 16000, "channels": 2, "rep_channel": 5})
    events, _ = exchange(server, [bad_channel])
    assert events[0]["code"] == "bad_start" and "rep_channel" in events[0]["message"]


def test_wrong_sample_rate_and_channels(server: LiveServer) -> None:
    events, code = exchange(server, [json.dumps({"type": "start", "sample_rate": 8000, "channels": 1})])
    assert events[0]["code"] == "unsupported_sample_rate" and "16000" in events[0]["message"] and code == 1003
    events, code = exchange(server, [json.dumps({"type": "start", "sample_rate": 16000, "channels": 6})])
    assert events[0]["code"] == "unsupported_channels" and code == 1003


def test_oversized_frame_ends_the_call(server: LiveServer) -> None:
    events, code = exchange(server, [START, b"\x00" * 3200, b"\x00" * (200 * 1024)])
    kinds = [e["type"] for e in events]
    assert kinds[0] == "started" and kinds[-1] == "ended"
    errors = [e for e in events if e["type"] == "error"]
    assert [e["code"] for e in errors] == ["frame_too_large"] and code == 1009
    assert events[-1]["reason"] == "frame_too_large" and events[-1]["bytes_received"] == 3200


def test_a_rep_cannot_stream_for_someone_else(server: LiveServer) -> None:
    start = json.dumps({"type": "start", "sample_rate": 16000, "channels": 1, "rep_user_id": server.ids["rep2"]})
    events, code = exchange(server, [start], role="rep1")
    assert events[0]["code"] == "forbidden" and code == 1008


def _stream(server: LiveServer, samples: np.ndarray, role: str, **kw: Any) -> StreamResult:
    return asyncio.run(asyncio.wait_for(
        stream_recording(server.ws, server.keys[role], samples, speed=0, **kw), 600))


def test_key_in_start_message_and_event_access(server: LiveServer) -> None:
    rng = np.random.default_rng(3)
    hiss = rng.normal(0, 0.0005, (1, 16000 * 3)).astype(np.float32)
    result = _stream(server, hiss, "rep1", auth_in_start=True)
    kinds = [e["type"] for e in result.events]
    assert kinds[0] == "started" and kinds[-1] == "ended" and "utterance" not in kinds
    ended = result.events[-1]
    assert ended["bytes_received"] == 3 * 16000 * 2 and ended["duration_s"] == 3.0 and ended["reason"] == "stop"
    call_id = ended["call_id"]
    for role in ("admin_b", "rep2"):  # another organization; another rep of the same one
        with server.client(role) as c:
            assert c.get(f"/v1/live/{call_id}/events", params={"wait": 0}).status_code == 404
    with server.client(None) as c:
        assert c.get(f"/v1/live/{call_id}/events").status_code == 401
    with server.client("admin") as c:
        assert c.get("/v1/live/nosuchcall/events", params={"wait": 0}).status_code == 404
    for role in ("rep1", "admin"):
        with server.client(role) as c:
            body = c.get(f"/v1/live/{call_id}/events", params={"since": 0, "wait": 0}).json()
            assert body["live"] is False and body["events"] == result.events
            assert body["next"] == len(result.events)


@pytest.fixture(scope="module")
def full_call(server: LiveServer) -> StreamResult:
    """The bundled stereo discovery call streamed as fast as the server takes it."""
    return _stream(server, read_recording(SAMPLE), "rep1", start_extra={"title": "Discovery (live)"})


def test_full_call_utterances_and_suggestions(full_call: StreamResult) -> None:
    script = json.loads(SCRIPT.read_text())
    events = full_call.events
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert not full_call.of_type("error")
    utts = full_call.of_type("utterance")
    assert len(utts) >= 25
    assert {(u["speaker"], u["role"]) for u in utts} == {("S1", "rep"), ("S2", "customer")}
    assert all(u["end"] - u["start"] <= 14.0 for u in utts)
    opener = next(u for u in utts if "prompted" in u["text"].lower())
    assert opener["role"] == "rep" and [q["type"] for q in opener["questions"]] == ["open"]
    # The one card the script calls for: the customer's price question after the pitch.
    pricing = next(u for u in script["utterances"] if u["role"] == "customer" and "pricing" in u["topics"])
    cards = full_call.of_type("suggestion")
    assert [c["id"] for c in cards] == ["pricing_objection"]
    assert cards[0]["at"] == pytest.approx(pricing["end"], abs=1.0)
    assert "cost" in cards[0]["evidence"].lower() and cards[0]["trigger"].startswith("customer")
    last = full_call.of_type("metrics")[-1]
    assert last["talk_ratio"] == pytest.approx(script["rep_talk_share"], abs=0.06)
    assert last["open_questions_rep"] >= 1 and last["questions_rep"] >= 3
    ended = events[-1]
    assert ended["type"] == "ended" and ended["status"] == "queued"
    assert ended["bytes_received"] == sf.info(SAMPLE).frames * 4


def test_events_endpoint_replays_the_stream_as_sse(server: LiveServer, full_call: StreamResult) -> None:
    call_id = full_call.events[-1]["call_id"]
    with server.client("rep1") as c:
        r = c.get(f"/v1/live/{call_id}/events", params={"since": 5}, headers={"Accept": "text/event-stream"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    data = [json.loads(line[len("data: "):]) for line in r.text.splitlines() if line.startswith("data: ")]
    assert data == full_call.events[5:]
    ids = [int(line[len("id: "):]) for line in r.text.splitlines() if line.startswith("id: ")]
    assert ids == list(range(5, len(full_call.events)))


def _words(analysis: dict[str, Any]) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", " ".join(w["word"] for w in analysis["words"]).lower()).split()


def test_stored_call_is_the_streamed_audio_analysed_like_an_upload(server: LiveServer,
                                                                    full_call: StreamResult) -> None:
    from service.analysis.files import AnalyzeOptions, analyze_path
    from service.storage import LocalAudioStore

    call_id = full_call.events[-1]["call_id"]
    deadline = time.monotonic() + 900
    with server.client("rep1") as c:
        while True:
            call = c.get(f"/v1/calls/{call_id}").json()
            if call["status"] in ("done", "failed") or time.monotonic() > deadline:
                break
            time.sleep(1)
    assert call["status"] == "done", call.get("error")
    assert call["title"] == "Discovery (live)" and call["rep_user_id"] == server.ids["rep1"]
    stored = LocalAudioStore(server.settings.resolved_audio_dir()).local_path(f"calls/{call_id}/original.wav")
    original, _ = sf.read(SAMPLE, dtype="int16", always_2d=True)
    copy, rate = sf.read(stored, dtype="int16", always_2d=True)
    assert rate == 16000 and np.array_equal(original, copy)  # every sample arrived, none changed
    live = call["analysis"]
    offline = analyze_path(SAMPLE, AnalyzeOptions()).to_dict()
    assert live["source"] == offline["source"] == "audio-stereo"
    assert [(s["id"], s["role"]) for s in live["speakers"]] == [(s["id"], s["role"]) for s in offline["speakers"]]
    assert live["duration_s"] == pytest.approx(offline["duration_s"], abs=0.01)
    a, b = _words(live), _words(offline)
    assert abs(len(a) - len(b)) <= 0.03 * len(b)
    assert live["metrics"]["talk_ratio"] == pytest.approx(offline["metrics"]["talk_ratio"], abs=0.02)
    assert live["metrics"]["open_question_count_rep"] == offline["metrics"]["open_question_count_rep"]


async def _drop_after_audio(url: str, key: str, pcm: bytes) -> str:
    from websockets.asyncio.client import connect

    async with connect(url, additional_headers={"Authorization": f"Bearer {key}"}) as ws:
        await ws.send(START)
        started = json.loads(await ws.recv())
        for i in range(0, len(pcm), 3200):
            await ws.send(pcm[i : i + 3200])
        # No stop message: the connection just goes away.
    return str(started["call_id"])


def test_dropped_connection_still_stores_the_call(server: LiveServer) -> None:
    from faster_whisper import decode_audio

    audio = decode_audio(str(ASR / "jfk.flac"))
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    call_id = asyncio.run(asyncio.wait_for(_drop_after_audio(server.ws, server.keys["rep1"], pcm), 120))
    with server.client("rep1") as c:
        body = c.get(f"/v1/live/{call_id}/events", params={"since": 0, "wait": 30}).json()
        deadline = time.monotonic() + 120
        while body["live"] and time.monotonic() < deadline:
            body = c.get(f"/v1/live/{call_id}/events", params={"since": 0, "wait": 5}).json()
        ended = body["events"][-1]
        assert ended["type"] == "ended" and ended["reason"] == "disconnect" and ended["status"] == "queued"
        assert ended["bytes_received"] == len(pcm)
        text = " ".join(e["text"] for e in body["events"] if e["type"] == "utterance").lower()
        assert "your country" in text
        call = c.get(f"/v1/calls/{call_id}")
        assert call.status_code == 200 and call.json()["status"] in ("queued", "processing", "done")


def test_talktrack_live_command_prints_the_transcript(capsys: pytest.CaptureFixture[str]) -> None:
    from service.cli import main

    code = main(["live", str(ASR / "jfk.flac"), "--speed", "0"])
    out = capsys.readouterr().out
    assert code == 0, out
    lines = out.strip().splitlines()
    assert lines[0].startswith("live call ") and lines[0].endswith(" started")
    assert any(re.search(r"\(s[12]\): .*country", line.lower()) for line in lines), out
    assert "ended (stop): 11.0 s, stored call queued" in lines[-1]


def test_live_command_waits_for_the_analysis_on_a_given_server(capsys: pytest.CaptureFixture[str]) -> None:
    """--wait-analysis with --url (it used to be ignored there): the stored call's metrics are printed."""
    from service.cli import main
    from service.commands.live import embedded_server, http_base

    assert http_base("wss://tt.example.com/v1/live") == "https://tt.example.com"
    with embedded_server(analyse=True) as (url, key):
        code = main(["live", str(ASR / "jfk.flac"), "--speed", "0", "--url", url, "--api-key", key,
                     "--wait-analysis"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    last = captured.out.strip().splitlines()[-1]
    assert last.startswith("offline analysis of the stored call: "), captured.out + captured.err
    assert "talk_ratio=" in last


def test_live_questions_read_each_utterance_after_the_call_so_far() -> None:
    # The rep's "Right?" arrives as an utterance of its own after their statement: live, as
    # after the call, it is a tag question (alone it would read as a backchannel).
    from nlp.questions.context import RollingContext
    from service.live.sessions import _language
    from transcription.streaming import Utterance
    from transcription.types import Speaker, Word

    def utterance(index: int, start: float, text: str) -> Utterance:
        words = [Word(start + 0.4 * i, start + 0.4 * i + 0.3, w, "rep") for i, w in enumerate(text.split())]
        return Utterance(index, "rep", "rep", 0, start, words[-1].end, text, words, 0.9)

    speakers = [Speaker("rep", "rep"), Speaker("customer", "customer")]
    context = RollingContext()
    first = _language(utterance(0, 0.0, "So the contract goes through procurement again."), speakers, context)
    second = _language(utterance(1, 4.0, "Right?"), speakers, context)
    assert first[0] == []
    assert [(q.text, q.type) for q in second[0]] == [("Right?", "tag")]
    assert _language(utterance(1, 4.0, "Right?"), speakers)[0] == []
