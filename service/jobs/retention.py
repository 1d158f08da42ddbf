"""The sweeper's retention step: every `TALKTRACK_RETENTION_INTERVAL_S`, apply the organizations'
retention policies (`service.domain.retention`). Every API process's sweeper runs it (threads or
Celery dispatch alike); two processes running it at once remove each object and mark each call
once (conditional updates), so the only cost is a second listing."""

from __future__ import annotations

import logging
import threading
import time

from sqlmodel import Session

from service.core.config import Settings
from service.core.db import get_engine
from service.domain.retention import RetentionRun, apply_retention
from service.storage import get_store

log = logging.getLogger(__name__)

FIRST_RUN_AFTER_S = 30.0
_lock = threading.Lock()
_next_run: dict[str, float] = {}


def run_retention(settings: Settings) -> RetentionRun:
    """Apply every policy once now."""
    with Session(get_engine(settings), expire_on_commit=False) as session:
        run = apply_retention(session, get_store(settings))
    if run.total():
        log.info("retention: deleted %d recordings and %d analyses",
                 sum(map(len, run.audio_calls.values())), sum(map(len, run.analysis_calls.values())))
    for error in run.errors:
        log.warning("retention: %s", error)
    return run


def maybe_apply_retention(settings: Settings) -> None:
    """Called by each sweep: runs `run_retention` when its interval has passed (never raises: a
    failure is logged and the next interval tries again)."""
    key = settings.resolved_database_url()
    now = time.monotonic()
    with _lock:
        if key not in _next_run:  # not in the server's start-up sweep: a first run may take a while
            _next_run[key] = now + min(settings.retention_interval_s, FIRST_RUN_AFTER_S)
        if now < _next_run[key]:
            return
        _next_run[key] = now + settings.retention_interval_s
    try:
        run_retention(settings)
    except Exception:
        log.exception("retention run failed; it is tried again in %.0f s", settings.retention_interval_s)
