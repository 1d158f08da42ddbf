"""Control characters and user YAML at the door, against the real server of both backends.

A NUL character cannot be stored in PostgreSQL: before this, it gave a 500 (and a dropped
connection) on about 25 routes, and a transcript holding one crashed the worker three times. Now
every path, query parameter, form field, JSON string and uploaded transcript is checked with one
rule (`transcription.control_chars`, `service.core.text_input`): 422 naming the field, nothing
stored; a transcript fails its call once, with the reason. The admin playbook form reads YAML with
`service.core.user_yaml`: no aliases (billion laughs), finite numbers only.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from models import Call, Job, Playbook

NUL = "\x00"


@pytest.fixture(scope="module")
def admin_web(stack: Any) -> dict[str, str]:
    """An admin of org A signed in to the web app: the session cookie and the forms' CSRF token."""
    from service.core.accounts import create_user
    from service.core.db import session_scope
    from service.core.sessions import start_session

    tag = uuid.uuid4().hex[:8]
    with session_scope(stack.settings()) as s:
        user = create_user(s, stack.ids["org_a"], f"Ada {tag}", email=f"ada-{tag}@example.test", role="admin")
        started = start_session(s, user, hours=1)
        return {"cookie": started.token, "csrf": started.row.csrf_token}


def web_client(stack: Any, admin_web: dict[str, str]) -> httpx.Client:
    return httpx.Client(base_url=stack.url, cookies={"tt_session": admin_web["cookie"]}, timeout=30)


def assert_refused(r: httpx.Response, field: str, what: str = "a NUL character") -> None:
    """422 with the field's name and the character, as JSON under /v1 and as the error page elsewhere."""
    assert r.status_code == 422, (r.status_code, r.text[:300])
    text = r.json()["detail"] if r.headers["content-type"].startswith("application/json") else r.text
    assert field in text and what in text, text[:500]


def count_calls(stack: Any) -> int:
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        return len(s.exec(select(Call.id).where(col(Call.org_id) == stack.ids["org_a"])).all())


def raw_upload(filename: bytes, data: bytes) -> bytes:
    """A multipart body written by hand (clients percent-encode a NUL in a file name; a raw one is sent here)."""
    return (b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
            b"Content-Type: text/vtt\r\n\r\n" + data + b"\r\n--b0undary--\r\n")


def test_sign_in_email_with_nul_is_422(stack: Any) -> None:
    with httpx.Client(base_url=stack.url, timeout=30) as c:
        prelogin = re.search(r'name="prelogin" value="([^"]+)"', c.get("/login").text)
        assert prelogin
        r = c.post("/login", data={"email": f"dana{NUL}@a.test", "password": "x", "prelogin": prelogin.group(1)})
        assert_refused(r, "&#39;email&#39;")
        # The same form sent as multipart is read by the same parser, and refused the same way.
        r = c.post("/login", files={"email": (None, f"dana{NUL}@a.test"), "password": (None, "x"),
                                    "prelogin": (None, prelogin.group(1))})
        assert_refused(r, "&#39;email&#39;")
        assert c.get("/healthz").status_code == 200


@pytest.mark.parametrize("field", ["title", "rep", "deal_id"])
def test_upload_fields_with_nul_are_422(stack: Any, h: Any, field: str) -> None:
    before = count_calls(stack)
    with stack.client("admin") as c:
        r = h.upload(c, **{field: f"Acme{NUL}call"})
        assert_refused(r, f"'{field}'")
        assert_refused(h.upload(c, **{field: "two\nlines"}), f"'{field}'", "U+000A")  # one line of text
        assert_refused(c.post("/v1/calls", content=raw_upload(b"call\x00.vtt", h.vtt.encode()),
                              headers={"Content-Type": "multipart/form-data; boundary=b0undary"}), "file name")
        assert_refused(h.upload(c, crm_ids=json.dumps({"deal": f"x{NUL}"})), "'deal'")
    assert count_calls(stack) == before  # nothing stored, no temp file kept


def test_json_bodies_with_nul_are_422(stack: Any) -> None:
    with stack.client("admin") as c:
        before = len(c.get("/v1/outcomes", params={"limit": 1000}).json())
        assert_refused(c.post("/v1/outcomes", json={"deal_id": "006X", "outcome": "won", "note": f"a{NUL}b"}),
                       "'note'")
        assert_refused(c.post("/v1/outcomes", json={"deal_id": f"006{NUL}X", "outcome": "won"}), "'deal_id'")
        assert_refused(c.post("/v1/trackers", json={"name": f"price{NUL}", "phrases": ["price"]}), "'name'")
        assert_refused(c.post("/v1/trackers", json={"name": "price-nul", "phrases": [f"pri{NUL}ce"]}),
                       "'phrases[0]'")
        assert_refused(c.post("/v1/voice-profiles", json={"name": f"Dana{NUL}", "embedding": [0.1] * 192}),
                       "'name'")
        assert len(c.get("/v1/outcomes", params={"limit": 1000}).json()) == before
        # Free text keeps its lines and tabs; a one-line field does not.
        r = c.post("/v1/outcomes", json={"deal_id": "006-lines", "outcome": "won", "note": "line 1\n\tline 2"})
        assert r.status_code == 201, r.text
        assert r.json()["note"] == "line 1\n\tline 2"
        assert_refused(c.post("/v1/outcomes", json={"deal_id": "006\n", "outcome": "won"}), "'deal_id'", "U+000A")


def test_paths_and_query_parameters_with_nul_are_422(stack: Any, admin_web: dict[str, str]) -> None:
    with stack.client("admin") as c:
        assert_refused(c.get("/v1/calls", params={"rep": NUL}), "'rep'")
        assert_refused(c.get("/v1/calls/%00"), "path")
        assert_refused(c.get("/v1/calls/%00/transcript"), "path")
        assert_refused(c.delete("/v1/trackers/%00"), "path")
        assert_refused(c.get("/v1/calls", params={"rep": "a\x7fb"}), "'rep'", "U+007F")
        assert c.get("/v1/calls", params={"rep": "Dana"}).status_code == 200
    with web_client(stack, admin_web) as w:
        assert_refused(w.get("/", params={"rep": NUL}), "&#39;rep&#39;")
        assert_refused(w.get("/calls/%00"), "path")
        assert_refused(w.get("/reps/%00"), "path")
        assert_refused(w.get("/admin/users", params={"done": NUL}), "&#39;done&#39;")
        assert w.get("/").status_code == 200  # the session still works
    with httpx.Client(base_url=stack.url, timeout=30) as anonymous:  # refused before anything else runs
        assert_refused(anonymous.get("/v1/calls/%00"), "path")


def test_live_start_message_with_nul_is_refused(stack: Any) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    async def start() -> tuple[list[dict[str, Any]], int | None]:
        events: list[dict[str, Any]] = []
        url = stack.url.replace("http://", "ws://") + "/v1/live"
        async with connect(url, additional_headers={"Authorization": f"Bearer {stack.keys['admin']}"}) as ws:
            await ws.send(json.dumps({"type": "start", "sample_rate": 16000, "channels": 1, "title": f"Acme{NUL}"}))
            try:
                async for raw in ws:
                    events.append(json.loads(raw))
            except ConnectionClosed:
                pass
            return events, ws.close_code

    before = count_calls(stack)
    events, code = asyncio.run(asyncio.wait_for(start(), 60))
    assert [e["code"] for e in events] == ["bad_start"] and code == 1008, events
    assert "the field 'title' contains a NUL character" in events[0]["message"]
    assert count_calls(stack) == before


def test_form_bodies_have_a_size_cap(stack: Any, admin_web: dict[str, str]) -> None:
    from service.api.text_guard import MAX_FORM_BYTES

    with web_client(stack, admin_web) as w:
        r = w.post("/admin/playbook", data={"csrf_token": admin_web["csrf"], "name": "big",
                                            "content": "#" * MAX_FORM_BYTES})
        assert r.status_code == 413 and f"limited to {MAX_FORM_BYTES} bytes" in r.text


def test_admin_forms_with_nul_are_422(stack: Any, admin_web: dict[str, str]) -> None:
    csrf = admin_web["csrf"]
    with web_client(stack, admin_web) as w:
        users_before = w.get("/admin/users").text.count("<tr")
        assert_refused(w.post("/admin/users", data={"csrf_token": csrf, "name": f"Eve{NUL}", "role": "rep"}),
                       "&#39;name&#39;")
        assert_refused(w.post("/admin/teams", data={"csrf_token": csrf, "team_name": f"North{NUL}"}),
                       "&#39;team_name&#39;")
        assert_refused(w.post("/admin/trackers", data={"csrf_token": csrf, "name": f"budget{NUL}",
                                                        "phrases": "budget", "enabled": "on"}), "&#39;name&#39;")
        assert_refused(w.post("/admin/trackers", data={"csrf_token": csrf, "name": "budget",
                                                        "phrases": f"budget\nspend{NUL}", "enabled": "on"}),
                       "&#39;phrases&#39;")
        assert_refused(w.post("/admin/keys", data={"csrf_token": csrf, "role": "admin", "name": f"k{NUL}"}),
                       "&#39;name&#39;")
        assert w.get("/admin/users").text.count("<tr") == users_before


# 284 characters of YAML that expand to 59,049 strings (480 kB of JSON): each level is nine of the one before.
ALIAS_BOMB = """\
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
situations:
  bomb: {kind: moment, title: Bomb, do: Expand, say: [*d, *d, *d, *d, *d, *d, *d, *d, *d]}
"""
# A playbook the old parser stored with NaN (SQLite) or failed to store (PostgreSQL: 500).
PLAYBOOK = """\
situations:
  talk_less:
    kind: behaviour
    title: Talk less
    feature: talk_ratio
    band: {{op: "<=", value: {value}, source: test}}
    do: Ask a question and let the customer talk.
"""


def test_playbook_yaml_form_refuses_aliases_and_non_finite_numbers(stack: Any, admin_web: dict[str, str]) -> None:
    from service.core.db import session_scope

    csrf = admin_web["csrf"]
    name = f"bomb-{uuid.uuid4().hex[:6]}"
    with web_client(stack, admin_web) as w:
        r = w.post("/admin/playbook", data={"csrf_token": csrf, "name": name, "content": ALIAS_BOMB})
        assert r.status_code == 422 and "anchors and aliases are not accepted" in r.text, r.text[-800:]
        assert len(r.content) < 200_000  # the page shows the reason, not 10 MB of expanded JSON
        for bad in (".nan", ".inf", "-.inf", "1.0e+999"):
            r = w.post("/admin/playbook", data={"csrf_token": csrf, "name": name,
                                                "content": PLAYBOOK.format(value=bad)})
            assert r.status_code == 422 and "is not a finite number" in r.text, (bad, r.text[-800:])
        r = w.post("/admin/playbook", data={"csrf_token": csrf, "name": name, "content": 'situations: {a: "x\\0"}'})
        assert r.status_code == 422 and "NUL character" in r.text
        assert w.get("/admin/playbook").status_code == 200
    with session_scope(stack.settings()) as s:
        assert s.exec(select(Playbook).where(col(Playbook.name) == name)).first() is None


VTT_WITH_NUL = "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v Dana>Hi Bob, what are your goals\x00 this quarter?\n"
JSON_WITH_NUL = json.dumps({"speakers": [{"id": "S1", "name": "Dana"}],
                            "words": [{"start": 0.0, "end": 0.5, "word": "Hi", "speaker": "S1"},
                                      {"start": 0.5, "end": 1.0, "word": "Bob\u0000", "speaker": "S1"}]})


def test_transcript_with_nul_fails_once_with_the_reason(stack: Any, h: Any) -> None:
    from service.core.db import session_scope

    with stack.client("admin") as c:
        vtt = h.upload(c, VTT_WITH_NUL, filename="nul.vtt", title="nul vtt")
        js = h.upload(c, JSON_WITH_NUL, filename="nul.json", content_type="application/json", title="nul json")
        assert vtt.status_code == 202 and js.status_code == 202, (vtt.text, js.text)
        expected = {vtt.json()["id"]: "line 4: the transcript contains a NUL character",
                    js.json()["id"]: "the transcript contains a NUL character in words[1].word"}
        for cid, words in expected.items():
            body = h.wait_status(c, cid)
            assert body["status"] == "failed", body
            assert words in body["error"] and "interrupted" not in body["error"], body["error"]
    with session_scope(stack.settings()) as s:
        for cid in expected:
            job = s.exec(select(Job).where(col(Job.call_id) == cid)).one()
            assert (job.status, job.attempts) == ("failed", 1), (job.status, job.attempts, job.error)
