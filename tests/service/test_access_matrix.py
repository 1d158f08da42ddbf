"""Every route of the JSON API × every role × scope, against the statuses the access policy
(`service.core.access`) promises: 2xx for what a principal may see and do, 403 for a visible row its role
may not change, 404 for a row outside its scope or organization. The table must name every
operation of the OpenAPI schema, and every status returned must be documented there. Both backends.

Principals: `admin`, `integration` and `coach` (team East) of organization A, `rep1` (East, owner
of the call under test), `rep2` (team West), and `admin_b` of organization B; and keys bound to
people, which act as their person's current role allows (`PERSONAL`): an admin key of an admin, an
admin key of a coach (East) and a coach key of a rep (East, not the call's owner), the last two
stored as an older version stored them (today such a key is refused when it is made).

Also here: a person's key follows their role, team and being enabled at once (the key cache is on),
names in the web app's lists follow the call scope, and permission comes before the body on every
route that changes something.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import pytest

ROLES = ("admin", "integration", "coach", "rep1", "rep2", "admin_b")
SEES_CALL = {"admin", "integration", "coach", "rep1"}  # rep1's call, team East
# Keys bound to people, and the principal above each acts exactly like.
PERSONAL = {"admin_person": "admin", "admin_key_of_coach": "coach", "coach_key_of_rep": "rep2"}


def by_scope(visible: int, forbidden: frozenset[str] | set[str] = frozenset()) -> dict[str, int]:
    """A route on rep1's call: 403 for principals whose role may not (checked first, whether or not
    they see the call), `visible` for those who see it, 404 for everyone else."""
    return {r: 403 if r in forbidden else visible if r in SEES_CALL else 404 for r in ROLES}


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
        Case("GET", "/v1/calls/{call_id}/brief", by_scope(200)),
        Case("GET", "/v1/deals", every),  # each sees the deals of the calls they may see
        Case("GET", "/v1/deals/{deal_id}", by_scope(200)),  # the call's deal: 404 where no call of it is visible
        Case("PATCH", "/v1/calls/{call_id}/speakers", by_scope(200, {"integration"}),
             body=lambda ids: {"speakers": [{"id": "S1", "role": "rep"}]}),
        Case("POST", "/v1/calls/{call_id}/scorecards", by_scope(201, {"integration", "rep1", "rep2"}),
             body=lambda ids: {}),
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
        Case("GET", "/v1/language", every),
        Case("PUT", "/v1/language", by_role(200, {"admin", "admin_b"}), body=lambda ids: {"default_language": "auto"}),
        Case("GET", "/v1/live/{call_id}/events", dict.fromkeys(ROLES, 404),  # a stored call is not live
             params={"wait": "0"}),
        Case("GET", "/v1/retention", by_role(200, {"admin", "admin_b"})),
        Case("PUT", "/v1/retention", by_role(200, {"admin", "admin_b"}),
             body=lambda ids: {"audio_days": None, "analysis_days": None}),
        Case("GET", "/v1/audit", by_role(200, {"admin", "admin_b"})),
        Case("GET", "/v1/audit/export", by_role(200, {"admin", "admin_b"}), params={"format": "json"}),
        Case("GET", "/v1/tombstones", by_role(200, {"admin", "admin_b"})),
        Case("GET", "/v1/calls/{call_id}/comments", by_scope(200)),
        Case("POST", "/v1/calls/{call_id}/comments", by_scope(201, {"integration"}), body=lambda ids: {"text": "hi"}),
        Case("GET", "/v1/notifications", every),  # one's own (a key of no person: none)
        # Each principal edits and deletes a comment of its own (made for it; by the admin for those
        # who cannot comment there): the author rule itself is tested in test_comments.
        Case("PATCH", "/v1/calls/{call_id}/comments/{comment_id}", by_scope(200, {"integration"}),
             body=lambda ids: {"text": "edited"}),
        Case("DELETE", "/v1/calls/{call_id}/comments/{comment_id}", by_scope(204, {"integration"})),
        # Shared with Ivy (West, who does not see the call) and at once unshared: nothing between.
        Case("POST", "/v1/calls/{call_id}/shares", by_scope(201, {"integration", "rep1", "rep2"}),
             body=lambda ids: {"user_id": ids["ivy"]}),
        Case("DELETE", "/v1/calls/{call_id}/shares/{user_id}", by_scope(204, {"integration", "rep1", "rep2"})),
        # Clips and playlists (`access`, "Clips and playlists"): each case on a fresh clip of rep1's call
        # and a fresh organization-wide playlist an admin key made (see the test below).
        Case("POST", "/v1/clips", by_scope(201, {"integration"}),
             body=lambda ids: {"call_id": ids["call"], "start_s": 1.0, "end_s": 4.0, "title": "matrix clip"}),
        Case("GET", "/v1/clips", every),
        Case("GET", "/v1/clips/{clip_id}", by_scope(200)),  # in no playlist: seen with its call
        Case("PATCH", "/v1/clips/{clip_id}", by_scope(200, {"integration"}), body=lambda ids: {"title": "renamed"}),
        Case("GET", "/v1/playlists", every),
        Case("POST", "/v1/playlists", by_role(201, {"admin", "coach", "admin_b"}),  # a rep: their team's only
             body=lambda ids: {"title": "matrix", "audience": "organization"}),
        Case("GET", "/v1/playlists/{playlist_id}", {**dict.fromkeys(ROLES, 200), "admin_b": 404}),
        Case("PATCH", "/v1/playlists/{playlist_id}", {**by_role(403, set()), "admin": 200, "admin_b": 404},
             body=lambda ids: {"title": "renamed"}),
        Case("POST", "/v1/playlists/{playlist_id}/clips", {**by_role(403, set()), "admin": 201, "admin_b": 404},
             body=lambda ids: {"clip_id": ids["clip"]}),
        # Writes that remove things run last, each on rows made for it (see the test below).
        Case("DELETE", "/v1/playlists/{playlist_id}/clips/{clip_id}",
             {**by_role(403, set()), "admin": 204, "admin_b": 404}),
        Case("DELETE", "/v1/clips/{clip_id}", by_scope(204, {"integration"})),
        Case("DELETE", "/v1/playlists/{playlist_id}", {**by_role(403, set()), "admin": 204, "admin_b": 404}),
        Case("DELETE", "/v1/trackers/{item_id}", {**by_role(204, {"admin"}), "admin_b": 404}),
        Case("DELETE", "/v1/webhooks/{webhook_id}", {**by_role(204, {"admin", "integration"}), "admin_b": 404}),
        # rep1 uploaded the call (an admin deletes any; the uploader within TALKTRACK_DELETE_GRACE_H).
        Case("DELETE", "/v1/calls/{call_id}", {**by_scope(204, {"integration"}), "coach": 403}),
        Case("POST", "/v1/forget", {**by_role(200, {"admin"}), "admin_b": 404},  # admins only, a fresh call each
             body=lambda ids: {"call_id": ids["call"]}),
    ]


# Operations the matrix leaves to their own tests, and why.
ELSEWHERE = {
    ("POST", "/v1/calls"): "uploads: test_api_calls, test_api_access (a rep uploads only their own calls)",
    ("GET", "/metrics"): "protected by a token or an address: test_webhook_security / docs/security.md",
    ("POST", "/v1/voice-profiles"): "needs enrolment audio: test_enroll_relabel",
    ("DELETE", "/v1/voice-profiles/{item_id}"): "test_org_definitions",
    ("POST", "/v1/playbooks"): "test_org_definitions",
    ("DELETE", "/v1/playbooks/{item_id}"): "test_org_definitions",
    ("POST", "/v1/notifications/{notification_id}/read"): "one's own notifications only: test_comments",
}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stack(request: pytest.FixtureRequest, h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server of its own: the matrix creates trackers, webhooks, rubrics and snapshots that would
    change what other tests of the shared stack see."""
    # The key cache is on, as in production: a person's key must follow them all the same.
    with h.running_stack(request.param, tmp_path_factory.mktemp(f"matrix-{request.param}"),
                         {"TALKTRACK_KEY_CACHE_S": "60"}) as stack:
        add_personal_keys(stack)
        yield stack


def stored_key(stack: Any, role: str, user_id: str) -> str:
    """A key bound to a person, stored directly, as versions before the rule stored any role."""
    from models import ApiKey
    from service.core.db import session_scope
    from service.core.security import generate_api_key, hash_api_key, key_display_prefix

    secret = generate_api_key()
    with session_scope(stack.settings()) as s:
        s.add(ApiKey(org_id=stack.ids["org_a"], user_id=user_id, role=role, key_hash=hash_api_key(secret),
                     prefix=key_display_prefix(secret)))
        s.commit()
    return secret


def add_personal_keys(stack: Any) -> None:
    from service.core.accounts import create_key, create_user
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        ada = create_user(s, stack.ids["org_a"], "Ada", role="admin")
        hana = create_user(s, stack.ids["org_a"], "Hana", team_id=stack.ids["team1"], role="coach")
        gus = create_user(s, stack.ids["org_a"], "Gus", team_id=stack.ids["team1"])
        ivy = create_user(s, stack.ids["org_a"], "Ivy", team_id=stack.ids["team2"])  # a call shared with her
        stack.ids.update(ada=ada.id, hana=hana.id, gus=gus.id, ivy=ivy.id)
        stack.keys["admin_person"] = create_key(s, stack.ids["org_a"], "admin", user_id=ada.id).secret
    stack.keys["admin_key_of_coach"] = stored_key(stack, "admin", hana.id)
    stack.keys["coach_key_of_rep"] = stored_key(stack, "coach", gus.id)


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
        r = h.upload(c, h.vtt, title="matrix", deal_id="matrix-deal")
        assert r.status_code == 202, r.text
        call_id = r.json()["id"]
        assert h.wait_status(c, call_id)["status"] == "done"
    with stack.client("admin") as c:
        c.post(f"/v1/calls/{call_id}/scorecards", json={})  # so that scorecard reads have one to read
    failures: list[str] = []
    undocumented: list[str] = []
    for case in table:
        for n, role in enumerate(ROLES + tuple(PERSONAL)):
            ids = {"call": call_id, "n": f"{role}-{n}", "ivy": stack.ids["ivy"]}
            with stack.client("admin") as admin:
                if case.template == "/v1/trackers/{item_id}":
                    tr = admin.post("/v1/trackers", json={"name": f"del-{role}", "phrases": ["delete me"]})
                    ids["item"] = tr.json()["id"]
                if "{webhook_id}" in case.template:
                    wh = admin.post("/v1/webhooks", json={"url": "https://crm.example.test/d",
                                                          "events": ["call.analyzed"]})
                    ids["webhook"] = wh.json()["id"]
            if "{clip_id}" in case.template or "{playlist_id}" in case.template:
                with stack.client("rep1") as c:
                    ids["clip"] = c.post("/v1/clips", json={"call_id": call_id, "start_s": 2.0, "end_s": 6.0,
                                                            "title": f"clip {role}"}).json()["id"]
                with stack.client("admin") as admin:
                    ids["playlist"] = admin.post("/v1/playlists", json={"title": f"list {role}",
                                                                        "audience": "organization"}).json()["id"]
                    if case.template == "/v1/playlists/{playlist_id}/clips/{clip_id}":
                        admin.post(f"/v1/playlists/{ids['playlist']}/clips", json={"clip_id": ids["clip"]})
            if "{comment_id}" in case.template:
                author = role if case.expect[PERSONAL.get(role, role)] != 404 and role != "integration" else "admin"
                with stack.client(author) as c:
                    ids["comment"] = c.post(f"/v1/calls/{call_id}/comments", json={"text": "mine"}).json()["id"]
            if (case.method, case.template) in (("DELETE", "/v1/calls/{call_id}"), ("POST", "/v1/forget")):
                with stack.client("rep1") as c:
                    ids["call"] = h.upload(c, h.vtt, title=f"delete {role}").json()["id"]
            path = (case.template.replace("{call_id}", ids["call"]).replace("{rep_id}", stack.ids["rep1"])
                    .replace("{rubric_id}", "matrix").replace("{item_id}", ids.get("item", ""))
                    .replace("{webhook_id}", ids.get("webhook", "")).replace("{deal_id}", "matrix-deal")
                    .replace("{clip_id}", ids.get("clip", "")).replace("{playlist_id}", ids.get("playlist", ""))
                    .replace("{comment_id}", ids.get("comment", "")).replace("{user_id}", ids["ivy"]))
            with stack.client(role) as c:
                r = c.request(case.method, path, json=case.body(ids) if case.body else None, params=case.params)
            want = case.expect[PERSONAL.get(role, role)]
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


# --- A key never reaches further than its person ------------------------------------------------

def _set_user(stack: Any, user_id: str, **fields: Any) -> None:
    """Change a person in the database, as any path might (admin pages, SQL): no key is revoked."""
    from models import User
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        user = s.get(User, user_id)
        assert user is not None
        for name, value in fields.items():
            setattr(user, name, value)
        s.add(user)
        s.commit()


@pytest.fixture(scope="module")
def rep1_call(stack: Any, h: Any) -> str:
    with stack.client("rep1") as c:
        call_id: str = h.upload(c, h.vtt, title="a teammate's call").json()["id"]
        assert h.wait_status(c, call_id)["status"] == "done"
    return call_id


def test_a_reps_coach_key_cannot_read_a_teammates_call(stack: Any, rep1_call: str) -> None:
    with stack.client("coach_key_of_rep") as c:  # Gus, a rep of team East, as rep1
        assert c.get(f"/v1/calls/{rep1_call}").status_code == 404
        assert c.get(f"/v1/calls/{rep1_call}/transcript").status_code == 404
        assert rep1_call not in {x["id"] for x in c.get("/v1/calls", params={"limit": 200}).json()["items"]}
        assert c.get("/v1/outcomes").status_code == 403
        r = c.post(f"/v1/calls/{rep1_call}/scorecards", json={})
        assert r.status_code == 403 and "a rep cannot" in r.json()["detail"]
    with stack.client("admin_key_of_coach") as c:  # Hana, a coach of team East: her team, no more
        assert c.get(f"/v1/calls/{rep1_call}").status_code == 200
        assert c.post("/v1/trackers", json={"name": "not hers", "phrases": ["x"]}).status_code == 403


def test_demoting_moving_or_disabling_a_person_narrows_their_key_at_once(stack: Any, rep1_call: str) -> None:
    from service.core.accounts import create_key, create_user
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        ivo = create_user(s, stack.ids["org_a"], "Ivo", team_id=stack.ids["team1"], role="coach").id
        key = create_key(s, stack.ids["org_a"], "coach", user_id=ivo).secret
    with stack.client() as c:
        c.headers["Authorization"] = f"Bearer {key}"

        def status() -> int:
            return int(c.get(f"/v1/calls/{rep1_call}").status_code)

        assert status() == 200  # a coach of team East (the key cache now holds the key, 60 s)
        _set_user(stack, ivo, team_id=stack.ids["team2"])
        assert status() == 404  # moved to West
        _set_user(stack, ivo, team_id=stack.ids["team1"])
        assert status() == 200
        _set_user(stack, ivo, role="rep")
        assert status() == 404 and c.get("/v1/outcomes").status_code == 403  # demoted: only their own calls
        _set_user(stack, ivo, role="coach")
        assert status() == 200
        _set_user(stack, ivo, disabled=True)
        assert status() == 401


def test_a_key_is_refused_when_it_would_reach_further_than_its_person(stack: Any) -> None:
    from service.core.accounts import AccountError, create_key
    from service.core.db import session_scope

    org, rep, coach = stack.ids["org_a"], stack.ids["rep1"], stack.ids["coach"]
    with session_scope(stack.settings()) as s:
        with pytest.raises(AccountError, match=r"Dana may not reach further than their role \(rep\): give it the "
                                               r"role rep"):
            create_key(s, org, "coach", user_id=rep)
        with pytest.raises(AccountError, match="an integration key needs an admin"):
            create_key(s, org, "integration", user_id=coach)
        assert create_key(s, org, "rep", user_id=coach).row.role == "rep"  # less than the person: fine
    # An integration key of a non-admin stored by an older version does nothing.
    with stack.client() as c:
        c.headers["Authorization"] = f"Bearer {stored_key(stack, 'integration', rep)}"
        assert c.get("/v1/calls").status_code == 401


# --- Names follow the call scope ----------------------------------------------------------------

PASSWORD = "correct horse battery staple"


def _web_client(stack: Any, email: str) -> Any:
    import re

    import httpx

    c = httpx.Client(base_url=stack.url, timeout=30)
    token = re.search(r'name="prelogin" value="([^"]+)"', c.get("/login").text)
    assert token
    r = c.post("/login", data={"email": email, "password": PASSWORD, "prelogin": token.group(1)})
    assert r.status_code == 303, r.text[:300]
    return c


def _filter_bar_names(html: str) -> set[str]:
    import re

    select = re.search(r'<select id="f-rep" name="rep">(.*?)</select>', html, re.S)
    return set(re.findall(r"<option value=\"[^\"]+\"[^>]*>([^<]+)</option>", select.group(1))) if select else set()


def test_the_filter_bar_names_only_people_in_scope(stack: Any) -> None:
    from service.core.accounts import create_user
    from service.core.db import session_scope
    from service.core.sessions import set_password

    with session_scope(stack.settings()) as s:
        nia = create_user(s, stack.ids["org_a"], "Nia", email="nia@example.test", role="coach")  # no team
        set_password(s, nia, PASSWORD)
    _set_user(stack, stack.ids["coach"], email="cora@example.test")
    _set_user(stack, stack.ids["ada"], email="ada@example.test")
    with session_scope(stack.settings()) as s:
        from models import User

        for uid in (stack.ids["coach"], stack.ids["ada"]):
            user = s.get(User, uid)
            assert user is not None
            set_password(s, user, PASSWORD)
    with closing(_web_client(stack, "nia@example.test")) as c:  # sees only the calls she is the rep of
        page = c.get("/").text
        assert _filter_bar_names(page) == set()
        for name in ("Dana", "Eli", "Cora", "Gus", "Finn"):
            assert f">{name}<" not in page
    with closing(_web_client(stack, "cora@example.test")) as c:  # team East
        east = _filter_bar_names(c.get("/").text)
        assert {"Cora", "Dana", "Gus", "Hana"} <= east and not {"Eli", "Nia", "Ada", "Finn"} & east
        assert ">Eli<" not in c.get(f"/reps/{stack.ids['coach']}").text  # the trends page's list
    with closing(_web_client(stack, "ada@example.test")) as c:  # the organization, and only it
        everyone = _filter_bar_names(c.get("/").text)
        assert {"Dana", "Eli", "Nia", "Cora"} <= everyone and "Finn" not in everyone


# --- Permission before validation ---------------------------------------------------------------

# Every operation that changes something, and the action it needs (`service.core.access.PERMISSIONS`).
WRITES = {
    ("POST", "/v1/calls"): "call.upload",
    ("DELETE", "/v1/calls/{call_id}"): "call.delete",
    ("PATCH", "/v1/calls/{call_id}/speakers"): "call.relabel",
    ("POST", "/v1/calls/{call_id}/scorecards"): "scorecard.write",
    ("POST", "/v1/outcomes"): "outcome.write",
    ("POST", "/v1/insights/snapshots"): "insights.read",
    ("PUT", "/v1/rubrics/{rubric_id}"): "rubric.write",
    ("POST", "/v1/webhooks"): "webhooks.manage",
    ("DELETE", "/v1/webhooks/{webhook_id}"): "webhooks.manage",
    ("POST", "/v1/voice-profiles"): "definitions.write",
    ("DELETE", "/v1/voice-profiles/{item_id}"): "definitions.write",
    ("POST", "/v1/trackers"): "definitions.write",
    ("DELETE", "/v1/trackers/{item_id}"): "definitions.write",
    ("POST", "/v1/playbooks"): "definitions.write",
    ("DELETE", "/v1/playbooks/{item_id}"): "definitions.write",
    ("PUT", "/v1/vocabulary"): "definitions.write",
    ("DELETE", "/v1/vocabulary"): "definitions.write",
    ("PUT", "/v1/language"): "definitions.write",
    ("PUT", "/v1/retention"): "retention.manage",
    ("POST", "/v1/forget"): "data.forget",
    ("POST", "/v1/calls/{call_id}/comments"): "call.comment",
    ("PATCH", "/v1/calls/{call_id}/comments/{comment_id}"): "call.comment",
    ("DELETE", "/v1/calls/{call_id}/comments/{comment_id}"): "call.comment",
    ("POST", "/v1/calls/{call_id}/shares"): "call.share",
    ("DELETE", "/v1/calls/{call_id}/shares/{user_id}"): "call.share",
    ("POST", "/v1/notifications/{notification_id}/read"): "notifications.read",
    ("POST", "/v1/clips"): "clip.write",
    ("PATCH", "/v1/clips/{clip_id}"): "clip.write",
    ("DELETE", "/v1/clips/{clip_id}"): "clip.write",
    ("POST", "/v1/playlists"): "playlist.write",
    ("PATCH", "/v1/playlists/{playlist_id}"): "playlist.write",
    ("DELETE", "/v1/playlists/{playlist_id}"): "playlist.write",
    ("POST", "/v1/playlists/{playlist_id}/clips"): "playlist.write",
    ("DELETE", "/v1/playlists/{playlist_id}/clips/{clip_id}"): "playlist.write",
}
# The role each principal of the sweep acts with.
ACTS_AS = {"admin": "admin", "integration": "integration", "coach": "coach", "rep1": "rep", "coach_key_of_rep": "rep"}
BAD_BODIES = {
    "wrong shape": "[1, 2, 3]",
    "not JSON": '{"name": ',
    "NaN": '{"name": "x", "threshold": NaN}',
    "deep nesting": "[" * 10_000,
}


def test_a_coach_enrolling_a_voice_gets_403_whatever_the_body(stack: Any) -> None:
    with stack.client("coach") as c:
        for what, body in BAD_BODIES.items():
            r = c.post("/v1/voice-profiles", content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 403, (what, r.status_code, r.text[:200])
            assert "a coach cannot do this" in r.json()["detail"]


def test_permission_comes_before_the_body_on_every_write(stack: Any, rep1_call: str) -> None:
    from service.core.access import PERMISSIONS

    schema = stack.client().get("/openapi.json").json()
    writes = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops if m in ("post", "put", "patch", "delete")}
    assert writes == set(WRITES), f"add these routes to WRITES: {sorted(writes ^ set(WRITES))}"
    ids = {"call_id": rep1_call, "rubric_id": "matrix", "webhook_id": "0" * 32, "item_id": "0" * 32,
           "clip_id": "0" * 32, "playlist_id": "0" * 32, "comment_id": "0" * 32, "user_id": "0" * 32,
           "notification_id": "0" * 32}
    failures = []
    for (method, template), action in WRITES.items():
        path = template.format(**ids)
        json_body = "application/json" in schema["paths"][template][method.lower()].get("requestBody", {}).get(
            "content", {})
        principals = [p for p, role in ACTS_AS.items() if role not in PERMISSIONS[action]] + [None]
        for who in principals:
            for what, body in BAD_BODIES.items():
                with stack.client(who) as c:
                    r = c.request(method, path, content=body, headers={"Content-Type": "application/json"})
                want = 401 if who is None else 403
                if r.status_code != want:
                    failures.append(f"{method} {template} as {who}, {what}: {r.status_code} (want {want})")
        if json_body and "admin" in PERMISSIONS[action]:  # the bodies are bad: 422 when allowed
            with stack.client("admin") as c:
                for what, body in BAD_BODIES.items():
                    r = c.request(method, path, content=body, headers={"Content-Type": "application/json"})
                    if r.status_code != 422:
                        failures.append(f"{method} {template} as admin, {what}: {r.status_code} (want 422)")
    assert not failures, "\n".join(failures)
