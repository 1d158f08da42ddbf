"""The Redis that API processes share (live calls, rate limits), or None: the one place that decides.

`shared_redis(settings)` returns a `SharedRedis` when the broker is Redis (`Settings.shared_state_url`),
else None, and every shared-state component picks its backend from that answer: in memory for the
embedded default (one process), in Redis when several API processes serve one deployment.

Threads use the synchronous client (`sync`); coroutines use `aio()`, an asyncio client made per
event loop (an asyncio connection belongs to the loop that opened it). Every key starts with
`Settings.redis_key_prefix`, so deployments (or test runs) sharing one Redis never meet.
"""

from __future__ import annotations

import asyncio
import threading
import weakref

import redis
import redis.asyncio as aioredis

from service.core.config import Settings

CONNECT_TIMEOUT_S = 5.0
COMMAND_TIMEOUT_S = 10.0  # synchronous commands only; the asyncio client runs blocking reads (XREAD BLOCK)


class SharedRedis:
    """Connections to the shared Redis and the key naming."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self.sync = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S,
                                         socket_timeout=COMMAND_TIMEOUT_S, health_check_interval=30,
                                         decode_responses=True)
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
            weakref.WeakKeyDictionary())
        self._lock = threading.Lock()

    def key(self, *parts: str) -> str:
        """`<prefix>:<part>:<part>...`."""
        return ":".join((self.prefix, *parts))

    def aio(self) -> aioredis.Redis:
        """The asyncio client of the running event loop."""
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._async.get(loop)
            if client is None:
                client = aioredis.Redis.from_url(self.url, socket_connect_timeout=CONNECT_TIMEOUT_S,
                                                 health_check_interval=30, decode_responses=True)
                self._async[loop] = client
        return client

    async def aclose(self) -> None:
        """Close the running loop's asyncio client."""
        with self._lock:
            client = self._async.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    def close(self) -> None:
        """Close the synchronous client's connections."""
        self.sync.close()


def shared_redis(settings: Settings) -> SharedRedis | None:
    """The shared Redis of this deployment, or None when each process keeps its own state."""
    url = settings.shared_state_url()
    return SharedRedis(url, settings.redis_key_prefix) if url else None


__all__ = ["SharedRedis", "shared_redis"]
