"""Live calls across API processes: two real `uvicorn` servers on one PostgreSQL database and one
Redis. A call streamed into API #1 (real speech, `jfk.flac`) is read from API #2 while it runs, over
server-sent events and long polling, event for event; the one-call-per-organization cap holds across
both; another organization's key gets 404 from API #2; rate limits (API key, sign-in) are shared."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from tests.datafiles import ASR

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def apis(h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """Two API processes (no analysis worker: only the live feed is under test), one database, one
    Redis, one data directory; live calls capped at one per organization."""
    tmp = tmp_path_factory.mktemp("two-apis")
    api1, dbname = h.make_stack("postgres", tmp, {"TALKTRACK_LIVE_MAX_CALLS_PER_ORG": "1"})
    (tmp / "api2").mkdir()
    api2 = dataclasses.replace(api1, tmp=tmp / "api2")  # same environment, keys and ids; its own port and log
    try:
        h.bootstrap_accounts(api1)
        second = threading.Thread(target=api2.start_server)  # both start at once: half the wait
        second.start()
        api1.start_server()
        second.join()
        assert httpx.get(api2.url + "/healthz", timeout=10).status_code == 200
        yield api1, api2
    finally:
        api1.stop()
        api2.stop()
        if dbname:
            h.drop_postgres_database(dbname)  # and the run's Redis keys


def ws_url(api: Any) -> str:
    return api.url.replace("http://", "ws://") + "/v1/live"


def read_sse(api: Any, key: str, call_id: str, out: dict[str, Any]) -> None:
    """Every event of the call's server-sent stream from API `api`, with when the first arrived."""
    events: list[dict[str, Any]] = []
    with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as c, \
            c.stream("GET", f"/v1/live/{call_id}/events", headers={"Accept": "text/event-stream"}) as r:
        out["sse_status"] = r.status_code
        for line in r.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[len("data: "):]))
                out.setdefault("sse_first_at", time.monotonic())
    out["sse"] = events


def long_poll(api: Any, key: str, call_id: str, out: dict[str, Any]) -> None:
    """Every event of the call by long polling API `api` (`since=next` until it is no longer live)."""
    events: list[dict[str, Any]] = []
    since = 0
    with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as c:
        while True:
            body = c.get(f"/v1/live/{call_id}/events", params={"since": since, "wait": 10}).json()
            events += body["events"]
            since = body["next"]
            if not body["live"]:
                break
    out["poll"] = events


async def try_start(api: Any, key: str) -> tuple[list[dict[str, Any]], int | None]:
    """Start a call; stop it at once if it starts. Returns (events, close code)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    events: list[dict[str, Any]] = []
    async with connect(ws_url(api), additional_headers={"Authorization": f"Bearer {key}"}) as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate": 16000, "channels": 1}))
        try:
            events.append(json.loads(await asyncio.wait_for(ws.recv(), 120)))
            if events[0]["type"] == "started":
                await ws.send(json.dumps({"type": "stop"}))
            async for raw in ws:
                events.append(json.loads(raw))
        except ConnectionClosed:
            pass
        return events, ws.close_code


def test_a_call_on_one_api_is_served_by_the_other(apis: tuple[Any, Any]) -> None:
    from faster_whisper import decode_audio

    from service.commands.live import stream_recording

    api1, api2 = apis
    samples = decode_audio(str(ASR / "jfk.flac"))[np.newaxis, :]  # 11 s of real speech
    started = threading.Event()
    out: dict[str, Any] = {}
    readers: list[threading.Thread] = []
    checks: dict[str, Any] = {}

    def on_event(event: dict[str, Any]) -> None:
        if event["type"] == "started":
            out["call_id"] = event["call_id"]
            started.set()

    def while_live() -> None:
        """From API #2 while the call runs on API #1: the feeds, the cap, other people's 404s."""
        assert started.wait(120)
        call_id = out["call_id"]
        for target in (read_sse, long_poll):
            readers.append(threading.Thread(target=target, args=(api2, api1.keys["rep1"], call_id, out)))
            readers[-1].start()
        checks["same_org"] = asyncio.run(try_start(api2, api1.keys["admin"]))
        with api2.client("admin_b") as c:
            checks["other_org"] = c.get(f"/v1/live/{call_id}/events", params={"wait": 0}).status_code
        with api2.client("rep2") as c:
            checks["other_rep"] = c.get(f"/v1/live/{call_id}/events", params={"wait": 0}).status_code
        with api2.client("coach") as c:  # rep1's coach sees the call
            checks["coach"] = c.get(f"/v1/live/{call_id}/events", params={"wait": 0}).status_code

    helper = threading.Thread(target=while_live)
    helper.start()
    result = asyncio.run(asyncio.wait_for(
        stream_recording(ws_url(api1), api1.keys["rep1"], samples, speed=2.0, on_event=on_event), 300))
    helper.join(timeout=120)
    for reader in readers:
        reader.join(timeout=120)

    ws_events = result.events
    kinds = [e["type"] for e in ws_events]
    assert kinds[0] == "started" and kinds[-1] == "ended" and ws_events[-1]["reason"] == "stop"
    assert [e["seq"] for e in ws_events] == list(range(len(ws_events)))
    text = " ".join(e["text"] for e in ws_events if e["type"] == "utterance").lower()
    assert "your country" in text
    # API #2 gave the same events, in order, over both transports, and while the call was live.
    assert out["sse_status"] == 200 and out["sse"] == ws_events
    assert out["poll"] == ws_events
    assert out["sse_first_at"] < result.received_at[-1]
    # The organization's one live call is on API #1: API #2 refuses a second one.
    refused, code = checks["same_org"]
    assert [(e["type"], e["code"]) for e in refused] == [("error", "too_many_live_calls")] and code == 1013
    assert "organization already runs 1 live calls" in refused[0]["message"]
    assert checks["other_org"] == 404 and checks["other_rep"] == 404 and checks["coach"] == 200
    # Once it has ended, the organization's slot is free again (API #1 has its model loaded already).
    events, code = asyncio.run(try_start(api1, api1.keys["admin"]))
    assert [e["type"] for e in events] == ["started", "ended"] and code == 1000, events
    with api2.client("rep1") as c:  # and its events stay readable after the end, from either process
        body = c.get(f"/v1/live/{ws_events[0]['call_id']}/events", params={"since": 0, "wait": 0}).json()
        assert body["live"] is False and body["events"] == ws_events


def test_rate_limits_are_shared(apis: tuple[Any, Any]) -> None:
    from service.core.accounts import create_key
    from service.core.db import session_scope

    api1, api2 = apis
    with session_scope(api1.settings()) as s:
        key = create_key(s, api1.ids["org_a"], "admin", rate_limit_per_minute=2).secret
    statuses = []
    for api in (api1, api2, api1):
        with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
            r = c.get("/v1/calls")
            statuses.append(r.status_code)
    assert statuses == [200, 200, 429]
    assert 25 <= int(r.headers["Retry-After"]) <= 30
    # Sign-in: 5 attempts per account per minute, counted across both processes.
    statuses = []
    with httpx.Client(timeout=30) as c:  # one cookie jar: the sign-in form's token works on both
        for i in range(6):
            api = (api1, api2)[i % 2]
            token = c.get(api.url + "/login").text.split('name="prelogin" value="', 1)[1].split('"', 1)[0]
            r = c.post(api.url + "/login", data={"email": "nobody@example.test", "password": "wrong",
                                                 "prelogin": token})
            statuses.append(r.status_code)
    assert statuses == [401] * 5 + [429] and "Retry-After" in r.headers
