"""Prometheus metrics: request counts and latencies by route template, plus call counts by
status read from the database at scrape time (so every process reports the same truth)."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models import Call, WebhookDelivery
from models.calls import CALL_STATUSES
from service.analysis import llm_client
from service.domain import mention_mail

REGISTRY = CollectorRegistry()
REQUESTS = Counter("talktrack_http_requests_total", "HTTP requests", ["method", "route", "status"],
                   registry=REGISTRY)
LATENCY = Histogram("talktrack_http_request_duration_seconds", "HTTP request latency", ["route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), registry=REGISTRY)
UPLOAD_BYTES = Counter("talktrack_upload_bytes_total", "bytes of uploaded files stored", registry=REGISTRY)
CALLS = Gauge("talktrack_calls", "calls by status (all organizations)", ["status"], registry=REGISTRY)
MENTION_MAILS = Gauge("talktrack_mention_mails", "mention e-mails this process sent or failed to send",
                      ["result"], registry=REGISTRY)
LLM_WORDING = Gauge("talktrack_llm_wording", "the brief's generated wording in this process (TALKTRACK_LLM_URL): "
                    "runs, requests, failed runs, sentences kept and dropped, unreadable answers", ["result"],
                    registry=REGISTRY)
DELIVERIES = Gauge("talktrack_webhook_deliveries", "webhook deliveries by status", ["status"], registry=REGISTRY)


class PrometheusMiddleware:
    """Pure ASGI (no per-request task switch), so the suggestions poll stays cheap."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route: Any = scope.get("route")
            name = getattr(route, "path", None) or "unmatched"
            REQUESTS.labels(scope.get("method", ""), name, str(status[0])).inc()
            LATENCY.labels(name).observe(time.perf_counter() - t0)


def render_metrics(engine: Engine) -> bytes:
    with Session(engine) as session:
        counts = dict(session.exec(select(Call.status, func.count()).group_by(col(Call.status))).all())
        dcounts = dict(session.exec(select(WebhookDelivery.status, func.count())
                                    .group_by(col(WebhookDelivery.status))).all())
    for s in CALL_STATUSES:
        CALLS.labels(s).set(counts.get(s, 0))
    for s in ("pending", "delivered", "failed"):
        DELIVERIES.labels(s).set(dcounts.get(s, 0))
    for result, n in mention_mail.stats().items():
        MENTION_MAILS.labels(result).set(n)
    for result, n in llm_client.stats().items():
        LLM_WORDING.labels(result).set(n)
    return generate_latest(REGISTRY)
