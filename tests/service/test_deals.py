"""The call brief and the deal view over HTTP, on a real server, both backends: `GET /v1/calls/{id}/brief`,
the brief and the deal page's address in the `call.analyzed` webhook, the brief's kinds in the
search index, `GET /v1/deals/{id}` (calls in time order, the story, every warning of docs/deals.md
with its evidence) as each principal sees it, and `GET /v1/deals?warning=`.

Calls are stored through the domain function the analysis jobs call (`store_analysis`, via
`devstack.deals`), with a real analysis reshaped and briefs written by hand, so that each rule
is reached with known values; one call is a real upload.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest

from devstack.deals import SeedCall, brief, item, store_calls

TODAY = datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0)


def day(offset: int) -> datetime:
    return TODAY + timedelta(days=offset)


def iso(offset: int) -> str:
    return day(offset).date().isoformat()


@pytest.fixture(scope="module")
def base(stack: Any, h: Any) -> dict[str, Any]:
    """A real analysis (the shared VTT through the real pipeline) that the seeded calls reshape."""
    with stack.client("rep1") as c:
        call_id = h.upload(c, h.vtt, title="deal base").json()["id"]
        body = h.wait_status(c, call_id)
    assert body["status"] == "done", body
    analysis: dict[str, Any] = body["analysis"]
    return analysis


@dataclass
class Deal:
    deal_id: str
    c1: str
    c2: str
    c3: str


@pytest.fixture(scope="module")
def deal(stack: Any, base: dict[str, Any]) -> Deal:
    """Three calls: c1 and c2 of rep1 (team East), c3 of rep2 (team West), 30, 20 and 16 days ago.

    c1: pain, need, a price objection, Gong, "Maria Lopez" decides, budget 40,000, a next step due
    25 days ago (c2 came 20 days ago: missed). c2: price quoted 60,000, a timing objection, a
    question left unanswered, a next step due 15 days ago (c3 came 16 days ago: kept). c3: the
    timing objection again, Bob decides (Bob speaks), a next step with no date. The customer's
    talk share falls 60% -> 55% -> 40% and their questions 4 -> 3 -> 1."""
    ids = stack.ids
    deal_id = f"006-{uuid.uuid4().hex[:10]}"
    east = {"org_id": ids["org_a"], "team_id": ids["team1"], "rep_user_id": ids["rep1"]}
    west = {"org_id": ids["org_a"], "team_id": ids["team2"], "rep_user_id": ids["rep2"], "rep_name": "Eli"}
    b1 = brief([item("pain", "Right now it takes about six weeks and the team hates it", 5.5),
                item("need", "We want to cut onboarding time in half", 10.0),
                item("objection", "the price of our current tool is also a problem", 18.5, detail="price"),
                item("competitor", "we looked at Gong last year", 20.0, detail="Gong"),
                item("decision", "Maria Lopez signs off on anything over budget", 22.0, detail="Maria Lopez"),
                item("budget", "we have about forty thousand for this", 24.0, amount=40000.0),
                item("next_step", "I'll send you the proposal by Friday", 28.0, speaker="S1", role="rep",
                     owner="rep", due=iso(-25), date_phrase="by Friday")], call_date=iso(-30))
    b2 = brief([item("price", "the list price is sixty thousand a year", 8.0, speaker="S1", role="rep",
                     amount=60000.0),
                item("objection", "this quarter is too soon for us", 12.0, detail="timing"),
                item("question", "How long does the rollout take?", 15.0),
                item("next_step", "Let's meet again next week", 28.0, speaker="S1", role="rep", owner="both",
                     due=iso(-15), date_phrase="next week")], call_date=iso(-20))
    b3 = brief([item("objection", "we still think the timing is wrong", 6.0, detail="timing"),
                item("decision", "Bob makes the call in the end", 9.0, detail="Bob"),
                item("next_step", "I'll follow up with a case study", 25.0, speaker="S1", role="rep", owner="rep")],
               call_date=iso(-16))
    c1, c2, c3 = store_calls(stack.settings(), base, [
        SeedCall(**east, started_at=day(-30), deal_id=deal_id, title="Discovery", brief=b1,
                 speakers=[("Dana", "rep", 12.0), ("Bob", "customer", 18.0)], customer_questions=4),
        SeedCall(**east, started_at=day(-20), deal_id=deal_id, title="Demo", brief=b2,
                 speakers=[("Dana", "rep", 9.0), ("Bob", "customer", 11.0)], customer_questions=3),
        SeedCall(**west, started_at=day(-16), deal_id=deal_id, title="Pricing", brief=b3,
                 speakers=[("Eli", "rep", 12.0), ("Bob", "customer", 8.0)], customer_questions=1),
    ])
    return Deal(deal_id, c1, c2, c3)


def _codes(view: dict[str, Any]) -> list[str]:
    return [w["code"] for w in view["warnings"]]


def _warning(view: dict[str, Any], code: str) -> dict[str, Any]:
    return next(w for w in view["warnings"] if w["code"] == code)


def _moments(warning: dict[str, Any]) -> list[tuple[str, float | None]]:
    return [(m["call_id"], m["start"]) for m in warning["evidence"]]


def test_deal_view_merges_the_story_and_raises_every_warning(stack: Any, deal: Deal) -> None:
    with stack.client("admin") as c:
        r = c.get(f"/v1/deals/{deal.deal_id}")
    assert r.status_code == 200, r.text
    view = r.json()
    assert [x["id"] for x in view["calls"]] == [deal.c1, deal.c2, deal.c3]
    assert [x["customer_talk_share"] for x in view["calls"]] == [0.6, 0.55, 0.4]
    assert [x["customer_questions"] for x in view["calls"]] == [4, 3, 1]
    story = view["story"]
    assert [(p["call_id"], p["start"]) for p in story["pains"]] == [(deal.c1, 5.5)]
    assert [n["text"] for n in story["needs"]] == ["We want to cut onboarding time in half"]
    assert [(s["name"], s["on_call"]) for s in story["stakeholders"]] == [("Maria Lopez", False), ("Bob", True)]
    objections = {o["topic"]: o for o in story["objections"]}
    assert objections["price"]["status"] == "handled" and objections["price"]["handled_in_call_id"] == deal.c2
    assert objections["timing"]["status"] == "open"
    assert [i["call_id"] for i in objections["timing"]["raised"]] == [deal.c2, deal.c3]
    assert [(n["item"]["call_id"], n["status"], n["next_call_id"]) for n in story["next_steps"]] == [
        (deal.c1, "missed", deal.c2), (deal.c2, "kept", deal.c3), (deal.c3, "undated", None)]
    assert [k["name"] for k in story["competitors"]] == ["Gong"]

    assert _codes(view) == ["no_dated_next_step", "due_date_passed", "budget_below_price", "competitor_in_play",
                            "decision_maker_absent", "talk_share_falling", "questions_falling",
                            "unanswered_questions"]
    assert _moments(_warning(view, "no_dated_next_step")) == [(deal.c3, 25.0)]
    assert _moments(_warning(view, "due_date_passed")) == [(deal.c1, 28.0)]
    assert _moments(_warning(view, "budget_below_price")) == [(deal.c1, 24.0), (deal.c2, 8.0)]
    assert "40,000" in _warning(view, "budget_below_price")["message"]
    assert _moments(_warning(view, "competitor_in_play")) == [(deal.c1, 20.0)]
    assert _moments(_warning(view, "decision_maker_absent")) == [(deal.c1, 22.0)]
    assert "Maria Lopez" in _warning(view, "decision_maker_absent")["message"]
    assert _moments(_warning(view, "talk_share_falling")) == [(deal.c1, None), (deal.c3, None)]
    assert "60%" in _warning(view, "talk_share_falling")["message"]
    assert _moments(_warning(view, "questions_falling")) == [(deal.c1, None), (deal.c3, None)]
    assert _moments(_warning(view, "unanswered_questions")) == [(deal.c2, 15.0)]


def test_a_deal_shows_only_the_calls_the_viewer_may_see(stack: Any, deal: Deal) -> None:
    for role in ("rep1", "coach"):  # team East: c1 and c2
        with stack.client(role) as c:
            view = c.get(f"/v1/deals/{deal.deal_id}").json()
        assert [x["id"] for x in view["calls"]] == [deal.c1, deal.c2], role
        # c2 is now the latest: its next step has a date, is past and no call followed.
        assert [(n["item"]["call_id"], n["status"]) for n in view["story"]["next_steps"]] == [
            (deal.c1, "missed"), (deal.c2, "missed")]
        assert _codes(view) == ["due_date_passed", "budget_below_price", "competitor_in_play",
                                "decision_maker_absent", "unanswered_questions"], role
        assert {o["topic"]: o["status"] for o in view["story"]["objections"]} == {"price": "handled", "timing": "open"}
    with stack.client("rep2") as c:  # team West: c3 only
        view = c.get(f"/v1/deals/{deal.deal_id}").json()
    assert [x["id"] for x in view["calls"]] == [deal.c3]
    assert _codes(view) == ["no_dated_next_step"]
    for role in ("admin_b", "rep_b"):
        with stack.client(role) as c:
            r = c.get(f"/v1/deals/{deal.deal_id}")
        assert r.status_code == 404 and r.json() == {"detail": "deal not found"}, role
    with stack.client("admin") as c:
        assert c.get("/v1/deals/no-such-deal").status_code == 404


def test_deals_list_filters_by_warning(stack: Any, deal: Deal, base: dict[str, Any]) -> None:
    ids = stack.ids
    quiet = f"quiet-{uuid.uuid4().hex[:8]}"
    store_calls(stack.settings(), base, [SeedCall(
        org_id=ids["org_a"], team_id=ids["team1"], rep_user_id=ids["rep1"], started_at=day(-1), deal_id=quiet,
        brief=brief([item("next_step", "Send the contract on Monday", 20.0, speaker="S1", role="rep",
                          owner="rep", due=iso(5))]))])

    def listed(role: str, **params: str) -> dict[str, dict[str, Any]]:
        with stack.client(role) as c:
            r = c.get("/v1/deals", params={"limit": 200, **params})
        assert r.status_code == 200, r.text
        return {d["deal_id"]: d for d in r.json()["items"]}

    every = listed("admin")
    assert every[deal.deal_id]["calls"] == 3 and every[quiet]["warnings"] == []
    assert every[deal.deal_id]["last_call_at"].startswith(iso(-16))
    assert list(every).index(quiet) < list(every).index(deal.deal_id)  # newest last call first
    assert deal.deal_id in listed("admin", warning="talk_share_falling")
    assert quiet not in listed("admin", warning="talk_share_falling")
    assert deal.deal_id not in listed("rep1", warning="talk_share_falling")  # rep1 sees c1 and c2 only
    assert deal.deal_id in listed("rep1", warning="due_date_passed")
    assert listed("rep1")[deal.deal_id]["calls"] == 2
    assert deal.deal_id not in listed("admin_b") and quiet not in listed("rep2")
    with stack.client("admin") as c:
        assert c.get("/v1/deals", params={"warning": "no_such_warning"}).status_code == 422


def test_brief_endpoint(stack: Any, deal: Deal, base: dict[str, Any]) -> None:
    ids = stack.ids
    old, queued = store_calls(stack.settings(), base, [
        SeedCall(org_id=ids["org_a"], team_id=ids["team1"], rep_user_id=ids["rep1"], started_at=day(-2),
                 deal_id=None, brief=None),
        SeedCall(org_id=ids["org_a"], team_id=ids["team1"], rep_user_id=ids["rep1"], started_at=day(-2),
                 deal_id=None, status="queued")])
    with stack.client("rep1") as c:
        r = c.get(f"/v1/calls/{deal.c1}/brief")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["call_id"] == deal.c1 and body["deal_id"] == deal.deal_id and body["note"] is None
        assert [i["kind"] for i in body["brief"]["items"]] == ["pain", "need", "objection", "competitor", "decision",
                                                                "budget", "next_step"]
        assert body["brief"]["items"][-1]["due"] == iso(-25) and body["brief"]["call_date"] == iso(-30)
        r = c.get(f"/v1/calls/{old}/brief")
        assert r.status_code == 200 and r.json()["brief"] is None and "before Talktrack wrote briefs" in r.json()["note"]
        r = c.get(f"/v1/calls/{queued}/brief")
        assert r.status_code == 409 and "not analysed yet" in r.json()["detail"]
        assert c.get(f"/v1/calls/{deal.c3}/brief").status_code == 404  # rep2's call
    with stack.client("admin") as c:  # stored by the test, uploaded by nobody: an admin deletes it
        assert c.delete(f"/v1/calls/{queued}").status_code == 204  # no job will ever run it
    with stack.client("admin_b") as c:
        assert c.get(f"/v1/calls/{deal.c1}/brief").status_code == 404


def test_search_finds_calls_by_their_brief(stack: Any, base: dict[str, Any]) -> None:
    ids = stack.ids
    owner = {"org_id": ids["org_a"], "team_id": ids["team1"], "rep_user_id": ids["rep1"]}
    with_budget, without = store_calls(stack.settings(), base, [
        SeedCall(**owner, started_at=day(-3), deal_id=None,
                 brief=brief([item("budget", "we have about forty thousand for this", 24.0, amount=40000.0),
                              item("competitor", "we also talk to Chorus", 26.0, detail="Chorus")])),
        SeedCall(**owner, started_at=day(-3), deal_id=None, brief=brief([item("pain", "onboarding hurts", 5.5)]))])
    assert "budget" not in json.dumps(base["turns"]).lower()  # the word is the brief's, not the transcript's

    def found(role: str, q: str) -> set[str]:
        with stack.client(role) as c:
            r = c.get("/v1/calls", params={"q": q, "limit": 200})
        assert r.status_code == 200, r.text
        return {x["id"] for x in r.json()["items"]}

    assert with_budget in found("rep1", "budget") and without not in found("rep1", "budget")
    assert with_budget in found("rep1", "chorus") and with_budget in found("rep1", "competitor")
    assert without in found("rep1", "pain onboarding")
    assert with_budget not in found("rep2", "budget") and with_budget not in found("admin_b", "budget")


class Receiver:
    """Records every POST and answers 200."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                outer.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def for_call(self, call_id: str, timeout: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [b for b in self.bodies if b["event"] == "call.analyzed" and b["call"]["id"] == call_id]
            if found:
                return found[-1]
            time.sleep(0.2)
        raise AssertionError(f"no call.analyzed delivery for {call_id}")


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


def test_webhook_carries_the_brief_and_the_deal_page(stack: Any, h: Any, base: dict[str, Any],
                                                     receiver: Receiver) -> None:
    from models import Call
    from service.core.db import session_scope
    from service.webhooks.delivery import create_deliveries

    deal_id = f"hub/{uuid.uuid4().hex[:6]} x"  # any character a CRM id may hold
    with stack.client("admin") as c:
        hook = c.post("/v1/webhooks", json={"url": receiver.url, "events": ["call.analyzed"]}).json()["id"]
    try:
        # A real upload: the pipeline's analysis, stored by the job, delivered by the server.
        with stack.client("rep1") as c:
            uploaded = h.upload(c, h.vtt, title="webhook deal", deal_id=deal_id,
                                started_at="2026-11-20T15:00:00Z").json()["id"]
            h.wait_status(c, uploaded)
        payload = receiver.for_call(uploaded)
        assert payload["deal_url"].endswith("/deals/" + quote(deal_id, safe=""))
        assert payload["call"]["deal_id"] == deal_id and "brief" in payload
        # A stored brief goes out as stored: the event for a call whose analysis has one.
        ids = stack.ids
        [seeded] = store_calls(stack.settings(), base, [SeedCall(
            org_id=ids["org_a"], team_id=ids["team1"], rep_user_id=ids["rep1"], started_at=day(-1), deal_id=None,
            brief=brief([item("budget", "we have about forty thousand for this", 24.0, amount=40000.0)],
                        call_date=iso(-1)))])
        with session_scope(stack.settings()) as s:
            call = s.get(Call, seeded)
            assert call is not None
            create_deliveries(s, "call.analyzed", call, stack.settings())
            s.commit()
        payload = receiver.for_call(seeded)  # sent by the server's sweeper
        assert payload["deal_url"] is None
        assert [(i["kind"], i["amount"], i["start"]) for i in payload["brief"]["items"]] == [("budget", 40000.0, 24.0)]
        assert payload["brief"]["call_date"] == iso(-1)
    finally:
        with stack.client("admin") as c:
            c.delete(f"/v1/webhooks/{hook}")


def test_today_is_the_servers_utc_date(stack: Any, deal: Deal) -> None:
    with stack.client("admin") as c:
        view = c.get(f"/v1/deals/{deal.deal_id}").json()
    assert date.fromisoformat(view["today"]) in {datetime.now(UTC).date(), datetime.now(UTC).date() - timedelta(1)}


SALES_VTT = """WEBVTT

00:00:00.000 --> 00:00:05.000
<v Dana>Hi Bob, thanks for making the time today. What is getting in the way right now?

00:00:05.500 --> 00:00:14.000
<v Bob>Honestly our reporting is a mess. We spend two days every week rebuilding the same spreadsheets by hand.

00:00:14.500 --> 00:00:18.000
<v Dana>What have you tried so far?

00:00:18.500 --> 00:00:27.000
<v Bob>We looked at Gong last year, but it was too expensive for us.

00:00:27.500 --> 00:00:33.000
<v Dana>Understood. Who else is involved?

00:00:33.500 --> 00:00:40.000
<v Bob>Maria Lopez, our CFO, signs off on anything over twenty thousand.

00:00:40.500 --> 00:00:46.000
<v Dana>Great. I'll send you the proposal by Friday, and let's meet again next Tuesday.
"""


def test_real_uploads_get_a_brief_dated_by_the_call(stack: Any, h: Any) -> None:
    """Through the real pipeline: the call's date is its `started_at` (a Wednesday: "by Friday" is
    two days later), else the day of the upload; the brief is served, searchable by its kinds, and
    its deal judged."""
    deal_id = f"real-{uuid.uuid4().hex[:8]}"
    with stack.client("rep1") as c:
        dated = h.upload(c, SALES_VTT, title="dated", deal_id=deal_id, started_at="2026-11-18T15:00:00Z").json()["id"]
        undated = h.upload(c, SALES_VTT, title="undated").json()["id"]
        for call_id in (dated, undated):
            assert h.wait_status(c, call_id)["status"] == "done"
        b = c.get(f"/v1/calls/{dated}/brief").json()["brief"]
        assert (b["call_date"], b["call_date_source"]) == ("2026-11-18", "recorded_at")
        steps = [i for i in b["items"] if i["kind"] == "next_step"]
        assert steps and steps[0]["due"] == "2026-11-20" and steps[0]["start"] >= 40.0, steps
        created = c.get(f"/v1/calls/{undated}").json()["created_at"]
        b2 = c.get(f"/v1/calls/{undated}/brief").json()["brief"]
        assert (b2["call_date"], b2["call_date_source"]) == (created[:10], "file")
        kinds = {i["kind"] for i in b["items"]} - {"next_step", "question", "need", "pain", "decision"}
        assert kinds, b["items"]
        for kind in kinds:  # words the transcript does not have: found through the brief only
            r = c.get("/v1/calls", params={"q": kind, "limit": 200})
            assert dated in {x["id"] for x in r.json()["items"]}, kind
        view = c.get(f"/v1/deals/{deal_id}").json()
    assert [x["id"] for x in view["calls"]] == [dated] and view["calls"][0]["has_brief"]
    assert view["calls"][0]["customer_talk_share"] is not None
    assert [(n["item"]["due"], n["status"]) for n in view["story"]["next_steps"]][0] == ("2026-11-20", "missed")


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_migration_0010_adds_the_brief_columns(kind: str, h: Any, tmp_path: Any) -> None:
    """Upgrading keeps existing results (their brief columns NULL: no brief); downgrading drops them."""
    import sqlalchemy as sa
    from alembic import command

    columns = {"brief_json", "customer_talk_share", "customer_questions", "speaker_names"}
    with h.migrating(kind, tmp_path, "0009") as (cfg, conn):
        conn.execute(sa.text("INSERT INTO organization (id, name, created_at) VALUES ('o', 'O', '2026-01-01')"))
        conn.execute(sa.text(
            "INSERT INTO call (id, org_id, crm_ids, media_kind, status, rep_channel, size_bytes, progress, "
            "created_at, updated_at) VALUES ('c', 'o', '{}', 'vtt', 'done', 0, 1, 1, '2026-01-01', '2026-01-01')"))
        conn.execute(sa.text("INSERT INTO callresult (call_id, analysis_json, suggestions_json, updated_at) "
                             "VALUES ('c', '{\"turns\": []}', '[]', '2026-01-01')"))
        conn.commit()
        command.upgrade(cfg, "0010")
        conn.commit()
        row = conn.execute(sa.text("SELECT analysis_json, brief_json, customer_talk_share, customer_questions, "
                                   "speaker_names FROM callresult")).one()
        assert tuple(row) == ('{"turns": []}', None, None, None, None)
        command.downgrade(cfg, "0009")
        conn.commit()
        assert not columns & {c["name"] for c in sa.inspect(conn).get_columns("callresult")}
        assert conn.execute(sa.text("SELECT analysis_json FROM callresult")).scalar_one() == '{"turns": []}'
