"""Transient failures of a job are retried, permanent ones fail at once (`service.jobs.retry`).

In-process, on real parts: a SQLite database, an S3 store whose server cannot be reached (a closed
loopback port), the local store with a missing file, a PostgreSQL database behind a proxy that is cut.
The outages of a running service (moto and PostgreSQL stopped mid-analysis) are in
`test_chaos_outages.py`.
"""

from __future__ import annotations

import errno
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from devstack.stack import PG_URL, create_postgres_database, free_port


def _settings(tmp_path: Path, **kw: Any) -> Any:
    from service.core.config import Settings
    from service.core.db import run_migrations

    settings = Settings(data_dir=tmp_path, **kw)
    run_migrations(settings)
    return settings


def _call_with_job(settings: Any, storage_key: str | None = "calls/x/original.vtt",
                   media_kind: str = "vtt") -> tuple[str, str]:
    from sqlmodel import Session

    from models import Call, Job, Organization
    from service.core.db import get_engine

    with Session(get_engine(settings), expire_on_commit=False) as s:
        org = Organization(name="o")
        s.add(org)
        s.flush()
        call = Call(org_id=org.id, media_kind=media_kind, storage_key=storage_key)
        s.add(call)
        s.flush()
        job = Job(call_id=call.id)
        s.add(job)
        s.commit()
        return call.id, job.id


def _rows(settings: Any, call_id: str, job_id: str) -> tuple[Any, Any]:
    from sqlmodel import Session

    from models import Call, Job
    from service.core.db import get_engine

    with Session(get_engine(settings), expire_on_commit=False) as s:
        return s.get(Call, call_id), s.get(Job, job_id)


def test_transient_and_permanent_failures_are_told_apart(tmp_path: Path) -> None:
    import redis
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from service.core.errors import NotFound, StorageUnavailable
    from service.jobs.retry import transient_reason
    from transcription.errors import TalktrackError

    def raised(fn: Any) -> BaseException:
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - the exception is the value under test
            return exc
        raise AssertionError("nothing raised")

    # PostgreSQL that is not there: a closed port.
    pg = create_engine(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/x")
    down = raised(lambda: pg.connect())
    assert isinstance(down, OperationalError)
    assert (transient_reason(down) or "").startswith("the database is unavailable: connection to server at")
    # SQLite: a bad statement is a bug; a database locked by another writer is transient.
    db = tmp_path / "t.db"
    lite = create_engine(f"sqlite:///{db}", connect_args={"timeout": 0})
    with lite.connect() as conn:
        assert transient_reason(raised(lambda: conn.execute(text("SELECT * FROM nowhere")))) is None
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with lite.connect() as conn:
            locked = raised(lambda: conn.execute(text("CREATE TABLE t (x int)")))
        assert transient_reason(locked) == "the database is unavailable: database is locked"
    finally:
        holder.rollback()
        holder.close()
    # The broker.
    broker = redis.Redis(port=free_port(), socket_connect_timeout=1)
    assert (transient_reason(raised(broker.ping)) or "").startswith("the message broker is unavailable")
    # Storage and disks.
    assert transient_reason(StorageUnavailable("audio storage is unavailable: x")) == "audio storage is unavailable: x"
    assert transient_reason(OSError(errno.EIO, "Input/output error")) == \
        "audio storage is unavailable: Input/output error"
    assert transient_reason(OSError(errno.ENOSPC, "No space left on device")) is not None
    # Bad input and gone files: permanent.
    assert transient_reason(FileNotFoundError(errno.ENOENT, "No such file")) is None
    assert transient_reason(NotFound("the recording is no longer stored")) is None
    assert transient_reason(TalktrackError("could not decode the audio")) is None
    assert transient_reason(ValueError("bad")) is None


def test_the_backoff_doubles_with_jitter_up_to_its_cap(tmp_path: Path) -> None:
    import random

    from service.core.config import Settings
    from service.jobs.retry import about, gave_up, retry_delay

    settings = Settings(data_dir=tmp_path, job_retry_backoff_s=5, job_retry_max_delay_s=60)
    rng = random.Random(7)
    for retries, ceiling in ((0, 5), (1, 10), (2, 20), (3, 40), (4, 60), (9, 60), (200, 60)):
        draws = [retry_delay(settings, retries, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in draws), (retries, min(draws), max(draws))
        assert max(draws) - min(draws) > ceiling / 4  # spread: jobs that failed together come back apart
    assert about(40) == "40 s" and about(600) == "10 min" and about(7500) == "2 h 5 min"
    assert gave_up("audio storage is unavailable: x", 9, 905) == (
        "audio storage is unavailable: x (tried 9 times over 15 min; giving up: once it is back, run the "
        "analysis again)")


@pytest.fixture
def unreachable_s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """boto3 pointed at a loopback port nobody listens on."""
    endpoint = f"http://127.0.0.1:{free_port()}"
    for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    yield endpoint


def test_an_unreachable_store_is_retried_then_fails_with_words(tmp_path: Path, unreachable_s3: str) -> None:
    from service.jobs.core import run_job, sweep

    settings = _settings(tmp_path, storage_url="s3://calls-bucket/t", job_max_retries=2,
                         job_retry_backoff_s=0.2, job_retry_max_delay_s=0.2)
    call_id, job_id = _call_with_job(settings)
    for tries in (1, 2):
        run = run_job(settings, job_id, "host:1:1")
        assert run.retry_in_s is not None and 0.1 <= run.retry_in_s <= 0.2 and run.deliveries == []
        call, job = _rows(settings, call_id, job_id)
        assert (call.status, job.status, job.attempts, job.retries) == ("retrying", "retrying", 0, tries)
        assert call.error == job.error
        assert call.error.startswith("audio storage is unavailable: cannot reach s3://calls-bucket at "
                                     f"{unreachable_s3}")
        assert call.retry_at is not None and call.retry_at == job.lease_expires_at
        assert run_job(settings, job_id, "host:2:1").retry_in_s is None  # not due yet: nobody may take it
        assert job_id not in sweep(settings).runnable_jobs
        time.sleep(0.25)
        assert job_id in sweep(settings).runnable_jobs  # due: the sweeper hands it out again
    run = run_job(settings, job_id, "host:1:1")
    assert run.retry_in_s is None
    call, job = _rows(settings, call_id, job_id)
    assert (call.status, job.status, job.retries, call.retry_at) == ("failed", "failed", 2, None)
    assert call.error.startswith("audio storage is unavailable: cannot reach s3://calls-bucket")
    assert "(tried 3 times over " in call.error and call.error.endswith(
        "giving up: once it is back, run the analysis again)")


def test_a_missing_recording_fails_at_once(tmp_path: Path) -> None:
    from service.jobs.core import run_job

    settings = _settings(tmp_path, job_max_retries=5)
    call_id, job_id = _call_with_job(settings, "calls/gone/original.vtt")
    run = run_job(settings, job_id, "host:1:1")
    assert run.retry_in_s is None
    call, job = _rows(settings, call_id, job_id)
    assert (call.status, call.error, job.retries) == ("failed", "the recording is no longer stored", 0)


@pytest.mark.postgres
def test_after_an_outage_live_workers_get_a_lease_to_renew(h: Any, tmp_path: Path) -> None:
    """The sweeper saw the database go away and come back: a lease that ran out meanwhile belongs to
    a worker whose heartbeat could not write either, so it is not taken for dead until a whole lease
    has passed since the database came back (a worker seen dead loses its job at once)."""
    from sqlmodel import Session

    from devstack.outage import TcpProxy
    from models import Job
    from models.base import utcnow
    from service.core.db import get_engine
    from service.jobs.core import claim, sweep

    h.check_postgres()
    name = f"talktrack_test_{uuid.uuid4().hex[:12]}"
    url = create_postgres_database(name)
    proxy = TcpProxy.in_front_of(PG_URL).start()
    try:
        settings = _settings(tmp_path, database_url=proxy.url(url), job_lease_s=2.0)
        _, alive_job = _call_with_job(settings)
        _, dead_job = _call_with_job(settings)
        alive, dead = f"{socket.gethostname()}:{os.getpid()}:1", f"{socket.gethostname()}:999999999:1"
        with Session(get_engine(settings)) as s:
            assert claim(s, alive_job, alive, 2.0, 3) and claim(s, dead_job, dead, 2.0, 3)
            for job_id in (alive_job, dead_job):
                job = s.get(Job, job_id)
                assert job is not None
                job.lease_expires_at = utcnow() - timedelta(seconds=5)
                s.add(job)
            s.commit()
        proxy.cut()
        with pytest.raises(Exception) as down:
            sweep(settings)
        assert "connection" in str(down.value).lower()
        proxy.restore()
        assert sweep(settings).runnable_jobs == [dead_job]  # seen gone: requeued at once
        time.sleep(2.2)
        # A whole lease later its lease counts again (the dead worker's job is still queued, and listed).
        assert sweep(settings).runnable_jobs == [alive_job, dead_job]
    finally:
        proxy.stop()
        get_engine(settings).dispose()
        h.drop_postgres_database(name)
