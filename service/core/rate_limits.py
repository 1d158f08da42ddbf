"""Token-bucket rate limits (per API key; sign-in per account and per address), one interface, two backends.

- `LocalRateLimiter`: buckets in this process (the embedded default: one process).
- `RedisRateLimiter`: buckets in the shared Redis, refilled and taken in one Lua script (atomic, on
  Redis's clock), so every API process draws from the same bucket. When Redis cannot be reached it
  falls back to counting in this process (and logs it) rather than refusing or waving through every
  request.

`make_rate_limiter` chooses, from `service.core.shared_redis.shared_redis`'s answer.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

import redis

from service.core.shared_redis import SharedRedis

log = logging.getLogger(__name__)


class RateLimiter(Protocol):
    async def check(self, key: str, per_minute: int | None = None) -> float:
        """0 if the request may go ahead, else the seconds to wait. `per_minute` is the key's own
        limit (its burst is then capped at that many requests)."""
        ...


def bucket_shape(per_minute: float, burst: float, own_per_minute: int | None) -> tuple[float, float]:
    """(tokens per second, bucket size) for a key, with its own limit when it has one."""
    if own_per_minute is not None:
        return own_per_minute / 60.0, float(max(1, min(burst, own_per_minute)))
    return per_minute / 60.0, burst


class LocalRateLimiter:
    """Token buckets in this process (each server process counts on its own)."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.per_minute = per_minute
        self.burst = float(max(burst, 1))
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, per_minute: int | None = None) -> float:
        """`check` for callers on a thread."""
        rate, burst = bucket_shape(self.per_minute, self.burst, per_minute)
        if rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0

    async def check(self, key: str, per_minute: int | None = None) -> float:
        return self.take(key, per_minute)


# KEYS[1] the bucket (a hash: tokens, ts in ms); ARGV: tokens per ms, bucket size. Returns the wait in
# seconds as a string (a Lua number would come back truncated to an integer).
_TAKE_TOKEN = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local last = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) * rate)
local wait = 0
if tokens < 1 then
  wait = (1 - tokens) / rate / 1000
else
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return tostring(wait)
"""

FALLBACK_LOG_EVERY_S = 60.0


class RedisRateLimiter:
    """Token buckets in the shared Redis under `<prefix>:rate:<name>:<key>`."""

    def __init__(self, shared: SharedRedis, name: str, per_minute: int, burst: int) -> None:
        self.shared = shared
        self.name = name
        self.per_minute = per_minute
        self.burst = float(max(burst, 1))
        self.fallback = LocalRateLimiter(per_minute, burst)
        self._last_warning = -FALLBACK_LOG_EVERY_S

    async def check(self, key: str, per_minute: int | None = None) -> float:
        rate, burst = bucket_shape(self.per_minute, self.burst, per_minute)
        if rate <= 0:
            return 0.0
        client = self.shared.aio()
        try:
            wait = await client.register_script(_TAKE_TOKEN)(
                keys=[self.shared.key("rate", self.name, key)], args=[rate / 1000.0, burst])
        except redis.RedisError as exc:
            if time.monotonic() - self._last_warning > FALLBACK_LOG_EVERY_S:
                self._last_warning = time.monotonic()
                log.warning("rate limits counted in this process only: Redis unreachable (%s)", exc)
            return self.fallback.take(key, per_minute)
        return float(wait)


def make_rate_limiter(shared: SharedRedis | None, name: str, per_minute: int, burst: int) -> RateLimiter:
    """A limiter of `per_minute` requests per key (bursts of `burst`), shared through Redis when there is one.
    `name` keeps different limits' buckets apart in Redis."""
    if shared is None:
        return LocalRateLimiter(per_minute, burst)
    return RedisRateLimiter(shared, name, per_minute, burst)


__all__ = ["LocalRateLimiter", "RateLimiter", "RedisRateLimiter", "bucket_shape", "make_rate_limiter"]
