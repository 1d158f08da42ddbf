"""Chaos: the audio store (moto's S3 server) and PostgreSQL become unavailable in the middle of analyses
and come back. Every call ends `done`, none is analysed twice, and meanwhile the API and the library
say `retrying` with the reason.

The servers stay up: each is reached through a loopback proxy (`devstack.outage.TcpProxy`) that is
cut (connections refused, open ones reset, as from a stopped server) and restored. moto keeps its
objects in memory, so stopping moto itself would lose them; the PostgreSQL cluster is shared by every
test, so only this test's own path to it goes away.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.outage import TcpProxy
from devstack.stack import PG_URL

RETRY_ENV = {"TALKTRACK_JOB_RETRY_BACKOFF_S": "0.5", "TALKTRACK_JOB_RETRY_MAX_DELAY_S": "2",
             "TALKTRACK_JOB_MAX_RETRIES": "60"}


def _transcript(h: Any, n: int) -> str:
    return h.vtt.replace("onboarding time", f"onboarding time of team {n}")


def _jobs_and_results(stack: Any, call_ids: list[str]) -> tuple[dict[str, Any], int]:
    from sqlmodel import Session, col, func, select

    from models import CallResult, Job
    from service.core.db import get_engine

    with Session(get_engine(stack.settings())) as s:
        jobs = {j.call_id: j for j in s.exec(select(Job).where(col(Job.call_id).in_(call_ids))).all()}
        results = s.exec(select(func.count()).select_from(CallResult)
                         .where(col(CallResult.call_id).in_(call_ids))).one()
    return jobs, int(results)


def _wait_any(c: httpx.Client, call_ids: list[str], status: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for cid in call_ids:
            body = c.get(f"/v1/calls/{cid}").json()
            if body["status"] == status:
                return dict(body)
        time.sleep(0.2)
    raise AssertionError(f"no call became {status} within {timeout} s")


def _wait_transcribing(c: httpx.Client, call_id: str, timeout: float = 240) -> None:
    """Until the call's analysis has progress (its file was read, transcription runs)."""
    deadline = time.monotonic() + timeout
    while (body := c.get(f"/v1/calls/{call_id}").json())["progress"] <= 0.0:
        assert time.monotonic() < deadline and body["status"] in ("queued", "processing"), body
        time.sleep(0.1)


@pytest.fixture
def s3_proxy(s3_server: Any) -> Iterator[TcpProxy]:
    proxy = TcpProxy.in_front_of(s3_server.endpoint).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_storage_outage_mid_analysis_every_call_done_once(kind: str, h: Any, s3_server: Any, s3_proxy: TcpProxy,
                                                         tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    env = {**s3_server.env(bucket), "AWS_ENDPOINT_URL": s3_proxy.url(s3_server.endpoint), **RETRY_ENV}
    with h.running_stack(kind, tmp_path, env) as stack, stack.client("admin", timeout=60) as c:
        audio = (h.asr / "jfk.flac").read_bytes()
        r = h.upload(c, audio, "jfk.flac", "audio/flac", title="Recording")
        assert r.status_code == 202, r.text
        ids = [r.json()["id"]]
        for n in range(4):
            r = h.upload(c, _transcript(h, n), f"t{n}.vtt", title=f"Transcript {n}")
            assert r.status_code == 202, r.text
            ids.append(r.json()["id"])
        _wait_transcribing(c, ids[0])  # the recording is downloaded and being analysed
        s3_proxy.cut()
        retrying = _wait_any(c, ids[1:], "retrying", timeout=240)  # the next downloads fail: retried
        assert retrying["error"].startswith("audio storage is unavailable: cannot reach s3://"), retrying
        assert retrying["retry_at"] is not None and retrying["progress"] == 0.0
        r = h.upload(c, _transcript(h, 9), "late.vtt")  # an upload meanwhile: refused with the reason
        assert r.status_code == 503 and "audio storage is unavailable" in r.json()["detail"], r.text
        with httpx.Client(base_url=stack.url, cookies=_admin_session(stack), timeout=30) as web:
            page = web.get("/", params={"status": "retrying"}).text  # the library, filtered on the new status
        assert 'class="badge s-retrying" title="audio storage is unavailable: cannot reach s3://' in page
        assert "Next try at " in page
        time.sleep(3)  # a few more retries while it is down
        s3_proxy.restore()
        bodies = [h.wait_status(c, cid, timeout=300) for cid in ids]
        jobs, results = _jobs_and_results(stack, ids)
    assert [b["status"] for b in bodies] == ["done"] * len(ids), [b["error"] for b in bodies]
    assert all(b["retry_at"] is None and b["error"] is None for b in bodies)
    assert results == len(ids) and len(jobs) == len(ids)
    assert all(j.status == "done" and j.attempts == 1 for j in jobs.values())  # none ran twice
    assert jobs[ids[0]].retries == 0  # the recording's analysis ran through the outage, once
    assert sum(j.retries for j in jobs.values()) >= 2
    assert s3_server.keys(bucket) == sorted(f"talktrack/calls/{cid}/original.{'flac' if cid == ids[0] else 'vtt'}"
                                            for cid in ids)
    assert s3_server.open_uploads(bucket) == []


def _admin_session(stack: Any) -> dict[str, str]:
    """A signed-in organization admin (the bootstrap has admin keys, not an admin person)."""
    from sqlmodel import Session

    from service.core.accounts import create_user
    from service.core.db import get_engine
    from service.core.sessions import SESSION_COOKIE, start_session

    with Session(get_engine(stack.settings()), expire_on_commit=False) as session:
        admin = create_user(session, stack.ids["org_a"], "Ada Admin", role="admin")
        return {SESSION_COOKIE: start_session(session, admin, hours=1).token}


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_postgres_outage_mid_analysis_every_call_done_once(h: Any, tmp_path: Path) -> None:
    """The API process and the Celery worker reach the database through the proxy. It is cut while
    the recording is being transcribed, for longer than a job's lease: the worker finishes the
    analysis and stores it when the database is back; the API's sweeper does not take the job for
    dead (it saw the outage); calls queued meanwhile are claimed then. Each job runs once."""
    h.check_postgres()
    h.check_redis()
    proxy = TcpProxy.in_front_of(PG_URL).start()
    stack, dbname = h.make_stack("postgres", tmp_path, {"TALKTRACK_JOB_LEASE_S": "3", **RETRY_ENV})
    stack.env["TALKTRACK_DATABASE_URL"] = proxy.url(stack.env["TALKTRACK_DATABASE_URL"])
    try:
        h.bootstrap_accounts(stack)
        stack.start_server()
        stack.start_worker()
        with stack.client("admin", timeout=60) as c:
            r = h.upload(c, (h.asr / "jfk.flac").read_bytes(), "jfk.flac", "audio/flac")
            assert r.status_code == 202, r.text
            ids = [r.json()["id"]]
            for n in range(2):
                ids.append(h.upload(c, _transcript(h, n), f"t{n}.vtt").json()["id"])
            _wait_transcribing(c, ids[0])
            proxy.cut()
            time.sleep(1)
            down = c.get(f"/v1/calls/{ids[0]}")  # the API says so, in words, without a traceback
            assert down.status_code == 503, down.text
            assert down.json()["detail"].startswith("the database is unavailable"), down.text
            time.sleep(7)  # more than two leases
            proxy.restore()
            bodies = [h.wait_status(c, cid, timeout=300) for cid in ids]
        assert [b["status"] for b in bodies] == ["done"] * 3, [b["error"] for b in bodies]
        text = " ".join(t["text"] for t in bodies[0]["analysis"]["turns"]).lower()
        assert "ask not what your country can do for you" in text
        jobs, results = _jobs_and_results(stack, ids)
        assert results == 3
        assert [(jobs[cid].status, jobs[cid].attempts) for cid in ids] == [("done", 1)] * 3  # none ran twice
        log = (tmp_path / "worker.log").read_text()
        # The worker meets the outage only if it touched the database during it (on a loaded machine
        # the transcription may outlast the outage): then it says so, and says when it was back.
        assert ("the database is unavailable" in log) == ("the database is back after" in log), log[-2000:]
        server_log = (tmp_path / "server.log").read_text()
        assert "sweep skipped: the database is unavailable" in server_log
        assert "Traceback" not in log + server_log  # the outage is told in one line per event, no stack
    finally:
        stack.stop()
        proxy.stop()
        h.drop_postgres_database(dbname)
