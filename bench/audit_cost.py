"""What the audit trail costs a page: one event (`service.core.audit.record`: an insert and its
commit) against the call page it is recorded for, on SQLite and on PostgreSQL.

Starts a real server per backend (devstack), analyses one transcript, then times `--events` audit
inserts on the server's database and `--pages` loads of the call page (the baseline: a view of the
same call by the same person is recorded once a minute, so these loads carry no insert). Prints a
markdown table.

    .venv/bin/python -m bench.audit_cost [--events 300] [--pages 60] [--backends sqlite postgres]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlmodel import Session

from devstack.stack import (
    BASE_ENV,
    Stack,
    bootstrap_accounts,
    create_postgres_database,
    drop_postgres_database,
)

VTT = """WEBVTT

00:00:00.000 --> 00:00:05.000
<v Dana>Hi Bob, thanks for making the time today. What are your main goals for this quarter?

00:00:05.500 --> 00:00:14.000
<v Bob>We want to cut onboarding time in half. Right now it takes about six weeks.
"""


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def measure(kind: str, events: int, pages: int) -> tuple[tuple[float, float], tuple[float, float]]:
    from models import User
    from service.core.audit import Actor, record
    from service.core.db import get_engine
    from service.core.sessions import SESSION_COOKIE, start_session

    tmp = Path(tempfile.mkdtemp(prefix=f"audit-cost-{kind}-"))
    env = {**os.environ, **BASE_ENV, "TALKTRACK_DATA_DIR": str(tmp / "data")}
    database = None
    if kind == "postgres":
        database = f"talktrack_bench_{uuid.uuid4().hex[:8]}"
        env["TALKTRACK_DATABASE_URL"] = create_postgres_database(database)
    stack = Stack(name=kind, env=env, tmp=tmp)
    try:
        bootstrap_accounts(stack)
        stack.start_server()
        with stack.client("rep1") as c:
            call_id = c.post("/v1/calls", files={"file": ("c.vtt", VTT.encode(), "text/vtt")}).json()["id"]
            while c.get(f"/v1/calls/{call_id}").json()["status"] not in ("done", "failed"):
                time.sleep(0.2)
        engine = get_engine(stack.settings())
        with Session(engine) as session:
            token = start_session(session, session.get(User, stack.ids["coach"]), hours=1).token  # type: ignore[arg-type]
        inserts = []
        with Session(engine) as session:
            for _ in range(events):
                t0 = time.perf_counter()
                record(session, "call.download", org_id=stack.ids["org_a"], actor=Actor("api", key_id="bench"),
                       target_kind="call", target_id=call_id, detail={"file": "transcript.txt"})
                inserts.append((time.perf_counter() - t0) * 1000)
        loads = []
        with httpx.Client(base_url=stack.url, cookies={SESSION_COOKIE: token}, timeout=30) as web:
            web.get(f"/calls/{call_id}")  # the view's one event, and a warm view cache
            for _ in range(pages):
                t0 = time.perf_counter()
                assert web.get(f"/calls/{call_id}").status_code == 200
                loads.append((time.perf_counter() - t0) * 1000)
        return _ms(inserts), _ms(loads)
    finally:
        stack.stop()
        if database:
            drop_postgres_database(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    args = parser.parse_args()
    print("| backend | one audit event: median ms | p95 ms | call page (baseline): median ms | p95 ms | event / page |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in args.backends:
        (ev_med, ev_p95), (page_med, page_p95) = measure(kind, args.events, args.pages)
        print(f"| {kind} | {ev_med:.2f} | {ev_p95:.2f} | {page_med:.1f} | {page_p95:.1f} | {ev_med / page_med:.0%} |")


if __name__ == "__main__":
    main()
