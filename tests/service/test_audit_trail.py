"""The audit trail against a real server (SQLite and PostgreSQL): sign-ins, views of a call (page and
API), downloads, deletions, role changes and API keys are recorded once each, by whom and through
which surface; admins read them (`GET /v1/audit`, `/admin/audit`) and export them as CSV and JSON;
the log refuses UPDATE and DELETE in the database itself."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stack(request: pytest.FixtureRequest, h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server of its own: the tests count events."""
    with h.running_stack(request.param, tmp_path_factory.mktemp(f"audit-{request.param}")) as s:
        yield s


def _person(stack: Any, name: str, role: str = "rep") -> dict[str, str]:
    from service.core.accounts import create_user
    from service.core.db import session_scope
    from service.core.sessions import set_password, start_session

    with session_scope(stack.settings()) as s:
        user = create_user(s, stack.ids["org_a"], name, team_id=stack.ids["team1"], role=role,
                           email=f"{name.lower()}@example.test")
        set_password(s, user, PASSWORD)
        started = start_session(s, user, hours=1)
        return {"id": user.id, "email": user.email or "", "cookie": started.token, "csrf": started.row.csrf_token}


def _web(stack: Any, person: dict[str, str]) -> httpx.Client:
    from service.core.sessions import SESSION_COOKIE

    return httpx.Client(base_url=stack.url, cookies={SESSION_COOKIE: person["cookie"]}, timeout=30)


def _events(stack: Any, **params: str) -> list[dict[str, Any]]:
    with stack.client("admin") as admin:
        r = admin.get("/v1/audit", params={"limit": 500, **params})
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items


def _sign_in(stack: Any, email: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=stack.url, timeout=30) as c:
        c.get("/login")
        token = c.cookies.get("tt_prelogin")
        return c.post("/login", data={"email": email, "password": password, "prelogin": token or ""})


def test_sign_ins_views_downloads_and_deletions_are_recorded(stack: Any, h: Any) -> None:
    admin_person = _person(stack, "Ada", "admin")
    assert _sign_in(stack, admin_person["email"], PASSWORD).status_code == 303
    assert _sign_in(stack, admin_person["email"], "wrong password").status_code == 401
    assert _sign_in(stack, "nobody@example.test", "wrong").status_code == 401
    signins = _events(stack, action="signin")
    assert len(signins) == 1 and signins[0]["actor_user_id"] == admin_person["id"]
    assert signins[0]["ip"] == "127.0.0.1" and signins[0]["via"] == "web" and signins[0]["actor_name"] == "Ada"
    failed = _events(stack, action="signin.failed")
    assert len(failed) == 1 and failed[0]["target_id"] == admin_person["id"]  # the unknown address: no org

    with stack.client("rep1") as c:
        r = h.upload(c, h.vtt, title="audited")
        call_id = r.json()["id"]
        assert h.wait_status(c, call_id)["status"] == "done"  # polling: deduplicated below
    with _web(stack, admin_person) as web:
        for _ in range(3):
            assert web.get(f"/calls/{call_id}").status_code == 200
        assert web.get(f"/calls/{call_id}/transcript.txt").status_code == 200
        assert web.get(f"/calls/{call_id}/analysis.json").status_code == 200
    with stack.client("admin") as admin:
        for _ in range(3):
            assert admin.get(f"/v1/calls/{call_id}").status_code == 200
        assert admin.get(f"/v1/calls/{call_id}/transcript", params={"format": "vtt"}).status_code == 200
    views = _events(stack, action="call.view", target=call_id)
    by = [(e["via"], e["actor_user_id"], e["actor_key_id"]) for e in views]
    assert len([e for e in views if e["actor_user_id"] == admin_person["id"]]) == 1  # the page, once a minute
    assert len([e for e in views if e["via"] == "api" and e["actor_user_id"] is None]) == 1, by  # the admin key
    downloads = _events(stack, action="call.download", target=call_id)
    assert sorted(e["detail"]["file"] for e in downloads) == ["analysis.json", "transcript.txt", "transcript.vtt"]

    with stack.client("rep1") as c:
        assert c.delete(f"/v1/calls/{call_id}").status_code == 204
    deleted = _events(stack, action="call.delete", target=call_id)
    assert len(deleted) == 1 and deleted[0]["actor_user_id"] == stack.ids["rep1"] and deleted[0]["detail"]["call"] == 1
    with stack.client("admin") as admin:
        stone = admin.get("/v1/tombstones", params={"kind": "call"}).json()["items"][0]
        assert stone["call_ids"] == [call_id] and stone["by_user_id"] == stack.ids["rep1"]
        assert stone["id"] == deleted[0]["detail"]["tombstone"]


def test_role_changes_and_keys_are_recorded(stack: Any) -> None:
    ada = _person(stack, "Abe", "admin")
    rex = _person(stack, "Rex", "rep")
    with _web(stack, ada) as web:
        r = web.post(f"/admin/users/{rex['id']}", data={"csrf_token": ada["csrf"], "role": "coach",
                                                        "team_id": stack.ids["team1"]})
        assert r.status_code == 303, r.text
        page = web.post("/admin/keys", data={"csrf_token": ada["csrf"], "role": "integration", "name": "CRM"})
        assert page.status_code == 200
    role = _events(stack, action="user.role", target=rex["id"])
    assert len(role) == 1 and role[0]["detail"]["role"] == ["rep", "coach"] and role[0]["actor_user_id"] == ada["id"]
    created = _events(stack, action="key.create", actor=ada["id"])
    assert len(created) == 1 and created[0]["detail"]["role"] == "integration"
    key_id = created[0]["target_id"]
    with _web(stack, ada) as web:
        assert web.post(f"/admin/keys/{key_id}/revoke", data={"csrf_token": ada["csrf"]}).status_code == 303
    assert [e["target_id"] for e in _events(stack, action="key.revoke")] == [key_id]

    env = {**stack.env, "PYTHONPATH": str(Path.cwd())}
    out = subprocess.run([sys.executable, "-m", "service.cli", "admin", "create-key", "--org", stack.ids["org_a"],
                          "--role", "admin", "--name", "ops"], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    cli = [e for e in _events(stack, action="key.create") if e["via"] == "cli"]
    assert len(cli) == 1 and cli[0]["actor_label"].startswith("cli:") and cli[0]["actor_user_id"] is None


def test_admins_read_page_and_export_the_trail(stack: Any) -> None:
    with stack.client("coach") as c:
        assert c.get("/v1/audit").status_code == 403
        assert c.get("/v1/audit/export").status_code == 403
    with stack.client("integration") as c:
        assert c.get("/v1/audit").status_code == 403  # an integration key reaches far but does less
    with stack.client("admin") as admin:
        first = admin.get("/v1/audit", params={"limit": 2}).json()
        assert len(first["items"]) == 2 and first["next_offset"] == 2 and first["total"] > 2
        second = admin.get("/v1/audit", params={"limit": 2, "offset": 2}).json()
        assert first["items"][-1]["id"] > second["items"][0]["id"]  # newest first, no overlap
        assert all(e["action"].startswith("call.") for e in admin.get("/v1/audit", params={"action": "call."}).json()["items"])
        total = first["total"]
        r = admin.get("/v1/audit/export", params={"format": "csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.headers["content-disposition"] == 'attachment; filename="talktrack-audit.csv"'
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0][:3] == ["id", "at", "action"] and len(rows) - 1 == total + 1
        assert rows[-1][2] == "audit.export"  # recorded before the file is read: it is in it
        ids = [int(row[0]) for row in rows[1:]]
        assert ids == sorted(ids)  # oldest first
        r = admin.get("/v1/audit/export", params={"format": "json", "action": "signin"})
        exported = json.loads(r.text)
        assert [e["action"] for e in exported] == ["signin"] * len(exported) and exported
        assert admin.get("/v1/audit", params={"action": "audit.export"}).json()["total"] == 2
    with stack.client("admin_b") as other:  # another organization sees none of it
        assert other.get("/v1/audit").json()["total"] == 0


def test_the_admin_page_filters_and_exports(stack: Any) -> None:
    ada = _person(stack, "Ida", "admin")
    with _web(stack, ada) as web:
        page = web.get("/admin/audit", params={"action": "key.create"})
        assert page.status_code == 200
        actions = re.findall(r'<tr data-action="([^"]+)"', page.text)
        assert actions and set(actions) == {"key.create"}
        assert 'href="/admin/audit/export.csv?action=key.create"' in page.text
        r = web.get("/admin/audit/export.csv", params={"action": "key.create"})
        assert r.status_code == 200 and len(list(csv.reader(io.StringIO(r.text)))) == len(actions) + 1
        bad = web.get("/admin/audit", params={"action": "drop table"})
        assert bad.status_code == 422 and "is not an action of the audit trail" in bad.text
        assert web.get("/admin/audit", params={"since": "yesterday"}).status_code == 422
    rep = _person(stack, "Ron", "rep")
    with _web(stack, rep) as web:
        assert web.get("/admin/audit").status_code == 403
        assert web.get("/admin/audit/export.json").status_code == 403


def test_the_log_is_append_only_in_the_database(stack: Any) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from service.core.db import get_engine

    engine = get_engine(stack.settings())
    for table in ("auditevent", "tombstone"):
        for statement in (f"UPDATE {table} SET via = 'x'", f"DELETE FROM {table}"):
            with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(statement))
                conn.commit()
    with stack.client("admin") as admin:
        assert admin.get("/v1/audit").json()["total"] > 0
