"""The call page's collaboration, as a coach used to Gong's call page expects it, in Chromium: a mark
per comment thread on the timeline (at its moment; a click plays from there and shows the comment),
editing one's own comment in the page, @mention autocompletion that writes the text the server
resolves, the "Share this call with…" picker (only the people who cannot see the call), and moving
clips up and down a playlist. The pages fit 1366x900 and 390x844 and pass axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.service.web.layout import DESKTOP, MEASURE_JS, PHONE, SCREENSHOTS, layout_problems
from tests.service.web.test_call_review import attach_sample_recording, wait_until

SAMPLES = Path(__file__).parents[3] / "samples"


def _call(web: Any, title: str, recording: bool) -> str:
    call_id: str = web.upload("rep", SAMPLES / "discovery_call.vtt", title=title)
    web.wait_done("rep", call_id)
    if recording:
        attach_sample_recording(web, call_id)
    return call_id


@pytest.fixture(scope="module")
def commented(web: Any) -> dict[str, Any]:
    """The sample call of team East's rep, with its recording and three threads (one with a reply)."""
    call_id = _call(web, "Collaboration call", recording=True)
    with web.api("rep") as c:
        duration = float(c.get(f"/v1/calls/{call_id}").json()["analysis"]["duration_s"])
        first = c.post(f"/v1/calls/{call_id}/comments", json={"text": "Good opening, warm and short.",
                                                                "start": 5.0}).json()
    with web.api("coach") as c:
        long_text = "Listen to how the pricing question lands here: " + "she waits, then asks again. " * 5
        second = c.post(f"/v1/calls/{call_id}/comments", json={"text": long_text, "start": 42.5}).json()
        last = c.post(f"/v1/calls/{call_id}/comments", json={"text": "The close.", "start": duration - 1}).json()
    with web.api("rep") as c:
        c.post(f"/v1/calls/{call_id}/comments", json={"text": "Thanks, noted.", "parent_id": second["id"]})
    return {"call": call_id, "duration": duration, "ids": [first["id"], second["id"], last["id"]]}


def _threads(web: Any, call_id: str) -> list[dict[str, Any]]:
    with web.api("coach") as c:
        items: list[dict[str, Any]] = c.get(f"/v1/calls/{call_id}/comments").json()["items"]
    return items


def _clock(t: float) -> str:
    s = int(t)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def test_a_mark_per_thread_on_the_timeline_plays_and_shows_the_comment(web: Any, commented: dict[str, Any],
                                                                       signed_in: Any) -> None:
    call_id, duration = commented["call"], commented["duration"]
    threads = _threads(web, call_id)
    assert [t["id"] for t in threads] == commented["ids"]
    page = signed_in("coach")
    page.goto(f"/calls/{call_id}")
    marks = page.locator("#player-block .timeline #comment-marks rect.cmark")
    assert marks.count() == len(threads) == 3
    assert page.locator("#player-block .tl-label", has_text="Comments").count() == 1
    for i, t in enumerate(threads):
        mark = marks.nth(i)
        assert mark.get_attribute("data-comment") == t["id"]
        assert float(mark.get_attribute("data-seek") or "nan") == t["start"]
        centre = float(mark.get_attribute("x") or "nan") + float(mark.get_attribute("width") or "nan") / 2
        assert abs(centre - t["start"] * 1000 / duration) < 0.01, (centre, t["start"], duration)
        title = mark.locator("title").text_content() or ""
        assert title.startswith(f"{_clock(t['start'])} {t['author']['name']}: {t['text'][:40]}"), title
    long_title = marks.nth(1).locator("title").text_content() or ""
    assert long_title.endswith("… (1 reply)") and len(long_title) < 140, long_title  # the start of the text
    assert page.locator("#player-block .tl-label", has_text="Comments").is_visible()

    marks.nth(1).click()
    target = threads[1]["start"]
    wait_until(page, f"Math.abs(document.getElementById('player').currentTime - {target}) < 0.5")
    item = page.locator(f"#c-{threads[1]['id']}")
    assert "cm-focus" in (item.get_attribute("class") or "")
    box = page.evaluate(f"""() => {{ const r = document.getElementById("c-{threads[1]['id']}").getBoundingClientRect();
      return {{ top: r.top, below: document.getElementById("player-block").getBoundingClientRect().bottom,
               vh: innerHeight }}; }}""")
    assert box["below"] - 1 <= box["top"] < box["vh"], box  # in view, below the sticky player
    assert page.evaluate("document.activeElement.id") == f"c-{threads[1]['id']}"
    marks.nth(0).click()  # another mark: the highlight moves
    wait_until(page, f"Math.abs(document.getElementById('player').currentTime - {threads[0]['start']}) < 0.5")
    assert page.locator("#threads .cm-focus").count() == 1
    assert "cm-focus" in (page.locator(f"#c-{threads[0]['id']}").get_attribute("class") or "")
    page.evaluate("document.getElementById('player').pause()")

    bare = _call(web, "No comments yet", recording=False)
    page.goto(f"/calls/{bare}")
    assert page.locator("#comment-marks").count() == 0  # no lane without comments
    assert page.locator("#player-block .tl-label", has_text="Comments").count() == 0


def _notified(web: Any, comment_id: str) -> dict[str, str]:
    """user id -> excerpt of the notifications of a comment (the edit's new mention is resolved and
    notified, as the API's PATCH does)."""
    from sqlmodel import col, select

    from models import Notification
    from service.core.db import session_scope

    with session_scope(web.stack.settings()) as s:
        rows = s.exec(select(Notification).where(col(Notification.comment_id) == comment_id)).all()
        return {n.user_id: n.excerpt for n in rows}


def _csrf(page: Any) -> str:
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    return str(token)


def test_the_author_edits_their_comment_and_nobody_else_can(web: Any, commented: dict[str, Any],
                                                            signed_in: Any) -> None:
    call_id = commented["call"]
    rep = signed_in("rep")
    rep.goto(f"/calls/{call_id}")
    rep.locator("#cm-text").fill("First take on the discovery.")
    rep.locator("#cm-at").fill("0:20")
    rep.get_by_role("button", name="Comment", exact=True).click()
    rep.wait_for_url(re.compile(rf".*/calls/{call_id}\?t=20#c-[0-9a-f]{{32}}$"))
    comment_id = rep.url.rsplit("#c-", 1)[1]
    item = rep.locator(f"#c-{comment_id}")
    assert item.locator(".cm-edited").count() == 0
    item.locator(".cm-edit summary").click()
    box = item.locator(f"#edit-{comment_id}")
    assert box.input_value() == "First take on the discovery."
    box.fill("Second take: @AdaAdmin, score the discovery please.")  # (the coach's inbox stays for test_comments_page)
    item.get_by_role("button", name="Save").click()
    rep.wait_for_url(re.compile(rf".*/calls/{call_id}\?t=20#c-{comment_id}$"))
    item = rep.locator(f"#c-{comment_id}")
    assert item.locator(".cm-text").inner_text() == "Second take: @AdaAdmin, score the discovery please."
    assert item.locator(".cm-edited").inner_text() == "(edited)"
    assert _notified(web, comment_id) == {web.people["admin"].user_id: "Second take: @AdaAdmin, score the discovery please."}

    coach = signed_in("coach")
    coach.goto(f"/calls/{call_id}")
    assert coach.locator(f"#c-{comment_id} .cm-edit").count() == 0  # not the author: no form
    assert coach.locator(f"#c-{comment_id} .cm-delete").count() == 0
    assert coach.locator(f"#c-{commented['ids'][1]} > .cm-actions .cm-edit").count() == 1  # her own
    forged = coach.request.post(f"/calls/{call_id}/comments/{comment_id}/edit",
                                form={"csrf_token": _csrf(coach), "text": "hijacked"}, max_redirects=0)
    assert forged.status == 403, forged.status
    no_token = rep.request.post(f"/calls/{call_id}/comments/{comment_id}/edit", form={"text": "no token"},
                                max_redirects=0)
    assert no_token.status == 403, no_token.status
    empty = rep.request.post(f"/calls/{call_id}/comments/{comment_id}/edit",
                             form={"csrf_token": _csrf(rep), "text": "   "}, max_redirects=0)
    assert empty.status == 422 and "a comment needs some text" in empty.text(), empty.status
    stored = next(t for t in _threads(web, call_id) if t["id"] == comment_id)
    assert stored["text"] == "Second take: @AdaAdmin, score the discovery please."  # nothing half-saved


def _options(page: Any) -> list[str]:
    return [n.strip() for n in page.locator("#mention-list [role=option] .mo-name").all_inner_texts()]


def test_mention_autocompletion_writes_what_the_server_resolves(web: Any, commented: dict[str, Any],
                                                                signed_in: Any, a11y: Any) -> None:
    call_id = commented["call"]
    coach = signed_in("coach")
    coach.goto(f"/calls/{call_id}")
    box = coach.locator("#cm-text")
    box.click()
    box.press_sequentially("Listen to this one @da")
    listbox = coach.locator("#mention-list")
    listbox.wait_for(state="visible")
    assert listbox.get_attribute("role") == "listbox"
    assert "Dana Rep" in _options(coach) and "Finn Other" not in _options(coach)  # another organization
    assert "Cora Coach" not in _options(coach)  # the writer
    assert box.get_attribute("aria-controls") == "mention-list"
    active = box.get_attribute("aria-activedescendant")
    assert active and coach.locator(f"#{active}").get_attribute("aria-selected") == "true"
    assert "@DanaRep" in coach.locator(f"#{active}").inner_text()
    a11y(coach)  # the open list and the textarea pointing into it
    coach.screenshot(path=str(SCREENSHOTS / "collab-mention-list-desktop.png"))
    box.press("Enter")
    assert listbox.is_hidden()
    assert box.input_value() == "Listen to this one @DanaRep "
    assert box.get_attribute("aria-activedescendant") is None

    # Keyboard through several matches: "@e" lists Eli West (and whoever else starts so); ArrowDown
    # moves, ArrowUp comes back, Escape closes without writing.
    box.press_sequentially("and @e")
    listbox.wait_for(state="visible")
    names = _options(coach)
    assert "Eli West" in names and "Dana Rep" not in names, names
    first = box.get_attribute("aria-activedescendant")
    if len(names) > 1:
        box.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant") != first
        box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == first
    box.press("Escape")
    assert listbox.is_hidden() and box.input_value() == "Listen to this one @DanaRep and @e"
    box.press("Backspace")
    box.press("Backspace")
    box.press_sequentially("with @")
    listbox.wait_for(state="visible")  # a bare "@" lists people too
    box.press_sequentially("ada")
    assert _options(coach)[0] == "Ada Admin"
    box.press("Tab")
    assert box.input_value() == "Listen to this one @DanaRep and with @AdaAdmin "
    coach.locator("#cm-at").fill("1:00")
    coach.get_by_role("button", name="Comment", exact=True).click()
    coach.wait_for_url(re.compile(rf".*/calls/{call_id}\?t=60#c-[0-9a-f]{{32}}$"))
    comment_id = coach.url.rsplit("#c-", 1)[1]
    with web.api("rep") as c:  # Dana's key is hers: her notifications
        notes = c.get("/v1/notifications").json()["items"]
    assert any(n["comment_id"] == comment_id and n["excerpt"].startswith("Listen to this one @DanaRep")
               for n in notes)

    # The mouse, in a reply box: the list opens under it and a click picks.
    thread = coach.locator(f"#c-{commented['ids'][0]}")
    thread.locator("details.cm-reply summary").click()
    reply = thread.locator("textarea[name=text]")
    reply.click()
    reply.press_sequentially("@eli")
    option = coach.locator("#mention-list [role=option]", has_text="Eli West")
    option.wait_for(state="visible")
    assert option.locator(".mo-who").inner_text() == "@EliWest · rep · West · cannot see this call (not notified)"
    assert coach.locator("#mention-list").evaluate("(l) => l.previousElementSibling.id") == reply.get_attribute("id")
    option.click()
    assert reply.input_value() == "@EliWest "
    assert coach.evaluate("document.activeElement.id") == reply.get_attribute("id")
    reply.press_sequentially("have a listen")
    thread.get_by_role("button", name="Reply").click()
    coach.wait_for_url(re.compile(rf".*/calls/{call_id}\?t=5&unseen={web.people['rep_west'].user_id}#c-.*"))
    assert "Eli West cannot see this call" in coach.locator("#cm-unseen").inner_text()  # resolved, not notified


def test_every_offered_handle_names_that_person_alone(web: Any, commented: dict[str, Any]) -> None:
    """The handles the page offers are those `resolve_mentions` reads back to the same person; a name
    two people share is offered by its e-mail handle; a name a mention cannot hold, by its e-mail's."""
    from sqlmodel import col, select

    from models import Call, User
    from service.core.accounts import create_user
    from service.core.db import session_scope
    from service.domain import mentions

    with session_scope(web.stack.settings()) as s:
        call = s.get(Call, commented["call"])
        assert call is not None
        create_user(s, call.org_id, "Sam Same", team_id=call.team_id, email="sam.one@example.test", role="rep")
        create_user(s, call.org_id, "Sam Same", team_id=call.team_id, email="sam.two@example.test", role="rep")
        create_user(s, call.org_id, "Zoë O'Brien", team_id=call.team_id, email="zoe@example.test", role="rep")
        people = mentions.org_people(s, call.org_id)
        offered = mentions.mention_choices(s, people, None, call, mentions.shared_with(s, call.id))
        by_handle = {p["handle"]: p for p in offered}
        assert {"sam.one", "sam.two", "zoe", "CoraCoach", "DanaRep"} <= set(by_handle)
        assert not any(h == "SamSame" for h in by_handle)
        assert by_handle["CoraCoach"]["who"] == "coach · East"
        assert (by_handle["CoraCoach"]["sees"], by_handle["EliWest"]["sees"]) == (True, False)
        for p in offered:
            found = mentions.resolve_mentions(s, call.org_id, f"hi @{p['handle']}, listen", call.id, None)
            named = found.notified + found.not_visible
            assert [u.name for u in named] == [p["name"]] and not found.ambiguous, p
        for u in s.exec(select(User).where(col(User.email).in_(
                ["sam.one@example.test", "sam.two@example.test", "zoe@example.test"]))).all():
            u.disabled = True  # out of the other tests' way
            s.add(u)
        s.commit()


def test_share_picker_lists_who_cannot_see_the_call_and_shares_it(web: Any, signed_in: Any) -> None:
    from sqlmodel import col, select

    from models import Call, User
    from service.core.access import call_condition
    from service.core.db import session_scope
    from service.domain.mentions import principal_of

    call_id = _call(web, "Call to share", recording=False)
    coach = signed_in("coach")
    coach.goto(f"/calls/{call_id}")
    picker = coach.locator("#share-form select#share-user")
    values = [v for v in picker.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    with session_scope(web.stack.settings()) as s:  # the access rule in SQL (`call_condition`), person by person
        call = s.get(Call, call_id)
        assert call is not None
        everyone = s.exec(select(User).where(col(User.org_id) == call.org_id, col(User.disabled).is_(False))).all()
        unseen = {u.id for u in everyone if s.exec(select(Call.id).where(
            col(Call.id) == call_id, call_condition(principal_of(u)))).first() is None}
    assert sorted(values) == sorted(unseen)
    ids = {k: p.user_id for k, p in web.people.items()}
    assert ids["rep_west"] in values
    assert not {ids["admin"], ids["coach"], ids["rep"], ids["rep_other"]} & set(values)
    assert picker.locator(f"option[value='{ids['rep_west']}']").inner_text() == "Eli West (rep · West)"
    rep = signed_in("rep")
    rep.goto(f"/calls/{call_id}")
    assert rep.locator("#share-form").count() == 0  # a rep shares nothing
    with web.api("rep_west") as c:
        assert c.get(f"/v1/calls/{call_id}").status_code == 404

    picker.select_option(ids["rep_west"])
    coach.get_by_role("button", name="Share", exact=True).click()
    coach.wait_for_url(f"**/calls/{call_id}#comments")
    assert coach.locator("#shares").inner_text().startswith("Eli West")
    assert coach.locator(f"#share-user option[value='{ids['rep_west']}']").count() == 0
    with web.api("rep_west") as c:
        assert c.get(f"/v1/calls/{call_id}").status_code == 200
    eli = signed_in("rep_west")
    assert eli.goto(f"/calls/{call_id}").status == 200


@pytest.fixture(scope="module")
def playlist(web: Any, commented: dict[str, Any]) -> dict[str, Any]:
    """Three clips of the call in an organization playlist of the coach's."""
    with web.api("coach") as c:
        clips = [c.post("/v1/clips", json={"call_id": commented["call"], "start_s": a, "end_s": a + 5,
                                           "title": title}).json()["id"]
                 for a, title in ((10.0, "Opening"), (40.0, "Pricing"), (90.0, "Close"))]
        made = c.post("/v1/playlists", json={"title": "Reorder me", "audience": "organization"}).json()
        for clip in clips:
            assert c.post(f"/v1/playlists/{made['id']}/clips", json={"clip_id": clip}).status_code == 201
    return {"id": made["id"], "clips": clips}


def _order(web: Any, playlist_id: str) -> list[str]:
    with web.api("coach") as c:
        return [x["title"] for x in c.get(f"/v1/playlists/{playlist_id}").json()["clips"]]


def test_moving_clips_up_and_down_a_playlist(web: Any, playlist: dict[str, Any], signed_in: Any) -> None:
    pid = playlist["id"]
    coach = signed_in("coach")
    coach.goto(f"/playlists/{pid}")
    items = coach.locator("#playlist-clips li")
    assert items.first.get_by_role("button", name="Move up: Opening").count() == 0  # the first goes no higher
    assert items.last.get_by_role("button", name="Move down: Close").count() == 0
    coach.get_by_role("button", name="Move down: Opening").click()
    coach.wait_for_url(f"**/playlists/{pid}#pc-{playlist['clips'][0]}")
    assert _order(web, pid) == ["Pricing", "Opening", "Close"]
    assert items.locator("a").all_inner_texts() == ["Pricing", "Opening", "Close"]
    coach.get_by_role("button", name="Move up: Close").click()
    coach.wait_for_url(f"**/playlists/{pid}#pc-{playlist['clips'][2]}")
    assert _order(web, pid) == ["Pricing", "Close", "Opening"]
    assert items.locator("a").all_inner_texts() == ["Pricing", "Close", "Opening"]
    assert coach.locator("#playlist-player").get_attribute("src") == f"/clips/{playlist['clips'][1]}/audio"
    bad = coach.request.post(f"/playlists/{pid}/clips/{playlist['clips'][1]}/move",
                             form={"csrf_token": _csrf(coach), "direction": "sideways"}, max_redirects=0)
    assert bad.status == 422

    west = signed_in("rep_west")  # sees the organization's playlist, may not change it
    west.goto(f"/playlists/{pid}")
    assert west.locator("#playlist-clips li").count() == 3
    assert west.locator(".pl-actions").count() == 0 and west.get_by_role("button", name=re.compile("Move")).count() == 0
    forged = west.request.post(f"/playlists/{pid}/clips/{playlist['clips'][1]}/move",
                               form={"csrf_token": _csrf(west), "direction": "up"}, max_redirects=0)
    assert forged.status == 403, forged.status
    other = signed_in("rep_other")  # another organization: not even there
    other.goto("/playlists")
    forged = other.request.post(f"/playlists/{pid}/clips/{playlist['clips'][1]}/move",
                                form={"csrf_token": _csrf(other), "direction": "up"}, max_redirects=0)
    assert forged.status == 404, forged.status
    assert _order(web, pid) == ["Pricing", "Close", "Opening"]


def test_the_pages_fit_and_pass_axe(web: Any, commented: dict[str, Any], playlist: dict[str, Any],
                                    signed_in: Any, a11y: Any) -> None:
    coach = signed_in("coach")
    problems = layout_problems(coach, f"/calls/{commented['call']}", "collab-call")
    problems += layout_problems(coach, f"/playlists/{playlist['id']}", "collab-playlist")
    rep = signed_in("rep")
    problems += layout_problems(rep, f"/calls/{commented['call']}", "collab-call-rep")
    assert not problems, "\n".join(problems)
    # After a click on a mark (the thread highlighted, with an edit form open), at both widths.
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        coach.set_viewport_size(size)
        coach.goto(f"/calls/{commented['call']}")
        coach.locator("#comment-marks rect.cmark").nth(1).click()
        coach.evaluate("document.getElementById('player').pause()")
        coach.locator(f"#c-{commented['ids'][1]} > .cm-actions .cm-edit summary").click()
        m = coach.evaluate(MEASURE_JS)
        assert m["doc"] <= m["vw"] and not m["wide"], (label, m)
        a11y(coach)
        coach.screenshot(path=str(SCREENSHOTS / f"collab-mark-clicked-{label}.png"))
        coach.locator("#comments").screenshot(path=str(SCREENSHOTS / f"collab-comments-{label}.png"))
