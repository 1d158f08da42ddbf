"""`GET /healthz` (no authentication) and `GET /metrics` (Prometheus text format).

`/metrics` is guarded: with `TALKTRACK_METRICS_TOKEN` set, a scraper sends
`Authorization: Bearer <token>`; without it, only a direct loopback client (same host, no
`X-Forwarded-For`/`Forwarded` header from a reverse proxy) may read it.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from service.api.deps import bearer_token
from service.api.metrics import render_metrics
from service.core.config import Settings
from service.core.db import ping

router = APIRouter(tags=["ops"])


@router.get("/healthz", summary="Liveness and database check",
            responses={200: {"content": {"application/json": {"example": {"status": "ok", "database": "ok",
                                                                          "executor": "thread"}}}}})
def healthz(request: Request) -> dict[str, Any]:
    ping(request.app.state.engine)
    return {"status": "ok", "database": "ok",
            "executor": request.app.state.settings.resolved_executor()}


def _direct_loopback(request: Request) -> bool:
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_metrics_access(request: Request, settings: Settings) -> None:
    token = settings.metrics_token.get_secret_value() if settings.metrics_token is not None else ""
    if token:
        sent = bearer_token(request.headers.get("authorization")) or ""
        if not hmac.compare_digest(sent.encode("utf-8"), token.encode("utf-8")):
            raise HTTPException(401, detail="send the metrics token: Authorization: Bearer <TALKTRACK_METRICS_TOKEN>",
                                headers={"WWW-Authenticate": "Bearer"})
    elif not _direct_loopback(request):
        raise HTTPException(403, detail="/metrics answers loopback clients only; set TALKTRACK_METRICS_TOKEN "
                                        "to scrape it from elsewhere")


@router.get("/metrics", summary="Prometheus metrics (metrics token, or loopback clients only)",
            response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}},
                       401: {"description": "TALKTRACK_METRICS_TOKEN is set and not sent"},
                       403: {"description": "no metrics token is set and the client is not on loopback"}})
def metrics(request: Request) -> Response:
    check_metrics_access(request, request.app.state.settings)
    return Response(render_metrics(request.app.state.engine), media_type=CONTENT_TYPE_LATEST)
