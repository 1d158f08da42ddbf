"""Database engine, sessions and start-up migrations.

SQLite (the embedded default) runs in WAL mode with a busy timeout so the API and the worker
thread can write concurrently; PostgreSQL is used as is. Migrations run at start-up under a lock
(a file lock for SQLite, an advisory lock for PostgreSQL) so several processes starting at once
do not race.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from service.core.config import Settings, get_settings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
_PG_MIGRATION_LOCK = 724_001  # arbitrary advisory-lock id for "talktrack migrations"


def make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database:
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=20, max_overflow=40)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable with WAL at checkpoint; fast commits
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg2")  # the installed driver (SQLAlchemy 2.1 defaults to psycopg 3)
    return create_engine(u, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL per process (an engine owns a connection pool)."""
    return make_engine(url)


def get_engine(settings: Settings | None = None) -> Engine:
    return engine_for((settings or get_settings()).resolved_database_url())


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """A session for code outside a request (workers, CLI); commits are explicit."""
    with Session(get_engine(settings), expire_on_commit=False) as session:
        yield session


# SQLite's transient conditions; any other OperationalError ("no such table") is a bug, not an outage.
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "disk i/o error", "unable to open database",
                     "database or disk is full")


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be used right now (connection refused or dropped, a
    pool timeout, SQLite locked or its disk failing), as opposed to a bad statement."""
    if isinstance(exc, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return False
    if type(exc.orig).__module__.startswith("sqlite3"):
        return any(m in str(exc.orig).lower() for m in _SQLITE_TRANSIENT)
    return True  # psycopg2's OperationalError: the server is down, restarting, or the connection dropped


def ping(engine: Engine) -> None:
    """One round trip to the database (raises when it cannot be reached): the health check."""
    with Session(engine) as session:
        session.connection().execute(text("SELECT 1"))


def run_migrations(settings: Settings | None = None) -> None:
    """Bring the schema to the newest Alembic revision (idempotent; safe from several processes)."""
    settings = settings or get_settings()
    engine = get_engine(settings)
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(ALEMBIC_INI.parent / "alembic"))
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            try:
                conn.commit()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                conn.commit()
        return
    lock_dir = settings.data_dir
    db_path = make_url(settings.resolved_database_url()).database
    if db_path:
        lock_dir = Path(db_path).parent
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / ".talktrack-migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
