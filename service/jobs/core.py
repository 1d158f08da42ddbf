"""The job code every executor runs: claim a job with a lease, analyse the call, store the result.

A job moves queued -> processing -> done | failed. Claiming is one conditional UPDATE, so two
workers (or a redelivered Celery message) can never run the same attempt. While it runs, a
heartbeat renews the lease and writes progress; a worker that dies stops renewing, and `sweep()`
puts its job back in the queue, up to `job_max_attempts`, then marks it failed with the reason.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from models import Call, Job
from models.base import utcnow
from service.core.config import Settings
from service.core.db import get_engine
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


def claim(session: Session, job_id: str, worker_id: str, lease_s: float, max_attempts: int) -> bool:
    """Atomically take a queued job (or one whose lease ran out); False if someone else has it."""
    now = utcnow()
    stmt = (
        update(Job)
        .where(col(Job.id) == job_id)
        .where(col(Job.attempts) < max_attempts)
        .where(or_(col(Job.status) == "queued",
                   and_(col(Job.status) == "processing", col(Job.lease_expires_at) < now)))
        .values(status="processing", attempts=col(Job.attempts) + 1, worker_id=worker_id,
                lease_expires_at=now + timedelta(seconds=lease_s), started_at=now)
    )
    won = session.exec(stmt).rowcount == 1
    if won:
        job = session.get(Job, job_id)
        if job is not None:
            session.exec(update(Call).where(col(Call.id) == job.call_id)
                         .values(status="processing", updated_at=now))
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
            except Exception:  # a missed beat is retried; the lease allows several
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
    with Session(get_engine(settings)) as session:
        # A recording over TALKTRACK_MAX_AUDIO_S fails here, before any decoding.
        options = replace(analyze_options_for_call(session, call), max_audio_s=settings.max_audio_s)
    audio_type = None
    with get_store(settings).local_copy(call.storage_key) as path:  # S3: a temporary download, removed after
        analysis = analyze_path(path, options, hook)
        if call.media_kind == "audio":
            audio_type = audio_type_of(probe_audio(path).container)
    with Session(get_engine(settings)) as session:
        suggestions = call_suggestions(analysis, call, session)
    return JobResult(analysis.to_dict(), suggestions, audio_type)


def run_job(settings: Settings, job_id: str, worker_id: str | None = None) -> list[str]:
    """Claim and run one job. Returns the ids of the webhook deliveries it created (for the
    executor to send); an empty list when the job was not claimable or had no subscribers."""
    from service.webhooks.delivery import create_deliveries

    worker_id = worker_id or worker_identity()
    engine = get_engine(settings)
    with Session(engine, expire_on_commit=False) as session:
        if not claim(session, job_id, worker_id, settings.job_lease_s, settings.job_max_attempts):
            return []
        job = session.get(Job, job_id)
        call = session.get(Call, job.call_id) if job is not None else None
        if job is None or call is None:
            return []
    beat = _Heartbeat(settings, job_id, call.id, worker_id, interval=max(0.2, min(PROGRESS_INTERVAL_S, settings.job_lease_s / 4)))
    error: str | None = None
    result: JobResult | None = None
    with beat:
        try:
            result = _analyze(settings, call, beat.hook)
        except TalktrackError as exc:
            error = str(exc)
        except Exception as exc:  # a bug or an unreadable file must end as `failed`, not a stuck job
            log.exception("analysis of call %s failed", call.id)
            error = f"analysis failed: {type(exc).__name__}: {exc}"
    if error is not None:
        error = public_error(error)
    return finish(settings, job_id, call.id, worker_id, result, error, create_deliveries)


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
    with `unsent_older_than_s`, those never sent to the broker (`Job.sent_at`) for that long."""
    from service.webhooks.delivery import create_deliveries

    now = utcnow()
    failed: list[str] = []
    requeued: list[str] = []
    deliveries: list[str] = []
    with Session(get_engine(settings), expire_on_commit=False) as session:
        stuck = session.exec(select(Job).where(col(Job.status) == "processing")).all()
        for job in stuck:
            expired = job.lease_expires_at is not None and job.lease_expires_at < now
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
    runnable = requeued + [j for j in queued if j not in set(requeued)]
    return SweepResult(runnable_jobs=runnable, failed_jobs=failed, new_deliveries=deliveries)
