"""Layout, not only behaviour: every main page at 1366×900 and 390×844 with hostile data (a
250-character title with no space in it, a 241-character file name) fits the viewport: no
horizontal scrolling of the page and no element sticking out of it. The desktop rules apply at
desktop width (the admin menu is a side column, the trend charts are full height), and the call
page's words are for people: tracker labels, web actions instead of command lines, no key hints on
a phone. Screenshots of every page at both widths go to the screenshot folder (`layout-*.png`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.service.web.layout import (
    DESKTOP,
    LONG_FILE,
    LONG_TITLE,
    PHONE,
    PLAYER_IN_VIEW_JS,
    SAMPLE_WAV,
    SAMPLES,
    SCREENSHOTS,
    WORD_SHOWN_JS,
    attach_recording,
    layout_problems,
    until,
)

CLI_WARNING = ("speech from 0:05 to 0:20 (15 s) gave no words: it may be another language, which the English-only "
               "speech model (Whisper tiny.en) cannot transcribe or name (pass a multilingual CTranslate2 Whisper "
               "model with --model to name it), or noise")


@dataclass
class Hostile:
    long_call: str  # a done call with a 250-character title, a recording, trackers and CLI warnings
    long_file: str  # a done call with a 241-character file name and no title
    failed: str  # a failed call with no length


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
    until(page, "() => Math.abs(document.getElementById('player').currentTime - 83.5) < 0.5")
    shown = until(page, f"([t]) => {{ const s = ({WORD_SHOWN_JS})([t]); return s && s.inView ? s : null; }}", [83.5])
    assert abs(shown["t"] - 83.5) < 5 and shown["inBox"], shown  # the word being said at 83.5 s
    assert page.evaluate(PLAYER_IN_VIEW_JS)
    assert page.evaluate("document.getElementById('player').paused")  # it waits for the person to press play
    page.screenshot(path=str(SCREENSHOTS / f"layout-call-at-moment-{'phone' if size == PHONE else 'desktop'}.png"))
    for bad in ("-5", "abc", "1e9x", "", "NaN", "Infinity"):
        response = page.goto(f"/calls/{hostile.long_call}?t={bad}")
        assert response is not None and response.status == 200, bad
        until(page, "() => document.getElementById('player').readyState >= 1")
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
