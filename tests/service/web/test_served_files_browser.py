"""Served files in a real browser: an uploaded "recording" that is really a script or a page never runs
on Talktrack's origin, and no page can be framed.

The attack: a rep uploads `recording.js` (a script) and `page.html` (a page whose script is
`/calls/{first}/audio`), both sent as `audio/wav`; an admin opens `/calls/{second}/audio`. Neither
file decodes as audio, so neither is served; a WAV that also carries the page's bytes (a polyglot)
decodes, and goes out as `audio/wav` with a sandboxing policy of its own.
"""

from __future__ import annotations

import re
from typing import Any

from tests.service.test_served_files import make_wav

SCRIPT = b'window.__pwned = 1; console.log("pwned by the upload"); alert("pwned")'


def _upload(web: Any, who: str, name: str, data: bytes) -> str:
    with web.api(who) as c:
        r = c.post("/v1/calls", files={"file": (name, data, "audio/wav")}, data={"title": name})
    assert r.status_code == 202, r.text
    call_id: str = r.json()["id"]
    return call_id


def _wait(web: Any, who: str, call_id: str) -> str:
    import time

    deadline = time.monotonic() + 300
    with web.api(who) as c:
        while time.monotonic() < deadline:
            status: str = c.get(f"/v1/calls/{call_id}").json()["status"]
            if status in ("done", "failed"):
                return status
            time.sleep(0.3)
    raise AssertionError(f"call {call_id} still {status}")


def _polyglot_wav(payload: bytes) -> bytes:
    """A real WAV (2 s of tone) whose samples end with `payload`: audio to a decoder, HTML to a sniffer."""
    return make_wav(2.0, payload)


def test_an_uploaded_script_never_runs_for_an_admin(web: Any, signed_in: Any, a11y: Any, shots: Any) -> None:
    first = _upload(web, "rep", "recording.js", SCRIPT)
    page_html = f'<!doctype html><title>gotcha</title><script src="/calls/{first}/audio"></script>'.encode()
    second = _upload(web, "rep", "page.html", page_html)
    poly = _upload(web, "rep", "polyglot.html", _polyglot_wav(b"<!doctype html>" + page_html))
    assert _wait(web, "rep", first) == "failed" and _wait(web, "rep", second) == "failed"
    assert _wait(web, "rep", poly) == "done"

    admin = signed_in("admin")
    dialogs: list[str] = []
    console: list[str] = []
    admin.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    admin.on("console", lambda m: console.append(m.text))
    for call_id in (second, first):
        response = admin.goto(f"/calls/{call_id}/audio")
        assert response is not None and response.status == 409
        assert response.headers["content-type"].startswith("text/html")  # Talktrack's error page
        assert admin.get_by_role("heading", name="Not ready").is_visible()
        assert "did not decode as audio" in admin.locator("main").inner_text()
        assert admin.evaluate("typeof window.__pwned") == "undefined"

    # The polyglot decodes: it is served, as audio, sandboxed, under a name of Talktrack's.
    served = admin.request.get(f"/calls/{poly}/audio")
    assert served.status == 200
    assert served.headers["content-type"] == "audio/wav"
    assert served.headers["content-security-policy"] == "sandbox; default-src 'none'; media-src 'self'; frame-ancestors 'none'"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"] == f'inline; filename="talktrack-call-{poly}.wav"'
    # Opened as a document, it is a media file: nothing in it runs.
    try:
        admin.goto(f"/calls/{poly}/audio")
    except Exception as exc:  # Chromium may hand an audio document to its downloads instead
        assert "Download is starting" in str(exc), exc
    admin.wait_for_timeout(500)
    assert admin.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == [] and not [m for m in console if "pwned" in m], (dialogs, console)

    # The call page says why the file is not played and offers delete.
    admin.goto(f"/calls/{second}")
    notice = admin.locator("#audio-refused")
    assert "did not decode as audio" in notice.inner_text()
    assert admin.locator("audio#player").count() == 0
    a11y(admin)
    shots(admin, "call-audio-refused")
    notice.get_by_role("button", name="Delete this call").click()
    admin.wait_for_url(re.compile(re.escape(web.url) + r"/\?deleted="))  # the library says what went
    with web.api("admin") as c:
        assert c.get(f"/v1/calls/{second}").status_code == 404
        for call_id in (first, poly):
            assert c.delete(f"/v1/calls/{call_id}").status_code == 204
    assert dialogs == []


def test_no_page_can_be_framed(web: Any, browser: Any) -> None:
    """A page of another origin frames Talktrack's pages: the browser refuses every one of them."""
    import http.server
    import threading

    context = browser.new_context()
    page = context.new_page()
    targets = ["/", "/docs", "/redoc", "/v1/calls"]
    frames = "".join(f'<iframe src="{web.url}{t}"></iframe>' for t in targets).encode()

    class Evil(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<!doctype html><title>evil</title>" + frames)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "frame" in m.text.lower() else None)
        page.goto(f"http://localhost:{server.server_address[1]}/")
        page.wait_for_timeout(1500)
        # Chromium names only the origin of each frame it refuses: one refusal per frame.
        assert len([m for m in refused if f"Framing '{web.url}/' violates" in m
                    and "frame-ancestors 'none'" in m]) == len(targets), refused
        children = page.frames[1:]
        assert len(children) == len(targets)
        for frame in children:  # a refused frame shows Chromium's error page, never Talktrack's content
            assert "Talktrack" not in frame.content() and "swagger" not in frame.content().lower(), frame.url
    finally:
        server.shutdown()
        context.close()
