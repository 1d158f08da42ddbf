"""Who may delete a call (`service.core.access.may_delete_call`): an admin, any call; the person who
uploaded it, within `TALKTRACK_DELETE_GRACE_H` hours (24 by default), never after; nobody else
(403). The rule on its own, then against a real server (both backends) through the API and the call
page: a browser upload is still the person's after they sign out and in again (a session lasts 12 h,
the grace period 24), the page shows the button only to those allowed, each deletion is audited
with the rule that allowed it, and the library says in words what went."""

from __future__ import annotations

import re
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from service.core.access import Principal, may_delete_call, require_delete_call, uploader_of
from service.core.errors import Forbidden

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_the_rule() -> None:
    rep = Principal(key_id="k1", org_id="o", role="rep", user_id="u1")
    coach = Principal(key_id="k2", org_id="o", role="coach", user_id="u2")
    admin = Principal(key_id="k3", org_id="o", role="admin")
    integration = Principal(key_id="k4", org_id="o", role="integration")
    unbound_coach_key = Principal(key_id="k5", org_id="o", role="coach")
    just, late = NOW - timedelta(hours=23, minutes=59), NOW - timedelta(hours=24)
    assert may_delete_call(rep, "u1", just, NOW, 24.0)
    assert not may_delete_call(rep, "u1", late, NOW, 24.0)  # never after
    assert may_delete_call(rep, "u1", NOW + timedelta(seconds=5), NOW, 24.0)  # another process's clock
    assert not may_delete_call(rep, "u1", just, NOW, 0.0)  # 0: only admins
    assert not may_delete_call(coach, "u1", just, NOW, 24.0)  # not the uploader
    assert may_delete_call(coach, "u2", just, NOW, 24.0)
    assert not may_delete_call(rep, None, just, NOW, 24.0)  # nobody known uploaded it
    assert may_delete_call(admin, None, NOW - timedelta(days=900), NOW, 24.0)
    assert not may_delete_call(integration, "k4", just, NOW, 24.0)  # its role never deletes
    assert may_delete_call(unbound_coach_key, "k5", just, NOW, 24.0)  # a key of no person: by its id
    with pytest.raises(Forbidden, match="the 24 hours in which the person who uploaded a call may delete it have "
                                        "passed: ask an admin"):
        require_delete_call(rep, "u1", late, NOW, 24.0)
    with pytest.raises(Forbidden, match="only an admin, or the person who uploaded the call within 1.5 hours"):
        require_delete_call(coach, "u1", just, NOW, 1.5)
    # A signed-in person is recorded as the uploader by their user id, a key by its id.
    assert uploader_of(Principal(key_id="session", org_id="o", role="rep", user_id="u1", via_session=True)) == "u1"
    assert uploader_of(rep) == "k1"


def _age(stack: Any, call_id: str, hours: float) -> None:
    """Make the call look uploaded `hours` ago."""
    from models import Call
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        call = s.get(Call, call_id)
        assert call is not None
        call.created_at = datetime.now(UTC) - timedelta(hours=hours)
        s.add(call)
        s.commit()


def _delete_events(stack: Any, call_id: str) -> list[dict[str, Any]]:
    with stack.client("admin") as c:
        r = c.get("/v1/audit", params={"action": "call.delete", "target": call_id})
        assert r.status_code == 200, r.text
        events: list[dict[str, Any]] = r.json()["items"]
        return events


def test_the_uploader_deletes_within_the_grace_period_and_never_after(stack: Any, h: Any) -> None:
    with stack.client("rep1") as c:
        mine = h.upload(c, title="wrong file").json()["id"]
        late = h.upload(c, title="kept").json()["id"]
    _age(stack, late, 24.1)
    with stack.client("coach") as c:  # sees the call (team East), did not upload it
        r = c.delete(f"/v1/calls/{mine}")
        assert r.status_code == 403 and "only an admin, or the person who uploaded the call within 24 hours" \
            in r.json()["detail"], r.text
    with stack.client("rep2") as c:  # does not see it: as if it did not exist
        assert c.delete(f"/v1/calls/{mine}").status_code == 404
    with stack.client("rep1") as c:
        r = c.delete(f"/v1/calls/{late}")
        assert r.status_code == 403 and "have passed: ask an admin" in r.json()["detail"], r.text
        assert c.get(f"/v1/calls/{late}").status_code == 200  # nothing was deleted
        assert c.delete(f"/v1/calls/{mine}").status_code == 204
        assert c.get(f"/v1/calls/{mine}").status_code == 404
    [event] = _delete_events(stack, mine)
    assert event["actor_user_id"] == stack.ids["rep1"] and event["detail"]["as"] == "uploader"
    assert event["detail"]["call"] == 1 and event["detail"]["job"] == 1  # the counts per table stay
    with stack.client("admin") as c:
        assert c.delete(f"/v1/calls/{late}").status_code == 204
    [event] = _delete_events(stack, late)
    assert event["detail"]["as"] == "admin"


def _web(stack: Any, user_id: str, email: str) -> httpx.Client:
    """A browser-like client signed in as the user (a fresh session each time)."""
    from models import User
    from service.core.db import session_scope
    from service.core.sessions import set_password

    with session_scope(stack.settings()) as s:
        user = s.get(User, user_id)
        assert user is not None
        if user.email != email:
            user.email = email
            s.add(user)
            s.commit()
        set_password(s, user, PASSWORD)
    c = httpx.Client(base_url=stack.url, timeout=30)
    token = re.search(r'name="prelogin" value="([^"]+)"', c.get("/login").text)
    assert token
    r = c.post("/login", data={"email": email, "password": PASSWORD, "prelogin": token.group(1)})
    assert r.status_code == 303, r.text[:300]
    return c


def _csrf(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found
    return found.group(1)


def test_a_browser_upload_stays_the_persons_and_the_page_follows_the_rule(stack: Any, h: Any) -> None:
    rep = stack.ids["rep1"]
    with closing(_web(stack, rep, "dana.delete@example.test")) as web:
        csrf = _csrf(web.get("/").text)
        r = h.upload(web, title="browser upload", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 202, r.text
        call_id = r.json()["id"]
        analysed = h.wait_status(web, call_id)["status"] == "done"  # failed: the words below say so
        web.post("/logout", data={"csrf_token": csrf})
    from models import Call
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        call = s.get(Call, call_id)
        assert call is not None and call.uploaded_by_key_id == rep  # the person, not the browser session
    coach = stack.ids["coach"]
    with closing(_web(stack, coach, "cora.delete@example.test")) as web:  # no button, and the form is refused
        page = web.get(f"/calls/{call_id}").text
        assert "browser upload" in page and f'action="/calls/{call_id}/delete"' not in page
        r = web.post(f"/calls/{call_id}/delete", data={"csrf_token": _csrf(page)})
        assert r.status_code == 403
    with closing(_web(stack, rep, "dana.delete@example.test")) as web:  # signed in again: a new session
        page = web.get(f"/calls/{call_id}").text
        assert f'action="/calls/{call_id}/delete"' in page and ('id="delete-call"' in page) == analysed
        r = web.post(f"/calls/{call_id}/delete", data={"csrf_token": _csrf(page)})
        assert r.status_code == 303 and r.headers["location"].startswith("/?deleted="), r.headers
        library = web.get(r.headers["location"]).text
        said = re.search(r'<p class="notice ok" role="status" id="deleted">([^<]+)</p>', library)
        words = "its analysis and uploaded transcript" if analysed else "its uploaded transcript"
        assert said and said.group(1) == f"Deleted the call, {words}.", library[:2000]
        assert web.get(f"/calls/{call_id}").status_code == 404
        # The words come from the page: an address cannot make the library say anything else.
        forged = web.get("/?deleted=%3Cscript%3E-1,recording-1").text
        assert 'id="deleted">Deleted the call, its recording.</p>' in forged and "<script>-1" not in forged
    [event] = _delete_events(stack, call_id)
    assert event["actor_user_id"] == rep and event["via"] == "web" and event["detail"]["as"] == "uploader"
    _age_and_check_hidden(stack, h, rep)


def _age_and_check_hidden(stack: Any, h: Any, rep: str) -> None:
    """Past the grace period the uploader's page has no button; an admin's has one."""
    with stack.client("rep1") as c:
        call_id = h.upload(c, title="old upload").json()["id"]
        h.wait_status(c, call_id)
    _age(stack, call_id, 30)
    with closing(_web(stack, rep, "dana.delete@example.test")) as web:
        page = web.get(f"/calls/{call_id}").text
        assert "old upload" in page and f'action="/calls/{call_id}/delete"' not in page
        assert web.post(f"/calls/{call_id}/delete", data={"csrf_token": _csrf(page)}).status_code == 403
    with stack.client("admin") as c:
        assert c.delete(f"/v1/calls/{call_id}").status_code == 204
