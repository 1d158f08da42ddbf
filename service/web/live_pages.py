"""The live call page (`/live`): the browser's microphone streams to the `/v1/live` WebSocket.

An AudioWorklet (`static/js/pcm-worklet.js`) turns the microphone into 16 kHz mono 16-bit PCM in
100 ms frames; `static/js/live.js` sends them with the protocol's `start` and `stop` messages and
shows the utterances, suggestion cards and running metrics as they arrive. The socket is
authenticated by the session cookie (`service.api.routes.live.browser_principal`), so no API key
ever reaches the page. On `stop` the server stores the call and queues its analysis like an upload.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.core.access import allowed
from service.core.errors import Forbidden
from service.core.i18n import N_
from service.core.sessions import ResolvedSession
from service.web.pages import SignedIn, render
from transcription.audio import SAMPLE_RATE

router = APIRouter(include_in_schema=False)
FRAME_MS = 100  # audio per WebSocket frame: 3.2 KB at 16 kHz mono s16le


def live_config(who: ResolvedSession) -> dict[str, Any]:
    """What live.js needs: the socket path and the `start` message (the call is the signed-in
    person's own, under their name; the server applies the same owner rules as for API keys)."""
    return {
        "socket_path": "/v1/live",
        "worklet_url": "/static/js/pcm-worklet.js",
        "frame_ms": FRAME_MS,
        "start": {"type": "start", "sample_rate": SAMPLE_RATE, "channels": 1,
                  "rep_user_id": who.user.id, "rep": who.user.name},
        "rep_name": who.user.name,
    }


@router.get("/live")
def live_page(request: Request, who: SignedIn) -> Response:
    if not allowed(who.principal, "call.upload"):
        raise Forbidden(N_("a %(role)s cannot record calls", role=who.principal.role))
    return render(request, "live.html", {"live": live_config(who)}, who)
