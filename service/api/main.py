"""The FastAPI application: `create_app()` wires settings, database, executor and routers.

Start-up runs the migrations, then starts the executor (worker threads for the embedded default,
a sweeper that feeds Celery in production). Other features add routers with
`app.include_router(...)` on the object `create_app()` returns.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from service.api.deps import authorize_route
from service.api.docs_pages import add_offline_docs
from service.api.json_body import JsonBodyGuard, body_error
from service.api.metrics import PrometheusMiddleware
from service.api.openapi_text import document_text_rules
from service.api.responses import method_not_allowed
from service.api.routes import (
    calls,
    clips,
    comments,
    deals,
    definitions,
    health,
    insights,
    live,
    outcomes,
    privacy,
    scorecards,
    suggestions,
    webhooks,
)
from service.api.text_guard import TextInputGuard
from service.core.config import Settings, get_settings
from service.core.db import get_engine, run_migrations
from service.core.errors import DomainError
from service.core.key_revocations import KeyRevocations
from service.core.rate_limits import make_rate_limiter
from service.core.shared_redis import shared_redis
from service.core.strict_json import json_safe
from service.jobs.dispatch import Dispatcher, NullDispatcher, ThreadDispatcher
from service.live import make_live_hub
from service.storage import AudioStore, StorageUnavailable, get_store
from service.web import mount_web
from service.webhooks.delivery import seal_legacy_secrets as seal_legacy_webhook_secrets
from transcription.errors import TalktrackError

log = logging.getLogger(__name__)

API_DESCRIPTION = """Self-hosted conversation intelligence for sales calls.

Authenticate with `Authorization: Bearer <API key>` (keys come from `talktrack admin create-key`).
Upload a recording or transcript with `POST /v1/calls`, poll `GET /v1/calls/{id}` until `status` is
`done`, then read the analysis, transcript and suggestions. Register webhooks to be told instead.
"""


def make_dispatcher(settings: Settings) -> Dispatcher:
    executor = settings.resolved_executor()
    if executor == "thread":
        return ThreadDispatcher(settings)
    if executor == "celery":
        from service.jobs.celery_app import CeleryDispatcher

        return CeleryDispatcher(settings)
    return NullDispatcher()


def prepare_store(store: AudioStore) -> None:
    """At start-up: say now if the audio store cannot be used (uploads would answer 503 with the same
    words), and remove what a killed server left half-written. A store that is down does not stop the
    server: the rest of the service works, and the store may come back."""
    try:
        store.check()
        store.sweep_temp()
    except StorageUnavailable as exc:
        log.error("%s", exc)


def create_app(settings: Settings | None = None, *, start_executor: bool = True) -> FastAPI:
    """The Talktrack HTTP API. `start_executor=False` leaves jobs in the database (for tests and
    for an API process that should never run analysis)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        run_migrations(settings)
        prepare_store(get_store(settings))
        seal_legacy_webhook_secrets(settings)
        dispatcher: Dispatcher = make_dispatcher(settings) if start_executor else NullDispatcher()
        app.state.dispatcher = dispatcher
        dispatcher.start()
        try:
            yield
        finally:
            dispatcher.stop()
            live = getattr(app.state, "live_engine", None)  # created on the first live call
            if live is not None:
                live.shutdown()
            app.state.live_hub.close()
            if app.state.shared_redis is not None:
                await app.state.shared_redis.aclose()
                app.state.shared_redis.close()

    app = FastAPI(
        title="Talktrack",
        version="1.0.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc come from add_offline_docs: no CDN
        redoc_url=None,
        openapi_tags=[
            {"name": "calls", "description": "Upload calls and read their analysis."},
            {"name": "outcomes", "description": "Deal and call outcomes (won, lost, next step booked)."},
            {"name": "deals", "description": "A deal's calls as one story, its warnings, and deals by warning."},
            {"name": "webhooks", "description": "Signed event deliveries for CRM connectors."},
            {"name": "definitions", "description": "Voice profiles, trackers and playbooks per organization."},
            {"name": "privacy", "description": "Retention policy, deletion on request (with tombstones) and the "
                                                "audit trail: admins only."},
            {"name": "ops", "description": "Health and Prometheus metrics."},
            {"name": "live", "description": "Live calls: WebSocket /v1/live and its events for polling clients."},
            {"name": "coaching", "description": "Insights, benchmarks and scorecards from outcomes."},
        ],
    )
    app.state.settings = settings
    app.state.engine = get_engine(settings)
    # Live calls and rate limits: in this process, or shared by every API process through a Redis broker.
    app.state.shared_redis = shared_redis(settings)
    app.state.live_hub = make_live_hub(app.state.shared_redis)
    app.state.key_revocations = KeyRevocations(settings, app.state.shared_redis)  # cached keys' stamp
    app.state.rate_limiter = make_rate_limiter(app.state.shared_redis, "api-key", settings.rate_limit_per_minute,
                                               settings.rate_limit_burst)
    app.state.dispatcher = NullDispatcher()
    app.add_middleware(JsonBodyGuard, max_bytes=settings.max_json_bytes)
    app.add_middleware(TextInputGuard)  # control characters in paths, query parameters and forms: 422
    document_text_rules(app)  # ... and the OpenAPI schema says so
    app.add_middleware(PrometheusMiddleware)
    add_offline_docs(app)

    mount_web(app)  # the web pages, their static files and the error pages (after the handlers below)

    @app.exception_handler(TalktrackError)
    async def _talktrack_error(_request: Request, exc: TalktrackError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    app.add_exception_handler(405, method_not_allowed)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            # Refused before the route's dependencies ran: authentication and permission first.
            try:
                await authorize_route(request)
            except HTTPException as denied:
                return JSONResponse(status_code=denied.status_code, content={"detail": denied.detail},
                                    headers=denied.headers)
            except DomainError as denied:  # the access policy's 403
                return JSONResponse(status_code=denied.status_code, content={"detail": str(denied)})
            reason = body_error(request.scope)  # NaN, deep nesting... (`JsonBodyGuard`)
            if reason is not None:
                return JSONResponse(status_code=422, content={"detail": reason})
        # FastAPI's own handler echoes the input, and a NaN in it makes the response itself fail.
        return JSONResponse(status_code=422, content={"detail": json_safe(jsonable_encoder(exc.errors()))})

    app.include_router(health.router)
    app.include_router(calls.router, prefix="/v1")
    app.include_router(suggestions.router, prefix="/v1")
    app.include_router(deals.router, prefix="/v1")
    app.include_router(outcomes.router, prefix="/v1")
    app.include_router(webhooks.router, prefix="/v1")
    app.include_router(definitions.router, prefix="/v1")
    app.include_router(insights.router, prefix="/v1")
    app.include_router(scorecards.router, prefix="/v1")
    app.include_router(live.router, prefix="/v1")
    app.include_router(privacy.router, prefix="/v1")
    app.include_router(comments.router, prefix="/v1")
    app.include_router(clips.router, prefix="/v1")
    return app
