"""Every route of the JSON API × every role × scope, against the statuses the access policy
(`service.access`) promises: 2xx for what a principal may see and do, 403 for a visible row its role
may not change, 404 for a row outside its scope or organization. The table must name every
operation of the OpenAPI schema, and every status returned must be documented there. Both backends.

Principals: `admin`, `integration` and `coach` (team East) of organization A, `rep1` (East, owner
of the call under test), `rep2` (team West), and `admin_b` of organization B.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

ROLES = ("admin", "integration", "coach", "rep1", "rep2", "admin_b")
SEES_CALL = {"admin", "integration", "coach", "rep1"}  # rep1's call, team East


def by_scope(visible: int, forbidden: set[str] = frozenset(), forbidden_status: int = 403) -> dict[str, int]:
    """A route on rep1's call: `visible` for those who see it (or 403 for roles in `forbidden`),
    404 for everyone else."""
    return {r: (forbidden_status if r in forbidden else visible) if r in SEES_CALL else 404 for r in ROLES}


def by_role(ok: int, allowed: set[str]) -> dict[str, int]:
    """A route on the principal's own organization: `ok` for the allowed roles, else 403."""
    return {r: ok if r in allowed else 403 for r in ROLES}


@dataclass(frozen=True)
class Case:
    method: str
    template: str  # as in the OpenAPI schema
    expect: dict[str, int]
    body: Callable[[dict[str, str]], Any] | None = None
    params: dict[str, str] | None = None


def cases() -> list[Case]:
    every = dict.fromkeys(ROLES, 200)
    return [
        Case("GET", "/healthz", every),
        Case("GET", "/v1/calls", every),
        Case("GET", "/v1/calls/{call_id}", by_scope(200)),
        Case("GET", "/v1/calls/{call_id}/transcript", by_scope(200)),
        Case("GET", "/v1/calls/{call_id}/suggestions", by_scope(200)),
        Case("PATCH", "/v1/calls/{call_id}/speakers", by_scope(200, {"integration"}),
             body=lambda ids: {"speakers": [{"id": "S1", "role": "rep"}]}),
        Case("POST", "/v1/calls/{call_id}/scorecards", by_scope(201, {"integration", "rep1"}), body=lambda ids: {}),
        Case("GET", "/v1/calls/{call_id}/scorecard", by_scope(200)),
        Case("GET", "/v1/reps/{rep_id}/scorecard", by_scope(200)),
        Case("GET", "/v1/reps/{rep_id}/benchmarks", by_scope(200)),
        Case("POST", "/v1/outcomes", by_scope(201), body=lambda ids: {"call_id": ids["call"], "outcome": "won"}),
        Case("GET", "/v1/outcomes", {**by_role(200, {"admin", "integration", "coach", "admin_b"})}),
        Case("GET", "/v1/insights", by_role(200, {"admin", "integration", "coach", "admin_b"})),
        Case("POST", "/v1/insights/snapshots", by_role(201, {"admin", "integration", "coach", "admin_b"})),
        Case("GET", "/v1/insights/live-guidance", every),  # a rep: their own calls' follow-through
        Case("GET", "/v1/rubrics", every),
        Case("PUT", "/v1/rubrics/{rubric_id}", by_role(200, {"admin", "coach", "admin_b"}),
             body=lambda ids: {"id": "matrix", "name": "Matrix", "items": [{"id": "x", "label": "X", "weight": 1}]}),
        Case("GET", "/v1/webhooks", by_role(200, {"admin", "integration", "admin_b"})),
        Case("POST", "/v1/webhooks", by_role(201, {"admin", "integration", "admin_b"}),
             body=lambda ids: {"url": "https://crm.example.test/hook", "events": ["call.analyzed"]}),
        Case("GET", "/v1/webhooks/{webhook_id}/deliveries",
             {**by_role(200, {"admin", "integration"}), "admin_b": 404}),
        Case("GET", "/v1/voice-profiles", every),
        Case("GET", "/v1/trackers", every),
        Case("POST", "/v1/trackers", by_role(201, {"admin", "admin_b"}),
             body=lambda ids: {"name": f"matrix-{ids['n']}", "phrases": ["matrix phrase"]}),
        Case("GET", "/v1/playbooks", every),
        Case("GET", "/v1/vocabulary", every),
        Case("PUT", "/v1/vocabulary", by_role(200, {"admin", "admin_b"}),
             body=lambda ids: {"competitors": ["Gong", "Chorus"]}),
        Case("DELETE", "/v1/vocabulary", by_role(204, {"admin", "admin_b"})),
        Case("GET", "/v1/live/{call_id}/events", dict.fromkeys(ROLES, 404),  # a stored call is not live
             params={"wait": "0"}),
        # Writes that remove things run last, each on rows made for it (see the test below).
        Case("DELETE", "/v1/trackers/{item_id}", {**by_role(204, {"admin"}), "admin_b": 404}),
        Case("DELETE", "/v1/webhooks/{webhook_id}", {**by_role(204, {"admin", "integration"}), "admin_b": 404}),
        Case("DELETE", "/v1/calls/{call_id}", by_scope(204, {"integration"})),
    ]


# Operations the matrix leaves to their own tests, and why.
ELSEWHERE = {
    ("POST", "/v1/calls"): "uploads: test_api_calls, test_api_access (a rep uploads only their own calls)",
    ("GET", "/metrics"): "protected by a token or an address: test_webhook_security / docs/security.md",
    ("POST", "/v1/voice-profiles"): "needs enrolment audio: test_enroll_relabel",
    ("DELETE", "/v1/voice-profiles/{item_id}"): "test_org_definitions",
    ("POST", "/v1/playbooks"): "test_org_definitions",
    ("DELETE", "/v1/playbooks/{item_id}"): "test_org_definitions",
}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stack(request: pytest.FixtureRequest, h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server of its own: the matrix creates trackers, webhooks, rubrics and snapshots that would
    change what other tests of the shared stack see."""
    with h.running_stack(request.param, tmp_path_factory.mktemp(f"matrix-{request.param}")) as stack:
        yield stack


def _documented(schema: dict[str, Any], method: str, template: str) -> set[int]:
    op = schema["paths"][template][method.lower()]
    return {int(code) for code in op.get("responses", {}) if code.isdigit()}


def test_every_route_role_and_scope(stack: Any, h: Any) -> None:
    schema = stack.client().get("/openapi.json").json()
    operations = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops
                  if m in ("get", "post", "put", "patch", "delete")}
    table = cases()
    named = {(c.method, c.template) for c in table} | set(ELSEWHERE)
    assert operations <= named, f"routes missing from the access matrix: {sorted(operations - named)}"

    with stack.client("rep1") as c:
        r = h.upload(c, h.vtt, title="matrix")
        assert r.status_code == 202, r.text
        call_id = r.json()["id"]
        assert h.wait_status(c, call_id)["status"] == "done"
    with stack.client("admin") as c:
        c.post(f"/v1/calls/{call_id}/scorecards", json={})  # so that scorecard reads have one to read
    failures: list[str] = []
    undocumented: list[str] = []
    for case in table:
        for n, role in enumerate(ROLES):
            ids = {"call": call_id, "n": f"{role}-{n}"}
            with stack.client("admin") as admin:
                if case.template == "/v1/trackers/{item_id}":
                    tr = admin.post("/v1/trackers", json={"name": f"del-{role}", "phrases": ["delete me"]})
                    ids["item"] = tr.json()["id"]
                if "{webhook_id}" in case.template:
                    wh = admin.post("/v1/webhooks", json={"url": "https://crm.example.test/d",
                                                          "events": ["call.analyzed"]})
                    ids["webhook"] = wh.json()["id"]
            if case.method == "DELETE" and case.template == "/v1/calls/{call_id}":
                with stack.client("rep1") as c:
                    ids["call"] = h.upload(c, h.vtt, title=f"delete {role}").json()["id"]
            path = (case.template.replace("{call_id}", ids["call"]).replace("{rep_id}", stack.ids["rep1"])
                    .replace("{rubric_id}", "matrix").replace("{item_id}", ids.get("item", ""))
                    .replace("{webhook_id}", ids.get("webhook", "")))
            with stack.client(role) as c:
                r = c.request(case.method, path, json=case.body(ids) if case.body else None, params=case.params)
            want = case.expect[role]
            if r.status_code != want:
                failures.append(f"{case.method} {case.template} as {role}: {r.status_code} (want {want}) {r.text[:120]}")
            if r.status_code not in _documented(schema, case.method, case.template) and r.status_code != 200:
                undocumented.append(f"{case.method} {case.template}: {r.status_code}")
    assert not failures, "\n".join(failures)
    assert not undocumented, "statuses returned but not in the OpenAPI schema:\n" + "\n".join(sorted(set(undocumented)))


@pytest.mark.parametrize("role", ["rep2", "admin_b"])
def test_search_never_crosses_the_scope(stack: Any, h: Any, role: str) -> None:
    with stack.client("rep1") as c:
        call_id = h.upload(c, h.vtt, title="scope search").json()["id"]
        assert h.wait_status(c, call_id)["status"] == "done"
    with stack.client(role) as c:
        found = c.get("/v1/calls", params={"q": "onboarding", "limit": 200}).json()["items"]
    assert call_id not in {x["id"] for x in found}
