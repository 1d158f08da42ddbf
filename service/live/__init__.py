"""Live calls: the hub that admits calls and fans out their events (in memory, or in Redis when API
processes share one), a call's session (recogniser, speakers, language, cards), the WebSocket
transport's limits, and the guidance a call is set up with."""

from __future__ import annotations

from service.core.shared_redis import SharedRedis
from service.live.hub import LiveHub, MemoryLiveHub
from service.live.hub_redis import RedisLiveHub


def make_live_hub(shared: SharedRedis | None) -> LiveHub:
    """The live hub for this deployment: in Redis when API processes share one, else in memory."""
    return MemoryLiveHub() if shared is None else RedisLiveHub(shared)


__all__ = ["make_live_hub"]
