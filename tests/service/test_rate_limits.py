"""Token-bucket rate limits on both backends: in this process, and in the real Redis (two limiters
on one Redis stand for two API processes)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from service.core.rate_limits import LocalRateLimiter, RateLimiter, RedisRateLimiter


def make(kind: str, shared: Any, per_minute: int, burst: int, name: str = "api-key") -> RateLimiter:
    if kind == "memory":
        return LocalRateLimiter(per_minute, burst)
    return RedisRateLimiter(shared, name, per_minute, burst)


def waits(shared: Any, limiter: RateLimiter, keys: list[str], per_minute: int | None = None) -> list[float]:
    async def main() -> list[float]:
        try:
            return [await limiter.check(k, per_minute) for k in keys]
        finally:
            if shared is not None:
                await shared.aclose()

    return asyncio.run(main())


@pytest.fixture(params=["memory", "redis"])
def shared(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("test_redis") if request.param == "redis" else None


def kind(shared: Any) -> str:
    return "memory" if shared is None else "redis"


def test_burst_then_wait(shared: Any) -> None:
    limiter = make(kind(shared), shared, per_minute=60, burst=3)
    got = waits(shared, limiter, ["k1"] * 4 + ["k2"])
    assert got[:3] == [0.0, 0.0, 0.0] and got[4] == 0.0  # another key has its own bucket
    assert 0.9 <= got[3] <= 1.0  # one token a second


def test_a_keys_own_limit_caps_its_burst(shared: Any) -> None:
    limiter = make(kind(shared), shared, per_minute=6000, burst=100)
    got = waits(shared, limiter, ["k"] * 3, per_minute=2)
    assert got[:2] == [0.0, 0.0] and 29.0 <= got[2] <= 30.0


def test_tokens_refill_and_zero_turns_it_off(shared: Any) -> None:
    limiter = make(kind(shared), shared, per_minute=600, burst=1)
    first = waits(shared, limiter, ["k", "k"])
    assert first[0] == 0.0 and 0.05 <= first[1] <= 0.1
    time.sleep(0.15)
    assert waits(shared, limiter, ["k"]) == [0.0]
    off = make(kind(shared), shared, per_minute=0, burst=1)
    assert waits(shared, off, ["k"] * 5) == [0.0] * 5


def test_processes_draw_from_one_bucket(test_redis: Any) -> None:
    api1 = RedisRateLimiter(test_redis, "api-key", 60, 3)
    api2 = RedisRateLimiter(test_redis, "api-key", 60, 3)
    login = RedisRateLimiter(test_redis, "login", 60, 3)
    assert waits(test_redis, api1, ["k", "k"]) == [0.0, 0.0]
    third, fourth = waits(test_redis, api2, ["k", "k"])
    assert third == 0.0 and fourth > 0.5
    assert waits(test_redis, login, ["k"]) == [0.0]  # another limit, another bucket


def test_redis_unreachable_counts_in_this_process() -> None:
    from service.core.shared_redis import SharedRedis

    nowhere = SharedRedis("redis://127.0.0.1:1/0", "talktrack_test_down")
    limiter = RedisRateLimiter(nowhere, "api-key", 60, 2)
    got = waits(nowhere, limiter, ["k"] * 3)
    assert got[:2] == [0.0, 0.0] and got[2] > 0.5
