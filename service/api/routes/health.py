"""`GET /healthz` and `GET /metrics` (Prometheus text format); no authentication."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlmodel import Session

from service.api.metrics import render_metrics

router = APIRouter(tags=["ops"])


@router.get("/healthz", summary="Liveness and database check",
            responses={200: {"content": {"application/json": {"example": {"status": "ok", "database": "ok",
                                                                          "executor": "thread"}}}}})
def healthz(request: Request) -> dict[str, Any]:
    with Session(request.app.state.engine) as session:
        session.connection().execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok",
            "executor": request.app.state.settings.resolved_executor()}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(request: Request) -> Response:
    return Response(render_metrics(request.app.state.engine), media_type=CONTENT_TYPE_LATEST)
