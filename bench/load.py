"""Load test of the Talktrack service over loopback, bounded in time.

Starts `uvicorn service.api.app:app` (SQLite in a temporary data dir, executor `none` so analysis
does not compete for the CPU) and, from this separate process, measures:

1. `GET /healthz` (no auth, no database): the baseline of what the server + client can do here;
2. `GET /v1/calls/{id}/suggestions` for a done call with stored suggestions (what a CRM sidebar
   polls), with a real API key;
3. 50 concurrent uploads, each sent twice at once with the same `Idempotency-Key` (a retrying
   client): afterwards exactly 50 calls with 50 queued jobs must exist, each with the bytes sent.

The read load comes from keep-alive connections driven by a minimal asyncio HTTP/1.1 client (the
client must be cheaper than the server to measure the server). Prints a markdown table.

    .venv/bin/python -m bench.load [--duration 10] [--connections 32] [--server-workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def group_cpu_s(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the processes of a process group (the server):
    unlike wall-clock rates this does not depend on what else the shared machine runs."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields[2] is the process group (5th field of stat)
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def seed(data_dir: Path) -> tuple[str, str]:
    """An organization, an integration key and a done call with five stored suggestions."""
    from models import Call, CallResult
    from service.core.accounts import create_key, create_org
    from service.core.config import Settings
    from service.core.db import run_migrations, session_scope

    settings = Settings(data_dir=data_dir)
    run_migrations(settings)
    with session_scope(settings) as s:
        org = create_org(s, "Load")
        key = create_key(s, org.id, "integration").secret
        call = Call(org_id=org.id, media_kind="vtt", status="done", progress=1.0, duration_s=1805.0)
        s.add(call)
        s.commit()
        suggestions = [{"id": f"s{i}", "title": "Ask an open question early",
                        "say": "What would have to be true for this to be a great quarter for your team?",
                        "why": "Won calls had an open question in the first 90 s 47% more often (CI 20-80%).",
                        "at": 30.0 * i, "quote": "so let me show you the dashboard"} for i in range(5)]
        s.add(CallResult(call_id=call.id, analysis_json="{}", suggestions_json=json.dumps(suggestions)))
        s.commit()
        return key, call.id


async def _http_get_loop(port: int, path: str, headers: str, stop_at: float, lat: list[float],
                         errors: list[int], interval: float = 0.0, offset: float = 0.0) -> None:
    """Closed loop (`interval` 0: next request when the last answered) or open loop (one request
    every `interval` s; latency counts from the scheduled time, so a stalled server is not hidden
    by the client waiting for it)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()
    due = time.perf_counter() + offset
    try:
        while time.perf_counter() < stop_at:
            if interval:
                due += interval
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                t0 = due
            else:
                t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


async def read_load(port: int, path: str, headers: str, duration: float, connections: int,
                    rate: float = 0.0) -> dict[str, float]:
    """`rate` 0: as fast as the server answers (closed loop); else that many requests/s in total."""
    lat: list[float] = []
    errors: list[int] = []
    warm_until = time.perf_counter() + 1.0  # connection set-up and first requests are not measured
    await asyncio.gather(*(_http_get_loop(port, path, headers, warm_until, [], []) for _ in range(connections)))
    t0 = time.perf_counter()
    stop_at = t0 + duration
    interval = connections / rate if rate else 0.0
    await asyncio.gather(*(_http_get_loop(port, path, headers, stop_at, lat, errors, interval,
                                          interval * i / connections) for i in range(connections)))
    elapsed = time.perf_counter() - t0
    lat.sort()
    return {"requests": len(lat), "rps": len(lat) / elapsed, "p50_ms": 1000 * statistics.median(lat),
            "p99_ms": 1000 * lat[int(0.99 * (len(lat) - 1))], "errors": len(errors)}


async def upload_burst(url: str, key: str, n: int) -> dict[str, float]:
    vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v Dana>Hi, what are your goals this quarter?\n\n" \
          "00:00:04.500 --> 00:00:08.000\n<v Bob>Cut onboarding time in half.\n"
    bodies = {f"load-{i}-{uuid.uuid4().hex[:8]}": (vtt + f"\nNOTE upload {i}\n").encode() for i in range(n)}
    lat: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=120, headers={"Authorization": f"Bearer {key}"},
                                 limits=httpx.Limits(max_connections=2 * n)) as c:
        async def send(idem: str, body: bytes) -> tuple[str, int, str]:
            t0 = time.perf_counter()
            r = await c.post("/v1/calls", files={"file": ("call.vtt", body, "text/vtt")},
                             headers={"Idempotency-Key": idem})
            lat.append(time.perf_counter() - t0)
            return idem, r.status_code, r.json().get("id", "") if r.status_code == 202 else ""

        t0 = time.perf_counter()
        results = await asyncio.gather(*(send(k, b) for k, b in bodies.items() for _ in range(2)))
        elapsed = time.perf_counter() - t0
        listed = (await c.get("/v1/calls", params={"limit": 200})).json()
    ids_by_key: dict[str, set[str]] = {}
    for idem, code, cid in results:
        if code == 202:
            ids_by_key.setdefault(idem, set()).add(cid)
    stored = {i["id"]: i for i in listed["items"]}
    lost = sum(1 for k in bodies if len(ids_by_key.get(k, set()) & set(stored)) != 1)
    duplicated = listed["total"] - 1 - len({cid for ids in ids_by_key.values() for cid in ids})
    duplicated += sum(1 for ids in ids_by_key.values() if len(ids) > 1)
    wrong_bytes = 0
    for k, body in bodies.items():
        for cid in ids_by_key.get(k, set()):
            if cid in stored and stored[cid]["size_bytes"] != len(body):
                wrong_bytes += 1
    lat.sort()
    return {"requests": len(results), "accepted": sum(1 for r in results if r[1] == 202),
            "calls": len(stored) - 1, "lost": lost, "duplicated": duplicated, "wrong_bytes": wrong_bytes,
            "seconds": elapsed, "p50_ms": 1000 * statistics.median(lat), "p99_ms": 1000 * lat[int(0.99 * (len(lat) - 1))],
            "sha": hashlib.sha256(b"".join(bodies.values())).hexdigest()[:8]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of each read scenario")
    ap.add_argument("--connections", type=int, default=32, help="keep-alive connections of the read load")
    ap.add_argument("--server-workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--uploads", type=int, default=50, help="concurrent distinct uploads (each sent twice)")
    ap.add_argument("--rate", type=float, default=600.0, help="offered req/s of the open-loop scenario")
    args = ap.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    with tempfile.TemporaryDirectory(prefix="talktrack-load-") as tmp:
        data = Path(tmp)
        key, call_id = seed(data)
        port = free_port()
        env = {**os.environ, "TALKTRACK_DATA_DIR": str(data), "TALKTRACK_EXECUTOR": "none",
               "TALKTRACK_RATE_LIMIT_PER_MINUTE": "0", "TALKTRACK_KEY_CACHE_S": "5"}
        env.pop("TALKTRACK_DATABASE_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "service.api.app:app", "--port", str(port), "--workers",
             str(args.server_workers), "--no-access-log", "--log-level", "warning", "--loop", "uvloop",
             "--http", "httptools"], cwd=REPO, env=env, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start")
                time.sleep(0.3)
            def measured(*a: object, **kw: float) -> dict[str, float]:
                cpu0 = group_cpu_s(server.pid)
                res = asyncio.run(read_load(*a, **kw))  # type: ignore[arg-type]
                res["cpu_ms"] = 1000 * (group_cpu_s(server.pid) - cpu0) / max(1, res["requests"])
                return res

            base = measured(port, "/healthz", "", args.duration, args.connections)
            auth = f"Authorization: Bearer {key}\r\n"
            path = f"/v1/calls/{call_id}/suggestions"
            sugg = measured(port, path, auth, args.duration, args.connections)
            fixed = measured(port, path, auth, args.duration, args.connections, rate=args.rate)
            up = asyncio.run(upload_burst(url, key, args.uploads))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    print(f"cores: {os.cpu_count()}, load average at end: {os.getloadavg()[0]:.1f}, server workers: "
          f"{args.server_workers}, connections: {args.connections}, {args.duration:.0f} s per read scenario\n")
    print("| scenario | requests | req/s | p50 ms | p99 ms | non-200 | server CPU ms/req | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    print(f"| GET /healthz (baseline, no auth/db) | {base['requests']} | {base['rps']:.0f} | {base['p50_ms']:.1f} | "
          f"{base['p99_ms']:.1f} | {base['errors']} | {base['cpu_ms']:.2f} | |")
    print(f"| GET /v1/calls/{{id}}/suggestions, closed loop (max throughput) | {sugg['requests']} | "
          f"{sugg['rps']:.0f} | {sugg['p50_ms']:.1f} | {sugg['p99_ms']:.1f} | {sugg['errors']} | {sugg['cpu_ms']:.2f} | |")
    ok = fixed["rps"] >= 500 and fixed["p99_ms"] <= 50 and fixed["errors"] == 0
    print(f"| GET /v1/calls/{{id}}/suggestions, open loop at {args.rate:.0f} req/s | {fixed['requests']} | "
          f"{fixed['rps']:.0f} | {fixed['p50_ms']:.1f} | {fixed['p99_ms']:.1f} | {fixed['errors']} | "
          f"{fixed['cpu_ms']:.2f} | "
          f">= 500 req/s, p99 <= 50 ms: {'met' if ok else 'MISSED'} |")
    print(f"\nsuggestions / baseline: throughput {sugg['rps'] / base['rps']:.2f}, server CPU per request "
          f"{sugg['cpu_ms'] / base['cpu_ms']:.2f}; capacity of {os.cpu_count()} idle cores at the measured CPU cost: "
          f"{1000 * (os.cpu_count() or 1) / sugg['cpu_ms']:.0f} req/s\n")
    up_ok = up["lost"] == 0 and up["duplicated"] == 0 and up["wrong_bytes"] == 0 and up["calls"] == args.uploads
    print("| uploads | requests (2 per key) | accepted | calls stored | lost | duplicated | size mismatch | "
          "seconds | p50 ms | p99 ms | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    print(f"| {args.uploads} concurrent, each retried at once | {up['requests']} | {up['accepted']} | {up['calls']} | "
          f"{up['lost']} | {up['duplicated']} | {up['wrong_bytes']} | {up['seconds']:.1f} | {up['p50_ms']:.0f} | "
          f"{up['p99_ms']:.0f} | zero lost/duplicated: {'met' if up_ok else 'MISSED'} |")
    return 0 if ok and up_ok else 1


if __name__ == "__main__":
    sys.exit(main())
