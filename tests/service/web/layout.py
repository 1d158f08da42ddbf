"""What the layout tests share: the two widths, the screenshot folder, the measure of what overflows
(`layout_problems` opens a page at both widths, saves its screenshots and runs axe-core), hostile
names, a recording for a call analysed from its transcript, and the call player's in-view checks."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.service.web import axe

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / "samples"
SAMPLE_WAV = SAMPLES / "discovery_call.wav"
SCREENSHOTS = Path(os.environ.get("TALKTRACK_SCREENSHOT_DIR", REPO / "build" / "screenshots"))  # as conftest.py
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
LONG_TITLE = "Quarterly-business-review_" + "ExtremelyLongCustomerNameWithoutAnySpaces" * 6  # 272 characters
LONG_TITLE = LONG_TITLE[:250]
LONG_FILE = ("recording_" + "x" * 231)[:241]  # + ".vtt"
# Whether the page fits: the document does not scroll sideways, and no element reaches past the
# viewport's edges, unless a scrolling or clipping box of its own holds it (a wide table in a
# `.table-wrap` scrolls inside it on a phone: the box itself must still fit).
MEASURE_JS = """() => {
  const vw = window.innerWidth;
  const held = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".skip")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((r.right > vw + 1 || r.left < -1) && !held(el)) {
      wide.push(`${name(el)} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  const tables = [...document.querySelectorAll(".table-wrap")]
    .filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => `${name(w.firstElementChild || w)} ${w.scrollWidth}>${w.clientWidth}`);
  return { vw, doc: document.documentElement.scrollWidth, wide: wide.slice(0, 12), tables };
}"""



def attach_recording(store: Any, call: Any, wav: Path) -> None:
    """Stores `wav` as the recording of a call analysed from its transcript, as an upload would."""
    fh, temp_key = store.open_temp()
    with fh:
        fh.write(wav.read_bytes())
    call.storage_key = f"calls/{call.id}/original.wav"
    store.commit(temp_key, call.storage_key)
    call.media_kind, call.audio_type = "audio", "audio/wav"


def layout_problems(page: Any, path: str, name: str, status: int = 200) -> list[str]:
    """Open `path` at desktop and phone width, save both screenshots (`layout-NAME-WIDTH[-full].png`)
    and say what overflows: the page wider than the viewport, an element wider than it, or (on
    desktop) a table that scrolls sideways; and what axe-core finds serious or critical."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        response = page.goto(path)
        assert response is not None and response.status == status, (path, response and response.status)
        page.wait_for_load_state("load")
        m = page.evaluate(MEASURE_JS)
        page.screenshot(path=str(SCREENSHOTS / f"layout-{name}-{label}.png"))
        page.screenshot(path=str(SCREENSHOTS / f"layout-{name}-{label}-full.png"), full_page=True)
        if m["doc"] > m["vw"] or m["wide"]:
            problems.append(f"{path} at {label}: page {m['doc']} px wide in a {m['vw']} px viewport; {m['wide']}")
        if label == "desktop" and m["tables"]:
            problems.append(f"{path} at {label}: a table scrolls sideways (columns hidden): {m['tables']}")
        problems += [f"{path} at {label}: axe {v}" for v in axe.violations(page)]
    return problems


PLAYER_IN_VIEW_JS = """() => { const r = document.getElementById("player").getBoundingClientRect();
  return r.height > 0 && r.top >= -1 && r.bottom <= innerHeight + 1 && r.left >= -1 && r.right <= innerWidth + 1; }"""
WORD_SHOWN_JS = """([t]) => { const w = document.querySelector('#transcript .w.playing');
  if (!w) return null;
  const b = document.getElementById('transcript').getBoundingClientRect(), r = w.getBoundingClientRect();
  return { t: parseFloat(w.dataset.t), inBox: r.top >= b.top && r.bottom <= b.bottom,
           inView: r.top >= 0 && r.bottom <= innerHeight }; }"""


def until(page: Any, js: str, args: list[Any] | None = None, seconds: float = 10.0) -> Any:
    """Poll `js` until it is truthy (wait_for_function evaluates a string: the CSP refuses that)."""
    deadline = datetime.now(UTC).timestamp() + seconds
    while not (value := page.evaluate(js, args)):
        assert datetime.now(UTC).timestamp() < deadline, f"still false after {seconds} s: {js}"
        page.wait_for_timeout(50)
    return value
