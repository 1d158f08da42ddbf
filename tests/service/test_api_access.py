"""Access control against a real server: each role's view, cross-organization 404s, 401/403/429."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def calls(stack: Any, h: Any) -> Iterator[dict[str, str]]:
    """One queued call per owner: rep1 (team East), rep2 (team West), org B's rep, an unowned one."""
    out = {}
    for role in ("rep1", "rep2", "rep_b"):
        with stack.client(role) as c:
            r = h.upload(c, title=f"{role} call", deal_id=f"deal-{role}")
            assert r.status_code == 202, r.text
            out[role] = r.json()["id"]
    with stack.client("integration") as c:
        out["unowned"] = h.upload(c, title="dialer upload").json()["id"]
    yield out
    for role, cid in out.items():  # none of these needs its analysis: free the worker for later tests
        with stack.client("admin_b" if role == "rep_b" else "admin") as c:
            c.delete(f"/v1/calls/{cid}")


def _visible(stack: Any, role: str, ids: list[str]) -> set[str]:
    with stack.client(role) as c:
        listed = {i["id"] for i in c.get("/v1/calls", params={"limit": 200}).json()["items"]}
        got = {cid for cid in ids if c.get(f"/v1/calls/{cid}").status_code == 200}
        polled = {cid for cid in ids if c.get(f"/v1/calls/{cid}/suggestions").status_code == 200}
    assert listed & set(ids) == got == polled  # list, item and the prebuilt suggestions SQL agree
    return got


def test_each_role_sees_its_scope(stack: Any, calls: dict[str, str]) -> None:
    ids = list(calls.values())
    assert _visible(stack, "admin", ids) == {calls["rep1"], calls["rep2"], calls["unowned"]}
    assert _visible(stack, "integration", ids) == {calls["rep1"], calls["rep2"], calls["unowned"]}
    assert _visible(stack, "coach", ids) == {calls["rep1"]}  # the coach's team is East
    assert _visible(stack, "rep1", ids) == {calls["rep1"]}
    assert _visible(stack, "rep2", ids) == {calls["rep2"]}
    assert _visible(stack, "admin_b", ids) == {calls["rep_b"]}


def test_other_organization_is_404_everywhere(stack: Any, calls: dict[str, str]) -> None:
    cid = calls["rep1"]
    with stack.client("admin_b") as c:
        assert c.get(f"/v1/calls/{cid}").status_code == 404
        assert c.get(f"/v1/calls/{cid}/suggestions").status_code == 404
        assert c.get(f"/v1/calls/{cid}/transcript").status_code == 404
        assert c.patch(f"/v1/calls/{cid}/speakers", json={"speakers": [{"id": "S1", "role": "rep"}]}
                       ).status_code == 404
        assert c.delete(f"/v1/calls/{cid}").status_code == 404
        assert c.post("/v1/outcomes", json={"call_id": cid, "outcome": "won"}).status_code == 404
        # A deal id of another org matches none of this org's calls.
        r = c.post("/v1/outcomes", json={"deal_id": "deal-rep1", "outcome": "lost"})
        assert r.status_code == 201 and r.json()["applies_to_calls"] == 0
    with stack.client("admin") as c:
        assert c.get(f"/v1/calls/{cid}").json()["outcome"] is None
    with stack.client("rep2") as c:  # same org, outside the rep's scope: also 404, not 403
        assert c.get(f"/v1/calls/{cid}").status_code == 404
        assert c.delete(f"/v1/calls/{cid}").status_code == 404


def test_role_permissions(stack: Any, calls: dict[str, str], h: Any) -> None:
    with stack.client("integration") as c:
        assert c.delete(f"/v1/calls/{calls['unowned']}").status_code == 403
        assert c.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}).status_code == 201
    with stack.client("rep1") as c:
        assert c.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}).status_code == 403
        assert c.get("/v1/webhooks").status_code == 403
        assert c.post("/v1/outcomes", json={"deal_id": "deal-rep1", "outcome": "won"}).status_code == 403
        assert c.post("/v1/outcomes", json={"call_id": calls["rep1"], "outcome": "won"}).status_code == 201
        assert c.post("/v1/trackers", json={"name": "pricing", "phrases": ["price"]}).status_code == 403
        # A rep cannot file a call under someone else.
        r = h.upload(c, rep_user_id=stack.ids["rep2"])
        assert r.status_code == 422
    with stack.client("coach") as c:
        r = h.upload(c, rep_user_id=stack.ids["rep2"])  # rep2 is in another team
        assert r.status_code == 422
        r = h.upload(c, rep_user_id=stack.ids["rep1"])
        assert r.status_code == 202 and r.json()["team_id"] == stack.ids["team1"]
        assert c.delete(f"/v1/calls/{r.json()['id']}").status_code == 204
    with stack.client("admin") as c:
        r = h.upload(c, rep_user_id=stack.ids["rep_b"])  # a user of another organization
        assert r.status_code == 422
        r = c.post("/v1/trackers", json={"name": "pricing", "phrases": ["price", "discount"]})
        assert r.status_code == 201
        assert c.post("/v1/trackers", json={"name": "pricing"}).status_code == 409
        tid = r.json()["id"]
    with stack.client("rep1") as c:
        assert [t["name"] for t in c.get("/v1/trackers").json()] == ["pricing"]
    with stack.client("admin_b") as c:
        assert c.get("/v1/trackers").json() == []
        assert c.delete(f"/v1/trackers/{tid}").status_code == 404


def test_unauthenticated_and_bad_keys(stack: Any, calls: dict[str, str]) -> None:
    with stack.client() as c:
        for method, path in (("GET", "/v1/calls"), ("GET", f"/v1/calls/{calls['rep1']}"), ("POST", "/v1/calls"),
                             ("GET", f"/v1/calls/{calls['rep1']}/suggestions"), ("POST", "/v1/webhooks")):
            r = c.request(method, path)
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.headers["www-authenticate"] == "Bearer"
        assert c.get("/v1/calls", headers={"Authorization": "Bearer tt_not-a-key"}).status_code == 401
        assert c.get("/v1/calls", headers={"Authorization": "Basic abc"}).status_code == 401


def test_revoked_key_stops_working(stack: Any) -> None:
    from service.core.accounts import create_key, revoke_key
    from service.core.db import session_scope
    from service.core.key_revocations import KeyRevocations

    with session_scope(stack.settings()) as s:
        created = create_key(s, stack.ids["org_a"], "integration")
    with stack.client() as c:
        auth = {"Authorization": f"Bearer {created.secret}"}
        assert c.get("/v1/calls", headers=auth).status_code == 200
        with session_scope(stack.settings()) as s:
            revoke_key(s, created.row.id, KeyRevocations(stack.settings()))
        assert c.get("/v1/calls", headers=auth).status_code == 401  # key cache is off in tests


def test_rate_limit_per_key(stack: Any) -> None:
    from service.core.accounts import create_key
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        key = create_key(s, stack.ids["org_a"], "integration", rate_limit_per_minute=30).secret
    with stack.client() as c:
        codes = [c.get("/v1/outcomes", headers={"Authorization": f"Bearer {key}"}).status_code for _ in range(45)]
        assert 429 in codes and codes[0] == 200
        limited = next(i for i, code in enumerate(codes) if code == 429)
        assert 30 <= limited <= 40  # the burst (30 for this key) plus what refilled (0.5/s) goes through
        r = c.get("/v1/outcomes", headers={"Authorization": f"Bearer {key}"})
        if r.status_code == 429:
            assert int(r.headers["retry-after"]) >= 1
        # Another key is not affected.
        assert c.get("/v1/outcomes", headers={"Authorization": f"Bearer {stack.keys['admin']}"}).status_code == 200
