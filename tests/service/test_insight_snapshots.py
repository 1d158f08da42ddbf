"""Insight snapshots per scope: reading insights stores nothing; a coach stores their
team's, an admin the organization's; a call's suggestions use its team's snapshot, else the
organization's, never another team's. Both backends."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from models import Call
from models.coaching import InsightSnapshot
from nlp.analysis import CallAnalysis


def _snapshots(stack: Any) -> list[tuple[str | None, int]]:
    from service.core.db import get_engine

    with Session(get_engine(stack.settings())) as s:
        rows = s.exec(select(InsightSnapshot).where(col(InsightSnapshot.org_id) == stack.ids["org_a"])
                      .order_by(col(InsightSnapshot.created_at))).all()
        return [(r.team_id, r.n_calls) for r in rows]


def test_snapshots_are_per_scope_and_never_written_by_a_read(stack: Any, h: Any) -> None:
    with stack.client("rep1") as c:
        east_call = h.upload(c, h.vtt, title="east").json()["id"]
        assert h.wait_status(c, east_call)["status"] == "done"
    with stack.client("rep2") as c:
        west_call = h.upload(c, h.vtt, title="west").json()["id"]
        assert h.wait_status(c, west_call)["status"] == "done"
    before = _snapshots(stack)
    for role in ("admin", "coach", "integration"):
        with stack.client(role) as c:
            assert c.get("/v1/insights").status_code == 200
    assert _snapshots(stack) == before  # a GET writes no snapshot
    with stack.client("rep1") as c:
        r = c.post("/v1/insights/snapshots")
        assert r.status_code == 403
    with stack.client("coach") as c:  # team East
        r = c.post("/v1/insights/snapshots")
        assert r.status_code == 201, r.text
        assert r.json()["team_id"] == stack.ids["team1"]
    assert _snapshots(stack)[len(before):] == [(stack.ids["team1"], r.json()["n_calls"])]

    from service.core.db import get_engine
    from service.domain.insights import latest_snapshot

    with Session(get_engine(stack.settings())) as s:
        east_report, east_id = latest_snapshot(s, stack.ids["org_a"], stack.ids["team1"])
        west_report, west_id = latest_snapshot(s, stack.ids["org_a"], stack.ids["team2"])
    assert east_id == r.json()["id"] and east_report is not None
    assert west_id is None and west_report is None  # West never sees East's findings
    with stack.client("admin") as c:
        org = c.post("/v1/insights/snapshots")
        assert org.status_code == 201 and org.json()["team_id"] is None
    with Session(get_engine(stack.settings())) as s:
        assert latest_snapshot(s, stack.ids["org_a"], stack.ids["team2"])[1] == org.json()["id"]
        # East keeps its own even though the organization's is newer.
        assert latest_snapshot(s, stack.ids["org_a"], stack.ids["team1"])[1] == east_id
        call = s.get(Call, west_call)
        assert call is not None
        from service.domain.calls import stored_analysis
        from service.domain.insights import call_suggestions

        out = call_suggestions(CallAnalysis.from_dict(stored_analysis(s, call)), call, s)
        assert all(x["basis"] != "insight" for x in out)  # the org's 2 calls found nothing to rank by
