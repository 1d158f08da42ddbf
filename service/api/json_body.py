"""Guard for JSON request bodies, before FastAPI parses them.

A pure ASGI middleware: a request whose body FastAPI would read as JSON (a JSON content type, or
none at all) is read here first, up to `max_json_bytes` (413 past it, so a 200 MiB `note` costs
the server at most the cap), and checked with `service.core.strict_json` (422 for NaN, Infinity,
out-of-range numbers or deep nesting, or a string holding a control character; text that is not
JSON at all is left to FastAPI's own 422). The checked bytes are then handed on unchanged. Multipart
uploads and other bodies stream through untouched.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.buffered_body import BodyTooLarge, read_body, replaying
from service.core.strict_json import ControlCharError, JsonSyntaxError, StrictJsonError, loads

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_ERROR_STATE = "talktrack.body_error"


def _refused(scope: Scope, reason: str) -> bytes:
    """A refused body is answered (422) after the route's authentication and permission checks, so
    a 401 or 403 never depends on the body: the route is handed a body FastAPI cannot parse, and the
    reason waits in the request's state for the validation handler (`body_error`). A route that
    reads no body never sees it."""
    scope.setdefault("state", {})[BODY_ERROR_STATE] = reason
    return b"\x00"


def body_error(scope: Scope) -> str | None:
    """Why `JsonBodyGuard` refused this request's body, if it did."""
    state = scope.get("state")
    reason = state.get(BODY_ERROR_STATE) if isinstance(state, dict) else None
    return reason if isinstance(reason, str) else None


def is_json_content_type(value: str | None) -> bool:
    """True for the content types FastAPI parses as JSON: none, `application/json`, `*/*+json`."""
    if not value:
        return True
    media = value.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def _respond(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class JsonBodyGuard:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        ctype = headers.get(b"content-type")
        if not is_json_content_type(ctype.decode("latin-1") if ctype is not None else None):
            await self.app(scope, receive, send)
            return
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            await _respond(send, 413, f"JSON bodies are limited to {self.max_bytes} bytes")
            return
        try:
            read = await read_body(receive, self.max_bytes)
        except BodyTooLarge:
            await _respond(send, 413, f"JSON bodies are limited to {self.max_bytes} bytes")
            return
        if read is None:
            return
        body = read
        if body:
            try:
                loads(body)
            except JsonSyntaxError:
                pass  # not JSON at all: FastAPI answers that itself (422), or ignores a body it does not read
            except ControlCharError as exc:  # names the field: "the field 'note' contains a NUL character"
                body = _refused(scope, f"the request body is refused: {exc}")
            except StrictJsonError as exc:
                body = _refused(scope, f"the request body is not acceptable JSON: {exc}")
        await self.app(scope, replaying(body, receive), send)


__all__ = ["JsonBodyGuard", "body_error", "is_json_content_type"]
