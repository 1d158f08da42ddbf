"""The backup drill: load calls, back up while uploads continue, wipe, restore; every call, analysis,
scorecard, comment and outcome is back, and every recording plays (served byte for byte).

SQLite with the local audio store (the single-machine default, `talktrack backup` on a running
`talktrack serve`), and PostgreSQL with the audio in S3 (moto) and a Celery worker, restored into a
new database and a new bucket. Plus the refusals: a target that holds data without `--force`, a
damaged backup, a path that is not a backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.stack import create_postgres_database, drop_postgres_database
from service.core.db import get_engine
from tests.datafiles import ASR

RECORDINGS = ("jfk.flac", "LJ002-0020.wav")


def talktrack(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def _cookie(stack: Any, user_id: str) -> dict[str, str]:
    from sqlmodel import Session

    from models import User
    from service.core.db import get_engine
    from service.core.sessions import SESSION_COOKIE, start_session

    engine = get_engine(stack.settings())
    engine.dispose()  # this process's pooled connections may hold the database file the restore replaced
    with Session(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        return {SESSION_COOKIE: start_session(session, user, hours=1).token}


def load_calls(h: Any, stack: Any) -> dict[str, Any]:
    """Recordings and transcripts for rep1, analysed, with scorecards (with comments) and outcomes.
    Returns what must come back: per call its analysis, scorecard and outcome, per recording its hash."""
    ids: dict[str, str] = {}
    with stack.client("rep1", timeout=60) as rep:
        for name in RECORDINGS:
            kind = "audio/flac" if name.endswith(".flac") else "audio/wav"
            r = h.upload(rep, (ASR / name).read_bytes(), name, kind, rep_user_id=stack.ids["rep1"], deal_id="D-1")
            assert r.status_code == 202, r.text
            ids[r.json()["id"]] = name
        for n in range(3):
            r = h.upload(rep, h.vtt.replace("six weeks", f"{n + 2} weeks"), f"t{n}.vtt",
                         rep_user_id=stack.ids["rep1"], title=f"Transcript {n}")
            assert r.status_code == 202, r.text
            ids[r.json()["id"]] = f"t{n}.vtt"
        bodies = {cid: h.wait_status(rep, cid, timeout=300) for cid in ids}
    assert all(b["status"] == "done" for b in bodies.values()), {b["id"]: b["error"] for b in bodies.values()}
    expected: dict[str, Any] = {"calls": {}, "audio": {}}
    with stack.client("coach") as coach, stack.client("admin") as admin:
        for n, cid in enumerate(ids):
            r = coach.post(f"/v1/calls/{cid}/scorecards",
                           json={"comments": [{"text": f"Good question {n}", "call_time_s": 1.5}]})
            assert r.status_code == 201, r.text
            r = admin.post("/v1/outcomes", json={"call_id": cid, "outcome": ("won", "lost")[n % 2]})
            assert r.status_code == 201, r.text
        for cid in ids:
            expected["calls"][cid] = {
                "analysis": bodies[cid]["analysis"], "title": bodies[cid]["title"],
                "scorecard": coach.get(f"/v1/calls/{cid}/scorecard").json()["comments"],
                "outcome": admin.get(f"/v1/calls/{cid}").json()["outcome"]["outcome"]}
    for cid, name in ids.items():
        if name in RECORDINGS:
            expected["audio"][cid] = hashlib.sha256((ASR / name).read_bytes()).hexdigest()
    return expected


class Uploader:
    """Uploads transcripts one after another on a thread until stopped (uploads continue during the backup)."""

    def __init__(self, h: Any, stack: Any) -> None:
        self.h, self.stack, self.ids, self.errors = h, stack, list[str](), list[str]()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.stack.client("rep1", timeout=60) as c:
            n = 0
            while not self._stop.is_set():
                r = self.h.upload(c, self.h.vtt, f"during-{n}.vtt", rep_user_id=self.stack.ids["rep1"])
                (self.ids if r.status_code == 202 else self.errors).append(r.json().get("id") or r.text)
                n += 1
                time.sleep(0.05)

    def __enter__(self) -> Uploader:
        self._thread.start()
        while not self.ids and not self.errors:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def backed_up_call_ids(backup: Path) -> set[str]:
    if (backup / "talktrack.db").is_file():
        conn = sqlite3.connect(backup / "talktrack.db")
        try:
            return {r[0] for r in conn.execute("SELECT id FROM call")}
        finally:
            conn.close()
    manifest = json.loads((backup / "manifest.json").read_text())
    return {key.split("/")[1] for key in manifest["recordings"].values()}


def check_restored(h: Any, stack: Any, expected: dict[str, Any], in_backup: set[str]) -> None:
    """Every call of the backup is back: analysis, scorecard comments, outcome; recordings play."""
    with stack.client("rep1", timeout=60) as rep, stack.client("coach") as coach:
        r = rep.get("/v1/calls", params={"limit": 200})
        assert {c["id"] for c in r.json()["items"]} == in_backup
        for cid in in_backup:  # calls still queued in the backup are analysed after the restore
            body = h.wait_status(rep, cid, timeout=300)
            assert body["status"] == "done", body["error"]
        for cid, want in expected["calls"].items():
            body = rep.get(f"/v1/calls/{cid}").json()
            assert (body["status"], body["title"], body["outcome"]["outcome"]) == ("done", want["title"],
                                                                                  want["outcome"])
            assert body["analysis"] == want["analysis"]
            assert coach.get(f"/v1/calls/{cid}/scorecard").json()["comments"] == want["scorecard"]
    with httpx.Client(base_url=stack.url, cookies=_cookie(stack, stack.ids["rep1"]), timeout=60) as web:
        for cid, sha in expected["audio"].items():
            r = web.get(f"/calls/{cid}/audio")
            assert r.status_code == 200 and r.headers["content-type"].startswith("audio/"), r.status_code
            assert hashlib.sha256(r.content).hexdigest() == sha  # byte for byte what was uploaded
            part = web.get(f"/calls/{cid}/audio", headers={"Range": "bytes=100-199"})
            assert part.status_code == 206 and len(part.content) == 100


def _enroll(env: dict[str, str]) -> None:
    done = talktrack(env, "enroll", "Dana", str(ASR / "jfk.flac"))
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_backup_drill_sqlite(h: Any, tmp_path: Path) -> None:
    stack, _ = h.make_stack("sqlite", tmp_path)
    data = Path(stack.env["TALKTRACK_DATA_DIR"])
    backup = tmp_path / "backup"
    try:
        h.bootstrap_accounts(stack)
        stack.start_server()
        expected = load_calls(h, stack)
        _enroll(stack.env)
        with Uploader(h, stack) as uploads:
            time.sleep(0.5)
            t0 = time.monotonic()
            done = talktrack(stack.env, "backup", str(backup))
            took = time.monotonic() - t0
            time.sleep(0.5)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1] == str(backup)
        print(f"backup of {len(expected['calls']) + len(uploads.ids)} calls took {took:.2f} s: {done.stdout}")
        assert uploads.errors == [] and len(uploads.ids) >= 2
        in_backup = backed_up_call_ids(backup)
        assert set(expected["calls"]) <= in_backup  # everything loaded before it ...
        assert in_backup - set(expected["calls"]) < set(uploads.ids)  # ... and the uploads it saw, not all
        manifest = json.loads((backup / "manifest.json").read_text())
        assert manifest["counts"]["scorecards"] == 5 and manifest["counts"]["comments"] == 5
        assert manifest["counts"]["outcomes"] == 5 and manifest["missing"] == []
        assert sorted(manifest["recordings"].values()) == sorted(  # each call's file (transcripts too)
            f"calls/{cid}/{p.name}" for cid in in_backup for p in (data / "audio" / "calls" / cid).iterdir())
        assert any(name.startswith("profiles/") for name in manifest["files"]) and "secret.key" in manifest["files"]
        assert not list(tmp_path.glob("backup.partial-*"))

        stack.server.stop()  # type: ignore[union-attr]
        shutil.rmtree(data)  # the machine is lost
        data.mkdir()
        check_refusals(stack.env, backup, tmp_path)
        done = talktrack(stack.env, "restore", str(backup))
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"restored {len(in_backup)} calls")
        again = talktrack(stack.env, "restore", str(backup))  # the target holds data now
        assert again.returncode == 2 and "already holds data" in again.stderr and "--force" in again.stderr
        assert (data / "profiles" / "dana.json").is_file()
        stack.start_server()
        check_restored(h, stack, expected, in_backup)
        server_pid = stack.server.popen.pid  # type: ignore[union-attr]
        running = talktrack(stack.env, "restore", "--force", str(backup))
        assert running.returncode == 2 and "the server seems to be running: process " in running.stderr
        assert str(server_pid) in running.stderr
        stack.server.stop()  # type: ignore[union-attr]
        get_engine(stack.settings()).dispose()  # this test's own connections
        forced = talktrack(stack.env, "restore", "--force", str(backup))  # over itself: the same state again
        assert forced.returncode == 0, forced.stderr
    finally:
        stack.stop()


def check_refusals(env: dict[str, str], backup: Path, tmp_path: Path) -> None:
    """A damaged backup is one error and changes nothing; so is a folder that is no backup."""
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    audio = sorted((damaged / "audio").rglob("*.flac"))[0]
    raw = bytearray(audio.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    audio.write_bytes(bytes(raw))
    before = sorted(p.name for p in Path(env["TALKTRACK_DATA_DIR"]).iterdir())
    done = talktrack(env, "restore", str(damaged))
    assert done.returncode == 2, done.stdout
    rel = audio.relative_to(damaged).as_posix()
    assert done.stderr.strip() == (f"talktrack: error: the backup at {damaged} is damaged: {rel} does not match "
                                   "its checksum; nothing was restored")
    assert sorted(p.name for p in Path(env["TALKTRACK_DATA_DIR"]).iterdir()) == before
    (damaged / "manifest.json").unlink()
    done = talktrack(env, "restore", str(damaged))
    assert done.returncode == 2 and "is not a Talktrack backup (it has no manifest.json" in done.stderr
    done = talktrack(env, "backup", str(backup))  # never over an earlier backup
    assert done.returncode == 2 and "already exists and is not an empty folder" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_backup_drill_postgres_and_s3(h: Any, s3_server: Any, tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    stack, dbname = h.make_stack("postgres", tmp_path, s3_server.env(bucket))
    backup = tmp_path / "backup"
    new_db = f"talktrack_test_{uuid.uuid4().hex[:12]}"
    try:
        h.bootstrap_accounts(stack)
        stack.start_server()
        stack.start_worker()
        expected = load_calls(h, stack)
        with Uploader(h, stack) as uploads:
            time.sleep(0.5)
            done = talktrack(stack.env, "backup", str(backup))
        assert done.returncode == 0, done.stderr
        assert uploads.errors == []
        manifest = json.loads((backup / "manifest.json").read_text())
        assert manifest["database"] == "postgresql" and (backup / "database.dump").is_file()
        after_backup = set(_pg_call_ids(stack.env["TALKTRACK_DATABASE_URL"]))
        stack.stop()
        # Restore into a new, empty database and a new bucket (the old ones are lost).
        new_bucket = s3_server.new_bucket()
        stack.env.update(s3_server.env(new_bucket))
        stack.env["TALKTRACK_DATABASE_URL"] = create_postgres_database(new_db)
        done = talktrack(stack.env, "restore", str(backup))
        assert done.returncode == 0, done.stderr
        assert sorted(s3_server.keys(new_bucket)) == sorted(f"talktrack/{k}" for k in manifest["recordings"].values())
        restored = set(_pg_call_ids(stack.env["TALKTRACK_DATABASE_URL"]))
        assert set(expected["calls"]) <= restored
        assert len(restored) == manifest["counts"]["calls"] and restored < after_backup  # uploads went on
        stack.start_server()
        stack.start_worker()
        check_restored(h, stack, expected, restored)
    finally:
        stack.stop()
        drop_postgres_database(dbname)
        drop_postgres_database(new_db)


def _pg_call_ids(url: str) -> list[str]:
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id FROM call")
            return [r[0] for r in cur.fetchall()]
    finally:
        conn.close()


def test_restore_into_another_database_kind_is_refused(tmp_path: Path) -> None:
    """A PostgreSQL backup cannot go into SQLite: one clear error."""
    backup = tmp_path / "b"
    backup.mkdir()
    (backup / "manifest.json").write_text(json.dumps({
        "format": "talktrack-backup", "version": 1, "created_at": "2026-12-05T00:00:00+00:00",
        "database": "postgresql", "revision": "0012", "files": {}}))
    env = {**os.environ, "TALKTRACK_DATA_DIR": str(tmp_path / "data")}
    env.pop("TALKTRACK_DATABASE_URL", None)
    done = talktrack(env, "restore", str(backup))
    assert done.returncode == 2
    assert done.stderr.strip() == ("talktrack: error: the backup holds a postgresql database and this "
                                   "installation uses sqlite: restore it where TALKTRACK_DATABASE_URL names a "
                                   "postgresql database")


@pytest.mark.parametrize("files, recordings", [
    ({"../outside": {"bytes": 1, "sha256": "0" * 64}}, {}),
    ({"/etc/passwd": {"bytes": 1, "sha256": "0" * 64}}, {}),
    ({"audio/x": {"bytes": 0, "sha256": hashlib.sha256(b"").hexdigest()}}, {"audio/x": "../../../tmp/x"}),
])
def test_a_hostile_manifest_restores_nothing(tmp_path: Path, files: dict[str, Any],
                                             recordings: dict[str, str]) -> None:
    """A manifest naming files outside the backup, or recordings outside the store's calls: one
    error, nothing written anywhere."""
    backup = tmp_path / "b"
    (backup / "audio").mkdir(parents=True)
    (backup / "audio" / "x").write_bytes(b"")
    (backup / "manifest.json").write_text(json.dumps({
        "format": "talktrack-backup", "version": 1, "created_at": "2026-12-05T00:00:00+00:00",
        "database": "sqlite", "revision": "0012", "files": files, "recordings": recordings}))
    env = {**os.environ, "TALKTRACK_DATA_DIR": str(tmp_path / "data")}
    env.pop("TALKTRACK_DATABASE_URL", None)
    done = talktrack(env, "restore", str(backup))
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith("talktrack: error: ") and "Traceback" not in done.stderr
    assert ("names a file outside the backup" in done.stderr) or ("oddly; nothing was restored" in done.stderr)
    assert not (tmp_path / "data").exists()  # refused before the data directory was even made
