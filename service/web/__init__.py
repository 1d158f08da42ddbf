"""The web app: pages for reps, coaches and admins, served by the same FastAPI app and process as
the JSON API (`mount_web(app)` adds them).

Pages call the domain layer (`service.domain`) and the access policy (`service.core.access`), exactly
like the API; their scripts call the JSON API with the session cookie and the CSRF header. Every
script, style and font is served from `/static` (sites may be air-gapped), under a
Content-Security-Policy without inline scripts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import RedirectResponse, Response

from service.core.db import database_unavailable
from service.core.errors import DatabaseUnavailable, DomainError
from service.web import (
    admin_pages,
    auth_pages,
    call_pages,
    clip_pages,
    coaching_pages,
    comment_pages,
    deal_pages,
    live_pages,
    privacy_pages,
)
from service.web.pages import STATIC_DIR, LoginRequired, error_page, login_redirect

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "media-src 'self' blob:; connect-src 'self'; worker-src 'self'; font-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's own /docs and /redoc pages carry an inline script: they keep their own script policy,
# and get only this one (no page of Talktrack may be framed: clickjacking).
_NO_CSP_PREFIXES = ("/docs", "/redoc")
NO_FRAMING_CSP = "frame-ancestors 'none'"
log = logging.getLogger(__name__)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/v1") or request.url.path in ("/healthz", "/metrics")


def mount_web(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (auth_pages, call_pages, clip_pages, coaching_pages, comment_pages, deal_pages, live_pages, admin_pages, privacy_pages):
        app.include_router(module.router)

    @app.get("/favicon.ico", include_in_schema=False)
    async def _favicon() -> Response:
        # Pages link /static/favicon.svg; this answers browsers and tools that ask the old place.
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.exception_handler(LoginRequired)
    async def _login_required(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_redirect(exc.next_url), status_code=303)

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        if _is_api(request):
            return JSONResponse(status_code=exc.status_code, content={"detail": str(exc)})
        return error_page(request, exc)

    @app.exception_handler(SQLAlchemyError)
    async def _database_error(request: Request, exc: SQLAlchemyError) -> Response:
        if not database_unavailable(exc):
            raise exc  # a bug: the server error it always was
        log.warning("%s %s: the database is unavailable (%s)", request.method, request.url.path,
                    type(exc).__name__)
        return await _domain_error(request, DatabaseUnavailable())

    @app.middleware("http")
    async def _security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        # Server time of the handler and rendering (read by bench/web_pages.py and browser devtools).
        response.headers.setdefault("Server-Timing", f"app;dur={1000 * (time.perf_counter() - started):.1f}")
        # A response that sets its own policy keeps it (served files: `service.core.served_files`).
        if not request.url.path.startswith(_NO_CSP_PREFIXES):
            response.headers.setdefault("Content-Security-Policy", CSP)
        else:
            response.headers.setdefault("Content-Security-Policy", NO_FRAMING_CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not _is_api(request) and not request.url.path.startswith("/static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
