"""The call page keeps the player in view: it is sticky (desktop and phone), so a click on a word
far down the transcript or on evidence at the bottom of the page plays where it can be seen. And
the transcript keeps a sentence whole when the other speaker says "I see" in the middle of it: the
backchannel is shown inline, dimmed, inside the running turn."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.service.web.layout import attach_recording

SAMPLES = Path(__file__).parents[3] / "samples"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(os.environ.get("TALKTRACK_SCREENSHOT_DIR", Path(__file__).parents[3] / "build" / "screenshots"))

IN_VIEW_JS = """() => {
  const r = document.getElementById("player").getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, height: r.height, vh: window.innerHeight, y: window.scrollY };
}"""


@pytest.fixture(scope="module")
def played_call(web: Any) -> str:
    """The sample call's transcript (VTT) with its recording attached, as a coach of team East sees it."""
    from models import Call
    from models.calls import CallResult
    from service.core.db import session_scope
    from service.storage import get_store

    call_id: str = web.upload("rep", SAMPLES / "discovery_call.vtt", title="Player in view")
    web.wait_done("rep", call_id)
    settings = web.stack.settings()
    store = get_store(settings)
    with session_scope(settings) as s:
        call = s.get(Call, call_id)
        assert call is not None
        attach_recording(store, call, SAMPLES / "discovery_call.wav")
        row = s.get(CallResult, call_id)
        assert row is not None
        row.updated_at = datetime.now(UTC)  # a fresh view of the page
        s.add_all([call, row])
        s.commit()
        assert json.loads(row.analysis_json)["words"]
    return call_id


def test_the_backchannel_stays_inside_the_customers_sentence(web: Any, played_call: str, signed_in: Any) -> None:
    page = signed_in("coach")
    page.goto(f"/calls/{played_call}")
    chip = page.locator("#transcript .backchannel").first
    assert chip.count() == 1
    turn = chip.locator("xpath=ancestor::div[contains(@class, 'turn')]").inner_text()
    # "... the customer needed. [Alex: I see.] Nobody caught it for weeks." in one row.
    assert "customer needed." in turn and "Nobody caught it for weeks" in turn, turn
    rows = page.locator("#transcript .turn p").all_inner_texts()
    assert not any(r.strip() in ("Nobody", "I", "see.") for r in rows), rows
    color = chip.evaluate("e => getComputedStyle(e).color")
    assert color != page.locator("#transcript .turn p").first.evaluate("e => getComputedStyle(e).color")  # dimmed
    chip.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "call-backchannel-desktop.png"))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_seek_far_down_the_page_plays_in_view(web: Any, played_call: str, signed_in: Any, size: dict[str, int]) -> None:
    page = signed_in("coach")
    page.set_viewport_size(size)
    page.goto(f"/calls/{played_call}")
    word = page.locator("#transcript .w").last
    word.scroll_into_view_if_needed()
    word.click()
    page.wait_for_function("document.getElementById('player').currentTime > 100")
    box = page.evaluate(IN_VIEW_JS)
    assert box["height"] > 0 and box["top"] >= -1 and box["bottom"] <= box["vh"] + 1, box
    # Evidence or a next step at the bottom of the side column: the page is scrolled far down.
    target = page.locator(".call-side [data-seek]").last
    target.scroll_into_view_if_needed()
    target.click()
    box = page.evaluate(IN_VIEW_JS)
    assert box["y"] > 600 and box["top"] >= -1 and box["bottom"] <= box["vh"] + 1, box
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"call-player-scrolled-{'phone' if size == PHONE else 'desktop'}.png"))
