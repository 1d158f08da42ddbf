"""How Talktrack sends a stored or generated file back: one type table, one header rule.

A file someone uploaded is never served with a type guessed from its name or taken from the
client's `Content-Type`: a "recording" named `x.js` or `x.html` would otherwise run as a script
or a page on Talktrack's own origin. A recording is served only once the analysis decoded it, with
the `audio/*` type of the container the decoder found (`AUDIO_TYPES`, keyed by FFmpeg's demuxer
name; `Call.audio_type` keeps it). Every file response carries `file_headers`: the explicit type,
`X-Content-Type-Options: nosniff`, a `Content-Disposition` with a file name Talktrack makes up, and
a Content-Security-Policy of its own that sandboxes it (no script, no plugin, no same-origin
access, not framable) even when a browser opens it as a document.
"""

from __future__ import annotations

import re
from typing import Literal

# FFmpeg's demuxer name (`av.open(...).format.name`, `transcription.audio.AudioInfo.container`)
# -> (MIME type, file extension). A demuxer not listed here is not played back.
AUDIO_TYPES: dict[str, tuple[str, str]] = {
    "wav": ("audio/wav", ".wav"),
    "flac": ("audio/flac", ".flac"),
    "mp3": ("audio/mpeg", ".mp3"),
    "ogg": ("audio/ogg", ".ogg"),
    "matroska,webm": ("audio/webm", ".webm"),
    "mov,mp4,m4a,3gp,3g2,mj2": ("audio/mp4", ".m4a"),
    "aac": ("audio/aac", ".aac"),
    "aiff": ("audio/aiff", ".aiff"),
    "au": ("audio/basic", ".au"),
}
WAV = AUDIO_TYPES["wav"][0]
"""The type of a recording Talktrack wrote itself (live calls)."""

USER_CONTENT_CSP = "sandbox; default-src 'none'; media-src 'self'; frame-ancestors 'none'"
"""The Content-Security-Policy of a response whose body someone else wrote (a recording, a
transcript): opened as a document, it runs nothing and reaches nothing."""

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def audio_type_of(container: str) -> str | None:
    """The `audio/*` type of a decoded recording, from its demuxer name; None when not playable."""
    found = AUDIO_TYPES.get(container)
    return found[0] if found else None


def audio_extension(audio_type: str) -> str:
    """The file extension of an `audio/*` type of `AUDIO_TYPES` (".bin" for any other)."""
    return next((ext for mime, ext in AUDIO_TYPES.values() if mime == audio_type), ".bin")


def safe_filename(name: str) -> str:
    """`name` reduced to ASCII letters, digits, `.`, `_` and `-` (no quoting, no path, no header
    injection), never empty nor starting with a dot."""
    cleaned = _UNSAFE_NAME.sub("-", name).strip(".-")[:120]
    return cleaned or "file"


def file_headers(filename: str, disposition: Literal["inline", "attachment"] = "attachment") -> dict[str, str]:
    """The headers every served file carries; its `Content-Type` is set by the response itself,
    always explicitly (never guessed from a name)."""
    return {
        "Content-Disposition": f'{disposition}; filename="{safe_filename(filename)}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": USER_CONTENT_CSP,
    }
