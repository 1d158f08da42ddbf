"""What sharing live calls and rate limits through Redis costs, against the in-memory backends.

1. Events feed: one thread publishes `--events` events (one every 5 ms, like a busy call's
   utterance/metrics pairs), a reader on an event loop follows the feed with `wait_events`
   (as the WebSocket sender and the SSE endpoint do). Latency = reader's receipt - publish start.
2. Admission: `admit` + `end` of one call (the work of starting and ending a live call).
3. Rate limit: one `check` per API request.

Redis is the real server at `--redis` under a throwaway key prefix (deleted afterwards). Prints a
markdown table with the Redis / memory ratio of each.

    .venv/bin/python -m bench.live_hub [--events 400] [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
import uuid
from pathlib import Path

from service.core.rate_limits import LocalRateLimiter, RateLimiter, RedisRateLimiter
from service.core.shared_redis import SharedRedis
from service.live.hub import LiveHub, MemoryLiveHub, Owner
from service.live.hub_redis import RedisLiveHub

REPO = Path(__file__).resolve().parents[1]

OWNER = Owner("org-bench", "team", "rep", "key")


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


async def feed_latency_ms(hub: LiveHub, n: int) -> list[float]:
    hub.admit("call", OWNER, max_calls=8, max_per_org=8)
    sent: dict[int, float] = {}

    def publish() -> None:
        for i in range(n):
            sent[i] = time.perf_counter()
            hub.publish("call", {"type": "metrics", "i": i, "talk_ratio": 0.5})
            time.sleep(0.005)
        hub.end("call", {"type": "ended"})

    latencies: list[float] = []
    thread = threading.Thread(target=publish)
    thread.start()
    seq = 0
    while True:
        page = await hub.wait_events("call", seq, timeout=5.0)
        assert page is not None
        now = time.perf_counter()
        for event in page.events:
            seq = event["seq"] + 1
            if event["type"] == "metrics":
                latencies.append((now - sent[event["i"]]) * 1000)
        if page.ended:
            break
    thread.join()
    return latencies


def admission_ms(hub: LiveHub, n: int) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        hub.admit(f"a{i}", OWNER, max_calls=8, max_per_org=8)
        hub.end(f"a{i}", {"type": "ended"})
        out.append((time.perf_counter() - t0) * 1000)
    return out


async def rate_check_ms(limiter: RateLimiter, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        await limiter.check("key")
        out.append((time.perf_counter() - t0) * 1000)
    return out


async def measure(hub: LiveHub, limiter: RateLimiter, events: int, shared: SharedRedis | None) -> dict[str, list[float]]:
    try:
        return {"feed": await feed_latency_ms(hub, events), "admit": admission_ms(hub, 200),
                "rate": await rate_check_ms(limiter, 2000)}
    finally:
        hub.close()
        if shared is not None:
            await shared.aclose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=400)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = ap.parse_args()
    prefix = f"talktrack_bench_{uuid.uuid4().hex[:8]}"
    shared = SharedRedis(args.redis, prefix)
    try:
        memory = asyncio.run(measure(MemoryLiveHub(), LocalRateLimiter(10**9, 10**9), args.events, None))
        redis = asyncio.run(measure(RedisLiveHub(shared), RedisRateLimiter(shared, "bench", 10**9, 10**9),
                                    args.events, shared))
    finally:
        keys = list(shared.sync.scan_iter(f"{prefix}:*"))
        if keys:
            shared.sync.delete(*keys)
        shared.close()
    print("| what | memory p50 (ms) | memory p95 (ms) | Redis p50 (ms) | Redis p95 (ms) | Redis / memory (p50) |")
    print("|---|---|---|---|---|---|")
    names = {"feed": f"event published -> reader has it ({args.events} events)",
             "admit": "admit + end a call (200)", "rate": "rate limit check (2000)"}
    for key, name in names.items():
        m50, m95 = statistics.median(memory[key]), pct(memory[key], 0.95)
        r50, r95 = statistics.median(redis[key]), pct(redis[key], 0.95)
        print(f"| {name} | {m50:.3f} | {m95:.3f} | {r50:.3f} | {r95:.3f} | {r50 / max(m50, 1e-6):.1f} |")


if __name__ == "__main__":
    main()
