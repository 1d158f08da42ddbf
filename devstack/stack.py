"""Real service processes for the tests and the benches: a `talktrack serve` (or uvicorn) server and a
`talktrack worker` Celery process in their own process groups, a throwaway PostgreSQL database and
Celery queue, the bootstrap accounts, and moto's S3 server. No pytest here: `bench/chaos.py` starts
its two nodes with these too. The pytest fixtures around them are in `tests/service/conftest.py`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("TALKTRACK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TALKTRACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# Fast, bounded settings for the server under test.
BASE_ENV = {
    "TALKTRACK_JOB_LEASE_S": "15",  # crash tests recover at once: the dead worker's pid is seen gone
    "TALKTRACK_SWEEP_INTERVAL_S": "1",
    "TALKTRACK_WEBHOOK_BACKOFF_S": "0.3",
    "TALKTRACK_WEBHOOK_MAX_ATTEMPTS": "3",
    "TALKTRACK_WEBHOOK_TIMEOUT_S": "5",
    "TALKTRACK_MAX_UPLOAD_BYTES": str(2 * 1024 * 1024),
    "TALKTRACK_RATE_LIMIT_PER_MINUTE": "3000",
    "TALKTRACK_RATE_LIMIT_BURST": "100",
    "TALKTRACK_KEY_CACHE_S": "0",
    "TALKTRACK_WEBHOOK_ALLOW_PRIVATE": "true",  # the test receivers listen on 127.0.0.1
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    """A child process in its own process group (so a kill takes its children too)."""

    args: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:  # the child keeps its own copy of the descriptor
            self.popen = subprocess.Popen(self.args, env=self.env, cwd=REPO, stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


@dataclass
class Stack:
    """A running service: its URL, environment, settings and one key per role."""

    name: str
    env: dict[str, str]
    tmp: Path
    port: int = 0
    server: Proc | None = None
    worker: Proc | None = None
    keys: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self) -> Any:
        from service.core.config import Settings

        return Settings(**{k[len("TALKTRACK_"):].lower(): v for k, v in self.env.items()
                           if k.startswith("TALKTRACK_")})

    def client(self, role: str | None = None, timeout: float = 30.0) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def start_server(self, via_cli: bool = False) -> None:
        """`via_cli`: start it as users do (`talktrack serve`), else uvicorn directly (starts faster)."""
        self.port = self.port or free_port()
        if via_cli:
            args = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        else:
            args = [sys.executable, "-m", "uvicorn", "service.api.app:app", "--host", "127.0.0.1",
                    "--port", str(self.port), "--no-access-log", "--no-proxy-headers"]
        self.server = Proc(args, self.env, self.tmp / "server.log")
        self.server.start()
        wait_healthy(self.url, self.server, self.tmp / "server.log")

    def start_worker(self) -> None:
        self.worker = Proc([sys.executable, "-m", "service.cli", "worker", "--pool", "prefork", "--concurrency",
                            "1", "--loglevel", "WARNING"], self.env, self.tmp / "worker.log")
        self.worker.start()

    def stop(self) -> None:
        for p in (self.server, self.worker):
            if p is not None:
                p.stop()


def wait_healthy(url: str, proc: Proc, log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen is not None and proc.popen.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout}s: {log.read_text()[-3000:]}")


def bootstrap_accounts(stack: Stack) -> None:
    """Two organizations; in A two teams, a coach, two reps, admin and integration keys."""
    from service.core.accounts import create_key, create_org, create_team, create_user
    from service.core.db import run_migrations, session_scope

    settings = stack.settings()
    run_migrations(settings)
    with session_scope(settings) as s:
        a = create_org(s, "Org A")
        b = create_org(s, "Org B")
        t1, t2 = create_team(s, a.id, "East"), create_team(s, a.id, "West")
        coach = create_user(s, a.id, "Cora", team_id=t1.id, role="coach")  # a key never exceeds its person
        rep1 = create_user(s, a.id, "Dana", team_id=t1.id)
        rep2 = create_user(s, a.id, "Eli", team_id=t2.id)
        rep_b = create_user(s, b.id, "Finn")
        stack.ids.update(org_a=a.id, org_b=b.id, team1=t1.id, team2=t2.id, coach=coach.id, rep1=rep1.id,
                         rep2=rep2.id, rep_b=rep_b.id)
        stack.keys.update(
            admin=create_key(s, a.id, "admin").secret,
            integration=create_key(s, a.id, "integration").secret,
            coach=create_key(s, a.id, "coach", user_id=coach.id).secret,
            rep1=create_key(s, a.id, "rep", user_id=rep1.id).secret,
            rep2=create_key(s, a.id, "rep", user_id=rep2.id).secret,
            admin_b=create_key(s, b.id, "admin").secret,
            rep_b=create_key(s, b.id, "rep", user_id=rep_b.id).secret,
        )


def _admin_sql(statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on the server's admin database."""
    import psycopg2

    conn = psycopg2.connect(PG_URL, connect_timeout=3)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def create_postgres_database(name: str) -> str:
    """Create a throwaway database; returns its URL. Raises when PostgreSQL is not reachable."""
    _admin_sql(f'CREATE DATABASE "{name}"')
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def drop_redis_queue(name: str) -> None:
    """Remove what a run's Celery queue left in the shared Redis."""
    import redis

    r = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    r.delete(name, f"_kombu.binding.{name}", *r.keys(f"{name}*"))


def drop_postgres_database(name: str) -> None:
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    drop_redis_queue(name)  # the queue is named like the database


@dataclass
class S3Server:
    """A real S3-compatible server (moto's standalone server, test-only) on a free loopback port."""

    endpoint: str
    proc: Proc

    def env(self, bucket: str, prefix: str = "talktrack") -> dict[str, str]:
        """What a Talktrack process needs to keep its audio in `bucket`: boto3's own variables."""
        return {"TALKTRACK_STORAGE_URL": f"s3://{bucket}/{prefix}", "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1"}

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id="testing",
                            aws_secret_access_key="testing", region_name="us-east-1")

    def new_bucket(self) -> str:
        name = f"tt-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    def open_uploads(self, bucket: str) -> list[str]:
        return [u["Key"] for u in self.client().list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


def start_s3_server(log: Path, timeout: float = 30.0) -> S3Server:
    """moto's standalone S3 server on a free loopback port, answering; stop it with `.proc.stop()`."""
    port = free_port()
    proc = Proc([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], dict(os.environ), log)
    proc.start()
    server = S3Server(f"http://127.0.0.1:{port}", proc)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(server.endpoint + "/moto-api/", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if (proc.popen is not None and proc.popen.poll() is not None) or time.monotonic() > deadline:
            proc.stop()
            raise RuntimeError(f"moto server did not start: {log.read_text()[-3000:]}")
        time.sleep(0.1)
