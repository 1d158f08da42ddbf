"""Coaching over HTTP: insights from stored feature rows and outcomes, scorecards, suggestions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from coaching.features import METRIC_NAMES
from coaching.synthetic import make_corpus, synthetic_analysis
from models import Call, CallResult, Outcome
from models.coaching import CallFeatureRow
from service.api.main import create_app
from service.core.accounts import create_key, create_org
from service.core.config import Settings
from service.core.db import get_engine, run_migrations, session_scope
from service.domain.insights import call_suggestions


@dataclass
class Env:
    client: TestClient
    settings: Settings
    admin: dict[str, str]
    other: dict[str, str]
    org_id: str
    first_call: str
    backfilled_call: str


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("svc")))
    run_migrations(settings)
    corpus = make_corpus(n_calls=400, seed=7)
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    with session_scope(settings) as s:
        org = create_org(s, "Acme")
        other_org = create_org(s, "Other")
        admin = create_key(s, org.id, "admin").secret
        other = create_key(s, other_org.id, "admin").secret
        ids = []
        for i, c in enumerate(corpus.calls):
            call = Call(org_id=org.id, rep_name=c.rep, media_kind="vtt", status="done",
                        started_at=start + timedelta(days=i % 14), deal_id=f"deal{i}")
            s.add(call)
            s.flush()
            ids.append(call.id)
            if i == 0:  # stored analysis, no feature row: the endpoint backfills it
                s.add(CallResult(call_id=call.id, analysis_json=json.dumps(synthetic_analysis(c).to_dict())))
            else:
                s.add(CallFeatureRow(call_id=call.id, org_id=org.id, rep=c.rep, duration_s=c.duration_s,
                                     trackers=sorted(c.trackers), **{m: c.metrics.get(m) for m in METRIC_NAMES}))
            # Half the outcomes come per call, half per CRM deal.
            outcome = "won" if c.outcome else "lost"
            s.add(Outcome(org_id=org.id, call_id=call.id if i % 2 else None, deal_id=None if i % 2 else f"deal{i}",
                          outcome=outcome))
        s.commit()
        org_id = org.id
    app = create_app(settings, start_executor=False)
    with TestClient(app) as client:
        yield Env(client, settings, {"Authorization": f"Bearer {admin}"}, {"Authorization": f"Bearer {other}"},
                  org_id, ids[1], ids[0])


def test_insights_endpoint_recovers_planted_effects(env: Env) -> None:
    r = env.client.get("/v1/insights", headers=env.admin, params={"benchmarks": "true"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["n_calls"] == 400
    feats = {f["feature"]: f for f in data["features"]}
    for name in ("talk_ratio", "open_questions_first_90s"):
        f = feats[name]
        assert f["significant"] and f["lift"] > 0 and f["lift_ci"][0] > 0
        assert {"comparison", "p_value", "n_with", "n_without"} <= set(f)
    assert not feats["tracker:pricing"]["significant"]
    reg = data["regression"]
    assert (reg["terms"] or reg["note"].startswith("not fitted")) and data["reps"]
    with Session(get_engine(env.settings)) as s:
        assert s.get(CallFeatureRow, env.backfilled_call) is not None


def test_feature_rows_follow_a_changed_analysis(env: Env) -> None:
    env.client.get("/v1/insights", headers=env.admin)
    with Session(get_engine(env.settings)) as s:
        result = s.get(CallResult, env.backfilled_call)
        assert result is not None
        data = json.loads(result.analysis_json)
        data["metrics"]["talk_ratio"] = 0.123  # as if a relabel had changed who the rep is
        result.analysis_json = json.dumps(data)
        result.updated_at = datetime.now(UTC) + timedelta(seconds=5)
        s.add(result)
        s.commit()
    env.client.get("/v1/insights", headers=env.admin)
    with Session(get_engine(env.settings)) as s:
        row = s.get(CallFeatureRow, env.backfilled_call)
        assert row is not None and row.talk_ratio == pytest.approx(0.123)


def test_other_org_sees_nothing(env: Env) -> None:
    data = env.client.get("/v1/insights", headers=env.other).json()
    assert data["n_calls"] == 0 and all(f["status"] != "finding" for f in data["features"])
    assert env.client.post(f"/v1/calls/{env.first_call}/scorecards", headers=env.other, json={}).status_code == 404


def test_scorecard_create_and_rep_aggregate(env: Env) -> None:
    body = {"overrides": [{"item_id": "objection_handling", "score": 0.5, "comment": "Dodged the price question."}],
            "comments": [{"text": "Great open question here.", "call_time_s": 8.4}]}
    r = env.client.post(f"/v1/calls/{env.first_call}/scorecards", headers=env.admin, json=body)
    assert r.status_code == 201, r.text
    card = r.json()
    oh = next(i for i in card["items"] if i["item_id"] == "objection_handling")
    assert oh["score"] == 0.5 and oh["source"] == "coach"
    assert [c["call_time_s"] for c in card["comments"]] == [None, 8.4]
    bad = env.client.post(f"/v1/calls/{env.first_call}/scorecards", headers=env.admin,
                          json={"overrides": [{"item_id": "nope", "score": 1}]})
    assert bad.status_code == 422
    rep = card["rep"]
    agg = env.client.get(f"/v1/reps/{rep}/scorecard", headers=env.admin)
    assert agg.status_code == 200
    data = agg.json()
    assert data["n_scorecards"] == 1 and data["periods"][0]["mean_total"] == pytest.approx(card["total"], abs=0.01)
    assert env.client.get("/v1/reps/nobody/scorecard", headers=env.admin).status_code == 404


def test_org_rubric(env: Env) -> None:
    assert env.client.get("/v1/rubrics", headers=env.admin).json()[0]["id"] == "default"
    rubric = {"id": "short", "name": "Short", "items": [
        {"id": "next", "label": "Next step", "weight": 1, "auto": {"kind": "tracker", "name": "next_steps",
                                                                   "op": "present"}}]}
    assert env.client.put("/v1/rubrics/short", headers=env.admin, json=rubric).status_code == 200
    bad = {**rubric, "items": [{"id": "x", "label": "X", "auto": {"kind": "vibes", "name": "x", "op": ">="}}]}
    assert env.client.put("/v1/rubrics/short", headers=env.admin, json=bad).status_code == 422
    r = env.client.post(f"/v1/calls/{env.first_call}/scorecards", headers=env.admin, json={"rubric_id": "short"})
    assert r.status_code == 201 and [i["item_id"] for i in r.json()["items"]] == ["next"]
    assert env.client.get("/v1/rubrics", headers=env.other).json()[0]["id"] == "default"


def test_suggestions_rest_on_stored_insights(env: Env) -> None:
    assert env.client.post("/v1/insights/snapshots", headers=env.admin).status_code == 201
    call = make_corpus(n_calls=3, seed=3).calls[0]
    metrics = dict(call.metrics)
    metrics.update(talk_ratio=0.8, open_questions_first_90s=0.0)
    from dataclasses import replace

    analysis = synthetic_analysis(replace(call, metrics=metrics))
    with Session(get_engine(env.settings)) as s:
        row = s.get(Call, env.first_call)
        assert row is not None
        out = call_suggestions(analysis, row, s)
    ranked = [x for x in out if x["basis"] == "insight"]
    assert {x["id"] for x in ranked} >= {"discovery_opener", "talk_less"}
    assert [x["impact"] for x in ranked] == sorted((x["impact"] for x in ranked), reverse=True)
    detached = Call(id="x", org_id=env.org_id, media_kind="vtt")
    assert all(x["basis"] != "insight" for x in call_suggestions(analysis, detached))
