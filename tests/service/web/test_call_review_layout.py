"""The call page of a 2-hour call with a brief, at desktop and phone width: it fits, a brief line plays
with the player in view, and the timeline stays in view when seeking from the end of the transcript."""

from __future__ import annotations

from typing import Any

import pytest

from tests.service.web.layout import (
    DESKTOP,
    LONG_TITLE,
    MEASURE_JS,
    PHONE,
    SAMPLE_WAV,
    SAMPLES,
    SCREENSHOTS,
    WORD_SHOWN_JS,
    attach_recording,
    layout_problems,
    until,
)


@pytest.fixture(scope="module")
def review_call(web: Any) -> tuple[str, dict[str, Any]]:
    """A done call with a 250-character title, a 2-hour transcript (the sample tiled 44 times), its
    recording, a brief with 12 chapters (two of them with hostile titles) and a deal with a long id."""
    from models import Call
    from service.core.db import session_scope
    from service.storage import get_store
    from tests.service.web.call_data import sample_brief, store_analysis, stored_analysis, tiled

    call_id: str = web.upload("rep", SAMPLES / "discovery_call.vtt", title=LONG_TITLE)
    web.wait_done("rep", call_id)
    settings = web.stack.settings()
    with session_scope(settings) as s:
        call = s.get(Call, call_id)
        assert call is not None
        attach_recording(get_store(settings), call, SAMPLE_WAV)
        s.add(call)
        s.commit()
    analysis = tiled(stored_analysis(web, call_id), 7200)
    brief = sample_brief(analysis)
    step = analysis["duration_s"] / 12
    titles = [c["title"] for c in brief["chapters"]]
    brief["chapters"] = [{"title": f"{titles[k % len(titles)]} (part {k + 1})", "start": round(k * step, 2),
                          "end": round((k + 1) * step, 2), "key_phrases": []} for k in range(12)]
    brief["chapters"][3]["title"] = "Pricing" + "AndPackagingWithoutAnySpace" * 8
    brief["items"][0] = {**brief["items"][0], "text": "Unbrokenpainstatement" * 10}
    analysis["brief"] = brief
    store_analysis(web, call_id, analysis, duration_s=analysis["duration_s"], deal_id="DEAL-" + "9" * 190)
    return call_id, analysis


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_call_with_a_brief_and_two_hours_fits_and_plays_in_view(web: Any, review_call: tuple[str, dict[str, Any]],
                                                                 signed_in: Any, size: dict[str, int]) -> None:
    call_id, analysis = review_call
    label = "phone" if size == PHONE else "desktop"
    page = signed_in("coach")
    page.set_viewport_size(size)
    page.goto(f"/calls/{call_id}")
    assert page.locator("#transcript .w").count() == len(analysis["words"]) > 18_000
    assert page.locator("#brief .chapter-line").count() == 12
    page.locator("#email-draft summary").click()
    m = page.evaluate(MEASURE_JS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"layout-call-review-{label}.png"))
    page.screenshot(path=str(SCREENSHOTS / f"layout-call-review-{label}-full.png"), full_page=True)
    assert m["doc"] <= m["vw"] and not m["wide"], m
    # A brief line far down the brief plays, with the player in view (sticky above it), and the page
    # stays where it was (the transcript box follows the moment, the page does not jump to it).
    line = page.locator('#brief [data-kind="others"] .brief-line').last
    line.evaluate("e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - innerHeight / 2)")
    before = page.evaluate("window.scrollY")
    line.click()
    target = float(line.get_attribute("data-seek"))
    until(page, f"() => Math.abs(document.getElementById('player').currentTime - {target}) < 0.5")
    box = page.evaluate("""() => { const r = document.getElementById("player").getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, height: r.height, vh: window.innerHeight, y: window.scrollY }; }""")
    assert box["height"] > 0 and box["top"] >= -1 and box["bottom"] <= box["vh"] + 1 and box["y"] > 250, box
    assert abs(box["y"] - before) < 2, (before, box)
    # The transcript box shows the word being played.
    until(page, f"([t]) => {{ const s = ({WORD_SHOWN_JS})([t]); return !!s && Math.abs(s.t - t) < 2 && s.inBox; }}",
          [target])
    page.screenshot(path=str(SCREENSHOTS / f"layout-call-review-seek-{label}.png"))


TIMELINE_JS = """() => { const rect = (el) => { const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height }; };
  return { timeline: rect(document.querySelector(".timeline")), player: rect(document.getElementById("player")),
           lanes: [...document.querySelectorAll(".timeline .tl-lane")].map(rect),
           vh: innerHeight, vw: innerWidth, y: scrollY, t: document.getElementById("player").currentTime }; }"""


def _in_view(m: dict[str, Any]) -> bool:
    boxes = [m["timeline"], m["player"], *m["lanes"]]
    return all(b["height"] > 0 and b["top"] >= -1 and b["bottom"] <= m["vh"] + 1 and b["left"] >= -1
               and b["right"] <= m["vw"] + 1 for b in boxes)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_timeline_stays_in_view_when_seeking_from_the_end_of_the_transcript(
        web: Any, review_call: tuple[str, dict[str, Any]], signed_in: Any, size: dict[str, int]) -> None:
    """The speaker lanes and moment markers sit in the sticky block under the player: after scrolling
    down to the transcript and to the end of its box, a click on a word near the end plays it with
    the player and every lane still in the viewport, the page where it was; a click on a lane then
    seeks from there without moving the page either. The page fits and passes axe at both sizes."""
    call_id, analysis = review_call
    label = "phone" if size == PHONE else "desktop"
    page = signed_in("coach")
    problems = layout_problems(page, f"/calls/{call_id}", "call-timeline")
    assert not problems, "\n".join(problems)
    page.set_viewport_size(size)
    page.goto(f"/calls/{call_id}")
    assert page.locator(".player .timeline .tl-lane:not(.markers)").count() == len(analysis["speakers"])
    page.locator("#transcript").evaluate(
        "box => { window.scrollTo(0, box.getBoundingClientRect().top + scrollY - innerHeight / 2); "
        "box.scrollTop = box.scrollHeight; }")
    page.wait_for_timeout(100)
    before = page.evaluate("scrollY")
    assert before > 500, before  # far below the top of the page (the brief is above the transcript)
    word = page.locator("#transcript .w").nth(-40)
    target = float(word.get_attribute("data-t"))
    assert target > analysis["duration_s"] - 120
    word.click()
    # The recording is the 3-minute sample's: a moment past its end plays its end.
    until(page, f"() => {{ const p = document.getElementById('player'); "
                 f"return Math.abs(p.currentTime - Math.min({target}, p.duration)) < 0.5; }}")
    page.wait_for_timeout(300)  # the transcript box follows; the page must not
    m = page.evaluate(TIMELINE_JS)
    assert _in_view(m), m
    assert abs(m["y"] - before) < 2, (before, m)
    page.screenshot(path=str(SCREENSHOTS / f"layout-call-timeline-seek-{label}.png"))
    # A seek from the lanes, at the same scroll: the rep's fourth turn (inside the recording).
    bar = page.locator(".timeline .tl-lane.lane-0 .bar").nth(3)
    start = float(bar.get_attribute("data-seek"))
    bar.click()
    until(page, f"() => Math.abs(document.getElementById('player').currentTime - {start}) < 0.5")
    page.wait_for_timeout(300)
    m = page.evaluate(TIMELINE_JS)
    assert _in_view(m), m
    assert abs(m["y"] - before) < 2, (before, m)
    page.evaluate("document.getElementById('player').pause()")
