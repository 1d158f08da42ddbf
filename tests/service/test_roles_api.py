"""Roles without voice profiles through the real service (server, worker, database): from what is said,
from the uploading rep's name, and the "why + how to fix" note when nothing says who the rep is."""

from __future__ import annotations

from typing import Any

ANONYMOUS_SALES_VTT = """WEBVTT

00:00:00.000 --> 00:00:04.000
<v SPEAKER_00>Hi Maria, this is Sam from Northwind. Thanks for taking the time today.

00:00:04.500 --> 00:00:06.000
<v SPEAKER_01>Sure, I have about twenty minutes.

00:00:06.500 --> 00:00:10.000
<v SPEAKER_00>Could you walk me through how your team handles reporting right now?

00:00:10.500 --> 00:00:16.000
<v SPEAKER_01>Right now we export everything into spreadsheets every Friday and it takes all afternoon.

00:00:16.500 --> 00:00:19.000
<v SPEAKER_00>What happens when the numbers are wrong?

00:00:19.500 --> 00:00:22.000
<v SPEAKER_01>We find out at the end of the month. How much does your product cost?

00:00:22.500 --> 00:00:28.000
<v SPEAKER_00>Our platform is a flat price per seat. I'll send you the pricing by Friday.
"""

SMALL_TALK_VTT = """WEBVTT

00:00:00.000 --> 00:00:03.000
<v SPEAKER_00>Morning. Did you see the game last night?

00:00:03.500 --> 00:00:07.000
<v SPEAKER_01>I did. What a finish. Did you stay up for the whole thing?

00:00:07.500 --> 00:00:10.000
<v SPEAKER_00>Most of it. I fell asleep before the end though.

00:00:10.500 --> 00:00:13.000
<v SPEAKER_01>Same here, honestly. Are you going in on Friday?
"""


def _roles(call: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(s["id"], s["role"], s["role_source"]) for s in call["analysis"]["speakers"]]


def test_anonymous_speakers_get_roles_from_what_is_said(stack: Any, h: Any) -> None:
    with stack.client("rep1") as c:
        call = h.wait_status(c, h.upload(c, ANONYMOUS_SALES_VTT).json()["id"])
    assert call["status"] == "done", call["error"]
    assert _roles(call) == [("S1", "rep", "content"), ("S2", "customer", "content")]
    a = call["analysis"]
    assert a["speakers"][0]["role_confidence"] >= 0.8 and a["roles_note"] is None
    assert a["metrics"]["question_count_rep"] == 2 and a["metrics"]["talk_ratio"] is not None


def test_the_uploading_reps_name_picks_the_rep(stack: Any, h: Any) -> None:
    with stack.client("rep1") as c:  # rep1 is the user "Dana"; the upload names no rep: the call is Dana's
        call = h.wait_status(c, h.upload(c, h.vtt).json()["id"])
    assert call["rep_name"] == "Dana" and call["rep_user_id"] == stack.ids["rep1"]
    assert [(s["name"], s["role"], s["role_source"]) for s in call["analysis"]["speakers"]] == [
        ("Dana", "rep", "uploader"), ("Bob", "customer", "uploader")]


def test_no_rep_found_says_why_and_how_to_fix_it_until_relabelled(stack: Any, h: Any) -> None:
    with stack.client("admin") as c:
        call = h.wait_status(c, h.upload(c, SMALL_TALK_VTT).json()["id"])
        assert _roles(call) == [("S1", "unknown", None), ("S2", "unknown", None)]
        note = call["analysis"]["roles_note"]
        assert "does not show clearly who the rep is" in note["why"]
        assert "talktrack relabel CALL.json --speaker S1=rep --speaker S2=customer" in note["fix"]
        assert "talktrack enroll" in note["fix"] and "PATCH /v1/calls/ID/speakers" in note["fix"]
        assert call["analysis"]["metrics"]["talk_ratio"] is None
        created = c.post(f"/v1/calls/{call['id']}/scorecards", json={})
        assert created.status_code == 201, created.text
        assert created.json()["roles_note"] == note  # the scorecard says why its rep items are empty
        assert c.get(f"/v1/calls/{call['id']}/scorecard").json()["roles_note"] == note
        r = c.patch(f"/v1/calls/{call['id']}/speakers",
                    json={"speakers": [{"id": "S1", "role": "rep"}, {"id": "S2", "role": "customer"}]})
        assert r.status_code == 200, r.text
        fixed = r.json()["analysis"]
    assert [(s["role"], s["role_source"]) for s in fixed["speakers"]] == [("rep", "manual"), ("customer", "manual")]
    assert fixed["roles_note"] is None and fixed["metrics"]["talk_ratio"] is not None
    with stack.client("admin") as c:
        assert c.get(f"/v1/calls/{call['id']}/scorecard").json()["roles_note"] is None
