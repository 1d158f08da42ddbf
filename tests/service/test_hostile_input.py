"""Hostile input against a real server (both backends): bad numbers and deep nesting get a 422 with
a valid JSON body, JSON bodies have a size cap, nothing stored can break a later read, and uploads
cut short or mislabelled leave nothing behind."""

from __future__ import annotations

import contextlib
import io
import json
import struct
import threading
import time
import wave
from typing import Any

import httpx
import numpy as np
import pytest

NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e999")


def post_raw(c: httpx.Client, path: str, text: str) -> httpx.Response:
    return c.post(path, content=text.encode(), headers={"Content-Type": "application/json"})


def assert_422_json(r: httpx.Response, what: str) -> None:
    assert r.status_code == 422, (what, r.status_code, r.text[:300])

    def refuse(name: str) -> Any:
        raise AssertionError(f"{what}: the error body holds the non-standard JSON constant {name}")

    json.loads(r.text, parse_constant=refuse)  # valid JSON, as a strict client parses it


@pytest.fixture(scope="module")
def done_call(stack: Any, h: Any) -> str:
    with stack.client("admin") as c:
        cid: str = h.upload(c, title="hostile").json()["id"]
        assert h.wait_status(c, cid)["status"] == "done"
    return cid


def test_non_finite_numbers_are_422_with_valid_json(stack: Any, done_call: str) -> None:
    with stack.client("admin") as c:
        before = len(c.get("/v1/outcomes", params={"limit": 1000}).json())
        for bad in NON_FINITE:
            assert_422_json(post_raw(c, "/v1/outcomes", f'{{"call_id": "{done_call}", "outcome": "won", '
                                                        f'"amount": {bad}}}'), f"amount {bad}")
            assert_422_json(post_raw(c, "/v1/trackers", f'{{"name": "t-{bad}", "phrases": ["x"], '
                                                        f'"threshold": {bad}}}'), f"threshold {bad}")
            assert_422_json(post_raw(c, f"/v1/calls/{done_call}/scorecards",
                                     f'{{"overrides": [{{"item_id": "rapport", "score": {bad}}}]}}'), f"score {bad}")
        # An integer too large for a float, and one too long for Python to convert.
        assert_422_json(post_raw(c, "/v1/outcomes", f'{{"call_id": "{done_call}", "outcome": "won", '
                                                    f'"amount": 1{"0" * 400}}}'), "amount 1e400 as int")
        assert_422_json(post_raw(c, "/v1/outcomes", f'{{"call_id": "{done_call}", "outcome": "won", '
                                                    f'"amount": 1{"0" * 5000}}}'), "amount 5001 digits")
        # Query parameters that parse as non-finite floats are 422s too, echoed safely.
        assert_422_json(c.get("/v1/insights", params={"alpha": "nan"}), "alpha=nan")
        assert len(c.get("/v1/outcomes", params={"limit": 1000}).json()) == before  # nothing stored
        assert c.get("/v1/trackers").status_code == 200


def test_deep_nesting_is_422_not_a_recursion_error(stack: Any, h: Any) -> None:
    with stack.client("admin") as c:
        total = c.get("/v1/calls").json()["total"]
        r = h.upload(c, crm_ids="[" * 20_000)
        assert r.status_code == 422 and "nested" in r.text, r.text[:300]
        r = post_raw(c, "/v1/outcomes", "[" * 100_000)
        assert r.status_code == 422 and "nested" in r.json()["detail"]
        r = post_raw(c, "/v1/playbooks", '{"name": "deep", "content": ' + '{"a": ' * 200 + "1" + "}" * 201)
        assert r.status_code == 422
        assert c.get("/v1/calls").json()["total"] == total
        assert c.get("/healthz").status_code == 200


def test_json_body_size_cap_is_413(stack: Any, done_call: str) -> None:
    with stack.client("admin") as c:
        note = "x" * (1024 * 1024 + 10)  # just over the default 1 MiB
        r = c.post("/v1/outcomes", json={"call_id": done_call, "outcome": "won", "note": note})
        assert r.status_code == 413 and "1048576" in r.json()["detail"]
        # Sent without Content-Length (chunked), it is cut off while it streams in.
        def chunks() -> Any:
            yield b'{"call_id": "' + done_call.encode() + b'", "outcome": "won", "note": "'
            for _ in range(40):
                yield b"x" * 65536
            yield b'"}'
        r = c.post("/v1/outcomes", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        # Under the cap, a body still reaches validation (the note's own limit is 5000 characters).
        r = c.post("/v1/outcomes", json={"call_id": done_call, "outcome": "won", "note": "x" * 6000})
        assert r.status_code == 422


def test_voice_profiles_must_be_usable(stack: Any) -> None:
    rng = np.random.default_rng(0)
    good = [float(x) for x in rng.normal(size=192)]  # CAM++, the default encoder
    with stack.client("admin") as c:
        for name, emb in (("short", good[:16]), ("zeros", [0.0] * 192), ("long", good + [0.1])):
            r = c.post("/v1/voice-profiles", json={"name": name, "embedding": emb})
            assert r.status_code == 422, (name, r.text[:200])
        r = c.post("/v1/voice-profiles", json={"name": "legacy size", "embedding": good,
                                               "encoder": "resemblyzer-ge2e-256"})
        assert r.status_code == 422 and "256" in r.text  # each encoder's own size
        nan = json.dumps({"name": "nan", "embedding": good}).replace(str(good[3]), "NaN", 1)
        assert_422_json(post_raw(c, "/v1/voice-profiles", nan), "NaN embedding")
        r = c.post("/v1/voice-profiles", json={"name": "Usable Rep", "embedding": good})
        assert r.status_code == 201, r.text
        assert c.delete(f"/v1/voice-profiles/{r.json()['id']}").status_code == 204


def test_rubrics_naming_unknown_metrics_are_422(stack: Any) -> None:
    def rubric(auto: dict[str, Any]) -> dict[str, Any]:
        return {"id": "r1", "name": "R", "items": [{"id": "i1", "label": "L", "auto": auto}]}

    with stack.client("admin") as c:
        r = c.put("/v1/rubrics/r1", json=rubric({"kind": "metric", "name": "no_such_metric", "op": ">=", "value": 1}))
        assert r.status_code == 422 and "no_such_metric" in r.text
        r = c.put("/v1/rubrics/r1", json=rubric({"kind": "question_type", "name": "rhetorical", "op": ">=",
                                                 "value": 1}))
        assert r.status_code == 422 and "rhetorical" in r.text
        assert all(x["id"] != "r1" for x in c.get("/v1/rubrics").json())


def test_retention_forget_and_audit_refuse_bad_input(stack: Any, done_call: str) -> None:
    """Retention days, deletion requests and audit queries: a 422 with the reason, nothing changed."""
    with stack.client("admin") as c:
        before = c.get("/v1/retention").json()
        for bad in ('{"audio_days": 0}', '{"audio_days": -5}', '{"analysis_days": 36501}', '{"audio_days": 1e999}',
                    '{"audio_days": NaN}', '{"audio_days": "ten"}', '{"audio_days": 1.5}', '{"audio_days": true}',
                    '{"audio_days": 30, "keep": "forever"}', '[30, 60]'):
            assert_422_json(c.put("/v1/retention", content=bad.encode(), headers={"Content-Type": "application/json"}),
                            f"retention {bad}")
        assert c.get("/v1/retention").json() == before
        for bad in ('{}', f'{{"call_id": "{done_call}", "user_id": "x"}}', '{"call_id": ""}',
                    f'{{"call_id": "{"a" * 33}"}}', '{"call_id": "a\u0000b"}', '{"deal_id": null}',
                    '{"person": "x"}'):
            assert_422_json(post_raw(c, "/v1/forget", bad), f"forget {bad}")
        assert c.get(f"/v1/calls/{done_call}").status_code == 200  # nothing was deleted
        for params in ({"limit": "0"}, {"limit": "501"}, {"offset": "-1"}, {"since": "1733356800"},
                       {"until": "yesterday"}, {"action": "call.view\x00"}, {"action": "x" * 41}):
            assert_422_json(c.get("/v1/audit", params=params), f"audit {params}")
        assert_422_json(c.get("/v1/audit/export", params={"format": "xml"}), "export as xml")
        assert_422_json(c.get("/v1/tombstones", params={"kind": "everything"}), "tombstones of a kind")


def transcript_json(words: list[dict[str, Any]], duration: str = "30") -> str:
    body = json.dumps({"speakers": [{"id": "S1", "role": "rep"}], "words": words, "duration_s": 0})
    return body.replace('"duration_s": 0', f'"duration_s": {duration}')


def test_transcripts_with_bad_times_fail_at_ingest(stack: Any, h: Any) -> None:
    ok = {"start": 1.0, "end": 1.5, "word": "hello", "speaker": "S1"}
    cases = {
        "end 1e999": transcript_json([ok]).replace('"end": 1.5', '"end": 1e999'),
        "start NaN": transcript_json([ok]).replace('"start": 1.0', '"start": NaN'),
        "negative": transcript_json([{**ok, "start": -3.0}]),
        "inverted": transcript_json([{**ok, "start": 5.0, "end": 2.0}]),
        "duration Infinity": transcript_json([ok], duration="Infinity"),
    }
    with stack.client("admin") as c:
        ids = {name: h.upload(c, text, filename="t.json", content_type="application/json").json()["id"]
               for name, text in cases.items()}
        for name, cid in ids.items():
            body = h.wait_status(c, cid)
            assert body["status"] == "failed", (name, body)
            assert "time" in body["error"] or "ends" in body["error"], (name, body["error"])
            assert c.get(f"/v1/calls/{cid}/transcript").status_code == 409
            assert c.get(f"/v1/calls/{cid}").status_code == 200


def multipart(boundary: str, filename: str, data: bytes, ctype: str = "audio/wav", close: bool = True) -> bytes:
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {ctype}\r\n\r\n").encode()
    return head + data + (f"\r\n--{boundary}--\r\n".encode() if close else b"")


def tmp_parts(stack: Any) -> list[str]:
    return sorted(p.name for p in (stack.settings().resolved_audio_dir() / "tmp").glob("*.part"))


def test_truncated_multipart_is_refused_and_nothing_stored(stack: Any) -> None:
    with stack.client("admin") as c:
        total = c.get("/v1/calls").json()["total"]
        before = tmp_parts(stack)
        for cut in (multipart("XyZ", "a.vtt", b"WEBVTT\n\n", "text/vtt", close=False),
                    multipart("XyZ", "a.vtt", b"WEBVTT\n\n", "text/vtt") [:-8]):
            r = c.post("/v1/calls", content=cut, headers={"Content-Type": "multipart/form-data; boundary=XyZ"})
            assert r.status_code in (400, 422), r.text
            assert "closing boundary" in r.text
        assert c.get("/v1/calls").json()["total"] == total
    assert tmp_parts(stack) == before


def make_wav(seconds: float, promise_s: float | None = None) -> bytes:
    buf = io.BytesIO()
    t = np.arange(int(16000 * seconds)) / 16000
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.sin(2 * np.pi * 220 * t) * 3000).astype("<i2").tobytes())
    data = bytearray(buf.getvalue())
    if promise_s is not None:
        at = data.index(b"data")
        data[at + 4:at + 8] = struct.pack("<I", int(16000 * 2 * promise_s))
    return bytes(data)


def test_long_file_name_keeps_its_extension(stack: Any, h: Any) -> None:
    name = "q" * 700 + ".wav"
    with stack.client("admin") as c:
        r = h.upload(c, make_wav(1.0), filename=name, content_type="application/octet-stream")
        assert r.status_code == 202, r.text[:300]
        body = r.json()
        assert body["original_filename"].endswith(".wav") and len(body["original_filename"]) == 500
        assert c.delete(f"/v1/calls/{body['id']}").status_code == 204


def test_wav_promising_more_samples_fails_without_server_paths(stack: Any, h: Any) -> None:
    with stack.client("admin") as c:
        cut = h.upload(c, make_wav(2.0, promise_s=60.0), filename="cut.wav", content_type="audio/wav").json()["id"]
        junk = h.upload(c, b"\x00\x11garbage" * 300, filename="junk.mp3", content_type="audio/mpeg").json()["id"]
        body = h.wait_status(c, cut)
        assert body["status"] == "failed" and "truncated" in body["error"], body["error"]
        assert "60.0 s" in body["error"]
        body = h.wait_status(c, junk)
        assert body["status"] == "failed", body
    audio_dir = str(stack.settings().resolved_audio_dir())
    for cid in (cut, junk):
        with stack.client("admin") as c:
            error = c.get(f"/v1/calls/{cid}").json()["error"]
        assert audio_dir not in error and "/calls/" not in error and not error.count("/"), error


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_temp_files_of_a_killed_upload_are_swept_at_start(kind: str, h: Any, tmp_path: Any) -> None:
    """A server killed mid-upload leaves a `.part` file; the next start removes it. A temp file a
    running process still holds (flock) is never swept."""
    from service.storage import LocalAudioStore

    stack, dbname = h.make_stack(kind, tmp_path)
    try:
        h.bootstrap_accounts(stack)
        stack.start_server()
        tmp_dir = stack.settings().resolved_audio_dir() / "tmp"

        def slow_body() -> Any:
            yield multipart("XyZ", "slow.wav", b"", close=False)
            for _ in range(600):
                yield b"\0" * 4096
                time.sleep(0.05)

        def send() -> None:
            with stack.client("admin", timeout=60) as c, contextlib.suppress(httpx.HTTPError):
                c.post("/v1/calls", content=slow_body(),
                       headers={"Content-Type": "multipart/form-data; boundary=XyZ"})

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not list(tmp_dir.glob("*.part")):
            time.sleep(0.1)
        assert list(tmp_dir.glob("*.part")), "the upload never reached the temp store"
        # Meanwhile another process (this test) holds a temp file of its own: it must survive.
        held, held_key = LocalAudioStore(stack.settings().resolved_audio_dir()).open_temp()
        assert stack.server is not None
        stack.server.kill()  # SIGKILL mid-upload
        sender.join(timeout=30)
        assert len(list(tmp_dir.glob("*.part"))) == 2
        stack.start_server()
        assert [p.name for p in tmp_dir.glob("*.part")] == [held_key.split("/")[-1]]
        held.close()
        LocalAudioStore(stack.settings().resolved_audio_dir()).discard(held_key)
        assert not list(tmp_dir.glob("*.part"))
    finally:
        stack.stop()
        if dbname:
            h.drop_postgres_database(dbname)
