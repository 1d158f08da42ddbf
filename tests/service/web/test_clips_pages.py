"""The coaching library's pages: a clip's audio is its span of the recording and nothing else (for
the audience of a playlist who cannot open the call), "Clip this" on the call page, the playlist
page, and their layout at desktop and phone width with a 250-character title."""

from __future__ import annotations

import io
import re
import wave
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from tests.service.web.layout import LONG_TITLE, attach_recording, layout_problems

SAMPLES = Path(__file__).parents[3] / "samples"
PASSWORD = "correct horse battery staple"


def _browser_session(web: Any, who: str) -> httpx.Client:
    c = httpx.Client(base_url=web.url, timeout=60)
    token = re.search(r'name="prelogin" value="([^"]+)"', c.get("/login").text)
    assert token
    r = c.post("/login", data={"email": web.people[who].email, "password": PASSWORD, "prelogin": token.group(1)})
    assert r.status_code == 303, r.text[:300]
    return c


@pytest.fixture(scope="module")
def recorded_call(web: Any) -> str:
    """The sample call's transcript with its recording attached (team East's rep)."""
    from models import Call
    from models.calls import CallResult
    from service.core.db import session_scope
    from service.storage import get_store

    call_id: str = web.upload("rep", SAMPLES / "discovery_call.vtt", title="Clips call")
    web.wait_done("rep", call_id)
    settings = web.stack.settings()
    with session_scope(settings) as s:
        call = s.get(Call, call_id)
        assert call is not None
        attach_recording(get_store(settings), call, SAMPLES / "discovery_call.wav")
        row = s.get(CallResult, call_id)
        assert row is not None
        row.updated_at = datetime.now(UTC)
        s.add_all([call, row])
        s.commit()
    return call_id


@pytest.fixture(scope="module")
def shared_clip(web: Any, recorded_call: str) -> dict[str, str]:
    """A clip of the call in an organization-wide playlist (the coach's) and a team playlist (East)."""
    with web.api("rep") as c:
        clip = c.post("/v1/clips", json={"call_id": recorded_call, "start_s": 10.0, "end_s": 16.5,
                                         "title": "The six weeks"}).json()
        team = c.post("/v1/playlists", json={"title": "East only"}).json()
        c.post(f"/v1/playlists/{team['id']}/clips", json={"clip_id": clip["id"]})
    with web.api("coach") as c:
        org = c.post("/v1/playlists", json={"title": LONG_TITLE, "audience": "organization"}).json()
        assert c.post(f"/v1/playlists/{org['id']}/clips", json={"clip_id": clip["id"]}).status_code == 201
    return {"clip": clip["id"], "team": team["id"], "org": org["id"], "call": recorded_call}


def test_the_clip_audio_is_the_span_and_nothing_else(web: Any, shared_clip: dict[str, str]) -> None:
    from transcription.audio import load_audio

    with closing(_browser_session(web, "rep_west")) as c:  # team West: the playlist's audience only
        r = c.get(f"/clips/{shared_clip['clip']}/audio")
        assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
        with wave.open(io.BytesIO(r.content)) as w:
            rate, n, channels = w.getframerate(), w.getnframes(), w.getnchannels()
            pcm = np.frombuffer(w.readframes(n), dtype="<i2").astype(np.float32) / 32768.0
        assert rate == 16000 and abs(n / rate - 6.5) < 0.02
        source = load_audio(SAMPLES / "discovery_call.wav").mean(axis=0)[10 * 16000:int(16.5 * 16000)]
        cut = pcm.reshape(-1, channels).mean(axis=1)[:len(source)]
        assert np.corrcoef(cut, source)[0, 1] > 0.99  # the very samples of 0:10 to 0:16.5
        size = len(r.content)
        assert c.get(f"/clips/{shared_clip['clip']}/audio", headers={"Range": "bytes=0-99"}).status_code == 206
        past = c.get(f"/clips/{shared_clip['clip']}/audio", headers={"Range": f"bytes={size}-"})
        assert past.status_code == 416  # nothing past the clip's end can be asked for
        assert c.get(f"/calls/{shared_clip['call']}/audio").status_code == 404  # nor the call's recording
        assert c.get(f"/calls/{shared_clip['call']}").status_code == 404
        assert c.get(f"/playlists/{shared_clip['team']}").status_code == 404  # East's playlist
        page = c.get(f"/clips/{shared_clip['clip']}")
        assert page.status_code == 200 and f'href="/calls/{shared_clip["call"]}' not in page.text
    with closing(_browser_session(web, "rep_other")) as c:  # another organization: nothing
        assert c.get(f"/clips/{shared_clip['clip']}").status_code == 404
        assert c.get(f"/clips/{shared_clip['clip']}/audio").status_code == 404
        assert c.get(f"/playlists/{shared_clip['org']}").status_code == 404


def test_clip_this_from_the_call_page_then_play_the_playlist(web: Any, shared_clip: dict[str, str],
                                                             signed_in: Any) -> None:
    page = signed_in("coach")
    page.goto(f"/calls/{shared_clip['call']}")
    assert page.locator("#call-link").input_value().endswith(f"/calls/{shared_clip['call']}")
    page.locator("#clip-this summary").click()
    # Select three words of the transcript, as a person dragging across them would.
    page.evaluate("""() => {
      const words = [...document.querySelectorAll('#transcript .w')].slice(5, 8);
      const r = document.createRange();
      r.setStartBefore(words[0]); r.setEndAfter(words[2]);
      const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
    }""")
    page.wait_for_timeout(100)
    page.locator("#clip-from-selection").click()
    first = float(page.locator("#transcript .w").nth(5).get_attribute("data-t") or "0")
    start = page.locator("#clip-start").input_value()
    assert start == f"{int(first // 60)}:{first % 60:04.1f}"
    page.locator("#clip-title").fill(LONG_TITLE)
    page.get_by_role("button", name="Save the clip").click()
    page.wait_for_url(re.compile(r".*/clips/[0-9a-f]{32}$"))
    clip_id = page.url.rsplit("/", 1)[1]
    assert page.locator("h1").inner_text() == LONG_TITLE
    assert page.locator("#clip-player").get_attribute("src") == f"/clips/{clip_id}/audio"
    assert page.locator("#page-link").input_value().endswith(f"/clips/{clip_id}")
    duration = page.evaluate("""() => new Promise((ok) => { const a = document.getElementById('clip-player');
      if (a.readyState >= 1) ok(a.duration); else a.addEventListener('loadedmetadata', () => ok(a.duration)); })""")
    with web.api("coach") as c:
        clip = c.get(f"/v1/clips/{clip_id}").json()
    assert abs(clip["start_s"] - first) <= 0.05 and abs(duration - clip["duration_s"]) < 0.05  # m:ss.s in the form
    page.locator("#atp-select").select_option(shared_clip["org"])
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(f"**/playlists/{shared_clip['org']}")
    items = page.locator("#playlist-clips li")
    assert items.count() == 2 and LONG_TITLE in items.nth(1).inner_text()
    assert page.locator("#playlist-player").get_attribute("src") == f"/clips/{shared_clip['clip']}/audio"
    items.nth(1).get_by_role("button", name="Play", exact=True).click()
    assert page.locator("#playlist-player").get_attribute("src") == f"/clips/{clip_id}/audio"
    assert page.locator("#now-playing").inner_text() == LONG_TITLE
    page.goto("/playlists")
    assert page.get_by_role("link", name="Playlists").get_attribute("aria-current") == "page"
    problems = (layout_problems(page, f"/clips/{clip_id}", "clip") + layout_problems(page, "/playlists", "playlists")
                + layout_problems(page, f"/playlists/{shared_clip['org']}", "playlist")
                + layout_problems(page, f"/calls/{shared_clip['call']}", "call-with-clips"))
    assert not problems, "\n".join(problems)
