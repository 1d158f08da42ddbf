"""The call page's comments panel in a real browser: a comment posted from the page is listed with
its moment, a reply joins its thread, an @mention of someone who cannot see the call says so, the
mentioned coach's header counts it and the inbox links to the moment; the panel and the inbox fit
1366x900 and 390x844 (`layout_problems`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.service.conftest import VTT
from tests.service.web.layout import layout_problems


def test_a_comment_from_the_call_page(web: Any, signed_in: Any, tmp_path: Path) -> None:
    source = tmp_path / "comments.vtt"
    source.write_text(VTT)
    call_id = web.upload("rep", source, title="Comments page call")
    web.wait_done("rep", call_id)
    rep = signed_in("rep")
    rep.goto(f"/calls/{call_id}")
    rep.locator("#cm-text").fill("Great open question here @Cora Coach, and @eli.west should hear it")
    rep.locator("#cm-at").fill("0:06")
    rep.get_by_role("button", name="Comment", exact=True).click()
    rep.wait_for_url(re.compile(rf".*/calls/{call_id}\?t=6&unseen=.*#c-.*"))
    thread = rep.locator("#threads .thread").first
    assert "Great open question here" in thread.locator(".cm-text").inner_text()
    assert thread.locator("button.seek").inner_text() == "0:06"
    assert "Eli West cannot see this call" in rep.locator("#cm-unseen").inner_text()
    assert rep.locator("#cm-unseen form").count() == 0  # a rep cannot share; a coach or admin can
    thread.locator("details.cm-reply summary").click()
    thread.locator("details.cm-reply textarea[name=text]").fill("Adding: the customer answered at length.")
    thread.get_by_role("button", name="Reply").click()
    rep.wait_for_load_state("load")
    assert rep.locator("#threads .thread").first.locator(".replies .cm-text").inner_text() == \
        "Adding: the customer answered at length."

    coach = signed_in("coach")  # "@Cora Coach": "@Cora" alone does not name "Cora Coach"; see below
    coach.goto("/mentions")
    assert coach.locator("#no-mentions").count() == 1
    rep.locator("#cm-text").fill("@CoraCoach please score this one")
    rep.locator("#cm-at").fill("12")
    rep.get_by_role("button", name="Comment", exact=True).click()
    rep.wait_for_url(re.compile(rf".*/calls/{call_id}\?t=12#c-.*"))
    coach.goto("/mentions")
    coach.locator("#mentions-unread").wait_for()
    assert coach.locator("#mentions-unread").inner_text() == "1"
    link = coach.locator("#mentions li a").first
    assert link.get_attribute("href") == f"/calls/{call_id}?t=12"
    problems = layout_problems(coach, f"/calls/{call_id}", "comments-call")
    problems += layout_problems(coach, "/mentions", "mentions")
    assert not problems, "\n".join(problems)
    coach.set_viewport_size({"width": 1366, "height": 900})
    coach.goto("/mentions")
    coach.get_by_role("button", name="Mark read").click()
    coach.wait_for_url("**/mentions")
    assert coach.locator("#mentions-unread").count() == 0
