"""Webhook targets (SSRF guard), secrets at rest, the delivery log, and the /metrics guard, against
real servers on both backends. Nothing here connects anywhere but 127.0.0.1: refused addresses are
refused before any connection."""

from __future__ import annotations

import ipaddress
import os
import stat
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from service.webhooks.targets import UnsafeTarget, address_refusal, check_target, host_header, pinned_url

METRICS_TOKEN = "metrics-token-0123456789abcdef"
INTERNAL = b"internal-only: db password hunter2"


class Receiver:
    """A loopback receiver that answers 500 with an 'internal' body first, then 200."""

    def __init__(self) -> None:
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers["Content-Length"]))
                outer.hits += 1
                self.send_response(500 if outer.hits == 1 else 200)
                self.send_header("Content-Length", str(len(INTERNAL)))
                self.end_headers()
                self.wfile.write(INTERNAL)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def locked(request: pytest.FixtureRequest, h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server with the defaults a deployment gets: private webhook targets refused, plus a metrics token."""
    settings = {"TALKTRACK_WEBHOOK_ALLOW_PRIVATE": "false", "TALKTRACK_METRICS_TOKEN": METRICS_TOKEN}
    with h.running_stack(request.param, tmp_path_factory.mktemp(f"locked-{request.param}"), settings) as stack:
        yield stack


@pytest.mark.parametrize("addr,allowed_by_default,allowed_with_private", [
    ("127.0.0.1", False, True), ("::1", False, True), ("10.1.2.3", False, True), ("172.20.0.5", False, True),
    ("192.168.1.10", False, True), ("169.254.10.10", False, True), ("fe80::1", False, True),
    ("fd12:3456::1", False, True), ("::ffff:127.0.0.1", False, True), ("100.64.1.1", False, True),
    ("169.254.169.254", False, False), ("fd00:ec2::254", False, False), ("100.100.100.200", False, False),
    ("0.0.0.0", False, False), ("224.0.0.1", False, False),
    ("93.184.216.34", True, True), ("2606:4700::1111", True, True),
])
def test_address_rule(addr: str, allowed_by_default: bool, allowed_with_private: bool) -> None:
    ip = ipaddress.ip_address(addr)
    assert (address_refusal(ip, allow_private=False) is None) is allowed_by_default
    assert (address_refusal(ip, allow_private=True) is None) is allowed_with_private


def test_pinned_request_keeps_the_host_name() -> None:
    t = check_target("http://127.0.0.1:8080/a/b?c=1", allow_private=True)
    assert pinned_url(t) == "http://127.0.0.1:8080/a/b?c=1" and host_header(t) == "127.0.0.1:8080"
    t = check_target("http://localhost:9/x", allow_private=True)
    assert t.address.is_loopback and pinned_url(t) in ("http://127.0.0.1:9/x", "http://[::1]:9/x")
    assert host_header(t) == "localhost:9"
    with pytest.raises(UnsafeTarget):
        check_target("http://localhost:9/x", allow_private=False)
    with pytest.raises(UnsafeTarget):
        check_target("file:///etc/passwd", allow_private=True)


def test_default_refuses_private_targets(locked: Any) -> None:
    with locked.client("admin") as c:
        for url in ("http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]:9/x", "http://10.0.0.1/x",
                    "http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/x"):
            r = c.post("/v1/webhooks", json={"url": url})
            assert r.status_code == 422 and "refused" in r.json()["detail"], (url, r.text)
        assert c.get("/v1/webhooks").json() == []


def test_delivery_time_check_refuses_a_target_that_moved(locked: Any, h: Any, receiver: Receiver) -> None:
    """A host that resolved to a public address at registration and to loopback now (DNS
    rebinding) is refused at delivery: stored here directly, as registration would refuse it."""
    from models import Webhook
    from service.core.db import session_scope
    from service.core.secret_box import secret_box

    settings = locked.settings()
    with session_scope(settings) as s:
        hook = Webhook(org_id=locked.ids["org_a"], url=receiver.url, events=["call.analyzed", "call.failed"],
                       secret=secret_box(settings).seal("whsec-0123456789abcdef"))
        s.add(hook)
        s.commit()
        hook_id = hook.id
    with locked.client("admin") as c:
        cid = h.upload(c).json()["id"]
        h.wait_status(c, cid)
        deadline = time.monotonic() + 60
        deliveries: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            deliveries = c.get(f"/v1/webhooks/{hook_id}/deliveries").json()
            if deliveries and deliveries[0]["status"] == "failed":
                break
            time.sleep(0.3)
    assert deliveries and deliveries[0]["status"] == "failed", deliveries
    assert all(a["error"].startswith("refused:") and "loopback" in a["error"] for a in deliveries[0]["attempt_log"])
    assert receiver.hits == 0


def test_secrets_are_encrypted_and_logs_hold_no_bodies(stack: Any, h: Any, receiver: Receiver) -> None:
    from sqlmodel import select

    from models import Webhook
    from service.core.db import session_scope

    secret = "whsec-plain-0123456789abcdef"
    with stack.client("integration") as c:
        hook_id = c.post("/v1/webhooks", json={"url": receiver.url, "secret": secret}).json()["id"]
        cid = h.upload(c).json()["id"]
        h.wait_status(c, cid)
        deadline = time.monotonic() + 60
        deliveries: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            deliveries = c.get(f"/v1/webhooks/{hook_id}/deliveries").json()
            if deliveries and deliveries[0]["status"] == "delivered":
                break
            time.sleep(0.3)
        text = c.get(f"/v1/webhooks/{hook_id}/deliveries").text
        assert c.delete(f"/v1/webhooks/{hook_id}").status_code == 204
    assert deliveries[0]["status"] == "delivered", deliveries
    assert [a["status_code"] for a in deliveries[0]["attempt_log"]] == [500, 200]
    assert deliveries[0]["attempt_log"][0]["error"] == "HTTP 500"
    assert deliveries[0]["attempt_log"][0]["duration_ms"] > 0
    assert INTERNAL.decode() not in text and "hunter2" not in text
    with session_scope(stack.settings()) as s:
        stored = s.exec(select(Webhook.secret).where(Webhook.id == hook_id)).one()
    assert stored.startswith("enc:v1:") and secret not in stored
    key_file = Path(stack.env["TALKTRACK_DATA_DIR"]).resolve() / "secret.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_metrics_token(locked: Any) -> None:
    with locked.client(None) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        r = c.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert r.status_code == 200 and "talktrack_http_requests_total" in r.text
        assert c.get("/healthz").status_code == 200  # liveness stays open


def test_metrics_without_token_answer_loopback_only(stack: Any) -> None:
    with stack.client(None) as c:
        assert c.get("/metrics").status_code == 200
        assert c.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
        assert c.get("/metrics", headers={"Forwarded": "for=203.0.113.9"}).status_code == 403
