"""Small defects of the web app, each checked without a browser: counts with their plural, the
favicon, the 403 page naming only people's roles, and "Use these findings" refused (and its button
disabled, with the reason) below the number of closed calls a finding needs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.main import create_app
from service.core.config import Settings
from service.web.wording import plural, tracker_label, web_text
from tests.service.web.test_admin_forms import _sign_in

PASSWORD = "correct horse battery staple"


@dataclass
class Org:
    client: TestClient
    ids: dict[str, str]


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    from models import Call, Outcome
    from service.core.accounts import create_key, create_org, create_team, create_user
    from service.core.db import session_scope
    from service.core.sessions import set_password

    settings = Settings(data_dir=tmp_path, login_attempts_per_minute=100, key_cache_s=0)
    with TestClient(create_app(settings, start_executor=False)) as client:
        with session_scope(settings) as s:
            acme = create_org(s, "Acme")
            east = create_team(s, acme.id, "East")  # one team
            admin = create_user(s, acme.id, "Ada Admin", email="admin@example.test", role="admin")
            coach = create_user(s, acme.id, "Cora Coach", team_id=east.id, email="coach@example.test", role="coach")
            rep = create_user(s, acme.id, "Dana Rep", team_id=east.id, email="rep@example.test", role="rep")
            for u in (admin, coach, rep):
                set_password(s, u, PASSWORD)
            create_key(s, acme.id, "integration")  # one active key
            call = Call(org_id=acme.id, team_id=east.id, rep_user_id=rep.id, rep_name="Dana Rep", media_kind="vtt",
                        status="done", title="The only closed call")
            s.add(call)
            s.flush()
            s.add(Outcome(org_id=acme.id, call_id=call.id, outcome="won"))
            s.commit()
            ids = {"org": acme.id, "east": east.id}
        yield Org(client, ids)


def test_wording() -> None:
    assert [plural(1, "team"), plural(2, "team"), plural(0, "team"), plural(1, "person", "people"),
            plural(3, "person", "people")] == ["1 team", "2 teams", "0 teams", "1 person", "3 people"]
    assert tracker_label("budget_objection") == "Budget objection"
    assert tracker_label("next-steps") == "Next steps"
    assert web_text("named as the rep (`--rep NAME`). Every rep metric is empty.") == \
        "named as the rep. Every rep metric is empty."
    assert web_text("It may be wrong. Analyse it again with `talktrack analyze CALL --speakers 2`.") == "It may be wrong."


def test_admin_overview_counts_in_the_singular(org: Org) -> None:
    _sign_in(org.client, "admin@example.test")
    text = " ".join(org.client.get("/admin").text.split())
    assert "3 users, 1 team." in text, text
    assert "1 active key." in text
    assert "1 teams" not in text and "1 active keys" not in text
    users = " ".join(org.client.get("/admin/users").text.split())
    assert "East <span class=\"meta\">(2 people)</span>" in users


def test_favicon_is_served_and_linked(org: Org) -> None:
    r = org.client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert org.client.get("/static/favicon.svg").status_code == 200
    assert '<link rel="icon" href="/static/favicon.svg"' in org.client.get("/login").text


def test_forbidden_page_names_only_peoples_roles(org: Org) -> None:
    _sign_in(org.client, "rep@example.test")
    r = org.client.get("/insights")
    assert r.status_code == 403
    assert "integration" not in r.text
    assert "needs the admin or coach role" in r.text


def test_findings_cannot_be_kept_from_one_closed_call(org: Org) -> None:
    csrf = _sign_in(org.client, "coach@example.test")
    page = org.client.get("/insights").text
    button = re.search(r"<button[^>]*>Use these findings[^<]*</button>", page)
    assert button and "disabled" in button.group(0), button
    assert re.search(r"Needs at least 60 closed calls \(won or lost\) to keep: [^<]* has [01]\.", page)
    r = org.client.post("/insights/snapshot", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 422 and "Needs at least 60 closed calls" in r.text
    assert "Stored" not in org.client.get("/insights").text


def test_invite_link_is_on_the_address_the_admin_uses(org: Org, tmp_path: Path) -> None:
    csrf = _sign_in(org.client, "admin@example.test")
    users = org.client.get("/admin/users").text
    user_id = re.search(r'action="/admin/users/([0-9a-f]+)/invite"', users)
    assert user_id
    r = org.client.post(f"/admin/users/{user_id.group(1)}/invite", data={"csrf_token": csrf},
                        headers={"Host": "talktrack.local:8123"})
    link = re.search(r'value="(http[^"]+/invite/[^"]+)"', r.text)
    assert link and link.group(1).startswith("http://talktrack.local:8123/invite/"), link


