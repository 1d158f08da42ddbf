"""The live hub (registry, caps, events feed) on both backends: in memory, and in the real Redis
(127.0.0.1:6379, a key prefix of each test's own). Two `RedisLiveHub`s on one Redis stand for two
API processes."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from service.live.hub import RETAIN_ENDED_S, LiveCapReached, LiveHub, MemoryLiveHub, Owner

T = TypeVar("T")

ORG_A = Owner("org-a", "team-1", "rep-1", "key-1")
ORG_B = Owner("org-b", None, None, "key-2")
ORG_C = Owner("org-c", None, None, "key-3")


@pytest.fixture(params=["memory", "redis"])
def hub(request: pytest.FixtureRequest) -> Iterator[LiveHub]:
    if request.param == "memory":
        yield MemoryLiveHub()
        return
    from service.live.hub_redis import RedisLiveHub

    redis_hub = RedisLiveHub(request.getfixturevalue("test_redis"))
    try:
        yield redis_hub
    finally:
        redis_hub.close()


def run(hub: LiveHub, coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on a fresh event loop, closing that loop's Redis client after it."""
    async def main() -> T:
        try:
            return await coro
        finally:
            shared = getattr(hub, "shared", None)
            if shared is not None:
                await shared.aclose()

    return asyncio.run(main())


def test_events_are_numbered_and_read_from_since(hub: LiveHub) -> None:
    hub.admit("call-1", ORG_A, max_calls=4, max_per_org=4)
    for i in range(3):
        event = {"type": "utterance", "index": i, "text": f"word {i}"}
        hub.publish("call-1", event)
        assert event["seq"] == i
    info = run(hub, hub.lookup("call-1"))
    assert info is not None and info.owner == ORG_A and not info.ended
    page = run(hub, hub.wait_events("call-1", 0, timeout=0))
    assert page is not None and [e["seq"] for e in page.events] == [0, 1, 2] and not page.ended
    assert page.events[1] == {"type": "utterance", "index": 1, "text": "word 1", "seq": 1}
    page = run(hub, hub.wait_events("call-1", 2, timeout=0))
    assert page is not None and [e["index"] for e in page.events] == [2]
    hub.end("call-1", {"type": "ended", "status": "queued"})
    page = run(hub, hub.wait_events("call-1", 3, timeout=5))
    assert page is not None and page.ended and page.events == [{"type": "ended", "status": "queued", "seq": 3}]
    ended = run(hub, hub.lookup("call-1"))
    assert ended is not None and ended.ended and ended.started_at == info.started_at
    # Past the end, a reader is told at once that nothing more will come.
    t0 = time.monotonic()
    page = run(hub, hub.wait_events("call-1", 4, timeout=5))
    assert page is not None and page.events == [] and page.ended and time.monotonic() - t0 < 1.0


def test_a_waiting_reader_wakes_on_publish(hub: LiveHub) -> None:
    hub.admit("call-1", ORG_A, max_calls=4, max_per_org=4)
    hub.publish("call-1", {"type": "started"})
    timer = threading.Timer(0.3, hub.publish, args=("call-1", {"type": "metrics", "talk_ratio": 0.5}))

    async def wait() -> tuple[Any, float]:
        t0 = time.monotonic()
        timer.start()
        page = await hub.wait_events("call-1", 1, timeout=10)
        return page, time.monotonic() - t0

    page, took = run(hub, wait())
    assert page is not None and page.events == [{"type": "metrics", "talk_ratio": 0.5, "seq": 1}]
    assert 0.25 <= took < 3.0, took
    t0 = time.monotonic()
    page = run(hub, hub.wait_events("call-1", 2, timeout=0.4))
    assert page is not None and page.events == [] and not page.ended
    assert 0.35 <= time.monotonic() - t0 < 3.0


def test_unknown_calls(hub: LiveHub) -> None:
    assert run(hub, hub.lookup("nosuchcall")) is None
    assert run(hub, hub.wait_events("nosuchcall", 0, timeout=0.2)) is None


def test_caps_per_server_and_per_organization(hub: LiveHub) -> None:
    hub.admit("a1", ORG_A, max_calls=2, max_per_org=1)
    with pytest.raises(LiveCapReached) as refused:
        hub.admit("a2", ORG_A, max_calls=2, max_per_org=1)
    assert refused.value.scope == "organization" and refused.value.count == 1
    assert "organization already runs 1 live calls" in str(refused.value)
    hub.admit("b1", ORG_B, max_calls=2, max_per_org=1)
    with pytest.raises(LiveCapReached) as full:
        hub.admit("c1", ORG_C, max_calls=2, max_per_org=1)
    assert full.value.scope == "server" and full.value.count == 2
    assert run(hub, hub.lookup("a2")) is None and run(hub, hub.lookup("c1")) is None  # refused: not registered
    hub.end("a1", {"type": "ended"})  # an ended call frees its slot
    hub.admit("a2", ORG_A, max_calls=2, max_per_org=1)
    hub.release("b1")  # a call that could not start frees its slot and is forgotten
    assert run(hub, hub.lookup("b1")) is None
    hub.admit("c1", ORG_C, max_calls=2, max_per_org=1)


def test_an_abandoned_call_frees_its_slot_at_once(hub: LiveHub) -> None:
    """A handler that raised or was cancelled: its call ends (readers see why) and the org's slot is
    free for the next call without waiting for a lease or a restart."""
    hub.admit("a1", ORG_A, max_calls=5, max_per_org=1)
    hub.publish("a1", {"type": "started"})
    with pytest.raises(LiveCapReached):
        hub.admit("a2", ORG_A, max_calls=5, max_per_org=1)
    assert hub.abandon("a1", {"type": "ended", "status": "failed", "reason": "internal_error"}) is True
    page = run(hub, hub.wait_events("a1", 0, timeout=1))
    assert page is not None and page.ended
    assert [e["type"] for e in page.events] == ["started", "ended"] and page.events[-1]["status"] == "failed"
    hub.admit("a2", ORG_A, max_calls=5, max_per_org=1)  # the slot is free
    hub.end("a2", {"type": "ended", "status": "queued"})
    assert hub.abandon("a2", {"type": "ended"}) is False  # already ended: nothing published twice
    assert [e["type"] for e in run(hub, hub.wait_events("a2", 0, timeout=1)).events] == ["ended"]  # type: ignore[union-attr]
    hub.admit("a3", ORG_A, max_calls=5, max_per_org=1)
    hub.release("a3")
    assert hub.abandon("a3", {"type": "ended"}) is False  # released: forgotten


def test_two_processes_share_calls_caps_and_events(test_redis: Any) -> None:
    from service.live.hub_redis import RedisLiveHub

    api1, api2 = RedisLiveHub(test_redis), RedisLiveHub(test_redis)
    try:
        api1.admit("call-1", ORG_A, max_calls=1, max_per_org=1)
        api1.publish("call-1", {"type": "started"})
        info = run(api2, api2.lookup("call-1"))
        assert info is not None and info.owner == ORG_A
        timer = threading.Timer(0.3, api1.end, args=("call-1", {"type": "ended", "status": "queued"}))
        timer.start()
        page = run(api2, api2.wait_events("call-1", 1, timeout=10))  # blocks in Redis until api1 publishes
        assert page is not None and page.events == [{"type": "ended", "status": "queued", "seq": 1}] and page.ended
        api1.admit("call-2", ORG_A, max_calls=1, max_per_org=1)
        with pytest.raises(LiveCapReached) as refused:  # the organization's one slot is taken on api1
            api2.admit("call-3", ORG_A, max_calls=1, max_per_org=1)
        assert refused.value.scope == "organization"
        api2.admit("call-3", ORG_B, max_calls=1, max_per_org=1)  # api2's own one slot: per process
        with pytest.raises(LiveCapReached) as full:
            api2.admit("call-4", ORG_C, max_calls=1, max_per_org=1)
        assert full.value.scope == "server"
        ttl = test_redis.sync.pttl(test_redis.key("live", "events", "call-1")) / 1000
        assert RETAIN_ENDED_S - 60 < ttl <= RETAIN_ENDED_S  # an ended call's events stay readable
    finally:
        api1.close()
        api2.close()


def test_a_dead_process_frees_its_slots_and_its_calls_expire(test_redis: Any) -> None:
    from service.live.hub_redis import RedisLiveHub

    killed, alive, other = (RedisLiveHub(test_redis, lease_s=1.0) for _ in range(3))
    try:
        killed.admit("dead", ORG_A, max_calls=4, max_per_org=1)
        killed.publish("dead", {"type": "started"})
        alive.admit("beating", ORG_B, max_calls=4, max_per_org=1)
        killed.close()  # its heartbeat stops, as when the process is killed
        time.sleep(1.6)
        assert run(other, other.lookup("dead")) is None
        assert run(other, other.wait_events("dead", 0, timeout=0)) is None
        other.admit("next", ORG_A, max_calls=4, max_per_org=1)  # the dead call's slot is free again
        beating = run(other, other.lookup("beating"))  # still heartbeating past the lease
        assert beating is not None and not beating.ended
        with pytest.raises(LiveCapReached):
            other.admit("b2", ORG_B, max_calls=4, max_per_org=1)
    finally:
        for h in (killed, alive, other):
            h.close()


def test_a_long_wait_outlasts_the_clients_socket_timeout(test_redis: Any) -> None:
    """A long poll waits longer than redis-py's 5 s socket timeout without failing."""
    from service.live.hub_redis import RedisLiveHub

    hub = RedisLiveHub(test_redis)
    try:
        hub.admit("call-1", ORG_A, max_calls=1, max_per_org=1)
        timer = threading.Timer(6.5, hub.publish, args=("call-1", {"type": "started"}))
        timer.start()
        t0 = time.monotonic()
        page = run(hub, hub.wait_events("call-1", 0, timeout=20))
        assert page is not None and page.events == [{"type": "started", "seq": 0}]
        assert 6.4 <= time.monotonic() - t0 < 9.0
    finally:
        hub.close()
