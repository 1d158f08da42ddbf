"""Executors: who runs the jobs. `ThreadDispatcher` runs them on threads inside the API process
(the embedded default); `CeleryDispatcher` sends them to `talktrack worker` processes through the
broker. Both sweep the database for work a dead worker left behind, so the database, not the
executor, is the source of truth."""

from __future__ import annotations

import heapq
import logging
import queue
import threading
import time
from typing import Protocol

from service.core.config import Settings
from service.core.db import database_unavailable
from service.jobs.core import run_job, sweep, worker_identity
from service.jobs.retention import maybe_apply_retention
from service.jobs.retry import RETRY_MARGIN_S, log_sweep_failure
from service.webhooks.delivery import deliver, due_deliveries

log = logging.getLogger(__name__)


class Dispatcher(Protocol):
    def submit_job(self, job_id: str) -> None: ...

    def submit_delivery(self, delivery_id: str, delay_s: float = 0.0) -> None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class NullDispatcher:
    """Records jobs in the database only (executor `none`: some other process runs them)."""

    def submit_job(self, job_id: str) -> None:
        pass

    def submit_delivery(self, delivery_id: str, delay_s: float = 0.0) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


class ThreadDispatcher:
    """Analysis threads, one webhook thread and a sweeper, all daemon threads of this process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._jobs: queue.Queue[str] = queue.Queue()
        self._pending: set[str] = set()
        self._timers: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._wake_hooks = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def submit_job(self, job_id: str) -> None:
        with self._lock:
            if job_id in self._pending:
                return
            self._pending.add(job_id)
        self._jobs.put(job_id)

    def submit_delivery(self, delivery_id: str, delay_s: float = 0.0) -> None:
        with self._lock:
            heapq.heappush(self._timers, (time.monotonic() + delay_s, delivery_id))
        self._wake_hooks.set()

    def start(self) -> None:
        self._sweep_once()
        for i in range(max(1, self.settings.worker_threads)):
            self._spawn(self._job_loop, f"talktrack-job-{i}")
        self._spawn(self._webhook_loop, "talktrack-webhooks")
        self._spawn(self._sweep_loop, "talktrack-sweeper")

    def stop(self) -> None:
        self._stop.set()
        self._wake_hooks.set()
        for _ in self._threads:
            self._jobs.put("")
        for t in self._threads:
            t.join(timeout=2)

    def _spawn(self, target: object, name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        t.start()
        self._threads.append(t)

    def _sweep_once(self) -> None:
        maybe_apply_retention(self.settings)
        result = sweep(self.settings)
        for job_id in result.runnable_jobs:
            self.submit_job(job_id)
        for d in result.new_deliveries + due_deliveries(self.settings):
            self.submit_delivery(d)

    def _job_loop(self) -> None:
        worker_id = worker_identity()
        while not self._stop.is_set():
            job_id = self._jobs.get()
            with self._lock:
                self._pending.discard(job_id)
            if not job_id:
                continue
            try:
                run = run_job(self.settings, job_id, worker_id)
            except Exception as exc:  # the sweeper retries the job once its lease runs out
                if database_unavailable(exc):  # waited for it past TALKTRACK_JOB_DB_WAIT_S
                    log.warning("job %s: the database stayed unavailable; the sweeper will run it", job_id)
                else:
                    log.exception("job %s crashed", job_id)
                continue
            for d in run.deliveries:
                self.submit_delivery(d)
            if run.retry_in_s is not None:  # a transient failure: its next try (the sweeper would too)
                timer = threading.Timer(run.retry_in_s + RETRY_MARGIN_S, self.submit_job, [job_id])
                timer.daemon = True
                timer.start()

    def _webhook_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                due = self._timers[0][0] - time.monotonic() if self._timers else 60.0
                item = heapq.heappop(self._timers)[1] if due <= 0 else None
            if item is None:
                self._wake_hooks.wait(timeout=min(max(due, 0.01), 60.0))
                self._wake_hooks.clear()
                continue
            try:
                retry = deliver(self.settings, item)
            except Exception:
                log.exception("webhook delivery %s crashed", item)
                retry = self.settings.webhook_backoff_s
            if retry is not None:
                self.submit_delivery(item, retry)

    def _sweep_loop(self) -> None:
        while not self._stop.wait(self.settings.sweep_interval_s):
            try:
                self._sweep_once()
            except Exception as exc:
                log_sweep_failure(exc)
