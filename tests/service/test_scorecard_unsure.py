"""A call whose speaker count is unsure (`speakers_note`): its scorecard says so through the real
service (server, worker, database), and marks the items that depend on who is speaking "unsure"
until the speakers are fixed by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

SALES_VTT = """WEBVTT

00:00:00.000 --> 00:00:04.000
<v SPEAKER_00>Hi Maria, this is Sam from Northwind. Thanks for taking the time today.

00:00:04.500 --> 00:00:06.000
<v SPEAKER_01>Sure, I have about twenty minutes.

00:00:06.500 --> 00:00:10.000
<v SPEAKER_00>Could you walk me through how your team handles reporting right now?

00:00:10.500 --> 00:00:16.000
<v SPEAKER_01>Right now we export everything into spreadsheets every Friday and it takes all afternoon.

00:00:16.500 --> 00:00:22.000
<v SPEAKER_00>Our platform is a flat price per seat. I'll send you the pricing by Friday, and we agreed to meet next Tuesday.
"""

NOTE = {"why": "Two speakers were found from the phrases' voices and pitch and how the conversation goes; the "
               "evidence is close to the bar, so the split may be wrong.",
        "fix": "Choose the rep under \"Fix speakers\" on the call page, or PATCH /v1/calls/ID/speakers.",
        "case": "split",
        "evidence": {"voice_gap": 1.41, "pitch_gap": 1.35, "turns": 12, "questions": 4, "answered": 3}}
# The bundled rubric's automatic items that depend on who speaks (metrics, the rep's question types).
SPEAKER_ITEMS = {"early_discovery", "talk_ratio", "questions", "open_questions"}


def _mark_unsure(stack: Any, call_id: str) -> None:
    """What a mono call whose count was decided with a low margin stores: its analysis's `speakers_note`."""
    from models.calls import CallResult
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        row = s.get(CallResult, call_id)
        assert row is not None
        analysis = json.loads(row.analysis_json)
        analysis["speakers_note"] = NOTE
        row.analysis_json = json.dumps(analysis)
        row.updated_at = datetime.now(UTC)
        s.add(row)
        s.commit()


def _fresh_org_admin(stack: Any) -> str:
    """An admin key of an organization of its own: other tests of the shared stack change their
    organizations' active rubric, and this test reads the bundled one's items."""
    from service.core.accounts import create_key, create_org
    from service.core.db import session_scope

    with session_scope(stack.settings()) as s:
        org = create_org(s, "Unsure speakers")
        return create_key(s, org.id, "admin").secret


def test_an_unsure_speaker_count_marks_the_scorecards_speaker_items(stack: Any, h: Any) -> None:
    with stack.client() as c:
        c.headers["Authorization"] = f"Bearer {_fresh_org_admin(stack)}"
        call = h.wait_status(c, h.upload(c, SALES_VTT).json()["id"])
        assert call["status"] == "done", call["error"]
        plain = c.post(f"/v1/calls/{call['id']}/scorecards", json={})
        assert plain.status_code == 201, plain.text
        assert plain.json()["speakers_note"] is None
        assert not any(i["unsure"] for i in plain.json()["items"])
        _mark_unsure(stack, call["id"])
        created = c.post(f"/v1/calls/{call['id']}/scorecards",
                         json={"overrides": [{"item_id": "questions", "score": 1.0}]})
        assert created.status_code == 201, created.text
        card = c.get(f"/v1/calls/{call['id']}/scorecard").json()
        assert card["speakers_note"] == NOTE == created.json()["speakers_note"]
        unsure = {i["item_id"] for i in card["items"] if i["unsure"]}
        # The coach's own score is not unsure; the tracker and the coach-only items do not depend on speakers.
        assert unsure == SPEAKER_ITEMS - {"questions"}
        r = c.patch(f"/v1/calls/{call['id']}/speakers",
                    json={"speakers": [{"id": "S1", "role": "rep"}, {"id": "S2", "role": "customer"}]})
        assert r.status_code == 200, r.text
        fixed = c.get(f"/v1/calls/{call['id']}/scorecard").json()
    assert fixed["speakers_note"] is None and not any(i["unsure"] for i in fixed["items"])
