"""The transport side of a live call: how audio frames get from the WebSocket into a `LiveSession`.

- Off the event loop: each frame is fed (voice activity detection, WAV writing) on the live
  engine's ingest threads, so one socket flooding frames cannot stall `/healthz` or other calls.
- In order and bounded: a session's frames go through one queue of `FEED_QUEUE_FRAMES` and one
  feeding task; when the queue is full the handler stops reading the socket (TCP backpressure).
  `LiveSession.feed` in turn waits when too many utterances wait for the recogniser.
- Capped: `CallLimits` ends a call that passes the byte or duration limit of the settings
  (`live_max_call_bytes`, `live_max_call_s`, counted in audio and in wall-clock time).
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field

from service.core.config import Settings
from service.live.sessions import LiveProtocolError, LiveSession
from transcription.audio import SAMPLE_RATE

log = logging.getLogger(__name__)

FEED_QUEUE_FRAMES = 64  # about 6 s of 100 ms frames buffered per call before the socket waits


@dataclass
class CallLimits:
    """The per-call caps, checked on every frame and used as the receive deadline."""

    max_bytes: int
    max_s: float
    channels: int
    started: float = field(default_factory=time.monotonic)
    received: int = 0

    @classmethod
    def of(cls, settings: Settings, channels: int) -> CallLimits:
        return cls(settings.live_max_call_bytes, settings.live_max_call_s, channels)

    def add(self, n_bytes: int) -> None:
        """Count a frame; raises `LiveProtocolError("call_limit")` past a cap."""
        self.received += n_bytes
        if self.received > self.max_bytes:
            raise LiveProtocolError("call_limit", f"a live call may send at most {self.max_bytes} bytes of audio")
        if self.received / (2 * self.channels * SAMPLE_RATE) > self.max_s:
            raise LiveProtocolError("call_limit", f"a live call may last at most {self.max_s:g} s of audio")

    def seconds_left(self) -> float:
        """Wall-clock time left: a client trickling audio slowly still cannot hold a slot forever."""
        left = self.max_s - (time.monotonic() - self.started)
        if left <= 0:
            raise LiveProtocolError("call_limit", f"a live call may last at most {self.max_s:g} s")
        return left


class FramePump:
    """Feeds one session's frames in order on `executor`, through a bounded queue."""

    def __init__(self, session: LiveSession, executor: Executor, max_frames: int = FEED_QUEUE_FRAMES) -> None:
        self.session = session
        self.executor = executor
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=max_frames)
        self.failed: BaseException | None = None
        self.task = asyncio.create_task(self._run())

    async def put(self, frame: bytes) -> None:
        """Queue a frame; waits while the queue is full (the caller then stops reading its socket)."""
        if self.failed is not None:
            raise LiveProtocolError("internal_error", "the audio of this call could not be processed", 1011)
        await self.queue.put(frame)

    async def close(self) -> None:
        """Wait until every queued frame has been fed."""
        await self.queue.put(None)
        await self.task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while (frame := await self.queue.get()) is not None:
            if self.failed is not None:
                continue  # drain: the call ends with an error; nothing more is fed
            try:
                await loop.run_in_executor(self.executor, self.session.feed, frame)
            except Exception as exc:
                log.exception("live call %s: feeding audio failed", self.session.call_id)
                self.failed = exc


__all__ = ["FEED_QUEUE_FRAMES", "CallLimits", "FramePump"]
