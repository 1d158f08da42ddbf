"""The chaos run's cluster (`bench/chaos.py`): the audio store, two nodes (API + Celery worker each)
on one fresh database and Celery queue, the webhook receiver counting `call.analyzed`, and the
SIGKILLs of a worker mid-job and an API mid-upload."""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from devstack.stack import (
    BASE_ENV,
    REDIS_URL,
    S3Server,
    Stack,
    bootstrap_accounts,
    create_postgres_database,
    drop_postgres_database,
    start_s3_server,
)

# ---- the audio store: a local directory or an S3-compatible server -----------------------------------

@dataclass
class Storage:
    kind: str  # local | s3
    env: dict[str, str] = field(default_factory=dict)
    server: S3Server | None = None
    bucket: str = ""


@contextmanager
def audio_storage(kind: str, tmp: Path) -> Iterator[Storage]:
    """`local`: the nodes share the data directory's audio store. `s3`: moto's standalone server on a
    free loopback port with a fresh bucket, reached through the standard AWS_* variables."""
    if kind == "local":
        yield Storage("local")
        return
    server = start_s3_server(tmp / "moto.log")
    try:
        bucket = server.new_bucket()
        yield Storage("s3", server.env(bucket, "audio"), server, bucket)
    finally:
        server.proc.stop()


# ---- webhook receiver ------------------------------------------------------------------------------

class WebhookReceiver:
    """Records each `call.analyzed` POST: (delivery id, call id). Answers 204."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        lock = threading.Lock()
        events = self.events

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if body.get("event") == "call.analyzed":
                    with lock:
                        events.append((self.headers.get("X-Talktrack-Delivery", ""), body["call"]["id"]))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def calls(self) -> Counter[str]:
        """call id -> distinct deliveries received (a redelivery of one delivery id counts once)."""
        return Counter(call for _, call in set(self.events))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ---- the two nodes ---------------------------------------------------------------------------------

@dataclass
class Cluster:
    nodes: list[Stack]
    key: str  # an admin key of the organization the calls go to

    @cached_property
    def settings(self) -> Any:
        return self.nodes[0].settings()


@contextmanager
def cluster(run: str, tmp: Path, storage: Storage) -> Iterator[Cluster]:
    """Two nodes (API + worker each) on one fresh database and Celery queue; torn down afterwards."""
    dbname = f"talktrack_chaos_{os.getpid()}_{run}"
    database_url = create_postgres_database(dbname)
    nodes: list[Stack] = []
    try:
        env = {**os.environ, **BASE_ENV, **storage.env, "TALKTRACK_DATA_DIR": str(tmp / "data"),
               "TALKTRACK_DATABASE_URL": database_url, "TALKTRACK_BROKER_URL": REDIS_URL,
               "TALKTRACK_CELERY_QUEUE": dbname, "TALKTRACK_REDIS_KEY_PREFIX": dbname,
               "TALKTRACK_RATE_LIMIT_PER_MINUTE": "0"}
        for i in (1, 2):
            (tmp / f"node{i}").mkdir(parents=True)
            nodes.append(Stack(name=f"node{i}", env=env, tmp=tmp / f"node{i}"))
        bootstrap_accounts(nodes[0])
        for node in nodes:
            node.start_worker()
        for node in nodes:
            node.start_server(via_cli=True)
        yield Cluster(nodes, nodes[0].keys["admin"])
    finally:
        for node in nodes:
            node.stop()
        drop_postgres_database(dbname)  # and the Celery queue named like it


def group_pids(pgid: int) -> set[int]:
    """The processes of one process group (a Celery worker and its pool children)."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                pids.add(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def running_job(c: Cluster, pids: set[int]) -> str | None:
    """The call a job in `processing` by one of `pids` belongs to (worker ids are host:pid:thread)."""
    from sqlmodel import Session, col, select

    from models import Job
    from service.core.db import get_engine

    with Session(get_engine(c.settings)) as s:
        for job in s.exec(select(Job).where(col(Job.status) == "processing")).all():
            parts = (job.worker_id or "").split(":")
            if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) in pids:
                return job.call_id
    return None


@dataclass
class Kill:
    process: str
    pid: int
    at_s: float
    after_uploads: int
    doing: str


def kill_worker_mid_job(c: Cluster, node: Stack, t0: float, sent: int, wait_s: float = 30.0) -> Kill:
    """SIGKILL the node's worker (its whole process group) once it is running a job."""
    assert node.worker is not None and node.worker.popen is not None
    pgid = node.worker.popen.pid
    deadline = time.monotonic() + wait_s
    call = running_job(c, group_pids(pgid))
    while call is None and time.monotonic() < deadline:
        time.sleep(0.1)
        call = running_job(c, group_pids(pgid))
    at = time.monotonic() - t0
    node.worker.kill()
    return Kill(f"{node.name} worker", pgid, at, sent, f"running call {call}" if call else "idle")


def kill_api_mid_upload(node: Stack, t0: float, sent: int, in_flight: Counter[str], wait_s: float = 10.0) -> Kill:
    """SIGKILL the node's API once an upload to it is in flight (or after `wait_s` without one)."""
    assert node.server is not None and node.server.popen is not None
    pid = node.server.popen.pid
    deadline = time.monotonic() + wait_s
    while in_flight[node.url] == 0 and time.monotonic() < deadline:
        time.sleep(0.001)
    busy = in_flight[node.url]
    at = time.monotonic() - t0
    node.server.kill()
    return Kill(f"{node.name} API", pid, at, sent, f"{busy} upload{'s' * (busy != 1)} in flight to it")
