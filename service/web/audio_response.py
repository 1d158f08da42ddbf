"""A stored recording as an HTTP response with byte ranges, whichever store holds it.

The local store's file goes out as a `FileResponse` (sendfile, its own Range handling). An object
in S3 is streamed through Talktrack with a ranged GetObject rather than redirected to a presigned
URL: the page's Content-Security-Policy allows media only from this site (`media-src 'self'`), the
S3 endpoint may not be reachable from people's browsers at all, and the access check stays on
every request (a presigned URL works for anyone who has it until it expires).
"""

from __future__ import annotations

import re

from starlette.responses import FileResponse, Response, StreamingResponse

from service.core.errors import NotFound
from service.core.i18n import N_
from service.core.served_files import file_headers
from service.storage import AudioStore, LocalAudioStore

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class RangeNotSatisfiable(Exception):
    pass


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte of a single-range `Range` header, or None to send the whole
    object (no header, several ranges, or a unit other than bytes: RFC 9110 lets a server ignore it).
    Raises `RangeNotSatisfiable` for a range wholly past the end."""
    if not header:
        return None
    m = _RANGE.match(header)
    if m is None:
        return None
    first, last = m.group(1), m.group(2)
    if not first and not last:
        return None
    if not first:  # the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            raise RangeNotSatisfiable()
        return max(0, size - n), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise RangeNotSatisfiable()
    return start, end


def audio_response(store: AudioStore, key: str, filename: str, media_type: str, range_header: str | None) -> Response:
    """The object at `key`, whole (200) or the range asked for (206); 416 past its end. It goes out
    as `media_type` (the `audio/*` type the decoder found, never one guessed from a name) with the
    headers of `service.core.served_files.file_headers`, inline under `filename`."""
    headers = file_headers(filename, "inline")
    if isinstance(store, LocalAudioStore):
        path = store.local_path(key)
        if not path.is_file():
            raise NotFound(N_("the recording is no longer stored"))
        return FileResponse(path, media_type=media_type, headers=headers)
    size = store.size(key)
    if size is None:
        raise NotFound(N_("the recording is no longer stored"))
    headers["Accept-Ranges"] = "bytes"
    try:
        span = byte_range(range_header, size)
    except RangeNotSatisfiable:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if span is None:
        start, end, status = 0, size - 1, 200
    else:
        (start, end), status = span, 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)
    body = store.open_range(key, start, end) if size else iter(())
    return StreamingResponse(body, status_code=status, headers=headers, media_type=media_type)


def bytes_audio_response(data: bytes, filename: str, media_type: str, range_header: str | None) -> Response:
    """Audio made in memory (a clip cut from its call: `service.web.clip_audio`) with the same byte
    ranges and headers as a stored recording: 200 whole, 206 for a range, 416 past its end (a player
    cannot ask for anything beyond what the bytes hold)."""
    size = len(data)
    headers = {**file_headers(filename, "inline"), "Accept-Ranges": "bytes"}
    try:
        span = byte_range(range_header, size)
    except RangeNotSatisfiable:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if span is None:
        return Response(data, status_code=200, headers=headers, media_type=media_type)
    start, end = span
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return Response(data[start:end + 1], status_code=206, headers=headers, media_type=media_type)
