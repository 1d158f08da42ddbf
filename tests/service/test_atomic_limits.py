"""Counted and one-time limits under concurrent requests, against the real server of both
backends: twenty uploads with one Idempotency-Key make one call, twenty live calls of one
organization at once never exceed its cap, and twenty requests at once take no more than a rate
limit's burst (in this process, and in the real Redis)."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlmodel import col, select

from models import Call, Job
from service.core.rate_limits import LocalRateLimiter, RedisRateLimiter

RACERS = 20
START = {"type": "start", "sample_rate": 16000, "channels": 1}


def _call_dirs(stack: Any) -> set[str]:
    root = stack.settings().resolved_audio_dir() / "calls"
    return {p.name for p in root.iterdir()} if root.exists() else set()


def test_uploads_with_one_idempotency_key_make_one_call(stack: Any, h: Any) -> None:
    from service.core.db import session_scope

    key = f"race-{uuid.uuid4().hex}"
    dirs_before = _call_dirs(stack)
    gate = threading.Barrier(RACERS)

    def send(_: int) -> httpx.Response:
        with stack.client("integration", timeout=120) as c:
            gate.wait(30)
            answer: httpx.Response = h.upload(c, headers={"Idempotency-Key": key}, title="idempotent race")
            return answer

    with ThreadPoolExecutor(RACERS) as pool:
        answers = list(pool.map(send, range(RACERS)))
    assert [r.status_code for r in answers] == [202] * RACERS, [(r.status_code, r.text[:200]) for r in answers]
    ids = {r.json()["id"] for r in answers}
    assert len(ids) == 1
    (call_id,) = ids
    # One request made the call; every other one is answered with it as a replay.
    assert sum(r.headers.get("idempotent-replayed") != "true" for r in answers) == 1
    assert all(r.headers["location"] == f"/v1/calls/{call_id}" for r in answers)
    with session_scope(stack.settings()) as s:
        calls = s.exec(select(Call).where(col(Call.org_id) == stack.ids["org_a"], col(Call.idempotency_key) == key)).all()
        assert [c.id for c in calls] == [call_id]
        assert len(s.exec(select(Job).where(col(Job.call_id) == call_id)).all()) == 1
    # The losers' files are gone: the only new folder in the store is the call's.
    assert _call_dirs(stack) - dirs_before == {call_id}
    with stack.client("admin") as c:
        h.wait_status(c, call_id)
        assert c.delete(f"/v1/calls/{call_id}").status_code == 204


async def _live_race(ws_url: str, key: str, n: int) -> list[tuple[dict[str, Any], int | None]]:
    """Opens `n` live calls at once; each started one is held until every socket has its first
    answer, then stopped. Returns (first event, close code) per socket."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    answered = 0
    all_answered = asyncio.Event()
    gate = asyncio.Event()

    async def one() -> tuple[dict[str, Any], int | None]:
        nonlocal answered
        async with connect(ws_url, additional_headers={"Authorization": f"Bearer {key}"}) as ws:
            await gate.wait()
            await ws.send(json.dumps(START))
            first: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 180))
            answered += 1
            if answered == n:
                all_answered.set()
            if first["type"] == "started":
                await asyncio.wait_for(all_answered.wait(), 300)
                await ws.send(json.dumps({"type": "stop"}))
            try:
                async for _ in ws:  # until the server closes
                    pass
            except ConnectionClosed:
                pass
            return first, ws.close_code

    tasks = [asyncio.create_task(one()) for _ in range(n)]
    await asyncio.sleep(0.5)  # every socket open before any start message
    gate.set()
    return list(await asyncio.gather(*tasks))


def test_live_calls_of_one_organization_never_exceed_its_cap(stack: Any) -> None:
    settings = stack.settings()
    cap = settings.live_max_calls_per_org
    assert cap < settings.live_max_calls < RACERS  # the organization's cap is the one reached
    ws_url = stack.url.replace("http://", "ws://") + "/v1/live"
    results = asyncio.run(asyncio.wait_for(_live_race(ws_url, stack.keys["admin"], RACERS), 600))
    started = [first for first, _ in results if first["type"] == "started"]
    refused = [(first, code) for first, code in results if first["type"] != "started"]
    assert len(started) == cap, [first.get("code") for first, _ in results]
    assert len(refused) == RACERS - cap
    for first, code in refused:
        assert first["code"] == "too_many_live_calls" and code == 1013, first
        assert f"already runs {cap} live calls" in first["message"], first


def test_a_rate_limit_admits_its_burst_under_concurrent_requests(test_redis: Any) -> None:
    burst = 5
    local = LocalRateLimiter(per_minute=1, burst=burst)
    gate = threading.Barrier(RACERS)

    def take(_: int) -> float:
        gate.wait(30)
        return local.take("key")

    with ThreadPoolExecutor(RACERS) as pool:
        waits = list(pool.map(take, range(RACERS)))
    assert waits.count(0.0) == burst

    # Two limiters on one Redis stand for two API processes drawing from one bucket.
    processes = [RedisRateLimiter(test_redis, "race", 1, burst), RedisRateLimiter(test_redis, "race", 1, burst)]

    async def main() -> list[float]:
        try:
            return list(await asyncio.gather(*(processes[i % 2].check("key") for i in range(RACERS))))
        finally:
            await test_redis.aclose()

    shared_waits = asyncio.run(main())
    assert shared_waits.count(0.0) == burst
    assert all(w > 0 for w in shared_waits if w != 0.0)
