"""A live call's parts go to S3 on a thread of their own, so its audio intake never waits on storage.

`S3TempWriter(background=True)` hands each full part (8 MiB: about 2 minutes of 16 kHz stereo, 4 of
mono) to a `PartQueue`: at most `MAX_WAITING_PARTS` wait in memory while one uploads. A part whose
upload fails is tried again with backoff for up to `PART_RETRY_S`. Whoever watches the writer is told,
once each, when storage falls behind (a part failed, or parts pile up), when it has caught up, and when
the recording cannot be kept (the queue overflowed, or a part kept failing): then the writer fails with
those words, like any write error, and nothing is dropped silently.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from service.core.errors import StorageUnavailable

log = logging.getLogger(__name__)

MAX_WAITING_PARTS = 4  # 32 MiB of a call's audio, about 8 minutes of stereo, may wait for storage
BEHIND_AT_PARTS = 2  # this many waiting parts (storage slower than the audio) is "falling behind"
PART_RETRY_S = 120.0  # a part is retried this long (with backoff) before the recording is given up
RETRY_STEPS = (0.5, 1.0, 2.0, 4.0, 8.0)

# What a watcher is told: (code, message). Codes: storage_behind, storage_caught_up, storage_failed.
Watcher = Callable[[str, str], None]


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MiB"


class PartQueue:
    """Uploads parts in order on one daemon thread. `upload(number, body)` stores one part or raises;
    `fail(exc)` turns an exception into `StorageUnavailable` with the reason."""

    def __init__(self, upload: Callable[[int, bytearray], Any], fail: Callable[[Exception], StorageUnavailable],
                 *, max_parts: int = MAX_WAITING_PARTS, retry_s: float = PART_RETRY_S,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._upload, self._fail, self._sleep = upload, fail, sleep
        self.max_parts = max_parts
        self.retry_s = retry_s
        self._queue: queue.Queue[tuple[int, bytearray] | None] = queue.Queue()
        self._waiting = 0  # parts put and not yet uploaded (or dropped)
        self._waiting_bytes = 0
        self._lock = threading.Lock()
        self._watchers: list[Watcher] = []
        self._behind = False
        self._stopping = threading.Event()
        self.error: StorageUnavailable | None = None
        self._thread = threading.Thread(target=self._run, name="talktrack-s3-parts", daemon=True)
        self._thread.start()

    def watch(self, watcher: Watcher) -> None:
        self._watchers.append(watcher)

    @property
    def waiting(self) -> int:
        return self._waiting

    def put(self, number: int, body: bytearray) -> None:
        """Queue a part; never blocks. A full queue fails the recording (and says so)."""
        if self.error is not None:
            return
        with self._lock:
            full = self._waiting >= self.max_parts
            if not full:
                self._waiting += 1
                self._waiting_bytes += len(body)
                waiting, waiting_bytes = self._waiting, self._waiting_bytes
        if full:
            self._give_up(StorageUnavailable(
                f"audio storage fell behind: {self.max_parts} parts of this call's audio "
                f"({_mib(self._waiting_bytes)}) were already waiting to be uploaded, so the recording cannot "
                "be kept whole"))
            return
        self._queue.put((number, body))
        if waiting >= BEHIND_AT_PARTS:
            self._fell_behind(f"audio storage is slower than the call: {waiting} parts ({_mib(waiting_bytes)}) "
                              f"are waiting to be uploaded; up to {self.max_parts} may wait without any loss")

    def drain(self) -> None:
        """Wait until every queued part is uploaded (or the queue failed), then stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def stop(self) -> None:
        """Drop what waits and stop (the object is being aborted)."""
        self._stopping.set()
        self._queue.put(None)
        self._thread.join(timeout=30)

    # -- the upload thread -------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            number, body = item
            if self.error is None and not self._stopping.is_set():
                self._send(number, body)
            with self._lock:
                self._waiting -= 1
                self._waiting_bytes -= len(body)
                caught_up = self._waiting == 0 and self._behind and self.error is None
                if caught_up:
                    self._behind = False
            if caught_up:
                self._tell("storage_caught_up", "audio storage caught up: every part of the recording so far "
                                                "is stored")

    def _send(self, number: int, body: bytearray) -> None:
        first_failure: float | None = None
        tries = 0
        while not self._stopping.is_set() and self.error is None:  # a failed recording sends no more
            try:
                self._upload(number, body)
                return
            except Exception as exc:
                error = self._fail(exc)
                now = time.monotonic()
                first_failure = first_failure or now
                if now - first_failure >= self.retry_s:
                    self._give_up(StorageUnavailable(f"{error} (a part of the recording kept failing for "
                                                     f"{self.retry_s:.0f} s)"))
                    return
                self._fell_behind(f"{error}; part {number} is tried again, and the call goes on")
                self._sleep(RETRY_STEPS[min(tries, len(RETRY_STEPS) - 1)])
                tries += 1

    # -- telling ------------------------------------------------------------------------------------

    def _fell_behind(self, message: str) -> None:
        with self._lock:
            first, self._behind = not self._behind, True
        if first:
            log.warning("%s", message)
            self._tell("storage_behind", message)

    def _give_up(self, error: StorageUnavailable) -> None:
        with self._lock:
            first = self.error is None
            self.error = self.error or error
        if first:
            log.warning("%s", error)
            self._tell("storage_failed", f"{error}; the live transcript goes on, but the call will not be stored")

    def _tell(self, code: str, message: str) -> None:
        for watcher in list(self._watchers):
            try:
                watcher(code, message)
            except Exception:  # a watcher that fails must not stop the uploads
                log.exception("a storage watcher failed")
