"""`GET /v1/calls` filters that the web library shares (`service.domain.library`): full-text search
through the database's index (SQLite FTS5, PostgreSQL GIN), tracker hits, outcomes. Both backends."""

from __future__ import annotations

from typing import Any

PRICING_VTT = """WEBVTT

00:00:00.000 --> 00:00:04.000
<v Dana>Thanks for joining. How are you evaluating vendors for the warehouse rollout?

00:00:04.500 --> 00:00:09.000
<v Bob>Mainly on price. The pricing of your competitor was lower last year.
"""


def _ids(client: Any, **params: str) -> set[str]:
    r = client.get("/v1/calls", params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return {c["id"] for c in r.json()["items"]}


def test_search_trackers_and_outcomes(stack: Any, h: Any) -> None:
    with stack.client("coach") as c:
        onboarding = h.upload(c, h.vtt, title="onboarding").json()["id"]
        warehouse = h.upload(c, PRICING_VTT, title="warehouse").json()["id"]
        for cid in (onboarding, warehouse):
            assert h.wait_status(c, cid)["status"] == "done"
        # Stemmed, every word must match, punctuation and query syntax are ignored.
        assert _ids(c, q="warehouses") >= {warehouse} and onboarding not in _ids(c, q="warehouses")
        assert _ids(c, q="onboarding spreadsheets") >= {onboarding}
        assert onboarding not in _ids(c, q="onboarding warehouse")
        assert _ids(c, q='") OR NEAR(* -') == _ids(c, q="or near")  # operators are words, not syntax
        assert warehouse in _ids(c, tracker="pricing") and onboarding in _ids(c, tracker="pricing")
        assert not (_ids(c, tracker="pric") & {warehouse, onboarding})  # a whole tracker name only
        assert c.post("/v1/outcomes", json={"call_id": warehouse, "outcome": "won"}).status_code == 201
        assert warehouse in _ids(c, outcome="won") and onboarding not in _ids(c, outcome="won")
        assert onboarding in _ids(c, outcome="none") and warehouse not in _ids(c, outcome="none")
    # Search never reaches past the access policy: another team's rep finds nothing of these.
    with stack.client("rep2") as c:
        assert not (_ids(c, q="warehouse") & {warehouse, onboarding})
    with stack.client("admin_b") as c:
        assert _ids(c, q="warehouse") == set()
