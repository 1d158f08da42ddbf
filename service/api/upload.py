"""Streaming multipart parser for uploads: the file part goes straight to the audio store's temp
object while it arrives (never whole in memory), with a hard size limit; small text fields are
kept for metadata validation. A client's file name is kept for display only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

from fastapi import HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from python_multipart.multipart import MultipartParser, parse_options_header

from service.core.text_input import field_problem
from service.storage import AudioStore
from transcription.audio import AUDIO_EXTENSIONS
from transcription.control_chars import control_char_problem
from transcription.transcript_io import TRANSCRIPT_EXTENSIONS

MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 50

# What the pipeline reads, so an upload it could not decode is refused (415) rather than failed later.
TRANSCRIPT_SUFFIXES = {ext: ext.lstrip(".") for ext in TRANSCRIPT_EXTENSIONS}
CONTENT_TYPES = {"text/vtt": ".vtt", "application/json": ".json", "audio/wav": ".wav", "audio/x-wav": ".wav",
                 "audio/wave": ".wav", "audio/flac": ".flac", "audio/x-flac": ".flac", "audio/mpeg": ".mp3",
                 "audio/mp4": ".m4a", "audio/x-m4a": ".m4a", "audio/ogg": ".ogg", "audio/opus": ".opus",
                 "audio/webm": ".webm", "video/webm": ".webm", "video/mp4": ".mp4", "audio/aac": ".aac"}


@dataclass
class UploadedFile:
    temp_key: str
    size: int
    sha256: str
    filename: str | None
    content_type: str | None


@dataclass
class ParsedUpload:
    fields: dict[str, str] = field(default_factory=dict)
    file: UploadedFile | None = None


def media_suffix(filename: str | None, content_type: str | None) -> tuple[str, str] | None:
    """(`kind`, stored suffix) for an upload, from its name's extension, else its content type;
    None when neither names a format Talktrack reads (-> 415)."""
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    if suffix in TRANSCRIPT_SUFFIXES:
        return TRANSCRIPT_SUFFIXES[suffix], suffix
    if suffix in AUDIO_EXTENSIONS:
        return "audio", suffix
    ctype = (content_type or "").split(";")[0].strip().lower()
    mapped = CONTENT_TYPES.get(ctype)
    if mapped is not None:
        return TRANSCRIPT_SUFFIXES.get(mapped, "audio"), mapped
    return None


MAX_FILENAME_CHARS = 500


def display_filename(raw: bytes) -> str:
    """A client's file name for display, at most `MAX_FILENAME_CHARS`: a long name loses the end of
    its stem, never its extension (which decides how the file is read)."""
    name = raw.decode("utf-8", "replace")
    if len(name) <= MAX_FILENAME_CHARS:
        return name
    suffix = PurePosixPath(name.replace("\\", "/")).suffix
    if not suffix or len(suffix) > 20:
        return name[:MAX_FILENAME_CHARS]
    return name[: MAX_FILENAME_CHARS - len(suffix)] + suffix


def _too_large(limit: int) -> HTTPException:
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail=f"the file is larger than {limit} bytes")


def _close(f: BinaryIO | None) -> None:
    if f is not None and not f.closed:
        f.close()


async def parse_upload(request: Request, store: AudioStore, max_bytes: int) -> ParsedUpload:
    """Read a multipart body; the part named `file` streams to a temp object (the caller commits or
    discards it). 413 past `max_bytes`, 422 for a body that is not multipart form data."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail="send the call as multipart/form-data with the file in the field `file`")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes + MAX_FIELDS * MAX_FIELD_BYTES:
        raise _too_large(max_bytes)

    out = ParsedUpload()
    state: dict[str, object] = {}
    header_field = bytearray()
    header_value = bytearray()
    headers: dict[str, bytes] = {}
    buf = bytearray()
    sink: list[BinaryIO | None] = [None]
    sha = hashlib.sha256()
    size = [0]
    error: list[HTTPException] = []

    def on_part_begin() -> None:
        headers.clear()
        buf.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(header_field).decode("latin-1").lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, disp = parse_options_header(headers.get("content-disposition", b""))
        name = disp.get(b"name", b"").decode("utf-8", "replace")
        filename = disp.get(b"filename")
        state["name"] = name
        state["is_file"] = name == "file"
        if name == "file":
            if out.file is not None:
                error.append(HTTPException(422, detail="send exactly one `file` part"))
                return
            issue = control_char_problem(display_filename(filename), multiline=False) if filename else None
            if issue is not None:  # the name is stored and shown: one line of text
                error.append(HTTPException(422, detail=f"the file name {issue}"))
                return
            f, temp_key = store.open_temp()
            sink[0] = f
            ctype_part = headers.get("content-type")
            out.file = UploadedFile(temp_key=temp_key, size=0, sha256="",
                                    filename=display_filename(filename) if filename else None,
                                    content_type=ctype_part.decode("latin-1")[:200] if ctype_part else None)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if error:
            return
        chunk = data[start:end]
        if state.get("is_file"):
            size[0] += len(chunk)
            if size[0] > max_bytes:
                error.append(_too_large(max_bytes))
                return
            sha.update(chunk)
            f = sink[0]
            if f is not None:
                f.write(chunk)
                failed = getattr(f, "error", None)  # an S3 writer keeps its failure instead of raising
                if failed is not None:
                    error.append(HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(failed)))
        else:
            buf.extend(chunk)
            if len(buf) > MAX_FIELD_BYTES:
                error.append(HTTPException(422, detail=f"form field {state.get('name')!r} is too long"))

    def on_part_end() -> None:
        if state.get("is_file"):
            return
        if len(out.fields) >= MAX_FIELDS:
            error.append(HTTPException(422, detail="too many form fields"))
            return
        name = str(state.get("name", ""))
        try:
            value = bytes(buf).decode("utf-8")
        except UnicodeDecodeError:
            error.append(HTTPException(422, detail=f"form field {name!r} is not UTF-8 text"))
            return
        problem = field_problem(name, value)  # the rule of every other form (service.core.text_input)
        if problem is not None:
            error.append(HTTPException(422, detail=problem))
            return
        out.fields[name] = value

    ended = [False]

    def on_end() -> None:
        ended[0] = True

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_end": on_end,
    })

    def discard() -> None:
        if out.file is not None:
            store.discard(out.file.temp_key)  # aborts an unfinished multipart upload: no object is left
        _close(sink[0])

    try:
        async for chunk in request.stream():
            # Off the event loop: the store may be writing to disk or uploading a part to S3.
            await run_in_threadpool(parser.write, chunk)
            if error:
                break
        else:
            parser.finalize()
            if not ended[0] and not error:
                # A body cut off before its closing boundary: the file part may be truncated.
                error.append(HTTPException(422, detail="the multipart body ended before its closing boundary"))
        if not error:
            await run_in_threadpool(_close, sink[0])  # completes the temp object
    except HTTPException as exc:
        error.append(exc)
    except Exception as exc:  # includes the client going away mid-body (ClientDisconnect)
        error.append(HTTPException(422, detail=f"malformed multipart body: {exc}"))
    except BaseException:  # cancelled: the temp object must not outlive the request
        discard()
        raise
    if error:
        await run_in_threadpool(discard)
        raise error[0]
    if out.file is not None:
        out.file.size = size[0]
        out.file.sha256 = sha.hexdigest()
    return out
