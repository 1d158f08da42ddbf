"""Transient failures of a job: what counts as one, how long to wait, and waiting for the database.

A job meets two kinds of failure:

- **permanent**: the input is bad (a file that does not decode, a transcript that does not parse, a
  recording over the length cap, a recording no longer stored). The call fails at once, with the reason.
- **transient**: something the job needs is unavailable for a while: the audio store (S3 unreachable,
  credentials refused, a disk error), the database (connection refused or dropped, SQLite locked) or
  the broker. The call goes to `retrying` and is tried again after `retry_delay` (exponential backoff
  with jitter), up to `TALKTRACK_JOB_MAX_RETRIES` times; then it fails with the reason and the count.

The database is the exception to the exception: while it is unreachable nothing can be recorded,
not even `retrying`, so a job waits for it in place (`wait_for_database`) and keeps what it has (an
analysis finished during the outage is stored when the database is back, never run twice).
"""

from __future__ import annotations

import errno
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from service.core.config import Settings
from service.core.db import database_unavailable
from service.core.errors import StorageUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

# OS errors of a disk or network file system that come and go (a full disk, an NFS server away).
TRANSIENT_ERRNOS = frozenset({
    errno.EIO, errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.ESTALE, errno.ETIMEDOUT, errno.EAGAIN,
    errno.EBUSY, errno.ENOTCONN, errno.ECONNREFUSED, errno.ECONNRESET, errno.EHOSTUNREACH, errno.ENETUNREACH,
    errno.EHOSTDOWN, errno.ENOLCK,
})
# What the broker's client libraries raise when Redis cannot be reached (matched by class and module,
# so a process that never loads them does not import them here).
_BROKER_ERRORS = {("kombu.exceptions", "OperationalError"), ("redis.exceptions", "ConnectionError"),
                  ("redis.exceptions", "TimeoutError"), ("redis.exceptions", "BusyLoadingError")}
# A retry is sent this long after its due time, so that it never arrives a moment before it may be claimed.
RETRY_MARGIN_S = 0.25
# How long a job waits between two tries of the database (seconds; doubles up to the last).
DB_WAIT_STEPS = (0.25, 0.5, 1.0, 2.0, 4.0)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else ""


def broker_unavailable(exc: BaseException) -> bool:
    return any((k.__module__, k.__name__) in _BROKER_ERRORS for k in type(exc).__mro__)


def transient_reason(exc: BaseException) -> str | None:
    """The words for a transient failure, or None when `exc` is permanent (or a bug)."""
    if isinstance(exc, StorageUnavailable):
        return str(exc)
    if database_unavailable(exc):
        orig = getattr(exc, "orig", None) or exc
        return f"the database is unavailable: {_first_line(str(orig)) or type(orig).__name__}"
    if broker_unavailable(exc):
        return f"the message broker is unavailable: {_first_line(str(exc)) or type(exc).__name__}"
    if type(exc).__module__.startswith("av"):  # the decoder's errors are about the file, whatever their errno
        return None
    if isinstance(exc, ConnectionError | TimeoutError) or (isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS):
        what = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        return f"audio storage is unavailable: {what}"
    return None


def retry_delay(settings: Settings, retries: int, rng: random.Random | None = None) -> float:
    """Seconds before try number `retries + 1` of a transient failure: the backoff doubles from
    `job_retry_backoff_s` up to `job_retry_max_delay_s`, and the wait is drawn from its upper half
    ("equal jitter"), so jobs that failed together do not all come back at the same moment."""
    ceiling = min(settings.job_retry_max_delay_s, settings.job_retry_backoff_s * 2 ** min(retries, 30))
    return float(ceiling / 2 + (rng or random).uniform(0, ceiling / 2))


def about(seconds: float) -> str:
    """A duration for people: `40 s`, `3 min`, `2 h 5 min`."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def gave_up(reason: str, tries: int, seconds: float) -> str:
    """The failure of a call whose transient trouble outlasted its retries."""
    return (f"{reason} (tried {tries} times over {about(seconds)}; giving up: once it is back, run the "
            "analysis again)")


class _Outage:
    """Logs one warning when the database goes away and one line when it is back, per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: float | None = None

    def down(self, what: str, exc: BaseException) -> None:
        with self._lock:
            first, self._since = self._since is None, self._since or time.monotonic()
        if first:
            log.warning("the database is unavailable (%s: %s); waiting for it", what, transient_reason(exc))

    def up(self) -> None:
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            log.warning("the database is back after %.1f s", time.monotonic() - since)


OUTAGE = _Outage()


def wait_for_database(settings: Settings, what: str, fn: Callable[[], T],
                      sleep: Callable[[float], None] = time.sleep) -> T:
    """`fn()`, tried again while the database is unavailable, for up to `job_db_wait_s` seconds
    (then the last error is raised). `fn` must be safe to run again: one transaction that either
    committed or did nothing."""
    deadline = time.monotonic() + settings.job_db_wait_s
    tries = 0
    while True:
        try:
            result = fn()
        except Exception as exc:
            if not database_unavailable(exc) or time.monotonic() >= deadline:
                raise
            OUTAGE.down(what, exc)
            step = DB_WAIT_STEPS[min(tries, len(DB_WAIT_STEPS) - 1)]
            sleep(min(step * random.uniform(0.75, 1.25), max(0.0, deadline - time.monotonic())))
            tries += 1
            continue
        if tries:
            OUTAGE.up()
        return result


def log_sweep_failure(exc: Exception) -> None:
    """One line while the database is down (the sweep runs again), a traceback for anything else."""
    if database_unavailable(exc):
        log.warning("sweep skipped: the database is unavailable (%s)", type(exc).__name__)
    else:
        log.exception("sweep failed")
