"""Control characters in the path, the query string and form fields: refused before any route runs.

A pure ASGI middleware (`service.core.text_input` holds the rule): every request's decoded path and
query parameters, and the fields of a url-encoded or multipart form body, are checked; one that
holds a NUL character (or another control character its field may not hold) is answered 422 with
the field's name, as JSON under `/v1` and as the error page elsewhere. A form body is read here in
full (at most `MAX_FORM_BYTES`, else 413), parsed by Starlette's own form parser (what the route
reads next) and handed on unchanged. The streamed call upload (`POST /v1/calls`, multipart) is the
exception: it checks its own fields as they arrive (`service.api.upload`). WebSocket handshakes
get the same path and query check (closed with 1008).
"""

from __future__ import annotations

import json

from python_multipart.multipart import parse_options_header
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.buffered_body import BodyTooLarge, read_body, replaying
from service.core.errors import DomainError, Invalid
from service.core.text_input import fields_problem, path_problem, query_problem
from transcription.control_chars import control_char_problem

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({b"application/x-www-form-urlencoded", b"multipart/form-data"})
STREAMED_UPLOADS = frozenset({("POST", "/v1/calls")})  # multipart read as it streams, checked there
MAX_FORM_BYTES = 8 * 1024 * 1024  # a 200,000-character playbook, every character percent-encoded, fits
_JSON_PREFIXES = ("/v1", "/healthz", "/metrics", "/openapi.json", "/docs", "/redoc")


class _FormTooLarge(DomainError):
    status_code = 413


async def _refuse(scope: Scope, receive: Receive, send: Send, error: DomainError) -> None:
    if scope["path"].startswith(_JSON_PREFIXES):
        body = json.dumps({"detail": str(error)}).encode("utf-8")
        await send({"type": "http.response.start", "status": error.status_code,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
        return
    from service.web.pages import error_page  # the page every other refusal of the web app uses

    await error_page(Request(scope, receive), error)(scope, receive, send)


async def _form_problem(scope: Scope, body: bytes) -> str | None:
    """The first field of the form body that breaks the rule, read as the route will read it."""
    sent = [False]

    async def replay() -> Message:
        if sent[0]:
            return {"type": "http.disconnect"}
        sent[0] = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(scope, replay).form()
    except Exception:  # a malformed body: the route's own parser answers it, as without this check
        return None
    try:
        items = form.multi_items()
        problem = fields_problem(items)
        for _, value in items:
            if problem is None and isinstance(value, UploadFile) and value.filename:
                issue = control_char_problem(value.filename, multiline=False)
                problem = None if issue is None else f"the file name {issue}"
        return problem
    finally:
        await form.close()


class TextInputGuard:
    def __init__(self, app: ASGIApp, max_form_bytes: int = MAX_FORM_BYTES) -> None:
        self.app = app
        self.max_form_bytes = max_form_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        problem = path_problem(scope["path"]) or query_problem(scope.get("query_string", b""))
        if problem is not None:
            if scope["type"] == "websocket":
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008, "reason": problem[:120]})
            else:
                await _refuse(scope, receive, send, Invalid(problem))
            return
        method = scope.get("method", "")
        if scope["type"] != "http" or method not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        ctype = dict(scope.get("headers", [])).get(b"content-type", b"")
        media, _ = parse_options_header(ctype)
        if media not in FORM_TYPES or (media == b"multipart/form-data"
                                       and (method, scope["path"]) in STREAMED_UPLOADS):
            await self.app(scope, receive, send)
            return
        await self._checked_form(scope, receive, send)

    async def _checked_form(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            read = await read_body(receive, self.max_form_bytes)
        except BodyTooLarge:
            await _refuse(scope, receive, send, _FormTooLarge(f"form bodies are limited to {self.max_form_bytes} bytes"))
            return
        if read is None:
            return
        body = read
        problem = await _form_problem(scope, body)
        if problem is not None:
            await _refuse(scope, receive, send, Invalid(problem))
            return
        await self.app(scope, replaying(body, receive), send)


__all__ = ["MAX_FORM_BYTES", "TextInputGuard"]
