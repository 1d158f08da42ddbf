"""The job code every executor runs: claim a job with a lease, analyse the call, store the result.

A job moves queued -> processing -> done | failed. Claiming is one conditional UPDATE, so two
workers (or a redelivered Celery message) can never run the same attempt. While it runs, a
heartbeat renews the lease and writes progress; a worker that dies stops renewing, and `sweep()`
puts its job back in the queue, up to `job_max_attempts`, then marks it failed with the reason.
A transient failure (the audio store or the database unavailable: `service.jobs.retry`) moves it to
`retrying` until its next try is due, up to `job_max_retries` times, then to failed with the reason.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from models import Call, Job
from models.base import utcnow
from service.core.config import Settings
from service.core.db import database_unavailable, get_engine
from service.jobs.retry import gave_up, retry_delay, transient_reason, wait_for_database
from service.storage import get_store
from transcription.control_chars import without_control_chars
from transcription.errors import TalktrackError
from transcription.progress import OverallProgress

log = logging.getLogger(__name__)


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _pid_alive(worker_id: str | None) -> bool | None:
    """Whether the process named in a worker id still runs (None: another host, cannot tell)."""
    if not worker_id:
        return None
    host, _, rest = worker_id.partition(":")
    if host != socket.gethostname():
        return None
    try:
        pid = int(rest.split(":")[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


# Jobs this process is running now, as (job id, worker id): its sweeper never takes them for dead,
# even when a database outage kept their heartbeat from renewing the lease.
_RUNNING: set[tuple[str, str]] = set()
_RUNNING_LOCK = threading.Lock()


def claim(session: Session, job_id: str, worker_id: str, lease_s: float, max_attempts: int) -> bool:
    """Atomically take a queued job (or one whose lease ran out, or a retrying one whose next try is
    due: `lease_expires_at` holds that time); False if someone else has it."""
    now = utcnow()
    stmt = (
        update(Job)
        .where(col(Job.id) == job_id)
        .where(col(Job.attempts) < max_attempts)
        .where(or_(col(Job.status) == "queued",
                   and_(col(Job.status).in_(("processing", "retrying")), col(Job.lease_expires_at) < now)))
        .values(status="processing", attempts=col(Job.attempts) + 1, worker_id=worker_id,
                lease_expires_at=now + timedelta(seconds=lease_s), started_at=now)
    )
    won = session.exec(stmt).rowcount == 1
    if won:
        job = session.get(Job, job_id)
        if job is not None:
            session.exec(update(Call).where(col(Call.id) == job.call_id)
                         .values(status="processing", retry_at=None, updated_at=now))
    session.commit()
    return won


# Progress reaches the database at least this often while a job runs (and at once on a step change).
PROGRESS_INTERVAL_S = 2.0


@dataclass
class _Heartbeat:
    """Renews the lease and writes the call's overall progress and step on its own thread: every
    `interval` seconds and as soon as the analysis moves to another step."""

    settings: Settings
    job_id: str
    call_id: str
    worker_id: str
    interval: float
    overall: OverallProgress = field(default_factory=OverallProgress)
    _stop: threading.Event = field(default_factory=threading.Event)
    _kick: threading.Event = field(default_factory=threading.Event)

    @property
    def progress(self) -> float:
        return self.overall.fraction

    @property
    def step(self) -> str | None:
        return self.overall.step

    def hook(self, step: str, *, completed: float, total: float | None) -> None:
        previous = self.overall.step
        self.overall.update(step, completed, total)
        if self.overall.step != previous:
            self._kick.set()

    def _beat(self) -> None:
        now = utcnow()
        with Session(get_engine(self.settings)) as s:
            s.exec(update(Job).where(col(Job.id) == self.job_id,
                                     col(Job.worker_id) == self.worker_id)
                   .values(lease_expires_at=now + timedelta(seconds=self.settings.job_lease_s)))
            s.exec(update(Call).where(col(Call.id) == self.call_id)
                   .values(progress=round(self.progress, 3), progress_step=self.step, updated_at=now))
            s.commit()

    def run(self) -> None:
        while True:
            self._kick.wait(self.interval)
            self._kick.clear()
            if self._stop.is_set():
                return
            try:
                self._beat()
            except Exception as exc:  # a missed beat is retried; the lease allows several
                if not database_unavailable(exc):  # an outage is logged once (`service.jobs.retry`)
                    log.exception("heartbeat failed for job %s", self.job_id)

    def __enter__(self) -> _Heartbeat:
        self._thread = threading.Thread(target=self.run, name=f"heartbeat-{self.job_id}", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._kick.set()
        self._thread.join(timeout=5)


@dataclass(frozen=True, slots=True)
class JobResult:
    """What a successful analysis stores: the analysis JSON, the suggestions, and for a recording
    the `audio/*` type its container decoded as (None: not a type Talktrack serves)."""

    analysis: dict[str, Any]
    suggestions: list[dict[str, Any]]
    audio_type: str | None = None


def _analyze(settings: Settings, call: Call, hook: Any) -> JobResult:
    """Run the pipeline on the stored file with the organization's voice profiles and trackers;
    returns the analysis JSON, the suggestions (ranked by the organization's insights) and, for a
    recording, the type of the audio the decoder found in it (after it decoded all of it)."""
    from service.analysis.call_options import analyze_options_for_call
    from service.analysis.files import analyze_path
    from service.core.served_files import audio_type_of
    from service.domain.insights import call_suggestions
    from transcription.audio import probe_audio

    if call.storage_key is None:
        raise TalktrackError("the call has no stored file")

    def read_options() -> Any:
        with Session(get_engine(settings)) as session:
            return analyze_options_for_call(session, call)

    # A recording over TALKTRACK_MAX_AUDIO_S fails when it is read, before any decoding.
    options = replace(wait_for_database(settings, "reading the call's options", read_options),
                      max_audio_s=settings.max_audio_s)
    audio_type = None
    with get_store(settings).local_copy(call.storage_key) as path:  # S3: a temporary download, removed after
        analysis = analyze_path(path, options, hook)
        if call.media_kind == "audio":
            audio_type = audio_type_of(probe_audio(path).container)

    if settings.llm_url:  # the optional generated wording of the brief; never fails the analysis
        from service.analysis.llm_client import add_wording

        add_wording(settings, analysis, call.id)

    def suggest() -> list[dict[str, Any]]:
        with Session(get_engine(settings)) as session:
            return call_suggestions(analysis, call, session)

    # The analysis is done: an outage from here on is waited out, never a reason to run it again.
    suggestions = wait_for_database(settings, "ranking the suggestions", suggest)
    return JobResult(analysis.to_dict(), suggestions, audio_type)


@dataclass(frozen=True)
class JobRun:
    """What one run of a job leaves the executor to do: send the webhook deliveries it created, and
    for a transient failure, run the job again in `retry_in_s` seconds (its `retrying` time)."""

    deliveries: list[str] = field(default_factory=list)
    retry_in_s: float | None = None


def _claimed(settings: Settings, job_id: str, worker_id: str) -> Call | None:
    """Claim the job; its call, or None when it is not claimable (or its rows are gone)."""
    with Session(get_engine(settings), expire_on_commit=False) as session:
        if not claim(session, job_id, worker_id, settings.job_lease_s, settings.job_max_attempts):
            return None
        job = session.get(Job, job_id)
        return session.get(Call, job.call_id) if job is not None else None


def running_here() -> set[tuple[str, str]]:
    """(job id, worker id) of the jobs this process runs now."""
    with _RUNNING_LOCK:
        return set(_RUNNING)


def run_job(settings: Settings, job_id: str, worker_id: str | None = None) -> JobRun:
    """Claim and run one job. Returns the webhook deliveries it created (for the executor to send)
    and, after a transient failure, when to run it again; an empty `JobRun` when the job was not
    claimable. Database outages are waited out in place (`service.jobs.retry.wait_for_database`)."""
    from service.webhooks.delivery import create_deliveries

    worker_id = worker_id or worker_identity()
    call = wait_for_database(settings, "claiming a job", lambda: _claimed(settings, job_id, worker_id))
    if call is None:
        return JobRun()
    with _RUNNING_LOCK:
        _RUNNING.add((job_id, worker_id))
    try:
        beat = _Heartbeat(settings, job_id, call.id, worker_id,
                          interval=max(0.2, min(PROGRESS_INTERVAL_S, settings.job_lease_s / 4)))
        error: str | None = None
        transient: str | None = None
        result: JobResult | None = None
        with beat:
            try:
                result = _analyze(settings, call, beat.hook)
            except Exception as exc:
                transient = transient_reason(exc)
                if transient is not None:
                    log.warning("analysis of call %s met a transient failure: %s", call.id, transient)
                elif isinstance(exc, TalktrackError):
                    error = str(exc)
                else:  # a bug or an unreadable file must end as `failed`, not a stuck job
                    log.exception("analysis of call %s failed", call.id)
                    error = f"analysis failed: {type(exc).__name__}: {exc}"
        if transient is not None:
            reason = public_error(transient)
            return wait_for_database(settings, "scheduling a retry", lambda: schedule_retry(
                settings, job_id, call.id, worker_id, reason, create_deliveries))
        if error is not None:
            error = public_error(error)
        return JobRun(wait_for_database(settings, "storing the analysis", lambda: finish(
            settings, job_id, call.id, worker_id, result, error, create_deliveries)))
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard((job_id, worker_id))


def schedule_retry(settings: Settings, job_id: str, call_id: str, worker_id: str, reason: str,
                   create_deliveries: Callable[[Session, str, Call, Settings], list[str]]) -> JobRun:
    """After a transient failure: the job goes to `retrying` with its next try at now + backoff (it
    keeps its attempt count: an outage is no interruption), or, when it has used its retries, the
    call fails with the reason and how long it was tried."""
    now = utcnow()
    with Session(get_engine(settings), expire_on_commit=False) as session:
        job = session.get(Job, job_id)
        if job is None or job.status != "processing" or job.worker_id != worker_id:
            return JobRun()  # replaced by a newer attempt meanwhile
        if job.retries >= settings.job_max_retries:
            waited = (now - job.created_at).total_seconds() if job.created_at else 0.0
            session.rollback()
            words = public_error(gave_up(reason, job.retries + 1, waited))
            return JobRun(finish(settings, job_id, call_id, worker_id, None, words, create_deliveries))
        delay = retry_delay(settings, job.retries)
        at = now + timedelta(seconds=delay)
        owned = session.exec(
            update(Job).where(col(Job.id) == job_id, col(Job.worker_id) == worker_id, col(Job.status) == "processing")
            .values(status="retrying", attempts=col(Job.attempts) - 1, retries=col(Job.retries) + 1, error=reason,
                    lease_expires_at=at, worker_id=None)
        ).rowcount == 1
        if not owned:
            session.rollback()
            return JobRun()
        session.exec(update(Call).where(col(Call.id) == call_id).values(
            status="retrying", error=reason, retry_at=at, progress=0.0, progress_step=None, updated_at=now))
        session.commit()
        log.warning("call %s: retry %d of %d in %.1f s (%s)", call_id, job.retries + 1,
                    settings.job_max_retries, delay, reason)
        return JobRun(retry_in_s=delay)


_ABS_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s/'\"():,]+/)+([^\s/'\"():,]*)")


def public_error(message: str) -> str:
    """A failure reason fit for clients: absolute server paths (the audio store, site-packages)
    are cut to their last part, so `/srv/talktrack/audio/calls/1/original.wav` reads `original.wav`,
    and a control character quoted from the input becomes U+FFFD (the reason must be storable)."""
    return without_control_chars(_ABS_PATH.sub(lambda m: m.group(1) or "(path)", message))[:2000]


def finish(settings: Settings, job_id: str, call_id: str, worker_id: str,
           result: JobResult | None, error: str | None,
           create_deliveries: Callable[[Session, str, Call, Settings], list[str]]) -> list[str]:
    """Store the outcome of an attempt, if this worker still holds the job (a worker whose lease
    ran out and was replaced must not overwrite the newer attempt)."""
    from service.domain.analyses import store_analysis  # the insights stack: loaded when a job ends

    now = utcnow()
    with Session(get_engine(settings), expire_on_commit=False) as session:
        status = "done" if error is None else "failed"
        owned = session.exec(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.worker_id) == worker_id, col(Job.status) == "processing")
            .values(status=status, error=error, finished_at=now, lease_expires_at=None)
        ).rowcount == 1
        if not owned:
            session.rollback()
            return []
        call = session.get(Call, call_id)
        if call is None:  # deleted while it ran
            session.commit()
            return []
        call.status = status
        call.error = error
        call.retry_at = None
        call.updated_at = now
        call.completed_at = now
        if result is not None:
            if result.audio_type is not None:
                call.audio_type = result.audio_type
            call.progress = 1.0
            call.duration_s = float(result.analysis.get("duration_s") or 0.0)
            store_analysis(session, call, result.analysis, result.suggestions, now)
        session.add(call)
        event = "call.analyzed" if error is None else "call.failed"
        deliveries = create_deliveries(session, event, call, settings)
        session.commit()
        return deliveries


def mark_sent(settings: Settings, job_ids: list[str]) -> None:
    """Record that messages for these jobs reached the broker (see `Job.sent_at`)."""
    if not job_ids:
        return
    with Session(get_engine(settings)) as session:
        session.exec(update(Job).where(col(Job.id).in_(job_ids)).values(sent_at=utcnow()))
        session.commit()


@dataclass(frozen=True)
class SweepResult:
    runnable_jobs: list[str]
    failed_jobs: list[str]
    new_deliveries: list[str]


def sweep(settings: Settings, *, requeue_queued_older_than_s: float | None = None,
          unsent_older_than_s: float | None = None) -> SweepResult:
    """Find work a dead worker left behind. A processing job whose lease ran out (or whose worker
    process on this host is gone) goes back to `queued`, or to `failed` once it used all its
    attempts. Returns the queued job ids to (re)dispatch: every queued one, or with
    `requeue_queued_older_than_s` only those waiting longer than that (a lost broker message) and,
    with `unsent_older_than_s`, those never sent to the broker (`Job.sent_at`) for that long; and
    the retrying jobs whose next try is due (with `unsent_older_than_s`: overdue by that long, their
    delayed message lost).

    A job this process is running is never taken for dead, and for one lease period after this
    sweeper saw the database come back from an outage, a lease that ran out meanwhile is not held
    against its worker (whose heartbeat could not write either): only a worker seen dead loses it."""
    try:
        result = _sweep(settings, requeue_queued_older_than_s, unsent_older_than_s)
    except Exception as exc:
        if database_unavailable(exc):
            _DB_SEEN_DOWN.add(settings.resolved_database_url())
        raise
    return result


# Per database URL: this process's sweeper failed to reach it (and has not reached it since) / the
# monotonic time it reached it again after that.
_DB_SEEN_DOWN: set[str] = set()
_DB_BACK_AT: dict[str, float] = {}


def _lease_grace(settings: Settings) -> bool:
    """Whether leases that ran out are forgiven now: within one lease of the database's return."""
    url = settings.resolved_database_url()
    if url in _DB_SEEN_DOWN:
        _DB_SEEN_DOWN.discard(url)
        _DB_BACK_AT[url] = time.monotonic()
        log.warning("the database is reachable again; running jobs get %.0f s to renew their leases",
                    settings.job_lease_s)
    back = _DB_BACK_AT.get(url)
    return back is not None and time.monotonic() - back < settings.job_lease_s


def _sweep(settings: Settings, requeue_queued_older_than_s: float | None,
           unsent_older_than_s: float | None) -> SweepResult:
    from service.webhooks.delivery import create_deliveries

    now = utcnow()
    failed: list[str] = []
    requeued: list[str] = []
    deliveries: list[str] = []
    mine = running_here()
    with Session(get_engine(settings), expire_on_commit=False) as session:
        stuck = session.exec(select(Job).where(col(Job.status) == "processing")).all()
        grace = _lease_grace(settings)
        for job in stuck:
            if (job.id, job.worker_id or "") in mine:
                continue
            expired = job.lease_expires_at is not None and job.lease_expires_at < now and not grace
            if not expired and _pid_alive(job.worker_id) is not False:
                continue
            cond = [col(Job.id) == job.id, col(Job.status) == "processing", col(Job.worker_id) == job.worker_id]
            if job.attempts >= settings.job_max_attempts:
                reason = (f"analysis was interrupted {job.attempts} times (the worker stopped or crashed); "
                          "giving up")
                n = session.exec(update(Job).where(*cond)
                                 .values(status="failed", error=reason, finished_at=now)).rowcount
                call = session.get(Call, job.call_id)
                if n == 1 and call is not None:
                    call.status, call.error, call.updated_at, call.completed_at = "failed", reason, now, now
                    session.add(call)
                    deliveries += create_deliveries(session, "call.failed", call, settings)
                    failed.append(job.id)
            else:
                n = session.exec(update(Job).where(*cond)
                                 .values(status="queued", lease_expires_at=None, worker_id=None)).rowcount
                if n == 1:
                    session.exec(update(Call).where(col(Call.id) == job.call_id)
                                 .values(status="queued", updated_at=now))
                    requeued.append(job.id)
                    log.warning("job %s was interrupted (attempt %d); queued again", job.id, job.attempts)
        session.commit()
        query = select(Job.id).where(col(Job.status) == "queued")
        if requeue_queued_older_than_s is not None:
            waiting = col(Job.created_at) < now - timedelta(seconds=requeue_queued_older_than_s)
            if unsent_older_than_s is not None:
                never_sent = and_(col(Job.sent_at).is_(None),
                                  col(Job.created_at) < now - timedelta(seconds=unsent_older_than_s))
                waiting = or_(waiting, never_sent)
            query = query.where(waiting)
        queued = list(session.exec(query.order_by(col(Job.created_at))).all())
        overdue = timedelta(seconds=unsent_older_than_s or 0.0)
        queued += session.exec(select(Job.id).where(col(Job.status) == "retrying",
                                                    col(Job.lease_expires_at) < now - overdue)
                               .order_by(col(Job.lease_expires_at))).all()
    runnable = requeued + [j for j in queued if j not in set(requeued)]
    return SweepResult(runnable_jobs=runnable, failed_jobs=failed, new_deliveries=deliveries)
