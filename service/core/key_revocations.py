"""The revocation stamp every process sees: when a cached API key must be looked up again.

API keys of no person (admin and integration keys) are cached in each API process for
`Settings.key_cache_s` (`service.api.deps`). A cached key is trusted only while the stamp it was
cached under is still the current one, and every revocation changes the stamp, wherever it
happens (the web admin, the command line, another API process). So a revoked key gets 401 on the
next request on every process, not after the cache runs out:

- with a shared Redis (`Settings.shared_state_url`): a counter in Redis, `INCR` on revocation and
  one `GET` per request that hits the cache;
- with SQLite and no Redis (one machine, one data directory): a small file in the data directory
  whose content is the stamp, replaced atomically on revocation and read per cached request;
- with PostgreSQL and no Redis (processes may share nothing but the database): no stamp, so no
  cache: every request looks its key up.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from service.core.config import Settings
from service.core.shared_redis import SharedRedis, shared_redis

STAMP_FILE = "api-keys-revoked.stamp"
NO_REVOCATION_YET = "0"


class KeyRevocations:
    """The stamp of one deployment (built from its settings; cheap to build, holds no connection
    until used)."""

    def __init__(self, settings: Settings, redis: SharedRedis | None = None) -> None:
        self._redis = redis if redis is not None else shared_redis(settings)
        sqlite = settings.resolved_database_url().startswith("sqlite")
        self._file: Path | None = settings.data_dir / STAMP_FILE if self._redis is None and sqlite else None

    @property
    def can_cache(self) -> bool:
        """Whether every process can see revocations (else keys must not be cached)."""
        return self._redis is not None or self._file is not None

    def _redis_key(self) -> str:
        assert self._redis is not None
        return self._redis.key("api-keys", "revoked")

    def _file_stamp(self) -> str:
        assert self._file is not None
        try:
            return self._file.read_text(encoding="ascii") or NO_REVOCATION_YET
        except FileNotFoundError:
            return NO_REVOCATION_YET

    def stamp(self) -> str | None:
        """The current stamp; None when revocations cannot be seen across processes."""
        if self._redis is not None:
            value = self._redis.sync.get(self._redis_key())
            return str(value) if value is not None else NO_REVOCATION_YET
        return self._file_stamp() if self._file is not None else None

    async def astamp(self) -> str | None:
        """`stamp()` for coroutines (the Redis read does not block the event loop)."""
        if self._redis is not None:
            value = await self._redis.aio().get(self._redis_key())
            return str(value) if value is not None else NO_REVOCATION_YET
        return self._file_stamp() if self._file is not None else None

    def announce(self) -> None:
        """Change the stamp: call after a revocation is committed."""
        if self._redis is not None:
            self._redis.sync.incr(self._redis_key())
        elif self._file is not None:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._file.with_name(f".{STAMP_FILE}.{uuid.uuid4().hex}")
            tmp.write_text(uuid.uuid4().hex, encoding="ascii")
            os.replace(tmp, self._file)


__all__ = ["KeyRevocations"]
