"""The live call page (`/live`): the browser's microphone streams to `/v1/live` over a WebSocket
authenticated by the session cookie, and the stored call is analysed like an upload.

The socket tests run first (they also warm the server's live Whisper model): a session cookie is
accepted only with this site's Origin. The browser test runs its own Chromium with a fake
microphone that plays the first 40 s of the sample call (Chromium loops the file, in real time).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import time
import wave
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
SAMPLE_MONO = REPO / "samples" / "discovery_call_mono.wav"
# Distinctive words of the sample call's first lines (samples/discovery_call.vtt, 0-12 s).
FIRST_LINES_WORDS = ("jordan", "alex", "acme", "rivera", "making time", "happy to chat", "prompted",
                     "recording tools")
FAKE_MIC_SECONDS = 40
PASSWORD = "correct horse battery staple"  # the people of the `web` fixture


def session_cookie(web: Any, who: str) -> str:
    """A signed-in browser session of `who` (the cookie value), made directly in the database."""
    from models import User
    from service.core.db import session_scope
    from service.core.sessions import start_session

    with session_scope(web.stack.settings()) as s:
        user = s.get(User, web.people[who].user_id)
        assert user is not None
        return start_session(s, user, 1.0).token


def _run(coro: Any) -> Any:
    """Run a coroutine on its own thread: Playwright's sync API keeps an event loop running on this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _handshake(url: str, headers: dict[str, str], stop: bool = True) -> list[dict[str, Any]]:
    """Open /v1/live, send `start` (no API key), optionally `stop`; the events until close."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    events: list[dict[str, Any]] = []
    async with connect(url.replace("http://", "ws://") + "/v1/live", additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate": 16000, "channels": 1}))
        try:
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), 120))
                events.append(event)
                if event["type"] == "started" and stop:
                    await ws.send(json.dumps({"type": "stop"}))
                if event["type"] in ("ended", "error"):
                    break
        except ConnectionClosed:
            pass
    return events


def test_session_cookie_opens_a_live_call_only_from_this_sites_origin(web: Any) -> None:
    cookie = f"tt_session={session_cookie(web, 'rep')}"

    # From the site's own page: the call is the signed-in rep's.
    events = _run(_handshake(web.url, {"Cookie": cookie, "Origin": web.url}))
    assert [e["type"] for e in events] == ["started", "ended"], events
    call_id = events[0]["call_id"]
    assert events[-1]["status"] == "empty" and events[-1]["reason"] == "stop"  # no audio: nothing stored
    with web.api("rep") as api:
        assert api.get(f"/v1/live/{call_id}/events").status_code == 200
    with web.api("rep_west") as api:  # another team's rep: not theirs to see
        assert api.get(f"/v1/live/{call_id}/events").status_code == 404

    # Cross-site WebSocket hijacking: the browser would send the cookie, the Origin gives it away.
    for origin in ("http://evil.example", "http://127.0.0.1.evil.example", "null"):
        events = _run(_handshake(web.url, {"Cookie": cookie, "Origin": origin}))
        assert [(e["type"], e.get("code")) for e in events] == [("error", "forbidden")], (origin, events)
    # No Origin at all (not a browser): a cookie alone is not enough either.
    events = _run(_handshake(web.url, {"Cookie": cookie}))
    assert [(e["type"], e.get("code")) for e in events] == [("error", "forbidden")]
    # The right Origin with an unknown session: unauthorized.
    events = _run(_handshake(web.url, {"Cookie": "tt_session=not-a-session", "Origin": web.url}))
    assert [(e["type"], e.get("code")) for e in events] == [("error", "unauthorized")]
    # An API key still wins over a cookie (and needs no Origin).
    events = _run(_handshake(web.url, {"Authorization": f"Bearer {web.keys['rep_west']}",
                                              "Cookie": cookie}))
    assert [e["type"] for e in events] == ["started", "ended"]


def fake_microphone_file(tmp: Path) -> Path:
    """The sample call's first 40 s as a 16 kHz mono 16-bit WAV (Chromium's fake capture input)."""
    out = tmp / "fake-mic.wav"
    with wave.open(str(SAMPLE_MONO), "rb") as src, wave.open(str(out), "wb") as dst:
        assert (src.getnchannels(), src.getsampwidth()) == (1, 2)
        dst.setnchannels(1)
        dst.setsampwidth(2)
        dst.setframerate(src.getframerate())
        dst.writeframes(src.readframes(src.getframerate() * FAKE_MIC_SECONDS))
    return out


@pytest.fixture
def mic_browser(browser: Any, tmp_path: Path) -> Iterator[Any]:
    """A separate Chromium whose microphone plays the sample call (the shared one has none)."""
    fake = fake_microphone_file(tmp_path)
    b = browser.browser_type.launch(executable_path=browser_executable(), args=[
        "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={fake}"])
    yield b
    b.close()


def browser_executable() -> str:
    path = os.environ.get("TALKTRACK_CHROMIUM", "/usr/bin/chromium")
    return path if Path(path).exists() else (shutil.which("chromium") or path)


def test_live_page_streams_the_microphone_and_stores_the_call(web: Any, mic_browser: Any, shots: Any,
                                                              a11y: Any) -> None:
    from playwright.sync_api import expect

    began = time.monotonic()
    context = mic_browser.new_context(viewport={"width": 1366, "height": 900}, base_url=web.url)
    context.grant_permissions(["microphone"], origin=web.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    sent: list[str] = []  # the text frames the page sends on the live socket (the start message first)
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)
                                          if isinstance(payload, str) else None))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    try:
        page.goto("/login?next=/live")
        page.get_by_label("E-mail").fill(web.people["rep"].email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/live$"))
        assert page.get_by_role("heading", name="Live call", exact=True).is_visible()
        start, stop = page.get_by_role("button", name="Start"), page.get_by_role("button", name="Stop")
        assert start.is_enabled() and stop.is_disabled()
        page.get_by_label("Call title (optional)").fill("Live page test call")
        language = page.get_by_label("Call language")
        assert language.input_value() == "default"  # the organization's default: nothing is sent
        assert language.locator("option").all_inner_texts() == [
            "Organization default", "English", "中文 (普通话)", "Detect automatically"]
        language.select_option("en")
        start.click()
        expect(stop).to_be_enabled(timeout=30_000)
        # The fake device is listed by name once the microphone is allowed.
        assert page.get_by_label("Microphone", exact=True).locator("option").count() >= 2

        transcript = page.locator("#live-transcript")
        words = "|".join(re.escape(w) for w in FIRST_LINES_WORDS)
        expect(transcript).to_contain_text(re.compile(words, re.IGNORECASE), timeout=120_000)
        first_text_s = time.monotonic() - began
        starts = [json.loads(f) for f in sent if f.startswith("{") and json.loads(f).get("type") == "start"]
        assert len(starts) == 1 and starts[0]["language"] == "en" and starts[0]["title"] == "Live page test call"
        assert language.is_disabled()  # fixed while the call runs
        assert page.locator("#live-transcript .turn strong").first.inner_text() in ("Dana Rep", "Customer")
        assert re.search(r"\d", page.locator("#live-clock").inner_text())
        a11y(page)
        shots(page, "live-call")

        stop.click()
        done = page.locator("#live-done")
        expect(done.get_by_role("link", name="Open the call")).to_be_visible(timeout=60_000)
        href = done.get_by_role("link", name="Open the call").get_attribute("href")
        assert href and re.fullmatch(r"/calls/\w+", href), href
        call_id = href.rsplit("/", 1)[1]
        assert "stored" in page.locator("#live-status").inner_text()
        assert page.locator("#live-error").inner_text() == ""
        assert start.is_enabled() and stop.is_disabled()

        # The call is in the library (the rep's own), analysed like an upload until `done`.
        page.goto("/")
        row = page.locator("#calls tr", has_text="Live page test call")
        expect(row).to_have_count(1)
        assert "Dana Rep" in row.inner_text()
        expect(page.locator(f'td.status[data-call-id="{call_id}"]')).to_have_attribute(
            "data-status", "done", timeout=240_000)
        call = web.wait_done("rep", call_id, timeout=10)
        assert call["duration_s"] > 3 and call["rep_user_id"] == web.people["rep"].user_id
        assert not errors, errors
        print(f"\nlive page: first transcript text after {first_text_s:.1f} s, "
              f"call analysed after {time.monotonic() - began:.1f} s in all")
    finally:
        context.close()
