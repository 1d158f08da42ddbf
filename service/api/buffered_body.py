"""A request body read whole by a middleware, then handed on to the app as if never read.

The JSON and form guards both check a body before the route sees it: they read it up to a size
limit, and pass the app a `receive` that gives the same bytes again."""

from __future__ import annotations

from starlette.types import Message, Receive


class BodyTooLarge(Exception):
    """The body grew past the limit while it was read (its declared length may have been absent)."""


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None when the client went away first. Raises `BodyTooLarge` past `limit`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives `body` once, then waits on the real one (for the disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


__all__ = ["BodyTooLarge", "read_body", "replaying"]
