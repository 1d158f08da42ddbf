"""Fixtures for the service tests: a REAL server process (uvicorn on a free port) per backend.

`stack` is parametrised: `sqlite` (embedded default: SQLite + worker threads inside the server)
and `postgres` (a throwaway PostgreSQL database, Redis broker, a real `talktrack worker` Celery
process). Without PostgreSQL/Redis the postgres suite is skipped with the reason; with CI=true it
fails loudly instead.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.stack import (
    BASE_ENV,
    PG_URL,
    REDIS_URL,
    S3Server,
    Stack,
    bootstrap_accounts,
    create_postgres_database,
    drop_postgres_database,
    free_port,
    start_s3_server,
)
from tests.datafiles import ASR

VTT = """WEBVTT

00:00:00.000 --> 00:00:05.000
<v Dana>Hi Bob, thanks for making the time today. What are your main goals for this quarter?

00:00:05.500 --> 00:00:14.000
<v Bob>We want to cut onboarding time in half. Right now it takes about six weeks and the team hates it.

00:00:14.500 --> 00:00:18.000
<v Dana>How do you handle onboarding today?

00:00:18.500 --> 00:00:27.000
<v Bob>Mostly spreadsheets and a lot of shadowing. Honestly the price of our current tool is also a problem.

00:00:27.500 --> 00:00:31.000
<v Dana>Understood. I'll send you the proposal by Friday.
"""

def service_unavailable(reason: str) -> None:
    """Skip on a laptop; fail loudly in CI, where PostgreSQL and Redis must be there."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(f"postgres suite skipped: {reason}")


def postgres_database(name: str) -> str:
    """Create a throwaway database; returns its URL (skips/fails when PostgreSQL is absent)."""
    try:
        return create_postgres_database(name)
    except Exception as exc:  # psycopg2.OperationalError and friends
        service_unavailable(f"PostgreSQL not reachable at {PG_URL} ({exc.__class__.__name__})")
        raise


def check_postgres() -> None:
    try:
        import psycopg2

        psycopg2.connect(PG_URL, connect_timeout=3).close()
    except Exception as exc:  # psycopg2.OperationalError and friends
        service_unavailable(f"PostgreSQL not reachable at {PG_URL} ({exc.__class__.__name__})")


def check_redis() -> None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        service_unavailable(f"Redis not reachable at {REDIS_URL} ({exc.__class__.__name__})")


def make_stack(kind: str, tmp: Path, extra_env: dict[str, str] | None = None) -> tuple[Stack, str | None]:
    env = {**os.environ, **BASE_ENV, "TALKTRACK_DATA_DIR": str(tmp / "data"), **(extra_env or {})}
    env.pop("TALKTRACK_DATABASE_URL", None)
    env.pop("TALKTRACK_BROKER_URL", None)
    dbname = None
    if kind == "postgres":
        check_redis()
        dbname = f"talktrack_test_{uuid.uuid4().hex[:12]}"
        env["TALKTRACK_DATABASE_URL"] = postgres_database(dbname)
        env["TALKTRACK_BROKER_URL"] = REDIS_URL
        env["TALKTRACK_CELERY_QUEUE"] = dbname  # each run its own queue on the shared Redis
        env["TALKTRACK_REDIS_KEY_PREFIX"] = dbname  # and its own live calls and rate limits there
    stack = Stack(name=kind, env=env, tmp=tmp)
    return stack, dbname


@contextmanager
def running_stack(kind: str, tmp: Path, extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """A server (and, on PostgreSQL, a Celery worker) with the bootstrap accounts, for a test
    module that needs settings or data of its own; stopped and its database dropped afterwards."""
    s, dbname = make_stack(kind, tmp, extra_env)
    try:
        bootstrap_accounts(s)
        s.start_server()
        if kind == "postgres":
            s.start_worker()
        yield s
    finally:
        s.stop()
        if dbname:
            drop_postgres_database(dbname)


@contextmanager
def migrating(kind: str, tmp: Path, at: str) -> Iterator[tuple[Any, Any]]:
    """An empty database of `kind` upgraded to revision `at`: yields (alembic Config, connection),
    the config wired to that connection, for a test to add rows and then upgrade or downgrade a
    step; the engine is disposed of and a PostgreSQL database dropped afterwards."""
    from alembic import command
    from alembic.config import Config

    from service.core.db import ALEMBIC_INI, get_engine

    if kind == "postgres":
        check_postgres()
    stack, dbname = make_stack(kind, tmp)
    engine = get_engine(stack.settings())
    try:
        cfg = Config(str(ALEMBIC_INI))
        cfg.set_main_option("script_location", str(ALEMBIC_INI.parent / "alembic"))
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, at)
            yield cfg, conn
    finally:
        engine.dispose()
        if dbname:
            drop_postgres_database(dbname)


@pytest.fixture
def test_redis() -> Iterator[Any]:
    """A `SharedRedis` on the real Redis under a key prefix of this test's own, deleted afterwards."""
    from service.core.shared_redis import SharedRedis

    check_redis()
    prefix = f"talktrack_test_{uuid.uuid4().hex[:12]}"
    shared = SharedRedis(REDIS_URL, prefix)
    try:
        yield shared
    finally:
        keys = list(shared.sync.scan_iter(f"{prefix}:*"))
        if keys:
            shared.sync.delete(*keys)
        shared.close()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(request.param, tmp_path_factory.mktemp(f"stack-{request.param}")) as s:
        yield s


def upload(client: httpx.Client, content: bytes | str = VTT, filename: str = "call.vtt",
           content_type: str = "text/vtt", headers: dict[str, str] | None = None, **fields: str) -> httpx.Response:
    data = content.encode() if isinstance(content, str) else content
    return client.post("/v1/calls", files={"file": (filename, data, content_type)}, data=fields,
                       headers=headers or {})


def wait_status(client: httpx.Client, call_id: str, statuses: tuple[str, ...] = ("done", "failed"),
                timeout: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        r = client.get(f"/v1/calls/{call_id}")
        assert r.status_code == 200, r.text
        body = r.json()
        if body["status"] in statuses:
            return body
        time.sleep(0.2)
    raise AssertionError(f"call {call_id} still {body.get('status')} after {timeout}s")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = start_s3_server(tmp_path_factory.mktemp("moto") / "moto.log")
    try:
        yield server
    finally:
        server.proc.stop()


@dataclass(frozen=True)
class Helpers:
    """What the test modules share (importlib import mode: tests cannot import conftest)."""

    vtt: str = VTT
    asr: Path = ASR
    upload: Any = staticmethod(upload)
    wait_status: Any = staticmethod(wait_status)
    make_stack: Any = staticmethod(make_stack)
    bootstrap_accounts: Any = staticmethod(bootstrap_accounts)
    drop_postgres_database: Any = staticmethod(drop_postgres_database)
    free_port: Any = staticmethod(free_port)
    running_stack: Any = staticmethod(running_stack)
    check_postgres: Any = staticmethod(check_postgres)
    check_redis: Any = staticmethod(check_redis)
    migrating: Any = staticmethod(migrating)


@pytest.fixture(scope="session")
def h() -> Helpers:
    return Helpers()
