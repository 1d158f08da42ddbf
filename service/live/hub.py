"""Where live calls are registered, counted against the caps, and where their events are kept.

One interface (`LiveHub`), two backends, chosen by `service.live.make_live_hub` from the deployment's shared Redis
(`service.core.shared_redis`):

- `MemoryLiveHub`: this process's memory (the embedded default, one API process).
- `service.live.hub_redis.RedisLiveHub`: the shared Redis, so that any API process can serve any
  call's events feed and the per-organization cap counts every process's calls.

A call's audio (the WebSocket) and its recognition stay on the process that accepted it; that
process is the only one that publishes the call's events. Events are numbered from 0 (`seq`) and kept
for the whole call and `RETAIN_ENDED_S` after it; a call has ended when its feed holds the `ended`
event.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

RETAIN_ENDED_S = 900.0  # an ended call's events stay readable this long

Event = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a live call belongs to (the same fields access rules check on stored calls)."""

    org_id: str
    team_id: str | None
    rep_user_id: str | None
    key_id: str


@dataclass(frozen=True, slots=True)
class LiveCallInfo:
    """A registered live call, as any process sees it."""

    call_id: str
    owner: Owner
    started_at: datetime
    ended: bool


@dataclass(frozen=True, slots=True)
class EventsPage:
    """Events numbered `since` and later, and whether the call had ended (its `ended` event is then
    the last one of the feed, so a page with `ended` true holds every remaining event)."""

    events: list[Event]
    ended: bool


class LiveCapReached(Exception):
    """A live call was refused: `scope` ("server" or "organization") already holds `count` calls."""

    def __init__(self, scope: str, count: int, message: str) -> None:
        super().__init__(message)
        self.scope = scope
        self.count = count


class LiveHub(Protocol):
    """The registry, caps and events feed of live calls."""

    def admit(self, call_id: str, owner: Owner, max_calls: int, max_per_org: int) -> None:
        """Register a call if the caps allow: at most `max_calls` live on this process and
        `max_per_org` for one organization. Raises `LiveCapReached`."""
        ...

    def release(self, call_id: str) -> None:
        """Forget a call that could not start (frees its slot; it has no events)."""
        ...

    def publish(self, call_id: str, event: Event) -> None:
        """Number the event (sets `event["seq"]`) and append it to the call's feed. Thread-safe;
        only on the process that admitted the call."""
        ...

    def end(self, call_id: str, event: Event) -> None:
        """Publish the final `ended` event and free the call's slot; its events stay readable
        `RETAIN_ENDED_S`."""
        ...

    def abandon(self, call_id: str, event: Event) -> bool:
        """End a call whose handler stopped without ending it (it raised or was cancelled): publish
        `event` as its last event and free its slot. Returns False, doing nothing, for a call
        already ended or released. Only on the process that admitted the call."""
        ...

    async def lookup(self, call_id: str) -> LiveCallInfo | None:
        """The call, or None when it is unknown, expired, or its process died."""
        ...

    async def wait_events(self, call_id: str, since: int, timeout: float) -> EventsPage | None:
        """The events numbered `since` and later, waiting up to `timeout` seconds for the first one
        (not at all once the call has ended). None when the call is gone."""
        ...

    def close(self) -> None:
        """Stop background work (the Redis backend's heartbeat); call when the server stops."""
        ...


def cap_message(scope: str, count: int, shared: bool) -> str:
    if scope == "server":
        return f"this server already runs {count} live calls; try again later"
    where = "" if shared else " on this server"
    return (f"your organization already runs {count} live calls{where}, the most it may; "
            "try again when one ends")


@dataclass
class _Call:
    owner: Owner
    started_at: datetime
    events: list[Event] = field(default_factory=list)
    ended_at: float | None = None
    cond: threading.Condition = field(default_factory=threading.Condition)
    waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = field(default_factory=set)


class MemoryLiveHub:
    """Live calls in this process's memory: events lists woken through each reader's event loop."""

    def __init__(self) -> None:
        self._calls: dict[str, _Call] = {}
        self._lock = threading.Lock()

    def admit(self, call_id: str, owner: Owner, max_calls: int, max_per_org: int) -> None:
        with self._lock:
            now = time.monotonic()
            for cid in [c for c, s in self._calls.items() if s.ended_at is not None and now - s.ended_at > RETAIN_ENDED_S]:
                del self._calls[cid]
            active = [c for c in self._calls.values() if c.ended_at is None]
            if len(active) >= max_calls:
                raise LiveCapReached("server", len(active), cap_message("server", len(active), False))
            own = sum(1 for c in active if c.owner.org_id == owner.org_id)
            if own >= max_per_org:
                raise LiveCapReached("organization", own, cap_message("organization", own, False))
            self._calls[call_id] = _Call(owner, datetime.now().astimezone())

    def release(self, call_id: str) -> None:
        with self._lock:
            self._calls.pop(call_id, None)

    def publish(self, call_id: str, event: Event) -> None:
        self._append(self._calls[call_id], event, ends=False)

    def abandon(self, call_id: str, event: Event) -> bool:
        call = self._calls.get(call_id)
        if call is None or call.ended_at is not None:
            return False
        self._append(call, event, ends=True)
        return True

    def end(self, call_id: str, event: Event) -> None:
        self._append(self._calls[call_id], event, ends=True)

    @staticmethod
    def _append(call: _Call, event: Event, *, ends: bool) -> None:
        with call.cond:
            event["seq"] = len(call.events)
            call.events.append(event)
            if ends:
                call.ended_at = time.monotonic()
            waiters = list(call.waiters)
        for loop, ev in waiters:
            with contextlib.suppress(RuntimeError):  # that reader's event loop has closed
                loop.call_soon_threadsafe(ev.set)

    async def lookup(self, call_id: str) -> LiveCallInfo | None:
        call = self._calls.get(call_id)
        if call is None:
            return None
        return LiveCallInfo(call_id, call.owner, call.started_at, call.ended_at is not None)

    async def wait_events(self, call_id: str, since: int, timeout: float) -> EventsPage | None:
        call = self._calls.get(call_id)
        if call is None:
            return None
        loop = asyncio.get_running_loop()
        ev = asyncio.Event()
        item = (loop, ev)

        def page() -> EventsPage:
            with call.cond:
                return EventsPage(list(call.events[max(0, since):]), call.ended_at is not None)

        with call.cond:
            call.waiters.add(item)
        try:
            deadline = loop.time() + timeout
            while True:
                ev.clear()
                out = page()
                if out.events or out.ended or loop.time() >= deadline:
                    return out
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ev.wait(), deadline - loop.time())
        finally:
            with call.cond:
                call.waiters.discard(item)

    def close(self) -> None:
        pass


__all__ = ["RETAIN_ENDED_S", "EventsPage", "LiveCallInfo", "LiveCapReached", "LiveHub", "MemoryLiveHub", "Owner"]
