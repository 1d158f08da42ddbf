"""Served files never become active content, against a real server on both backends.

A recording is served only once its analysis decoded it, with the `audio/*` type of the container
the decoder found (not the client's file name or Content-Type), `nosniff`, a sandboxing
Content-Security-Policy of its own and an inline Content-Disposition with a name Talktrack makes.
A file that did not decode as audio is never served: 409 with the reason, and its call page says
why and offers delete. Transcripts go out the same way. No response may be framed.
"""

from __future__ import annotations

import io
import re
import wave
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import sqlalchemy as sa

from service.core.served_files import USER_CONTENT_CSP

SANDBOX = "sandbox; default-src 'none'; media-src 'self'; frame-ancestors 'none'"
REFUSED = "the recording did not decode as audio"


def make_wav(seconds: float, tail: bytes = b"") -> bytes:
    """A 16 kHz mono tone; `tail` is written as more sample bytes (a polyglot's payload)."""
    t = np.arange(int(16000 * seconds)) / 16000
    frames = (np.sin(2 * np.pi * 220 * t) * 3000).astype("<i2").tobytes() + tail + b"\0" * (len(tail) % 2)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(frames)
    return buf.getvalue()


def browser(stack: Any, who: str = "rep1") -> tuple[httpx.Client, str]:
    """A client with a web session of `who` (a user of the stack) and that session's CSRF token."""
    from sqlmodel import Session

    from models import User
    from service.core.db import get_engine
    from service.core.sessions import SESSION_COOKIE, start_session

    with Session(get_engine(stack.settings())) as session:
        user = session.get(User, stack.ids[who])
        assert user is not None
        started = start_session(session, user, hours=1)
        csrf = started.row.csrf_token
    return httpx.Client(base_url=stack.url, cookies={SESSION_COOKIE: started.token}, timeout=30), csrf


def assert_served_file(r: httpx.Response, content_type: str, disposition: str) -> None:
    assert r.headers["content-type"] == content_type
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"] == SANDBOX == USER_CONTENT_CSP
    assert r.headers["content-disposition"] == disposition
    assert r.headers["x-frame-options"] == "DENY"


def test_a_decoded_recording_is_served_as_the_audio_the_decoder_found(stack: Any, h: Any) -> None:
    wav = make_wav(2.0)
    with stack.client("rep1") as c:
        # A real WAV under a script's name and an MP3's Content-Type: the bytes decide.
        cid = h.upload(c, wav, filename="recording.js", content_type="audio/mpeg").json()["id"]
        assert h.wait_status(c, cid)["status"] == "done"
    web, _ = browser(stack)
    with web:
        whole = web.get(f"/calls/{cid}/audio")
        assert whole.status_code == 200 and whole.content == wav
        inline = f'inline; filename="talktrack-call-{cid}.wav"'
        assert_served_file(whole, "audio/wav", inline)
        part = web.get(f"/calls/{cid}/audio", headers={"Range": "bytes=0-43"})
        assert part.status_code == 206 and part.content == wav[:44]
        assert part.headers["content-range"] == f"bytes 0-43/{len(wav)}"
        assert_served_file(part, "audio/wav", inline)
        past = web.get(f"/calls/{cid}/audio", headers={"Range": f"bytes={len(wav)}-"})
        assert past.status_code == 416
        page = web.get(f"/calls/{cid}")
        assert f'src="/calls/{cid}/audio"' in page.text and 'id="audio-refused"' not in page.text


def test_a_file_that_did_not_decode_as_audio_is_never_served(stack: Any, h: Any) -> None:
    script = b"window.__pwned = 1; alert(1)"
    with stack.client("rep1") as c:
        cid = h.upload(c, script, filename="recording.js", content_type="audio/wav").json()["id"]
        assert h.wait_status(c, cid)["status"] == "failed"
    web, csrf = browser(stack)
    with web:
        r = web.get(f"/calls/{cid}/audio")
        assert r.status_code == 409
        assert r.headers["content-type"].startswith("text/html")  # Talktrack's own error page
        assert REFUSED in r.text and "delete the call, or upload the recording again" in r.text
        assert b"__pwned" not in r.content
        assert web.get(f"/calls/{cid}/audio", headers={"Range": "bytes=0-10"}).status_code == 409
        # The call page says why, and offers delete (a rep may delete their own calls).
        page = web.get(f"/calls/{cid}")
        assert page.status_code == 200
        assert 'id="audio-refused"' in page.text and "did not decode as audio" in page.text
        assert f'action="/calls/{cid}/delete"' in page.text and f'src="/calls/{cid}/audio"' not in page.text
        # Delete needs the session's CSRF token, then removes the call and its file.
        assert web.post(f"/calls/{cid}/delete", data={"csrf_token": "forged"}).status_code == 403
        gone = web.post(f"/calls/{cid}/delete", data={"csrf_token": csrf})
        assert gone.status_code == 303 and gone.headers["location"].startswith("/?deleted="), gone.headers
    with stack.client("rep1") as c:
        assert c.get(f"/v1/calls/{cid}").status_code == 404
    assert not (stack.settings().resolved_audio_dir() / "calls" / cid).exists()


def test_a_call_of_another_team_cannot_be_deleted_from_the_web(stack: Any, h: Any) -> None:
    with stack.client("rep2") as c:
        cid = h.upload(c, title="West").json()["id"]
    web, csrf = browser(stack, "rep1")
    with web:
        assert web.post(f"/calls/{cid}/delete", data={"csrf_token": csrf}).status_code == 404
    with stack.client("rep2") as c:
        assert c.get(f"/v1/calls/{cid}").status_code == 200
        assert c.delete(f"/v1/calls/{cid}").status_code == 204


def test_transcripts_are_served_as_files(stack: Any, h: Any) -> None:
    with stack.client("rep1") as c:
        cid = h.upload(c, h.vtt.replace("<v Bob>We want", "<v Bob><script>alert(1)</script> We want"),
                       filename="x.html.vtt").json()["id"]
        assert h.wait_status(c, cid)["status"] == "done"
        vtt = c.get(f"/v1/calls/{cid}/transcript", params={"format": "vtt"})
        assert vtt.status_code == 200 and "WEBVTT" in vtt.text
        assert_served_file(vtt, "text/vtt; charset=utf-8", f'attachment; filename="{cid}-transcript.vtt"')
        rttm = c.get(f"/v1/calls/{cid}/transcript", params={"format": "rttm"})
        assert_served_file(rttm, "text/plain; charset=utf-8", f'attachment; filename="{cid}-transcript.rttm"')
        js = c.get(f"/v1/calls/{cid}/transcript")
        assert js.json()["call_id"] == cid
        assert_served_file(js, "application/json", f'inline; filename="{cid}-transcript.json"')


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect", "/v1/calls", "/login", "/",
                                  "/healthz", "/openapi.json", "/static/app.css", "/no-such-page"])
def test_no_response_may_be_framed(stack: Any, path: str) -> None:
    with stack.client("admin") as c:
        r = c.get(path)
    assert r.status_code < 500, r.text[:300]
    assert r.headers["x-frame-options"] == "DENY", path
    csp = r.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, (path, csp)
    if path in ("/docs", "/redoc"):  # their own inline script keeps working: no script policy
        assert csp == "frame-ancestors 'none'"
        assert "<script" in r.text


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_migration_0009_types_only_calls_that_decoded(kind: str, h: Any, tmp_path: Path) -> None:
    """Upgrading: a done audio call gets its stored file's type; a failed or queued one stays unserved."""
    from alembic import command

    with h.migrating(kind, tmp_path, "0008") as (cfg, conn):
        conn.execute(sa.text("INSERT INTO organization (id, name, created_at) VALUES ('o', 'O', '2026-01-01')"))
        for cid, status, key in (("done-flac", "done", "calls/done-flac/original.flac"),
                                 ("done-mp3", "done", "calls/done-mp3/original.mp3"),
                                 ("failed-wav", "failed", "calls/failed-wav/original.wav"),
                                 ("queued-wav", "queued", "calls/queued-wav/original.wav"),
                                 ("done-vtt", "done", "calls/done-vtt/original.vtt")):
            kind_of = "vtt" if key.endswith(".vtt") else "audio"
            conn.execute(sa.text(
                "INSERT INTO call (id, org_id, crm_ids, media_kind, storage_key, status, rep_channel, "
                "size_bytes, progress, created_at, updated_at) VALUES (:id, 'o', '{}', :kind, :key, :status, "
                "0, 1, 0, '2026-01-01', '2026-01-01')"), {"id": cid, "kind": kind_of, "key": key, "status": status})
        conn.commit()
        command.upgrade(cfg, "0009")
        conn.commit()
        found = dict(conn.execute(sa.text("SELECT id, audio_type FROM call")).all())
        assert found == {"done-flac": "audio/flac", "done-mp3": "audio/mpeg", "failed-wav": None,
                         "queued-wav": None, "done-vtt": None}
        command.downgrade(cfg, "0008")
        conn.commit()
        assert "audio_type" not in {c["name"] for c in sa.inspect(conn).get_columns("call")}


def test_the_refusal_names_the_state() -> None:
    from models import Call
    from service.web.call_pages import _audio_refusal

    def call(status: str, audio_type: str | None = None, kind: str = "audio") -> Call:
        return Call(org_id="o", media_kind=kind, storage_key="calls/x/original.wav", status=status,
                    audio_type=audio_type)

    assert _audio_refusal(call("queued")) == "the recording plays once its analysis has decoded it as audio"
    assert _audio_refusal(call("processing")) == _audio_refusal(call("queued"))
    assert re.match(REFUSED, _audio_refusal(call("failed")) or "")
    assert _audio_refusal(call("done", "audio/wav")) is None
    assert _audio_refusal(call("done", kind="vtt")) is None
