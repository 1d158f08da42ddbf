"""Reliability: a worker killed mid-job is replaced and the call completes; a job interrupted too
often ends `failed` with the reason; a job can be claimed only once."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_killed_worker_mid_job_then_call_completes(kind: str, h: Any, tmp_path: Path) -> None:
    """SQLite: the worker is the `talktrack serve` process itself, so the server is killed and
    restarted. PostgreSQL: the Celery worker is killed and a new one started."""
    from sqlmodel import Session, select

    from models import Job
    from service.core.db import get_engine

    stack, dbname = h.make_stack(kind, tmp_path)
    try:
        h.bootstrap_accounts(stack)
        stack.start_server()
        if kind == "postgres":
            stack.start_worker()
        audio = (h.asr / "jfk.flac").read_bytes()
        with stack.client("admin") as c:
            cid = h.upload(c, audio, filename="jfk.flac", content_type="audio/flac").json()["id"]
            h.wait_status(c, cid, ("processing",), timeout=240)
            time.sleep(0.5)
            assert c.get(f"/v1/calls/{cid}").json()["status"] == "processing"
            if kind == "sqlite":
                assert stack.server is not None
                stack.server.kill()  # SIGKILL: no clean shutdown, the job is left 'processing'
                stack.start_server()
            else:
                assert stack.worker is not None
                stack.worker.kill()
                stack.start_worker()
        with stack.client("admin") as c:
            body = h.wait_status(c, cid, timeout=300)
        assert body["status"] == "done", body["error"]
        text = " ".join(t["text"] for t in body["analysis"]["turns"]).lower()
        assert "ask not what your country can do for you" in text
        with Session(get_engine(stack.settings())) as s:
            job = s.exec(select(Job).where(Job.call_id == cid)).one()
            assert job.status == "done" and job.attempts == 2
    finally:
        stack.stop()
        if dbname:
            h.drop_postgres_database(dbname)


def test_interrupted_too_often_fails_with_reason(tmp_path: Path) -> None:
    from sqlmodel import Session

    from models import Call, Job, Organization
    from models.base import utcnow
    from service.core.config import Settings
    from service.core.db import get_engine, run_migrations
    from service.jobs.core import claim, sweep

    settings = Settings(data_dir=tmp_path, job_max_attempts=2, job_lease_s=30)
    run_migrations(settings)
    with Session(get_engine(settings), expire_on_commit=False) as s:
        org = Organization(name="o")
        s.add(org)
        calls = [Call(org_id=org.id, media_kind="vtt") for _ in range(2)]
        s.add_all(calls)
        s.commit()
        jobs = [Job(call_id=c.id) for c in calls]
        s.add_all(jobs)
        s.commit()
        # Two workers race for the first job: exactly one wins.
        assert claim(s, jobs[0].id, "host:1:1", 30, 2) is True
        assert claim(s, jobs[0].id, "host:2:1", 30, 2) is False
        assert claim(s, jobs[1].id, "host:1:1", 30, 2) is True
        # Both workers die: leases run out. Job 0 has used 2 of 2 attempts, job 1 one.
        for job, attempts in ((jobs[0], 2), (jobs[1], 1)):
            row = s.get(Job, job.id)
            assert row is not None
            row.attempts, row.lease_expires_at = attempts, utcnow() - timedelta(seconds=1)
            s.add(row)
        s.commit()
    result = sweep(settings)
    assert result.failed_jobs == [jobs[0].id] and result.runnable_jobs == [jobs[1].id]
    with Session(get_engine(settings)) as s:
        failed_call = s.get(Call, calls[0].id)
        assert failed_call is not None and failed_call.status == "failed"
        assert failed_call.error is not None and "interrupted 2 times" in failed_call.error
        requeued = s.get(Job, jobs[1].id)
        assert requeued is not None and requeued.status == "queued" and requeued.worker_id is None
        # A live lease is left alone.
        assert claim(s, jobs[1].id, "host:3:1", 30, 2) is True
    assert sweep(settings).runnable_jobs == []


def test_job_never_sent_to_the_broker_is_sent_by_the_sweeper(tmp_path: Path) -> None:
    """An API process killed between storing a call and sending its job to the broker: any other
    process's Celery sweeper sends it after `UNSENT_GRACE_S`, not after the 10-minute lost-message wait."""
    from sqlmodel import Session

    from models import Call, Job, Organization
    from models.base import utcnow
    from service.core.config import Settings
    from service.core.db import get_engine, run_migrations
    from service.jobs.celery_app import UNSENT_GRACE_S
    from service.jobs.core import mark_sent, sweep

    settings = Settings(data_dir=tmp_path)
    run_migrations(settings)
    with Session(get_engine(settings), expire_on_commit=False) as s:
        org = Organization(name="o")
        s.add(org)
        calls = [Call(org_id=org.id, media_kind="vtt") for _ in range(3)]
        s.add_all(calls)
        s.commit()
        old = utcnow() - timedelta(seconds=UNSENT_GRACE_S + 5)
        unsent, sent, fresh = Job(call_id=calls[0].id, created_at=old), Job(call_id=calls[1].id, created_at=old), \
            Job(call_id=calls[2].id)
        s.add_all([unsent, sent, fresh])
        s.commit()
    mark_sent(settings, [sent.id])
    celery_sweep = {"requeue_queued_older_than_s": 600.0, "unsent_older_than_s": UNSENT_GRACE_S}
    assert sweep(settings, **celery_sweep).runnable_jobs == [unsent.id]
    mark_sent(settings, [unsent.id])
    assert sweep(settings, **celery_sweep).runnable_jobs == []
    assert len(sweep(settings).runnable_jobs) == 3  # the first sweep after start-up sends every queued job


def test_webhook_deliveries_have_their_own_queue() -> None:
    from service.jobs.celery_app import ANALYZE_TASK, DELIVER_TASK, make_celery

    app = make_celery("redis://127.0.0.1:6379/15", "tt-routing-test")
    route = app.amqp.router.route
    assert route({}, DELIVER_TASK)["queue"].name == "tt-routing-test-webhooks"
    assert route({}, ANALYZE_TASK)["queue"].name == "tt-routing-test"
