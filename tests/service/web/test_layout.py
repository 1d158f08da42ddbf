"""Layout, not only behaviour: every main page at 1366×900 and 390×844 with hostile data (a
250-character title with no space in it, a 241-character file name) fits the viewport: no
horizontal scrolling of the page and no element sticking out of it. The desktop rules apply at
desktop width (the admin menu is a side column, the trend charts are full height), and the call
page's words are for people: tracker labels, web actions instead of command lines, no key hints on
a phone. Screenshots of every page at both widths go to the screenshot folder (`layout-*.png`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

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
CLI_WARNING = ("speech from 0:05 to 0:20 (15 s) gave no words: it may be another language, which the English-only "
               "speech model (Whisper tiny.en) cannot transcribe or name (pass a multilingual CTranslate2 Whisper "
               "model with --model to name it), or noise")

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


@dataclass
class Hostile:
    long_call: str  # a done call with a 250-character title, a recording, trackers and CLI warnings
    long_file: str  # a done call with a 241-character file name and no title
    failed: str  # a failed call with no length


def attach_recording(store: Any, call: Any, wav: Path) -> None:
    """Stores `wav` as the recording of a call analysed from its transcript, as an upload would."""
    fh, temp_key = store.open_temp()
    with fh:
        fh.write(wav.read_bytes())
    call.storage_key = f"calls/{call.id}/original.wav"
    store.commit(temp_key, call.storage_key)
    call.media_kind, call.audio_type = "audio", "audio/wav"


@pytest.fixture(scope="module")
def hostile(web: Any, tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    from models import Call
    from models.calls import CallResult
    from service.core.db import session_scope
    from service.storage import get_store

    long_call = web.upload("rep", SAMPLES / "discovery_call.vtt", title=LONG_TITLE)
    named = tmp_path_factory.mktemp("names") / f"{LONG_FILE}.vtt"
    named.write_bytes((SAMPLES / "discovery_call.vtt").read_bytes())
    long_file = web.upload("rep", named)
    for call_id in (long_call, long_file):
        web.wait_done("rep", call_id)
    settings = web.stack.settings()
    store = get_store(settings)
    with session_scope(settings) as s:
        call = s.get(Call, long_call)
        assert call is not None
        # Give it a recording (the page then shows the player and its key hints) ...
        attach_recording(store, call, SAMPLE_WAV)
        # ... and what an analysis may say: a tracker by its internal name, advice for the command line.
        row = s.get(CallResult, long_call)
        assert row is not None
        analysis = json.loads(row.analysis_json)
        first = analysis["turns"][1]
        analysis["trackers"].append({"tracker": "budget_objection", "start": first["start"], "end": first["end"],
                                     "speaker": first["speaker"], "text": first["text"], "kind": "phrase"})
        analysis["warnings"].append(CLI_WARNING)
        analysis["speakers_note"] = {
            "why": "One voice was found, but the recording may hold two people whose voices sound alike.",
            "fix": "If two people talk, analyse the recording again with `talktrack analyze CALL --speakers 2 "
                   "--force-speakers`."}
        row.analysis_json = json.dumps(analysis)
        row.updated_at = datetime.now(UTC)
        s.add_all([call, row])
        failed = Call(org_id=call.org_id, team_id=call.team_id, rep_user_id=call.rep_user_id,
                      rep_name=call.rep_name, media_kind="audio",
                      status="failed", error="the file is not audio", title="Broken upload")
        s.add(failed)
        s.commit()
        failed_id = failed.id
    return Hostile(long_call, long_file, failed_id)


def _pages(web: Any, h: Hostile) -> list[tuple[str, str, str]]:
    """(who, path, screenshot name) of every main page."""
    return [
        ("rep", "/", "library"),
        ("coach", "/inbox", "inbox"),
        ("coach", f"/calls/{h.long_call}", "call"),
        ("coach", f"/calls/{h.long_file}", "call-long-file"),
        ("coach", f"/calls/{h.failed}", "call-failed"),
        ("rep", "/me", "me"),
        ("coach", f"/reps/{web.people['rep'].user_id}", "rep-trends"),
        ("coach", "/insights", "insights"),
        ("coach", "/live", "live"),
        ("admin", "/admin", "admin"),
        ("admin", "/admin/users", "admin-users"),
        ("admin", "/admin/keys", "admin-keys"),
        ("admin", "/admin/webhooks", "admin-webhooks"),
        ("admin", "/admin/trackers", "admin-trackers"),
        ("admin", "/admin/playbook", "admin-playbook"),
        ("admin", "/admin/retention", "admin-retention"),
        ("admin", "/admin/audit", "admin-audit"),
        ("coach", "/deals", "deals-list"),
    ]


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


def test_every_page_fits_desktop_and_phone(web: Any, hostile: Hostile, signed_in: Any) -> None:
    pages = {who: signed_in(who) for who in ("rep", "coach", "admin")}
    problems = [p for who, path, name in _pages(web, hostile) for p in layout_problems(pages[who], path, name)]
    assert not problems, "\n".join(problems)


def test_long_names_wrap_and_keep_their_full_text(web: Any, hostile: Hostile, signed_in: Any) -> None:
    page = signed_in("rep")
    link = page.locator(f'#calls a[href="/calls/{hostile.long_call}"]')
    assert link.get_attribute("title") == LONG_TITLE  # the full name on hover when the cell clamps it
    # Every column stays in view at desktop width: the Talk ratio header is inside the viewport.
    box = page.locator("#calls thead th", has_text="Talk ratio").bounding_box()
    assert box is not None and box["x"] + box["width"] <= DESKTOP["width"]
    file_link = page.locator(f'#calls a[href="/calls/{hostile.long_file}"]')
    assert file_link.get_attribute("title", timeout=5000).startswith(LONG_FILE[:100])


def test_desktop_rules_apply_at_desktop_width(web: Any, signed_in: Any) -> None:
    admin = signed_in("admin")
    admin.goto("/admin")
    columns = admin.evaluate("getComputedStyle(document.querySelector('.admin')).gridTemplateColumns")
    assert len(columns.split()) == 2, columns  # the admin menu is a side column, not a bullet list
    assert admin.evaluate("getComputedStyle(document.querySelector('.admin-nav ul')).listStyleType") == "none"
    rep = signed_in("rep")
    rep.goto("/me")
    assert rep.evaluate("document.querySelector('.chart-box').getBoundingClientRect().height") >= 200
    rep.set_viewport_size(PHONE)
    assert rep.evaluate("getComputedStyle(document.querySelector('.trend-grid')).gridTemplateColumns").count("px") == 1


def test_call_page_speaks_to_people(web: Any, hostile: Hostile, signed_in: Any) -> None:
    page = signed_in("coach")
    page.goto(f"/calls/{hostile.long_call}")
    trackers = page.locator(".key.tracker[data-tracker]").all_inner_texts()
    assert "Budget objection" in trackers and not any("_" in t for t in trackers)
    text = page.locator(".call-side").inner_text()
    assert "cannot transcribe or name, or noise" in text  # the warning, without its command-line advice
    for cli in ("--model", "--speakers", "talktrack analyze", "talktrack relabel", "`"):
        assert cli not in text, cli
    note = page.locator("#speakers-note")
    assert note.get_by_role("link", name="Fix speakers").get_attribute("href") == "#fix-speakers"
    # Key hints only where there is a keyboard.
    assert page.locator(".key-hints").is_visible()
    page.set_viewport_size(PHONE)
    assert not page.locator(".key-hints").is_visible()
    assert page.get_by_text("Click any word to jump there.").is_visible()


def test_failed_call_header_shows_only_what_exists(web: Any, hostile: Hostile, signed_in: Any) -> None:
    page = signed_in("coach")
    page.goto(f"/calls/{hostile.failed}")
    meta = " ".join(page.locator(".call-head .meta").inner_text().split())
    assert "· - ·" not in meta and " - " not in meta, meta
    assert meta.startswith("Dana Rep · ") and meta.endswith("failed"), meta


def test_outcome_has_no_default(web: Any, hostile: Hostile, signed_in: Any) -> None:
    page = signed_in("coach")
    page.goto(f"/calls/{hostile.long_file}")
    select = page.locator("#outcome-select")
    assert select.evaluate("s => s.value") == ""
    assert select.evaluate("s => s.required")
    page.get_by_role("button", name="Set outcome").click()  # the browser asks for a choice first
    assert page.evaluate("document.querySelector('#outcome-select').validity.valueMissing")
    assert page.locator(".call-head .badge.o-won").count() == 0
    select.select_option("lost")
    page.get_by_role("button", name="Set outcome").click()
    page.wait_for_url(f"**/calls/{hostile.long_file}#outcome")
    assert page.locator(".call-head .badge.o-lost").inner_text() == "lost"
    assert page.locator("#outcome-select").evaluate("s => s.value") == "lost"


LONG_DEAL = ("Opportunity/" + "VeryLongDealIdentifierWithoutAnySpaces" * 6)[:200]
LONG_WORD = "Supercalifragilistic" * 6  # 120 characters, no space


@pytest.fixture(scope="module")
def long_deal(web: Any, hostile: Hostile) -> list[str]:
    """A deal with a 200-character id (a slash in it) and 14 calls of the East rep, every item and
    warning kind, long titles, long words and long names in what was said."""
    from datetime import timedelta

    from devstack.deals import SeedCall, brief, item, store_calls
    from models import User
    from models.calls import CallResult
    from service.core.db import session_scope

    settings = web.stack.settings()
    with session_scope(settings) as s:
        rep = s.get(User, web.people["rep"].user_id)
        row = s.get(CallResult, hostile.long_call)
        assert rep is not None and row is not None
        org_id, team_id, base = rep.org_id, rep.team_id, json.loads(row.analysis_json)
    now = datetime.now(UTC)
    said = f"we tried {LONG_WORD} and it keeps failing our reps every single week, " * 3
    seeds = []
    for n in range(14):
        when = now - timedelta(days=3 * (14 - n))
        seeds.append(SeedCall(
            org_id=org_id, team_id=team_id, rep_user_id=web.people["rep"].user_id, rep_name="Dana Rep",
            started_at=when, deal_id=LONG_DEAL, title=LONG_TITLE if n % 2 else f"Call {n + 1}",
            speakers=[("Dana Rep", "rep", 10.0 + n), ("Bob", "customer", 30.0 - n)], customer_questions=max(0, 6 - n),
            brief=brief([
                item("pain", said, 5.0), item("need", said, 9.0),
                item("objection", said, 12.0, detail="price" if n < 13 else "timing"),
                item("competitor", f"we also looked at {LONG_WORD}", 15.0, detail=LONG_WORD),
                item("decision", f"{LONG_WORD} signs", 18.0, detail=f"Chief {LONG_WORD}"),
                item("budget", "forty thousand", 21.0, amount=40000.0),
                item("price", "sixty thousand", 24.0, speaker="S1", role="rep", amount=60000.0),
                item("question", f"what about {LONG_WORD}?", 27.0),
                item("next_step", said, 30.0, speaker="S1", role="rep", owner="rep",
                     due=(when + timedelta(days=3)).date().isoformat() if n < 13 else None)])))
    return store_calls(settings, base, seeds)


def test_deal_pages_fit_desktop_and_phone(web: Any, long_deal: list[str], signed_in: Any) -> None:
    from urllib.parse import quote

    page = signed_in("coach")
    problems = [p for name, path in (("deal", "/deals/" + quote(LONG_DEAL, safe="")), ("deals", "/deals"))
                for p in layout_problems(page, path, name)]
    assert not problems, "\n".join(problems)
    page.set_viewport_size(DESKTOP)
    page.goto("/deals/" + quote(LONG_DEAL, safe=""))
    assert page.locator("h1").inner_text() == f"Deal {LONG_DEAL}"
    assert page.locator("#deal-calls tbody tr").count() == 14
    codes = page.locator(".deal-warning").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes == ["no_dated_next_step", "budget_below_price", "competitor_in_play", "decision_maker_absent",
                     "talk_share_falling", "questions_falling", "unanswered_questions"]
    # A warning's evidence opens the call at the moment: the last call's budget at 0:21.
    budget = page.locator('.deal-warning[data-code="budget_below_price"] a').first
    assert budget.get_attribute("href") == f"/calls/{long_deal[-1]}?t=21"
    assert budget.inner_text().endswith("at 0:21")
    page.goto("/deals?warning=talk_share_falling")
    link = page.locator(f'#deals a[title="{LONG_DEAL}"]')
    assert link.get_attribute("href") == "/deals/" + quote(LONG_DEAL, safe="")
    link.click()
    page.wait_for_url("**/deals/**")
    assert page.locator("#deal-calls tbody tr").count() == 14



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
    deadline = datetime.now(UTC).timestamp() + 10
    while abs(page.evaluate("document.getElementById('player').currentTime") - target) > 0.5:
        assert datetime.now(UTC).timestamp() < deadline, "the player did not seek"
        page.wait_for_timeout(50)
    box = page.evaluate("""() => { const r = document.getElementById("player").getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, height: r.height, vh: window.innerHeight, y: window.scrollY }; }""")
    assert box["height"] > 0 and box["top"] >= -1 and box["bottom"] <= box["vh"] + 1 and box["y"] > 250, box
    assert abs(box["y"] - before) < 2, (before, box)
    shown = """([t]) => { const w = document.querySelector('#transcript .w.playing');
      if (!w) return false;
      const b = document.getElementById('transcript').getBoundingClientRect(), r = w.getBoundingClientRect();
      return Math.abs(parseFloat(w.dataset.t) - t) < 2 && r.top >= b.top && r.bottom <= b.bottom; }"""
    while not page.evaluate(shown, [target]):  # the transcript box shows the word being played
        assert datetime.now(UTC).timestamp() < deadline, "the transcript did not follow"
        page.wait_for_timeout(50)
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
    _until(page, f"() => {{ const p = document.getElementById('player'); "
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
    _until(page, f"() => Math.abs(document.getElementById('player').currentTime - {start}) < 0.5")
    page.wait_for_timeout(300)
    m = page.evaluate(TIMELINE_JS)
    assert _in_view(m), m
    assert abs(m["y"] - before) < 2, (before, m)
    page.evaluate("document.getElementById('player').pause()")


PLAYER_IN_VIEW_JS = """() => { const r = document.getElementById("player").getBoundingClientRect();
  return r.height > 0 && r.top >= -1 && r.bottom <= innerHeight + 1 && r.left >= -1 && r.right <= innerWidth + 1; }"""
WORD_SHOWN_JS = """([t]) => { const w = document.querySelector('#transcript .w.playing');
  if (!w) return null;
  const b = document.getElementById('transcript').getBoundingClientRect(), r = w.getBoundingClientRect();
  return { t: parseFloat(w.dataset.t), inBox: r.top >= b.top && r.bottom <= b.bottom,
           inView: r.top >= 0 && r.bottom <= innerHeight }; }"""


def _until(page: Any, js: str, args: list[Any] | None = None, seconds: float = 10.0) -> Any:
    """Poll `js` until it is truthy (wait_for_function evaluates a string: the CSP refuses that)."""
    deadline = datetime.now(UTC).timestamp() + seconds
    while not (value := page.evaluate(js, args)):
        assert datetime.now(UTC).timestamp() < deadline, f"still false after {seconds} s: {js}"
        page.wait_for_timeout(50)
    return value


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_call_page_opens_at_the_moment_in_its_address(web: Any, hostile: Hostile, signed_in: Any,
                                                          size: dict[str, int]) -> None:
    """`/calls/{id}?t=83.5` (deal warnings, notifications link so): the player at 83.5 s, in view, and
    the transcript at the words said then; a value that is not a moment is ignored."""
    page = signed_in("coach")
    page.set_viewport_size(size)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/calls/{hostile.long_call}?t=83.5")
    _until(page, "() => Math.abs(document.getElementById('player').currentTime - 83.5) < 0.5")
    shown = _until(page, f"([t]) => {{ const s = ({WORD_SHOWN_JS})([t]); return s && s.inView ? s : null; }}", [83.5])
    assert abs(shown["t"] - 83.5) < 5 and shown["inBox"], shown  # the word being said at 83.5 s
    assert page.evaluate(PLAYER_IN_VIEW_JS)
    assert page.evaluate("document.getElementById('player').paused")  # it waits for the person to press play
    page.screenshot(path=str(SCREENSHOTS / f"layout-call-at-moment-{'phone' if size == PHONE else 'desktop'}.png"))
    for bad in ("-5", "abc", "1e9x", "", "NaN", "Infinity"):
        response = page.goto(f"/calls/{hostile.long_call}?t={bad}")
        assert response is not None and response.status == 200, bad
        _until(page, "() => document.getElementById('player').readyState >= 1")
        page.wait_for_timeout(200)
        assert page.evaluate("document.getElementById('player').currentTime") == 0, bad
        assert page.evaluate("window.scrollY") == 0, bad  # the page opens at its top, as without ?t=
    assert not errors, errors


def test_sign_in_invite_and_error_pages_fit_and_pass_axe(web: Any, browser: Any, signed_in: Any) -> None:
    from models import User
    from service.core.accounts import create_user
    from service.core.db import session_scope
    from service.core.sessions import create_invite

    with session_scope(web.stack.settings()) as s:
        rep = s.get(User, web.people["rep"].user_id)
        assert rep is not None
        guest = create_user(s, rep.org_id, "Gus Guest", team_id=rep.team_id, email="gus.guest@example.test",
                            role="rep")
        token = create_invite(s, guest, hours=1)
    context = browser.new_context(viewport=DESKTOP, base_url=web.url)
    try:
        anonymous = context.new_page()
        problems = layout_problems(anonymous, "/login", "login")
        problems += layout_problems(anonymous, f"/invite/{token}", "invite")
        problems += layout_problems(anonymous, "/invite/not-a-token", "invite-not-valid", status=404)
        coach = signed_in("coach")
        problems += layout_problems(coach, "/calls/" + "0" * 32, "error-404", status=404)
        problems += layout_problems(coach, "/admin/users", "error-403", status=403)
        assert not problems, "\n".join(problems)
        assert coach.get_by_role("heading").first.inner_text()  # the error page names what happened
    finally:
        context.close()


CELLS_JS = """() => {
  const vw = innerWidth, wrap = document.querySelector('#deals').closest('.table-wrap');
  const heads = [...document.querySelectorAll('#deals thead th')].map((th) => th.textContent.trim());
  const rows = [...document.querySelectorAll('#deals tbody tr')].slice(0, 5).map((tr) => [...tr.cells].map((td, i) => {
    const r = td.getBoundingClientRect(), label = getComputedStyle(td, '::before').content;
    return { head: heads[i], text: td.innerText.trim(), left: r.left, right: r.right, width: r.width,
             label: label === 'none' || label === 'normal' ? '' : label.replace(/^"|"$/g, '') };
  }));
  return { vw, heads, rows, wrapScrolls: wrap.scrollWidth > wrap.clientWidth + 1,
           theadShown: document.querySelector('#deals thead').getBoundingClientRect().height > 1 };
}"""


def test_the_deals_list_reads_on_a_phone_without_scrolling_sideways(web: Any, long_deal: list[str],
                                                                    signed_in: Any) -> None:
    """Below 700 px each deal is a card: every column's value on its own line with the column's name,
    inside the viewport (the "First call" date was off-screen until the table was scrolled); at desktop
    width the table is a table, with its headers."""
    page = signed_in("coach")
    problems = layout_problems(page, "/deals", "deals-cards")
    assert not problems, "\n".join(problems)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto("/deals")
        m = page.evaluate(CELLS_JS)
        assert m["heads"] == ["Deal", "Calls", "Last call", "First call", "Warnings"]
        assert m["rows"] and not m["wrapScrolls"], (label, m)
        for row in m["rows"]:
            for cell in row:
                assert cell["text"] and cell["width"] > 0, (label, cell)
                assert cell["left"] >= -1 and cell["right"] <= m["vw"] + 1, (label, cell)  # in view, unscrolled
        first_call = page.locator("#deals tbody tr").first.locator("td").nth(3)
        assert first_call.is_visible() and first_call.inner_text().strip()[:2] == "20"  # a date: 2026-...
        if label == "phone":
            assert not m["theadShown"]  # the names are on each card instead
            assert [c["label"] for c in m["rows"][0]] == m["heads"], m["rows"][0]
        else:
            assert m["theadShown"] and all(c["label"] == "" for c in m["rows"][0]), m["rows"][0]
            assert page.evaluate("getComputedStyle(document.querySelector('#deals')).display") == "table"


def test_the_uploader_deletes_their_call_from_its_page(web: Any, signed_in: Any) -> None:
    """The rep who uploaded a call sees "Delete this call" (a coach does not), is asked first, and the
    library then says in words what went."""
    call_id = web.upload("rep", SAMPLES / "discovery_call.vtt", title="Uploaded by mistake")
    web.wait_done("rep", call_id)
    coach = signed_in("coach")
    coach.goto(f"/calls/{call_id}")
    assert coach.get_by_role("heading", name="Uploaded by mistake").is_visible()
    assert coach.get_by_role("button", name="Delete this call").count() == 0
    rep = signed_in("rep")
    rep.goto(f"/calls/{call_id}")
    asked: list[str] = []

    def refuse(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    rep.once("dialog", refuse)
    rep.get_by_role("button", name="Delete this call").click()
    rep.wait_for_timeout(300)
    assert asked == ["Delete this call and everything made from it (its analysis, scorecards, comments and the "
                     "uploaded file)? This cannot be undone."]
    assert rep.url.endswith(f"/calls/{call_id}")  # dismissed: nothing happened
    rep.once("dialog", lambda d: d.accept())
    rep.get_by_role("button", name="Delete this call").click()
    rep.wait_for_url("**/?deleted=*")
    assert rep.get_by_role("status").filter(has_text="Deleted").inner_text() == \
        "Deleted the call, its analysis and uploaded transcript."
    assert rep.locator(f'#calls a[href="/calls/{call_id}"]').count() == 0
    shots = layout_problems(rep, rep.url.removeprefix(web.url), "library-deleted")
    assert not shots, "\n".join(shots)
