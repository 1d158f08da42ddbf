"""Live calls in the shared Redis, so that any API process can serve any call's events.

Keys (all under `Settings.redis_key_prefix`):

- `live:call:<id>`: a hash, the registry entry: owner (org, team, rep, key), `started_at`, `state`
  (`live` or `ended`) and the process serving the call.
- `live:events:<id>`: a stream, the events feed. Entry ids are `0-<seq + 1>`, so `since=N` is an
  `XRANGE` from `0-<N + 1>` and an `XREAD BLOCK` after `0-<N>`; bounded by `MAX_EVENTS_PER_CALL`.
- `live:org:<org id>` and `live:proc:<process id>`: sorted sets of live call ids scored by their last
  heartbeat (Redis's clock, ms). Admission (`_ADMIT`, one Lua script: atomic across processes) first
  drops members older than the lease, then counts.

The process that accepted a call refreshes its entries every `lease_s / 3` (`_HEARTBEAT`); the keys
expire `lease_s` after the last beat. A killed process therefore frees its calls' slots, and its
calls vanish from the registry, within `lease_s`. An ended call's keys expire `RETAIN_ENDED_S` after
its end.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service.core.shared_redis import SharedRedis
from service.live.hub import (
    RETAIN_ENDED_S,
    Event,
    EventsPage,
    LiveCallInfo,
    LiveCapReached,
    Owner,
    cap_message,
)

log = logging.getLogger(__name__)

LEASE_S = 15.0  # a live call whose process stopped beating is forgotten (and its slot freed) after this
MAX_EVENTS_PER_CALL = 50_000  # a four-hour call publishes about 10,000
BLOCK_ROUND_S = 3.0  # one XREAD BLOCK; under the client's socket timeout (redis-py's default: 5 s)

# KEYS: org set, process set, call hash. ARGV: call id, lease ms, max calls, max per org, hash fields...
# Returns {0, 0} when admitted, {1, count} when this process is full, {2, count} when the organization is.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - lease)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - lease)
local here = redis.call('ZCARD', KEYS[2])
if here >= tonumber(ARGV[3]) then return {1, here} end
local org = redis.call('ZCARD', KEYS[1])
if org >= tonumber(ARGV[4]) then return {2, org} end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('HSET', KEYS[3], unpack(ARGV, 5))
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], lease) end
return {0, 0}
"""

# KEYS: org set, process set, call hash, events stream. ARGV: call id, lease ms. Returns 0 when the
# call's entry had already expired (this process stalled for longer than the lease).
_HEARTBEAT = """
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
return 1
"""


@dataclass
class _Served:
    """A call this process serves: the only publisher of its events."""

    org_id: str
    next_seq: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class RedisLiveHub:
    """`service.live.hub.LiveHub` in the shared Redis."""

    def __init__(self, shared: SharedRedis, lease_s: float = LEASE_S) -> None:
        self.shared = shared
        self.lease_ms = int(lease_s * 1000)
        self.process_id = uuid.uuid4().hex[:16]
        self._served: dict[str, _Served] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beater: threading.Thread | None = None
        self._admit = shared.sync.register_script(_ADMIT)
        self._heartbeat = shared.sync.register_script(_HEARTBEAT)

    # -- keys --------------------------------------------------------------------------------------

    def _call_key(self, call_id: str) -> str:
        return self.shared.key("live", "call", call_id)

    def _events_key(self, call_id: str) -> str:
        return self.shared.key("live", "events", call_id)

    def _org_key(self, org_id: str) -> str:
        return self.shared.key("live", "org", org_id)

    def _proc_key(self) -> str:
        return self.shared.key("live", "proc", self.process_id)

    # -- the serving process -----------------------------------------------------------------------

    def admit(self, call_id: str, owner: Owner, max_calls: int, max_per_org: int) -> None:
        fields = {"org_id": owner.org_id, "team_id": owner.team_id or "", "rep_user_id": owner.rep_user_id or "",
                  "key_id": owner.key_id, "started_at": datetime.now().astimezone().isoformat(),
                  "state": "live", "process": self.process_id}
        flat = [x for kv in fields.items() for x in kv]
        code, count = self._admit(keys=[self._org_key(owner.org_id), self._proc_key(), self._call_key(call_id)],
                                  args=[call_id, self.lease_ms, max_calls, max_per_org, *flat])
        if code == 1:
            raise LiveCapReached("server", int(count), cap_message("server", int(count), True))
        if code == 2:
            raise LiveCapReached("organization", int(count), cap_message("organization", int(count), True))
        with self._lock:
            self._served[call_id] = _Served(owner.org_id)
            if self._beater is None:
                self._beater = threading.Thread(target=self._beat, name="talktrack-live-heartbeat", daemon=True)
                self._beater.start()

    def release(self, call_id: str) -> None:
        with self._lock:
            served = self._served.pop(call_id, None)
        if served is None:
            return
        pipe = self.shared.sync.pipeline()
        pipe.zrem(self._org_key(served.org_id), call_id)
        pipe.zrem(self._proc_key(), call_id)
        pipe.delete(self._call_key(call_id), self._events_key(call_id))
        pipe.execute()

    def publish(self, call_id: str, event: Event) -> None:
        served = self._served[call_id]
        with served.lock:
            event["seq"] = served.next_seq
            pipe = self.shared.sync.pipeline(transaction=False)
            self._xadd(pipe, call_id, event)
            pipe.pexpire(self._events_key(call_id), self.lease_ms)
            pipe.execute()
            served.next_seq += 1

    def end(self, call_id: str, event: Event) -> None:
        with self._lock:
            served = self._served.pop(call_id)
        retain_ms = int(RETAIN_ENDED_S * 1000)
        with served.lock:
            event["seq"] = served.next_seq
            pipe = self.shared.sync.pipeline()  # MULTI: readers see the ended event and state together
            self._xadd(pipe, call_id, event)
            pipe.hset(self._call_key(call_id), "state", "ended")
            pipe.zrem(self._org_key(served.org_id), call_id)
            pipe.zrem(self._proc_key(), call_id)
            pipe.pexpire(self._call_key(call_id), retain_ms)
            pipe.pexpire(self._events_key(call_id), retain_ms)
            pipe.execute()
            served.next_seq += 1

    def abandon(self, call_id: str, event: Event) -> bool:
        with self._lock:
            if call_id not in self._served:
                return False
        self.end(call_id, event)
        return True

    def _xadd(self, pipe: Any, call_id: str, event: Event) -> None:
        pipe.xadd(self._events_key(call_id), {"e": json.dumps(event, separators=(",", ":"))},
                  id=f"0-{event['seq'] + 1}", maxlen=MAX_EVENTS_PER_CALL, approximate=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.lease_ms / 3000):
            with self._lock:
                served = list(self._served.items())
            for call_id, call in served:
                try:
                    alive = self._heartbeat(keys=[self._org_key(call.org_id), self._proc_key(),
                                                  self._call_key(call_id), self._events_key(call_id)],
                                            args=[call_id, self.lease_ms])
                    if not alive:
                        log.warning("live call %s: its registry entry expired (this process stalled)", call_id)
                except Exception:
                    log.exception("live call %s: heartbeat to Redis failed", call_id)

    def close(self) -> None:
        self._stop.set()
        if self._beater is not None:
            self._beater.join(timeout=5)

    # -- any process -------------------------------------------------------------------------------

    async def lookup(self, call_id: str) -> LiveCallInfo | None:
        found = await self.shared.aio().hgetall(self._call_key(call_id))
        if not found:
            return None
        row = {str(k): str(v) for k, v in found.items()}
        owner = Owner(row["org_id"], row["team_id"] or None, row["rep_user_id"] or None, row["key_id"])
        return LiveCallInfo(call_id, owner, datetime.fromisoformat(row["started_at"]), row["state"] == "ended")

    async def wait_events(self, call_id: str, since: int, timeout: float) -> EventsPage | None:
        client: Any = self.shared.aio()  # decode_responses: str values, which redis-py's types do not say
        stream = self._events_key(call_id)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            state = await client.hget(self._call_key(call_id), "state")  # before the events: see EventsPage
            if state is None:
                return None
            entries = await client.xrange(stream, min=f"0-{since + 1}", max="+")
            left = deadline - asyncio.get_running_loop().time()
            if not entries and state != "ended" and left > 0:
                # In rounds: a read blocked past the client's socket timeout would fail, and between
                # rounds a call whose process died is noticed.
                found = await client.xread({stream: f"0-{since}"}, block=max(1, int(min(left, BLOCK_ROUND_S) * 1000)))
                if not found:
                    continue
                entries = found[0][1]
            events = [json.loads(fields["e"]) for _, fields in entries]
            return EventsPage(events, state == "ended" or any(e.get("type") == "ended" for e in events))


__all__ = ["LEASE_S", "MAX_EVENTS_PER_CALL", "RedisLiveHub"]
