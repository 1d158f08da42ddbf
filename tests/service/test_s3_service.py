"""The service with its audio in S3 (a real S3-compatible server: moto's, started by the suite).

PostgreSQL, Redis, the API process and a separate Celery worker process, all reading and writing
audio only through `TALKTRACK_STORAGE_URL=s3://...` and boto3's own `AWS_*` variables: an upload and a
live call are stored in the bucket, analysed by the worker, played back with byte ranges, deleted;
nothing of them is left on the local disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.core.served_files import USER_CONTENT_CSP
from transcription.audio import AUDIO_EXTENSIONS


@pytest.fixture(scope="module")
def s3_stack(h: Any, s3_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    tmp = tmp_path_factory.mktemp("s3-stack")
    bucket = s3_server.new_bucket()
    scratch = tmp / "scratch"  # the processes' temp dir: downloads for the analysis must not stay there
    scratch.mkdir()
    with h.running_stack("postgres", tmp, {**s3_server.env(bucket), "TMPDIR": str(scratch)}) as stack:
        yield stack, bucket


def _browser_cookie(stack: Any, user_id: str) -> dict[str, str]:
    from sqlmodel import Session

    from models import User
    from service.core.db import get_engine
    from service.core.sessions import SESSION_COOKIE, start_session

    with Session(get_engine(stack.settings())) as session:
        user = session.get(User, user_id)
        assert user is not None
        return {SESSION_COOKIE: start_session(session, user, hours=1).token}


def _audio_files(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*")
                  if p.is_file() and (p.suffix in AUDIO_EXTENSIONS or p.suffix == ".part"))


@pytest.mark.slow
def test_calls_live_in_s3_from_upload_to_delete(h: Any, s3_server: Any, s3_stack: tuple[Any, str]) -> None:
    from service.commands.live import read_recording, stream_recording

    stack, bucket = s3_stack
    audio = (h.asr / "jfk.flac").read_bytes()
    with stack.client("rep1", timeout=60) as c:
        r = h.upload(c, audio, "jfk.flac", "audio/flac", title="From S3")
        assert r.status_code == 202, r.text
        uploaded = r.json()["id"]
        live = asyncio.run(stream_recording(stack.url.replace("http", "ws") + "/v1/live", stack.keys["rep1"],
                                            read_recording(h.asr / "jfk.flac"), speed=0, chunk_s=0.5))
        assert live.events[-1]["status"] == "queued", live.events[-1]
        streamed = live.events[-1]["call_id"]
        for call_id in (uploaded, streamed):
            body = h.wait_status(c, call_id)
            assert body["status"] == "done", body.get("error")  # analysed by the Celery worker process
            assert "country" in " ".join(w["word"].lower() for w in body["analysis"]["words"])
        cut = (b'--cut\r\nContent-Disposition: form-data; name="file"; filename="a.flac"\r\n'
               b"Content-Type: audio/flac\r\n\r\n" + audio[:100_000])  # no closing boundary: a dropped client
        r = c.post("/v1/calls", content=cut, headers={"Content-Type": "multipart/form-data; boundary=cut"})
        assert r.status_code == 422, r.text
    # Exactly the two calls: no temp object or unfinished multipart upload left by the cut-off upload.
    assert s3_server.keys(bucket) == sorted([f"talktrack/calls/{uploaded}/original.flac",
                                             f"talktrack/calls/{streamed}/original.wav"])
    assert s3_server.open_uploads(bucket) == []

    # The web player's requests: whole, a range, the last bytes, past the end.
    with httpx.Client(base_url=stack.url, cookies=_browser_cookie(stack, stack.ids["rep1"]), timeout=30) as web:
        whole = web.get(f"/calls/{uploaded}/audio")
        assert whole.status_code == 200 and whole.content == audio
        assert whole.headers["accept-ranges"] == "bytes" and whole.headers["content-type"] == "audio/flac"
        part = web.get(f"/calls/{uploaded}/audio", headers={"Range": "bytes=1000-4999"})
        assert part.status_code == 206 and part.content == audio[1000:5000]
        for served in (whole, part):  # a file of Talktrack's naming, never run as a page
            assert served.headers["x-content-type-options"] == "nosniff"
            assert served.headers["content-security-policy"] == USER_CONTENT_CSP
            assert served.headers["content-disposition"] == f'inline; filename="talktrack-call-{uploaded}.flac"'
        assert part.headers["content-range"] == f"bytes 1000-4999/{len(audio)}"
        assert web.get(f"/calls/{uploaded}/audio", headers={"Range": "bytes=-16"}).content == audio[-16:]
        past = web.get(f"/calls/{uploaded}/audio", headers={"Range": f"bytes={len(audio)}-"})
        assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{len(audio)}"
        wav = web.get(f"/calls/{streamed}/audio", headers={"Range": "bytes=0-43"})
        assert wav.status_code == 206 and wav.content[:4] == b"RIFF" and wav.content[8:12] == b"WAVE"
        assert wav.headers["content-type"] == "audio/wav"  # a live call: Talktrack wrote the WAV itself

    data_dir = stack.tmp / "data"
    assert not (data_dir / "audio").exists() and _audio_files(data_dir) == []
    assert _audio_files(stack.tmp / "scratch") == []  # the worker's downloads were removed

    with stack.client("admin") as c:
        for call_id in (uploaded, streamed):
            assert c.delete(f"/v1/calls/{call_id}").status_code == 204
    assert s3_server.keys(bucket) == []


def test_a_missing_bucket_is_a_503_with_words(h: Any, s3_server: Any, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Misconfigured storage: the server still starts (and logs why); uploads answer 503 saying what is wrong."""
    from fastapi.testclient import TestClient

    from service.api.main import create_app
    from service.core.accounts import create_key, create_org
    from service.core.config import Settings
    from service.core.db import session_scope

    for name, value in s3_server.env("no-such-bucket").items():
        monkeypatch.setenv(name, value)
    settings = Settings(data_dir=tmp_path)
    said = f"audio storage is unavailable: the bucket 'no-such-bucket' does not exist at {s3_server.endpoint}"
    with TestClient(create_app(settings, start_executor=False)) as client:
        assert said in caplog.text  # at start-up
        with session_scope(settings) as s:
            key = create_key(s, create_org(s, "Acme").id, "admin").secret
        client.headers["Authorization"] = f"Bearer {key}"
        r = h.upload(client)
        assert r.status_code == 503 and r.json() == {"detail": said}
        assert client.get("/v1/calls").json()["total"] == 0  # no call row without its file
    assert not (tmp_path / "audio").exists()
