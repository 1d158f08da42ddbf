"""Webhooks end to end: a real receiver on loopback, signed deliveries, retries with backoff and
recorded attempts, CRM-ready payloads; plus the signing scheme itself."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from service.core.security import sign_payload, verify_signature


class Receiver:
    """Records every POST; answers 500 to the first one, then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(500 if len(outer.requests) == 1 else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, event: str) -> list[tuple[dict[str, str], bytes]]:
        return [(hd, b) for hd, b in self.requests if hd["x-talktrack-event"] == event]


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


def test_signature_scheme() -> None:
    sig = sign_payload("s3cret-s3cret-s3cret", 1700000000, b'{"a":1}')
    assert verify_signature("s3cret-s3cret-s3cret", 1700000000, b'{"a":1}', sig)
    assert not verify_signature("s3cret-s3cret-s3cret", 1700000001, b'{"a":1}', sig)
    assert not verify_signature("other-secret-other", 1700000000, b'{"a":1}', sig)


def test_deliveries_are_signed_retried_and_recorded(stack: Any, h: Any, receiver: Receiver) -> None:
    secret = "whsec-test-0123456789abcdef"
    with stack.client("integration") as c:
        r = c.post("/v1/webhooks", json={"url": receiver.url, "secret": secret,
                                         "events": ["call.analyzed", "call.failed"]})
        assert r.status_code == 201 and r.json()["secret"] == secret
        hook_id = r.json()["id"]
        assert all(w["secret"] is None for w in c.get("/v1/webhooks").json())
        ok = h.upload(c, title="Webhook call", rep="Dana", started_at="2026-11-20T15:00:00Z",
                      crm_ids='{"salesforce_opportunity_id": "006XX1"}').json()["id"]
        bad = h.upload(c, "not vtt", filename="broken.vtt").json()["id"]
        h.wait_status(c, ok)
        h.wait_status(c, bad)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (receiver.events("call.analyzed") and
                                                   receiver.events("call.failed")):
            time.sleep(0.2)
        deliveries = []
        while time.monotonic() < deadline:
            deliveries = c.get(f"/v1/webhooks/{hook_id}/deliveries").json()
            if len(deliveries) == 2 and all(d["status"] == "delivered" for d in deliveries):
                break
            time.sleep(0.2)
    assert sorted(d["event"] for d in deliveries) == ["call.analyzed", "call.failed"]
    assert all(d["status"] == "delivered" for d in deliveries), deliveries
    # The receiver refused the very first request: that delivery took two recorded attempts.
    retried = [d for d in deliveries if d["attempts"] == 2]
    assert len(retried) == 1
    assert [a["status_code"] for a in retried[0]["attempt_log"]] == [500, 200]
    assert retried[0]["attempt_log"][0]["error"] == "HTTP 500"
    gap = (_ts(retried[0]["attempt_log"][1]["at"]) - _ts(retried[0]["attempt_log"][0]["at"]))
    assert gap >= 0.25  # backoff (0.3 s in tests)

    for headers, body in receiver.requests:
        ts = int(headers["x-talktrack-timestamp"])
        assert abs(ts - time.time()) < 300
        assert headers["x-talktrack-signature"] == "sha256=" + sign_payload(secret, ts, body)
    analyzed = json.loads(receiver.events("call.analyzed")[-1][1])
    assert analyzed["call"]["id"] == ok and analyzed["call"]["duration_ms"] == 31000
    assert analyzed["call"]["link"].endswith(f"/v1/calls/{ok}")
    assert analyzed["call"]["timestamp_ms"] == 1795186800000
    task = analyzed["salesforce_task"]
    assert task["TaskSubtype"] == "Call" and task["CallDurationInSeconds"] == 31 and task["WhatId"] == "006XX1"
    assert task["ActivityDate"] == "2026-11-20" and "rep questions" in task["Description"]
    props = analyzed["hubspot_call"]["properties"]
    assert props["hs_call_duration"] == "31000" and props["hs_call_status"] == "COMPLETED"
    assert analyzed["metrics"]["question_count_rep"] >= 2
    failed = json.loads(receiver.events("call.failed")[-1][1])
    assert failed["call"]["id"] == bad and failed["call"]["status"] == "failed" and failed["call"]["error"]
    with stack.client("integration") as c:
        assert c.delete(f"/v1/webhooks/{hook_id}").status_code == 204
        assert c.get(f"/v1/webhooks/{hook_id}/deliveries").status_code == 200
    with stack.client("admin_b") as c:
        assert c.get(f"/v1/webhooks/{hook_id}/deliveries").status_code == 404


def _ts(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def test_webhook_validation(stack: Any) -> None:
    with stack.client("admin") as c:
        assert c.post("/v1/webhooks", json={"url": "ftp://example.com/x"}).status_code == 422
        assert c.post("/v1/webhooks", json={"url": "http://127.0.0.1/x", "events": ["call.deleted"]}
                      ).status_code == 422
        assert c.post("/v1/webhooks", json={"url": "http://127.0.0.1/x", "secret": "short"}).status_code == 422
        r = c.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/x"})
        assert r.status_code == 201 and len(r.json()["secret"]) >= 32
        assert c.delete(f"/v1/webhooks/{r.json()['id']}").status_code == 204
