"""The database part of a backup: a consistent copy, the recordings its rows name, and putting it back.

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies the database page by page while
  the server keeps writing (WAL readers and writers do not block each other); the copy is one file.
- PostgreSQL: one `REPEATABLE READ` transaction exports its snapshot; `pg_dump --snapshot` dumps
  exactly that state, and the list of recordings is read in the same snapshot. Restoring runs
  `pg_restore`'s SQL through `psql --single-transaction`: all of it, or nothing.

Both read the rows with plain SQL, so a backup never needs the application's models to match.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from service.commands.backup_set import BackupError

SQLITE_FILE = "talktrack.db"
PG_FILE = "database.dump"
# Rows worth counting in a backup's manifest (and checking after a restore).
COUNTED = {"organizations": "organization", "users": '"user"', "calls": "call", "analyses": "callresult",
           "scorecards": "scorecardrecord", "outcomes": "outcome", "voice_profiles": "voiceprofile"}


@dataclass(frozen=True)
class Recording:
    key: str  # storage key (calls/<id>/original.<ext>)
    sha256: str | None  # of the file as uploaded
    size: int


@dataclass
class Snapshot:
    """What the backed-up rows say: the recordings they name, counts and the schema revision."""

    recordings: list[Recording]
    counts: dict[str, int]
    revision: str | None


def read_snapshot(cursor: Any) -> Snapshot:
    """Read one consistent state through a DB-API cursor (sqlite3 or psycopg2)."""
    cursor.execute("SELECT storage_key, sha256, size_bytes FROM call WHERE storage_key IS NOT NULL "
                   "ORDER BY storage_key")
    recordings = [Recording(str(k), s, int(n or 0)) for k, s, n in cursor.fetchall()]
    counts: dict[str, int] = {}
    for name, table in COUNTED.items():
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
        counts[name] = int(cursor.fetchone()[0])
    cursor.execute("SELECT card_json FROM scorecardrecord")
    counts["comments"] = sum(len((json.loads(row[0]) or {}).get("comments") or []) for row in cursor.fetchall())
    cursor.execute("SELECT version_num FROM alembic_version")
    row = cursor.fetchone()
    return Snapshot(recordings, counts, str(row[0]) if row else None)


def database_kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"backups know SQLite and PostgreSQL databases, not {backend}")
    return backend


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("the SQLite database is not a file: nothing to back up")
    return Path(database)


# -- SQLite ---------------------------------------------------------------------------------------


def sqlite_backup(url: str, target: Path) -> Snapshot:
    """Copy the live database to `target` with SQLite's online backup API, then read the copy."""
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"there is no database at {source}: is TALKTRACK_DATA_DIR right?")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        dst.commit()
        return read_snapshot(dst.cursor())
    except sqlite3.Error as exc:
        raise BackupError(f"the database at {source} could not be copied: {exc}") from None
    finally:
        dst.close()
        src.close()


def sqlite_snapshot_of(path: Path) -> Snapshot:
    conn = sqlite3.connect(path)
    try:
        return read_snapshot(conn.cursor())
    except sqlite3.Error as exc:
        raise BackupError(f"the backed-up database cannot be read: {exc}") from None
    finally:
        conn.close()


def sqlite_holds_data(url: str) -> int:
    """How many organizations the SQLite database at `url` holds (0 when there is none yet)."""
    path = sqlite_path(url)
    if not path.is_file():
        return 0
    conn = sqlite3.connect(path, timeout=30)
    try:
        return int(conn.execute("SELECT count(*) FROM organization").fetchone()[0])
    except sqlite3.Error:
        return 0  # no schema yet
    finally:
        conn.close()


# -- PostgreSQL -----------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: install PostgreSQL's client programs (Debian and Ubuntu: "
                          "apt-get install postgresql-client), at the server's major version or newer")
    return path


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for `url` (without the password) and the environment carrying it."""
    u: URL = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    plain = u.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], what: str, stdin: Any = None) -> None:
    done = subprocess.run(args, env=env, stdin=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.decode(errors="replace").splitlines() if ln.strip()]
        raise BackupError(f"{what} failed: {lines[-1] if lines else f'exit status {done.returncode}'}")


@contextmanager
def _pg(url: str) -> Iterator[Any]:
    import psycopg2

    dsn, _ = _libpq(url)
    password = make_url(url).password
    try:
        conn = psycopg2.connect(dsn, password=password, connect_timeout=10) if password else \
            psycopg2.connect(dsn, connect_timeout=10)
    except psycopg2.OperationalError as exc:
        raise BackupError(f"cannot reach the database: {str(exc).strip().splitlines()[0]}") from None
    try:
        yield conn
    finally:
        conn.close()


def pg_backup(url: str, target: Path) -> Snapshot:
    """`pg_dump` of one exported snapshot, and the recordings and counts of that same snapshot."""
    pg_dump = _tool("pg_dump")
    dsn, env = _libpq(url)
    with _pg(url) as conn:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        cur = conn.cursor()
        cur.execute("SELECT pg_export_snapshot()")
        snapshot_id = cur.fetchone()[0]
        _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot_id}",
              f"--file={target}", f"--dbname={dsn}"], env, "pg_dump")
        snap = read_snapshot(cur)
        conn.rollback()
    return snap


def pg_state(url: str) -> tuple[int, str | None]:
    """(organizations, Alembic revision) of the PostgreSQL database; (0, None) when it has no tables."""
    with _pg(url) as conn:
        cur = conn.cursor()
        cur.execute("SELECT to_regclass('public.organization') IS NOT NULL, "
                    "to_regclass('public.alembic_version') IS NOT NULL")
        has_orgs, has_version = cur.fetchone()
        orgs = 0
        revision = None
        if has_orgs:
            cur.execute("SELECT count(*) FROM organization")
            orgs = int(cur.fetchone()[0])
        if has_version:
            cur.execute("SELECT version_num FROM alembic_version")
            row = cur.fetchone()
            revision = str(row[0]) if row else None
        return orgs, revision


def pg_restore(url: str, dump: Path) -> None:
    """Replace the database's Talktrack objects with the dump's, in one transaction."""
    pg_restore_bin, psql = _tool("pg_restore"), _tool("psql")
    dsn, env = _libpq(url)
    script = subprocess.Popen([pg_restore_bin, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                               "--file=-", str(dump)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert script.stdout is not None
    try:
        _run([psql, "--quiet", "--no-psqlrc", "--single-transaction", "--set=ON_ERROR_STOP=1",
              f"--dbname={dsn}"], env, "restoring the PostgreSQL database (nothing was changed)",
             stdin=script.stdout)
    finally:
        script.stdout.close()
        script.wait()
    if script.returncode != 0:
        assert script.stderr is not None
        raise BackupError(f"pg_restore could not read {dump.name}: {script.stderr.read().decode(errors='replace')}")
