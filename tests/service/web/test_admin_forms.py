"""Admin pages' forms and rules without a browser (a TestClient on a fresh SQLite database):
organization boundaries (404), roles (403), errors shown on the page (no 500), secrets shown once,
webhook deliveries, trackers and the playbook through the same domain functions as the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.main import create_app
from service.core.config import Settings

PASSWORD = "correct horse battery staple"


@dataclass
class Org:
    client: TestClient
    settings: Settings
    ids: dict[str, str]


def _sign_in(client: TestClient, email: str) -> str:
    """Signs the client in (as nobody else first); returns the page's CSRF token."""
    client.cookies.clear()
    token = re.search(r'name="prelogin" value="([^"]+)"', client.get("/login").text)
    assert token
    r = client.post("/login", data={"email": email, "password": PASSWORD, "prelogin": token.group(1)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert csrf
    return csrf.group(1)


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    from service.core.accounts import create_key, create_org, create_team, create_user
    from service.core.db import session_scope
    from service.core.sessions import set_password

    settings = Settings(data_dir=tmp_path, login_attempts_per_minute=100, key_cache_s=0,
                        public_url="https://talktrack.example.test")
    with TestClient(create_app(settings, start_executor=False), base_url="https://testserver") as client:
        with session_scope(settings) as s:
            acme, globex = create_org(s, "Acme"), create_org(s, "Globex")
            east = create_team(s, acme.id, "East")
            other_team = create_team(s, globex.id, "Far")
            admin = create_user(s, acme.id, "Ada Admin", email="admin@example.test", role="admin")
            coach = create_user(s, acme.id, "Cora Coach", team_id=east.id, email="coach@example.test", role="coach")
            stranger = create_user(s, globex.id, "Finn Other", email="other@example.test", role="admin")
            for u in (admin, coach, stranger):
                set_password(s, u, PASSWORD)
            other_key = create_key(s, globex.id, "integration").row.id
            ids = {"org": acme.id, "east": east.id, "admin": admin.id, "coach": coach.id, "stranger": stranger.id,
                   "other_key": other_key, "other_team": other_team.id}
        yield Org(client, settings, ids)


def test_coach_gets_403_on_every_admin_page(org: Org) -> None:
    csrf = _sign_in(org.client, "coach@example.test")
    for path in ("/admin", "/admin/users", "/admin/keys", "/admin/webhooks", "/admin/trackers", "/admin/playbook"):
        r = org.client.get(path)
        assert r.status_code == 403 and "Not allowed" in r.text, path
    r = org.client.post("/admin/users", data={"csrf_token": csrf, "name": "X", "email": "x@example.test",
                                              "role": "admin"})
    assert r.status_code == 403
    r = org.client.post("/admin/keys", data={"csrf_token": csrf, "role": "admin"})
    assert r.status_code == 403 and "tt_" not in r.text


def test_other_organizations_rows_are_404(org: Org) -> None:
    csrf = _sign_in(org.client, "admin@example.test")
    ids = org.ids
    for path, data in ((f"/admin/users/{ids['stranger']}", {"role": "rep"}),
                       (f"/admin/users/{ids['stranger']}/disable", {}),
                       (f"/admin/users/{ids['stranger']}/invite", {}),
                       (f"/admin/keys/{ids['other_key']}/revoke", {}),
                       (f"/admin/users/{ids['coach']}", {"role": "coach", "team_id": ids["other_team"]}),
                       ("/admin/webhooks/nope/delete", {}), ("/admin/trackers/nope/delete", {})):
        r = org.client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert r.status_code == 404, (path, r.status_code)
    # Nothing changed in the other organization.
    from models import ApiKey, User
    from service.core.db import session_scope

    with session_scope(org.settings) as s:
        stranger = s.get(User, ids["stranger"])
        key = s.get(ApiKey, ids["other_key"])
        assert stranger is not None and stranger.role == "admin" and not stranger.disabled
        assert key is not None and key.revoked_at is None


def test_users_teams_and_errors_on_the_page(org: Org) -> None:
    csrf = _sign_in(org.client, "admin@example.test")
    c = org.client
    r = c.post("/admin/teams", data={"csrf_token": csrf, "team_name": "West"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/users?done=team-created"
    r = c.post("/admin/teams", data={"csrf_token": csrf, "team_name": "west"})
    assert r.status_code == 422 and "already a team called" in r.text
    r = c.post("/admin/users", data={"csrf_token": csrf, "name": "Dana Rep", "email": "dana@example.test",
                                     "role": "rep", "team_id": org.ids["east"]})
    assert "User created" in r.text and "Dana Rep" in r.text and "No password yet" in r.text
    # A taken e-mail and a bad role come back on the page, with what was typed.
    r = c.post("/admin/users", data={"csrf_token": csrf, "name": "Dana Two", "email": "DANA@example.test",
                                     "role": "rep"})
    assert r.status_code == 422 and "already exists" in r.text and 'value="Dana Two"' in r.text
    r = c.post("/admin/users", data={"csrf_token": csrf, "name": "Eve", "email": "eve@example.test", "role": "boss"})
    assert r.status_code == 422 and "role is one of admin, coach, rep" in r.text
    # The only admin cannot demote or disable themselves.
    r = c.post(f"/admin/users/{org.ids['admin']}", data={"csrf_token": csrf, "role": "rep"})
    assert r.status_code == 422 and "only admin" in r.text
    r = c.post(f"/admin/users/{org.ids['admin']}/disable", data={"csrf_token": csrf})
    assert r.status_code == 422 and "cannot disable yourself" in r.text
    # Coach -> rep of no team: their coach key would see the team, so it is revoked; a rep key stays.
    from models import ApiKey, User
    from service.core.accounts import create_key
    from service.core.db import session_scope

    with session_scope(org.settings) as s:
        coach_key = create_key(s, org.ids["org"], "coach", user_id=org.ids["coach"]).row.id
        key_id = create_key(s, org.ids["org"], "rep", user_id=org.ids["coach"]).row.id
    r = c.post(f"/admin/users/{org.ids['coach']}", data={"csrf_token": csrf, "role": "rep", "team_id": ""})
    assert "User updated" in r.text
    with session_scope(org.settings) as s:
        revoked = {k: s.get(ApiKey, k).revoked_at is not None for k in (coach_key, key_id)}  # type: ignore[union-attr]
    assert revoked == {coach_key: True, key_id: False}
    # Disabling signs them out and revokes the rest of their keys.
    r = c.post(f"/admin/users/{org.ids['coach']}/disable", data={"csrf_token": csrf})
    assert "User disabled" in r.text
    with session_scope(org.settings) as s:
        coach = s.get(User, org.ids["coach"])
        key = s.get(ApiKey, key_id)
        assert coach is not None and coach.disabled and coach.role == "rep" and coach.team_id is None
        assert key is not None and key.revoked_at is not None
    r = c.post(f"/admin/users/{org.ids['coach']}/invite", data={"csrf_token": csrf})
    assert r.status_code == 422 and "is disabled" in r.text
    assert "User enabled" in c.post(f"/admin/users/{org.ids['coach']}/enable", data={"csrf_token": csrf}).text
    r = c.post(f"/admin/users/{org.ids['coach']}/invite", data={"csrf_token": csrf})
    link = re.search(r'id="revealed" class="secret" readonly value="([^"]+)"', r.text)
    assert link and link.group(1).startswith("https://talktrack.example.test/invite/")
    # Shown once: the users page does not carry it.
    assert link.group(1) not in c.get("/admin/users").text


def test_keys_are_shown_once_and_need_a_person_for_rep_keys(org: Org) -> None:
    csrf = _sign_in(org.client, "admin@example.test")
    c = org.client
    r = c.post("/admin/keys", data={"csrf_token": csrf, "role": "rep", "name": "no person"})
    assert r.status_code == 422 and "belongs to a person" in r.text
    r = c.post("/admin/keys", data={"csrf_token": csrf, "role": "integration", "name": "CRM"})
    secret = re.search(r'id="revealed" class="secret" readonly value="([^"]+)"', r.text)
    assert r.status_code == 200 and secret
    listing = c.get("/admin/keys").text
    assert secret.group(1) not in listing and "CRM" in listing and secret.group(1)[:8] in listing


def test_webhooks_with_their_deliveries(org: Org) -> None:
    from sqlmodel import select

    from models import Webhook, WebhookAttempt, WebhookDelivery
    from service.core.db import session_scope

    csrf = _sign_in(org.client, "admin@example.test")
    c = org.client
    r = c.post("/admin/webhooks", data={"csrf_token": csrf, "url": "not a url", "events": "call.analyzed"})
    assert r.status_code == 422 and "url" in r.text.lower() and 'value="not a url"' in r.text
    r = c.post("/admin/webhooks", data={"csrf_token": csrf, "url": "https://crm.example.test/hook"})
    assert r.status_code == 422 and "events" in r.text  # no event ticked
    r = c.post("/admin/webhooks", data={"csrf_token": csrf, "url": "https://crm.example.test/hook",
                                        "events": ["call.analyzed", "call.failed"]})
    assert "Signing secret of https://crm.example.test/hook" in r.text
    with session_scope(org.settings) as s:
        hook = s.exec(select(Webhook)).one()
        assert hook.events == ["call.analyzed", "call.failed"] and hook.org_id == org.ids["org"]
        d = WebhookDelivery(webhook_id=hook.id, org_id=hook.org_id, event="call.failed", call_id="c" * 32,
                            payload_json="{}", status="failed", attempts=2, last_status_code=500,
                            last_error="HTTP 500", next_attempt_at=None)
        s.add(d)
        s.flush()
        s.add(WebhookAttempt(delivery_id=d.id, attempt=1, status_code=500, error="HTTP 500"))
        s.commit()
        hook_id = hook.id
    page = c.get("/admin/webhooks").text
    assert "call.failed" in page and "HTTP 500" in page and ">failed<" in page and ">2<" in page
    # The API answers from the same domain function.
    from service.core.accounts import create_key

    with session_scope(org.settings) as s:
        key = create_key(s, org.ids["org"], "admin").secret
    api = c.get(f"/v1/webhooks/{hook_id}/deliveries", headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 200 and api.json()[0]["attempts"] == 2 and len(api.json()[0]["attempt_log"]) == 1
    r = c.post(f"/admin/webhooks/{hook_id}/delete", data={"csrf_token": csrf})
    assert "Webhook stopped" in r.text and "Stopped" in r.text


def test_trackers_and_playbook(org: Org) -> None:
    csrf = _sign_in(org.client, "admin@example.test")
    c = org.client
    r = c.post("/admin/trackers", data={"csrf_token": csrf, "name": "competitors", "phrases": "acme\n\nglobex corp\n",
                                        "speaker_role": "customer", "threshold": "0.7", "enabled": "on"})
    assert "Tracker saved" in r.text and "acme, globex corp" in r.text
    r = c.post("/admin/trackers", data={"csrf_token": csrf, "name": "competitors", "phrases": "x", "enabled": "on"})
    assert r.status_code == 409 and "already exists" in r.text
    r = c.post("/admin/trackers", data={"csrf_token": csrf, "name": "t2", "phrases": "x", "threshold": "high"})
    assert r.status_code == 422 and "threshold" in r.text
    r = c.post("/admin/trackers", data={"csrf_token": csrf, "name": "pricing"})  # disable a built-in
    assert "Tracker saved" in r.text and "replaces built-in" in r.text
    from service.core.db import session_scope
    from service.domain.org_definitions import org_trackers

    with session_scope(org.settings) as s:
        names = {t.name for t in org_trackers(s, org.ids["org"]).trackers}  # type: ignore[union-attr]
    assert "competitors" in names and "pricing" not in names

    page = c.get("/admin/playbook").text
    assert "bundled one" in page and "discovery_opener:" in page  # the bundled YAML as a starting point
    r = c.post("/admin/playbook", data={"csrf_token": csrf, "name": "Q4", "content": "situations: [oops"})
    assert r.status_code == 422 and "not valid YAML (line 1)" in r.text and "situations: [oops" in r.text
    r = c.post("/admin/playbook", data={"csrf_token": csrf, "name": "Q4",
                                        "content": "situations:\n  x: {kind: moment}\n"})
    assert r.status_code == 422 and "needs a &#39;title&#39; and a &#39;do&#39;" in r.text
    r = c.post("/admin/playbook", data={"csrf_token": csrf, "name": "Q4", "content": (
        "situations:\n  x: {kind: behaviour, title: t, do: d, feature: talk_ratio,"
        " band: {op: '<=', value: lots, source: s}}\n")})
    assert r.status_code == 422 and "does not fit the shape" in r.text
    good = ("situations:\n  price_push:\n    kind: moment\n    title: Price pushback\n    do: Ask what they compare"
            " it with.\n    trackers: [pricing]\n    say: [\"Compared with what?\"]\nlive_rules: {moments: true}\n")
    r = c.post("/admin/playbook", data={"csrf_token": csrf, "name": "Q4", "content": good})
    assert "Playbook saved" in r.text and "<strong>Q4</strong>" in r.text and "1 situations" in r.text
    # The API stores through the same checks, and the newest active playbook is the only active one.
    from service.core.accounts import create_key

    with session_scope(org.settings) as s:
        key = create_key(s, org.ids["org"], "admin").secret
    auth = {"Authorization": f"Bearer {key}"}
    bad = c.post("/v1/playbooks", json={"name": "bad", "content": {"situations": {"y": {"kind": "nope"}}}},
                 headers=auth)
    assert bad.status_code == 422 and "kind" in bad.json()["detail"]
    ok = c.post("/v1/playbooks", json={"name": "Q1", "content": {"live_rules": {"moments": False}}}, headers=auth)
    assert ok.status_code == 201
    listed = {p["name"]: p["active"] for p in c.get("/v1/playbooks", headers=auth).json()}
    assert listed == {"Q1": True, "Q4": False}
    assert "<strong>Q1</strong>" in c.get("/admin/playbook").text
