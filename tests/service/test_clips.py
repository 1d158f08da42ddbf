"""Clips and playlists through the JSON API (both backends): what is stored, the span rules, the
audience rule of `service.core.access` ("Clips and playlists"), and that deleting a call deletes
its clips and their places in playlists. The audio cut to a clip's span: tests/service/web/test_clips_pages.py."""

from __future__ import annotations

from typing import Any

import pytest

SPAN = {"start_s": 5.5, "end_s": 14.0}  # Bob's first answer in the test call (31 s)


@pytest.fixture(scope="module")
def call_id(stack: Any, h: Any) -> str:
    with stack.client("rep1") as c:
        cid: str = h.upload(c, h.vtt, title="clips").json()["id"]
        assert h.wait_status(c, cid)["status"] == "done"
    return cid


def _clip(stack: Any, who: str, call_id: str, **fields: Any) -> dict[str, Any]:
    with stack.client(who) as c:
        r = c.post("/v1/clips", json={"call_id": call_id, **SPAN, "title": "Onboarding pain", **fields})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_a_clip_is_stored_read_changed_and_deleted(stack: Any, call_id: str) -> None:
    clip = _clip(stack, "rep1", call_id, note="Six weeks!\nListen to the pain.")
    assert {k: clip[k] for k in ("call_id", "start_s", "end_s", "duration_s", "title", "note", "created_by",
                                 "created_by_name", "call_visible", "can_edit")} == {
        "call_id": call_id, "start_s": 5.5, "end_s": 14.0, "duration_s": 8.5, "title": "Onboarding pain",
        "note": "Six weeks!\nListen to the pain.", "created_by": stack.ids["rep1"], "created_by_name": "Dana",
        "call_visible": True, "can_edit": True}
    with stack.client("rep1") as c:
        got = c.get(f"/v1/clips/{clip['id']}").json()
        assert [(t["name"], t["text"]) for t in got["transcript"]] == [
            ("Bob", "We want to cut onboarding time in half. Right now it takes about six weeks and the team hates it.")]
        listed = c.get("/v1/clips", params={"call_id": call_id}).json()
        assert clip["id"] in [x["id"] for x in listed["items"]] and listed["total"] >= 1
        r = c.patch(f"/v1/clips/{clip['id']}", json={"title": "Six weeks of onboarding", "note": "", "end_s": 18.0})
        assert r.status_code == 200, r.text
        assert (r.json()["title"], r.json()["note"], r.json()["end_s"]) == ("Six weeks of onboarding", None, 18.0)
    with stack.client("coach") as c:  # a coach who sees the call may change it too
        assert c.patch(f"/v1/clips/{clip['id']}", json={"title": "Coach's title"}).json()["title"] == "Coach's title"
    with stack.client("rep1") as c:
        assert c.delete(f"/v1/clips/{clip['id']}").status_code == 204
        assert c.get(f"/v1/clips/{clip['id']}").status_code == 404


@pytest.mark.parametrize(("body", "message"), [
    ({"start_s": 14.0, "end_s": 14.0}, "the clip must end after it starts (end_s 14 <= start_s 14)"),
    ({"start_s": 20.0, "end_s": 12.0}, "the clip must end after it starts (end_s 12 <= start_s 20)"),
    ({"start_s": 10.0, "end_s": 45.0}, "the clip ends after the call does (end_s 45 > the call's 31 s)"),
    ({"start_s": 0.0, "end_s": 1000.0}, "the clip is 1000 s long; a clip is at most 900 s (15 minutes)"),
])
def test_a_span_outside_the_call_is_refused_with_the_reason(stack: Any, call_id: str, body: dict[str, float],
                                                            message: str) -> None:
    with stack.client("rep1") as c:
        r = c.post("/v1/clips", json={"call_id": call_id, "title": "x", **body})
    assert r.status_code == 422 and r.json()["detail"] == message


@pytest.mark.parametrize(("fields", "where"), [
    ({"start_s": -1.0}, "start_s"), ({"title": ""}, "title"), ({"title": "x" * 301}, "title"),
])
def test_bad_fields_are_refused(stack: Any, call_id: str, fields: dict[str, Any], where: str) -> None:
    with stack.client("rep1") as c:
        r = c.post("/v1/clips", json={"call_id": call_id, **SPAN, "title": "ok", **fields})
    assert r.status_code == 422 and where in str(r.json()["detail"])


def test_a_control_character_in_a_title_is_refused(stack: Any, call_id: str) -> None:
    with stack.client("rep1") as c:
        r = c.post("/v1/clips", json={"call_id": call_id, **SPAN, "title": "bell\x07"})
        assert r.status_code == 422 and "'title'" in r.json()["detail"], r.text
        r = c.post("/v1/playlists", json={"title": "ok", "description": "two\nlines\tand a tab"})
        assert r.status_code == 201 and r.json()["description"] == "two\nlines\tand a tab"


def test_a_playlist_plays_its_clips_for_its_audience_and_no_one_else(stack: Any, call_id: str) -> None:
    clip = _clip(stack, "rep1", call_id)
    with stack.client("rep1") as c:
        team = c.post("/v1/playlists", json={"title": "East discovery", "audience": "team"}).json()
        assert (team["audience"], team["team_id"]) == ("team", stack.ids["team1"])
        assert c.post(f"/v1/playlists/{team['id']}/clips", json={"clip_id": clip["id"]}).status_code == 201
        r = c.post("/v1/playlists", json={"title": "Everyone", "audience": "organization"})
        assert r.status_code == 403 and "admin or a coach" in r.json()["detail"]  # a rep: their team only
    with stack.client("coach") as c:
        org = c.post("/v1/playlists", json={"title": "Objections", "description": "Learn these.",
                                            "audience": "organization"}).json()
        r = c.post(f"/v1/playlists/{org['id']}/clips", json={"clip_id": clip["id"]})
        assert r.status_code == 201 and [x["id"] for x in r.json()["clips"]] == [clip["id"]]
        assert c.post(f"/v1/playlists/{org['id']}/clips", json={"clip_id": clip["id"]}).status_code == 409
    with stack.client("rep2") as c:  # team West: the organization's playlist, not East's
        assert c.get(f"/v1/playlists/{team['id']}").status_code == 404
        seen = c.get(f"/v1/playlists/{org['id']}")
        assert seen.status_code == 200 and [x["id"] for x in seen.json()["clips"]] == [clip["id"]]
        assert {p["id"] for p in c.get("/v1/playlists").json()["items"]} >= {org["id"]}
        assert team["id"] not in {p["id"] for p in c.get("/v1/playlists").json()["items"]}
        got = c.get(f"/v1/clips/{clip['id']}").json()
        assert (got["call_visible"], got["can_edit"]) == (False, False)
        assert [t["start"] for t in got["transcript"]] == [5.5]  # the span's words, not the call's
        assert c.get(f"/v1/calls/{call_id}").status_code == 404  # the call stays closed
        assert c.get(f"/v1/calls/{call_id}/transcript").status_code == 404
        assert c.patch(f"/v1/clips/{clip['id']}", json={"title": "mine"}).status_code == 403
        assert c.patch(f"/v1/playlists/{org['id']}", json={"title": "mine"}).status_code == 403
        own = c.post("/v1/playlists", json={"title": "West picks"}).json()
        r = c.post(f"/v1/playlists/{own['id']}/clips", json={"clip_id": clip["id"]})
        assert r.status_code == 404  # a span shown to them is not theirs to pass on
    with stack.client("admin_b") as c:
        assert c.get(f"/v1/playlists/{org['id']}").status_code == 404
        assert c.get(f"/v1/clips/{clip['id']}").status_code == 404
    with stack.client("coach") as c:  # out of the playlist: out of West's reach
        assert c.delete(f"/v1/playlists/{org['id']}/clips/{clip['id']}").status_code == 204
    with stack.client("rep2") as c:
        assert c.get(f"/v1/clips/{clip['id']}").status_code == 404


def test_clips_keep_their_order_and_can_be_reordered(stack: Any, call_id: str) -> None:
    a = _clip(stack, "rep1", call_id, title="first")
    b = _clip(stack, "rep1", call_id, start_s=18.5, end_s=27.0, title="second")
    with stack.client("coach") as c:
        p = c.post("/v1/playlists", json={"title": "Order"}).json()
        for clip in (a, b):
            c.post(f"/v1/playlists/{p['id']}/clips", json={"clip_id": clip["id"]})
        assert [x["title"] for x in c.get(f"/v1/playlists/{p['id']}").json()["clips"]] == ["first", "second"]
        r = c.patch(f"/v1/playlists/{p['id']}", json={"clip_ids": [b["id"], a["id"]]})
        assert [x["title"] for x in r.json()["clips"]] == ["second", "first"]
        assert (r.json()["n_clips"], r.json()["duration_s"]) == (2, 17.0)
        assert c.patch(f"/v1/playlists/{p['id']}", json={"clip_ids": [a["id"]]}).status_code == 422


def test_deleting_the_call_deletes_its_clips_and_their_places(stack: Any, h: Any) -> None:
    from sqlmodel import col, select

    from models import Clip, PlaylistClip
    from service.core.db import session_scope

    with stack.client("rep1") as c:
        cid = h.upload(c, h.vtt, title="to delete").json()["id"]
        assert h.wait_status(c, cid)["status"] == "done"
    clip = _clip(stack, "rep1", cid)
    with stack.client("coach") as c:
        p = c.post("/v1/playlists", json={"title": "Soon empty"}).json()
        assert c.post(f"/v1/playlists/{p['id']}/clips", json={"clip_id": clip["id"]}).status_code == 201
    with stack.client("admin") as c:
        assert c.delete(f"/v1/calls/{cid}").status_code == 204
        assert c.get(f"/v1/clips/{clip['id']}").status_code == 404
        left = c.get(f"/v1/playlists/{p['id']}").json()
        assert (left["n_clips"], left["clips"]) == (0, [])
    with session_scope(stack.settings()) as s:
        assert s.exec(select(Clip).where(col(Clip.call_id) == cid)).all() == []
        assert s.exec(select(PlaylistClip).where(col(PlaylistClip.clip_id) == clip["id"])).all() == []


def test_migration_0015_creates_and_drops_the_tables(h: Any, tmp_path: Any) -> None:
    import sqlalchemy as sa
    from alembic import command

    with h.migrating("sqlite", tmp_path, "0015") as (cfg, conn):
        conn.commit()
        tables = set(sa.inspect(conn).get_table_names())
        assert {"clip", "playlist", "playlistclip"} <= tables
        command.downgrade(cfg, "0014")
        conn.commit()
        assert not {"clip", "playlist", "playlistclip"} & set(sa.inspect(conn).get_table_names())
