"""The chaos run of bench/chaos.py, small: two nodes (API + Celery worker each) on PostgreSQL and
Redis; node 1's worker is SIGKILLed mid-job and node 2's API mid-upload. Nothing may be lost or
duplicated, and every call must end `done`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.chaos import Options, run_once


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_killing_a_worker_and_an_api_loses_and_duplicates_nothing(h: Any, tmp_path: Path) -> None:
    h.check_postgres()
    h.check_redis()
    r = run_once("chaos", Options(calls=12, storage="local", rate=4.0), chaos=True, tmp=tmp_path / "run")
    assert r.problems == []
    assert (r.uploaded, r.accepted, r.lost, r.duplicated, r.failed, r.not_done) == (12, 12, 0, 0, 0, 0)
    assert r.audio_in_store == 12 and r.webhooks == 12  # each call's file stored, its webhook sent once
    assert [k.process for k in r.kills] == ["node1 worker", "node2 API"]
    assert r.kills[0].doing.startswith("running call")  # killed mid-job ...
    assert r.rerun_jobs >= 1  # ... so that job ran again, to completion, once
    assert r.retried_uploads >= 1  # uploads meant for the dead API went to the other one
