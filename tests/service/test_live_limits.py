"""Live calls under hostile clients, against real servers on both backends:
deeply nested JSON is an `error` event, not a dropped socket; a noise flood does not stall the
event loop (`/healthz` p50 <= 20 ms); one organization cannot take every live slot; each call is
capped in bytes and duration."""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

START = {"type": "start", "sample_rate": 16000, "channels": 1}


async def _exchange(ws_url: str, key: str, messages: list[str | bytes], hold_s: float = 0.0
                    ) -> tuple[list[dict[str, Any]], int | None]:
    """Send `messages` (waiting for `started` after a start message), optionally hold the call
    open, then collect events until the server closes; returns (events, close code)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    events: list[dict[str, Any]] = []
    async with connect(ws_url, additional_headers={"Authorization": f"Bearer {key}"}, max_size=None) as ws:
        try:
            for m in messages:
                await ws.send(m)
                if isinstance(m, str) and '"start"' in m[:40]:
                    events.append(json.loads(await asyncio.wait_for(ws.recv(), 120)))
                    if events[-1]["type"] != "started":
                        break
            if hold_s:
                await asyncio.sleep(hold_s)
            async for raw in ws:
                events.append(json.loads(raw))
        except ConnectionClosed:
            pass
        return events, ws.close_code


def exchange(stack: Any, role: str, messages: list[str | bytes], hold_s: float = 0.0
             ) -> tuple[list[dict[str, Any]], int | None]:
    ws_url = stack.url.replace("http://", "ws://") + "/v1/live"
    return asyncio.run(asyncio.wait_for(_exchange(ws_url, stack.keys[role], messages, hold_s), 300))


def test_deeply_nested_messages_are_error_events(stack: Any) -> None:
    events, code = exchange(stack, "admin", ["[" * 100_000])
    assert [(e["type"], e["code"]) for e in events] == [("error", "bad_start")] and code == 1008
    assert "nested" in events[0]["message"]
    nan_start = json.dumps(START)[:-1] + ', "rep_channel": NaN}'
    events, code = exchange(stack, "admin", [nan_start])
    assert events[0]["code"] == "bad_start" and code == 1008
    # After start, a nested control message is reported and the call goes on to a normal end.
    events, code = exchange(stack, "admin", [json.dumps(START), b"\0" * 3200, "[" * 100_000, b"\0" * 3200,
                                             json.dumps({"type": "stop"})])
    kinds = [e["type"] for e in events]
    assert kinds[0] == "started" and kinds[-1] == "ended" and code == 1000, events
    assert [e["code"] for e in events if e["type"] == "error"] == ["bad_message"]
    assert events[-1]["bytes_received"] == 6400 and events[-1]["reason"] == "stop"


def healthz_ms(url: str, n: int) -> list[float]:
    out = []
    with httpx.Client(base_url=url, timeout=30) as c:
        for _ in range(n):
            t0 = time.perf_counter()
            assert c.get("/healthz").status_code == 200
            out.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.02)
    return out


def test_noise_flood_does_not_stall_the_server(stack: Any) -> None:
    """One socket sends 100 ms frames of loud noise as fast as the server takes them; meanwhile
    /healthz keeps answering within 20 ms (median). On a machine busy with other work the bound
    is 4x the idle median measured just before, when that is higher (before the fix: 130x)."""
    idle = statistics.median(healthz_ms(stack.url, 40))
    rng = np.random.default_rng(0)
    frames = [(rng.normal(0, 0.3, 1600) * 32767).clip(-32768, 32767).astype("<i2").tobytes() for _ in range(20)]
    stop = threading.Event()
    sent = [0]
    result: dict[str, Any] = {}

    async def flood() -> None:
        from websockets.asyncio.client import connect

        ws_url = stack.url.replace("http://", "ws://") + "/v1/live"
        async with connect(ws_url, additional_headers={"Authorization": f"Bearer {stack.keys['admin']}"}) as ws:
            await ws.send(json.dumps(START))
            result["started"] = json.loads(await asyncio.wait_for(ws.recv(), 120))
            while not stop.is_set():
                await ws.send(frames[sent[0] % len(frames)])
                sent[0] += 1
            await ws.send(json.dumps({"type": "stop"}))
            result["events"] = [json.loads(raw) async for raw in ws]

    thread = threading.Thread(target=lambda: asyncio.run(flood()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while "started" not in result and time.monotonic() < deadline:
        time.sleep(0.2)
    assert result.get("started", {}).get("type") == "started", result
    time.sleep(2.0)
    before = sent[0]
    latencies = healthz_ms(stack.url, 80)
    flooded = sent[0] - before
    stop.set()
    thread.join(timeout=180)
    assert flooded > 50, f"the flood sent only {flooded} frames while /healthz was measured"
    assert statistics.median(latencies) <= max(20.0, 4 * idle), (idle, sorted(latencies))
    assert result["events"][-1]["type"] == "ended", result["events"][-3:]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def capped(request: pytest.FixtureRequest, h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server with small live limits: one call per organization, 64,000 bytes, 8 s per call."""
    limits = {"TALKTRACK_LIVE_MAX_CALLS_PER_ORG": "1", "TALKTRACK_LIVE_MAX_CALL_BYTES": "64000",
              "TALKTRACK_LIVE_MAX_CALL_S": "8"}
    with h.running_stack(request.param, tmp_path_factory.mktemp(f"capped-{request.param}"), limits) as stack:
        yield stack


def test_one_organization_cannot_take_every_slot(capped: Any) -> None:
    started = threading.Event()
    first: dict[str, Any] = {}

    async def hold() -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        ws_url = capped.url.replace("http://", "ws://") + "/v1/live"
        async with connect(ws_url, additional_headers={"Authorization": f"Bearer {capped.keys['admin']}"}) as ws:
            await ws.send(json.dumps(START))
            first["started"] = json.loads(await asyncio.wait_for(ws.recv(), 120))
            started.set()
            await ws.send(b"\0" * 3200)
            first["events"] = events = []
            with contextlib.suppress(ConnectionClosed):
                async for raw in ws:  # until the server ends the call
                    events.append(json.loads(raw))

    holder = threading.Thread(target=lambda: asyncio.run(hold()), daemon=True)
    holder.start()
    assert started.wait(120) and first["started"]["type"] == "started", first
    events, code = exchange(capped, "rep1", [json.dumps(START)])  # the same organization
    assert events[0]["code"] == "too_many_live_calls" and code == 1013, events
    assert "organization" in events[0]["message"]
    other, _ = exchange(capped, "admin_b", [json.dumps(START), json.dumps({"type": "stop"})])
    assert other[0]["type"] == "started" and other[-1]["type"] == "ended"  # another organization may
    holder.join(timeout=120)
    ended = first["events"][-1]
    assert ended["type"] == "ended" and ended["reason"] == "call_limit", first["events"]  # the 8 s wall-clock cap
    assert [e["code"] for e in first["events"] if e["type"] == "error"] == ["call_limit"]


def test_a_call_that_cannot_store_its_recording_fails_and_frees_its_slot(capped: Any) -> None:
    """Storage out when a call starts: a clear error, and the organization's one slot is free again
    for the next call (it used to stay taken until the server restarted)."""
    import shutil

    tmp_dir = capped.settings().resolved_audio_dir() / "tmp"
    for _ in range(50):  # the server's store may recreate the folder between the two steps
        shutil.rmtree(tmp_dir, ignore_errors=True)
        try:
            with open(tmp_dir, "x") as blocker:
                blocker.write("not a folder: the store cannot write here")
            break
        except (FileExistsError, IsADirectoryError):
            continue
    assert tmp_dir.is_file()
    try:
        events, code = exchange(capped, "rep1", [json.dumps(START)])
    finally:
        tmp_dir.unlink()
        tmp_dir.mkdir()
    assert events[0]["type"] == "error" and events[0]["code"] == "storage_unavailable", events
    assert "cannot be stored" in events[0]["message"] and code == 1011
    again, _ = exchange(capped, "rep1", [json.dumps(START), json.dumps({"type": "stop"})])
    assert again[0]["type"] == "started" and again[-1]["type"] == "ended", again


def test_calls_are_capped_in_bytes(capped: Any) -> None:
    frames: list[str | bytes] = [json.dumps(START)] + [b"\0" * 3200] * 30  # 96,000 bytes > 64,000
    events, code = exchange(capped, "admin", frames)
    assert [e["code"] for e in events if e["type"] == "error"] == ["call_limit"] and code == 1008
    ended = events[-1]
    assert ended["type"] == "ended" and ended["reason"] == "call_limit"
    assert ended["bytes_received"] <= 64_000
