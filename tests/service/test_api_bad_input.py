"""Every bad-input case of the upload API, and idempotent retries, against a real server."""

from __future__ import annotations

import concurrent.futures
import uuid
from typing import Any

import httpx


def test_unsupported_type_is_415(stack: Any, h: Any) -> None:
    with stack.client("admin") as c:
        for name, ctype, body in (("notes.txt", "text/plain", b"hello"), ("deck.pdf", "application/pdf", b"%PDF-1.4"),
                                  ("noext", "application/octet-stream", b"\x00\x01"), ("pic.png", "image/png", b"\x89PNG")):
            r = h.upload(c, body, filename=name, content_type=ctype)
            assert r.status_code == 415, (name, r.text)
        # No extension but an audio content type is accepted (decoded by content).
        r = h.upload(c, b"RIFF0000WAVE", filename="blob", content_type="audio/wav")
        assert r.status_code == 202
        c.delete(f"/v1/calls/{r.json()['id']}")


def test_too_large_is_413(stack: Any, h: Any) -> None:
    limit = int(stack.env["TALKTRACK_MAX_UPLOAD_BYTES"])
    audio_dir = stack.settings().resolved_audio_dir()
    before = {p.name for p in (audio_dir / "tmp").iterdir()}
    with stack.client("admin") as c:
        try:
            r = h.upload(c, b"\0" * (limit + 1), filename="big.wav", content_type="audio/wav")
            assert r.status_code == 413
        except httpx.HTTPError:
            pass  # the server may close the connection while the client still sends; then check below
        # A body without Content-Length (chunked) is cut off while it streams.
        def chunks() -> Any:
            boundary = b"XyZ"
            yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\n'
            yield b"Content-Type: audio/wav\r\n\r\n"
            for _ in range(limit // 65536 + 2):
                yield b"\0" * 65536
            yield b"\r\n--" + boundary + b"--\r\n"
        try:
            r = c.post("/v1/calls", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=XyZ"})
            assert r.status_code == 413
        except httpx.HTTPError:
            pass
        assert c.get("/v1/calls", params={"limit": 200}).status_code == 200
    assert {p.name for p in (audio_dir / "tmp").iterdir()} == before  # no half-written leftovers


def test_malformed_metadata_is_422(stack: Any, h: Any) -> None:
    with stack.client("admin") as c:
        total = c.get("/v1/calls").json()["total"]
        bad_fields = [{"started_at": "yesterday"}, {"rep_channel": "2"}, {"rep_channel": "left"},
                      {"num_speakers": "0"}, {"crm_ids": "not json"}, {"crm_ids": "[1, 2]"},
                      {"title": "x" * 501}, {"colour": "blue"}]
        for fields in bad_fields:
            r = h.upload(c, **fields)
            assert r.status_code == 422, (fields, r.text)
        assert h.upload(c, b"", filename="empty.vtt").status_code == 422
        assert c.post("/v1/calls", data={"title": "no file"}).status_code == 422
        assert c.post("/v1/calls", json={"file": "x"}).status_code == 422
        assert c.post("/v1/calls", content=b"--b\r\ngarbage",
                      headers={"Content-Type": "multipart/form-data; boundary=b"}).status_code == 422
        assert c.get("/v1/calls").json()["total"] == total  # nothing was stored


def test_corrupt_files_fail_with_reason(stack: Any, h: Any) -> None:
    with stack.client("admin") as c:
        audio = h.upload(c, b"RIFF\x24\x00\x00\x00WAVEfmt garbage" + bytes(range(256)) * 4, filename="bad.wav",
                         content_type="audio/wav").json()["id"]
        vtt = h.upload(c, "this is not webvtt\n00:00 --> nope", filename="bad.vtt").json()["id"]
        js = h.upload(c, "{not json", filename="bad.json", content_type="application/json").json()["id"]
        for cid in (audio, vtt, js):
            body = h.wait_status(c, cid)
            assert body["status"] == "failed", body
            assert body["error"] and "Traceback" not in body["error"] and body["analysis"] is None
            assert c.get(f"/v1/calls/{cid}/transcript").status_code == 409
            assert c.get(f"/v1/calls/{cid}/suggestions").json() == {"call_id": cid, "status": "failed",
                                                                    "suggestions": []}
        assert "WebVTT" in c.get(f"/v1/calls/{vtt}").json()["error"]


def test_client_file_names_are_never_paths(stack: Any, h: Any) -> None:
    with stack.client("admin") as c:
        r = h.upload(c, filename="../../../../etc/evil.vtt")
        assert r.status_code == 202
        cid = r.json()["id"]
        assert r.json()["original_filename"] == "../../../../etc/evil.vtt"
    stored = list((stack.settings().resolved_audio_dir() / "calls" / cid).iterdir())
    assert [p.name for p in stored] == ["original.vtt"]
    with stack.client("admin") as c:
        c.delete(f"/v1/calls/{cid}")


def test_idempotent_retries(stack: Any, h: Any) -> None:
    key = uuid.uuid4().hex
    with stack.client("integration") as c:
        first = h.upload(c, headers={"Idempotency-Key": key}, title="once")
        again = h.upload(c, headers={"Idempotency-Key": key}, title="once")
        assert first.status_code == again.status_code == 202
        assert first.json()["id"] == again.json()["id"] and again.headers["idempotent-replayed"] == "true"
        # The same key with another file is refused, and nothing of it is stored.
        other_file = h.upload(c, content=h.vtt.replace("price", "cost"), headers={"Idempotency-Key": key},
                              title="once")
        assert other_file.status_code == 422 and "different file" in other_file.json()["detail"]
        assert c.get(f"/v1/calls/{first.json()['id']}").json()["size_bytes"] == first.json()["size_bytes"]

    key2 = uuid.uuid4().hex

    def send(_: int) -> str:
        with stack.client("integration") as c:
            r = h.upload(c, headers={"Idempotency-Key": key2}, title="race")
            assert r.status_code == 202, r.text
            return str(r.json()["id"])

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(send, range(8)))
    assert len(ids) == 1
    with stack.client("admin") as c:
        titles = [i["title"] for i in c.get("/v1/calls", params={"limit": 200}).json()["items"]]
        assert titles.count("race") == 1 and titles.count("once") == 1
        # The same key in another organization is another call.
        with stack.client("admin_b") as cb:
            other = h.upload(cb, headers={"Idempotency-Key": key})
            assert other.status_code == 202 and other.json()["id"] != first.json()["id"]
            cb.delete(f"/v1/calls/{other.json()['id']}")
        for cid in ids | {first.json()["id"]}:
            c.delete(f"/v1/calls/{cid}")
