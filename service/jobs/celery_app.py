"""Celery executor for production: `talktrack worker` runs these tasks; the API process sends them.

The tasks call the same job code as the embedded worker threads (`service.jobs.core.run_job`,
`service.webhooks.delivery.deliver`). Messages are acknowledged late, so a worker killed mid-task does not
lose it; in any case the database lease decides who runs a job, and the API process's sweeper
re-sends jobs whose worker died, and jobs whose message never reached the broker (`Job.sent_at`).

Webhook deliveries have a queue of their own (`<queue>-webhooks`), which every worker also
consumes: under a backlog of analyses a notification waits for one running job, not for the whole
queue. `talktrack worker --queues webhooks` runs a worker for deliveries alone.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

from celery import Celery
from celery.signals import worker_process_init

from service.core.config import Settings, get_settings
from service.jobs.core import mark_sent, run_job, sweep
from service.jobs.retention import maybe_apply_retention
from service.jobs.retry import RETRY_MARGIN_S, log_sweep_failure
from service.webhooks.delivery import deliver, due_deliveries

log = logging.getLogger(__name__)

ANALYZE_TASK = "talktrack.analyze_call"
DELIVER_TASK = "talktrack.deliver_webhook"
# A job stored but not sent this long ago lost its message on the way (its API process died between
# the database commit and the broker); any process's sweeper sends it.
UNSENT_GRACE_S = 30.0


def webhook_queue(queue: str) -> str:
    """The Celery queue webhook deliveries go to, beside the jobs' `queue`."""
    return f"{queue}-webhooks"


@lru_cache(maxsize=4)
def make_celery(broker_url: str, queue: str = "talktrack") -> Celery:
    app = Celery("talktrack", broker=broker_url)
    app.conf.update(
        task_default_queue=queue,
        task_routes={DELIVER_TASK: {"queue": webhook_queue(queue)}},
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 3600},
        worker_hijack_root_logger=False,
    )

    @worker_process_init.connect  # type: ignore[untyped-decorator]
    def _warm_up(**_: object) -> None:
        # Import the pipeline's libraries while the worker process starts, not on its first job:
        # the language stage (spaCy, and torch through thinc) and the audio path (faster-whisper,
        # PyAV). No model is loaded here; each loads once, on the first job that needs it.
        import nlp.language  # noqa: F401
        import service.analysis.files  # noqa: F401
        import transcription.pipeline  # noqa: F401

    @app.task(name=ANALYZE_TASK)  # type: ignore[untyped-decorator]
    def analyze_call(job_id: str) -> None:
        settings = get_settings()
        run = run_job(settings, job_id)
        try:
            if run.retry_in_s is not None:  # a transient failure: the next try, delayed
                app.send_task(ANALYZE_TASK, args=[job_id], countdown=run.retry_in_s + RETRY_MARGIN_S)
                mark_sent(settings, [job_id])
            for d in run.deliveries:
                app.send_task(DELIVER_TASK, args=[d])
        except Exception:  # the broker (or database) is away: the API's sweeper sends both later
            log.warning("job %s: could not send its follow-up messages; the sweeper will", job_id, exc_info=True)

    @app.task(name=DELIVER_TASK)  # type: ignore[untyped-decorator]
    def deliver_webhook(delivery_id: str) -> None:
        retry = deliver(get_settings(), delivery_id)
        if retry is not None:
            app.send_task(DELIVER_TASK, args=[delivery_id], countdown=retry)

    return app


def celery_app() -> Celery:
    """The Celery app for this process's settings (what `talktrack worker` runs)."""
    settings = get_settings()
    if not settings.broker_url:
        raise RuntimeError("TALKTRACK_BROKER_URL is not set")
    return make_celery(settings.broker_url, settings.celery_queue)


class CeleryDispatcher:
    """Sends jobs to the broker; a sweeper thread re-sends jobs whose worker died and deliveries
    whose message was lost."""

    def __init__(self, settings: Settings) -> None:
        if not settings.broker_url:
            raise RuntimeError("the celery executor needs TALKTRACK_BROKER_URL")
        self.settings = settings
        self.app = make_celery(settings.broker_url, settings.celery_queue)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def submit_job(self, job_id: str) -> None:
        self._send_jobs([job_id])

    def _send_jobs(self, job_ids: list[str]) -> None:
        """Send the jobs' messages, then record them as sent (`Job.sent_at`) in one write."""
        for job_id in job_ids:
            self.app.send_task(ANALYZE_TASK, args=[job_id])
        try:
            mark_sent(self.settings, job_ids)
        except Exception:  # unmarked, they are sent once more after UNSENT_GRACE_S: harmless (the lease)
            log.warning("could not mark jobs %s as sent", job_ids, exc_info=True)

    def submit_delivery(self, delivery_id: str, delay_s: float = 0.0) -> None:
        self.app.send_task(DELIVER_TASK, args=[delivery_id], countdown=delay_s or None)

    def sweep_once(self, *, first: bool = False) -> None:
        # On the first sweep every queued job is re-sent (the broker may have lost messages while
        # nothing was running); afterwards only jobs just requeued or waiting suspiciously long.
        maybe_apply_retention(self.settings)
        older = None if first else max(600.0, 10 * self.settings.job_lease_s)
        result = sweep(self.settings, requeue_queued_older_than_s=older, unsent_older_than_s=UNSENT_GRACE_S)
        self._send_jobs(result.runnable_jobs)
        grace = 0.0 if first else max(60.0, 3 * self.settings.webhook_timeout_s)
        for d in result.new_deliveries + due_deliveries(self.settings, grace_s=grace):
            self.submit_delivery(d)

    def start(self) -> None:
        try:
            self.sweep_once(first=True)
        except Exception as exc:
            log_sweep_failure(exc)
        self._thread = threading.Thread(target=self._loop, name="talktrack-sweeper", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.sweep_interval_s):
            try:
                self.sweep_once()
            except Exception as exc:
                log_sweep_failure(exc)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
