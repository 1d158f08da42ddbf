"""`/healthz` latency while live sockets flood the server with noise frames (target:
p50 must stay at or under 20 ms).

A real `uvicorn service.api.app:app` process (SQLite, embedded worker) runs on a loopback port with
a throwaway data directory. The bench measures `/healthz` sequentially, first idle (the baseline),
then while `--sockets` WebSocket clients (threads of this process, not the server's) send 100 ms
frames of random noise as fast as the server takes them. It prints the median and p95 of each
phase and their ratio to the idle baseline, and the frames the server accepted.

    .venv/bin/python -m bench.live_flood                  # 1 socket, 200 requests per phase
    .venv/bin/python -m bench.live_flood --sockets 2 --requests 300
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def latencies(url: str, n: int) -> list[float]:
    out = []
    with httpx.Client(timeout=30) as c:
        for _ in range(n):
            t0 = time.perf_counter()
            assert c.get(url + "/healthz").status_code == 200
            out.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.01)
    return out


async def flood(ws_url: str, key: str, stop: threading.Event, sent: list[int]) -> None:
    from websockets.asyncio.client import connect

    rng = np.random.default_rng(0)
    frames = [(rng.normal(0, 0.3, 1600) * 32767).clip(-32768, 32767).astype("<i2").tobytes() for _ in range(50)]
    async with connect(ws_url, additional_headers={"Authorization": f"Bearer {key}"}, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate": 16000, "channels": 1}))
        started = json.loads(await ws.recv())
        assert started["type"] == "started", started
        i = 0
        while not stop.is_set():
            await ws.send(frames[i % len(frames)])
            sent[0] += 1
            i += 1
        await ws.send(json.dumps({"type": "stop"}))
        async for _ in ws:
            pass


def row(name: str, values: list[float], base: float) -> str:
    p50 = statistics.median(values)
    p95 = float(np.percentile(values, 95))
    return f"| {name:<34} | {p50:8.1f} | {p95:8.1f} | {p50 / base:10.2f} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sockets", type=int, default=1)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()

    from service.core.accounts import create_key, create_org
    from service.core.config import Settings
    from service.core.db import run_migrations, session_scope

    tmp = Path(tempfile.mkdtemp(prefix="talktrack-flood-"))
    env = {**os.environ, "TALKTRACK_DATA_DIR": str(tmp / "data"), "HF_HUB_OFFLINE": "1",
           "TALKTRACK_RATE_LIMIT_PER_MINUTE": "0"}
    env.pop("TALKTRACK_DATABASE_URL", None)
    env.pop("TALKTRACK_BROKER_URL", None)
    settings = Settings(data_dir=tmp / "data")
    run_migrations(settings)
    with session_scope(settings) as s:
        key = create_key(s, create_org(s, "Flood").id, "admin").secret
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "service.api.app:app", "--host", "127.0.0.1",
                               "--port", str(port), "--no-access-log", "--log-level", "warning"],
                              env=env, cwd=ROOT)
    url, ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/v1/live"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "server did not start"
            time.sleep(0.2)
        idle = latencies(url, args.requests)
        stop = threading.Event()
        sent = [0]
        threads = [threading.Thread(target=lambda: asyncio.run(flood(ws_url, key, stop, sent)), daemon=True)
                   for _ in range(args.sockets)]
        for t in threads:
            t.start()
        time.sleep(15)  # the first live call loads the recogniser; let the flood reach steady state
        before = sent[0]
        t0 = time.monotonic()
        flooded = latencies(url, args.requests)
        rate = (sent[0] - before) / (time.monotonic() - t0)
        stop.set()
        for t in threads:
            t.join(timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=60)
    base = statistics.median(idle)
    print(f"/healthz latency, {args.requests} sequential requests per phase; {args.sockets} flooding socket(s) "
          f"sending {rate:.0f} frames/s ({rate / 10:.1f}x real time per socket: 100 ms frames)")
    print("| phase                              | p50 ms   | p95 ms   | x baseline |")
    print("|------------------------------------|----------|----------|------------|")
    print(row("idle (baseline)", idle, base))
    print(row(f"{args.sockets} socket(s) flooding noise", flooded, base))
    p50 = statistics.median(flooded)
    print(f"target p50 <= 20 ms under the flood: {'met' if p50 <= 20 else 'NOT met'} ({p50:.1f} ms); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine)")


if __name__ == "__main__":
    main()
