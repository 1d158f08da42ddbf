"""The live-guidance report from stored live-call records, outcomes and feature rows: over HTTP
(`GET /v1/insights/live-guidance`, scoped to what the key may see) and on the command line
(`talktrack insights --live`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from statsmodels.stats.proportion import confint_proportions_2indep

from models import Call, LiveCallRecord, Outcome
from models.coaching import CallFeatureRow
from service.api.main import create_app
from service.core.accounts import create_key, create_org, create_user
from service.core.config import Settings
from service.core.db import run_migrations, session_scope


@dataclass
class Env:
    client: TestClient
    settings: Settings
    org_id: str
    admin: dict[str, str]
    rep: dict[str, str]


def card(followed: bool) -> dict[str, object]:
    return {"id": "discovery_opener", "basis": "insight", "followed": followed, "followed_at": 80.0 if followed else None}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """80 live calls: 40 shown (24 won, 30 cards followed) and 40 held out (12 won, 8 followed),
    alternating between two reps; 4 more calls without a card; an open deal."""
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("live-report")))
    run_migrations(settings)
    with session_scope(settings) as s:
        org = create_org(s, "Acme")
        dana, eli = create_user(s, org.id, "Dana"), create_user(s, org.id, "Eli")
        admin = create_key(s, org.id, "admin").secret
        rep = create_key(s, org.id, "rep", user_id=dana.id).secret
        for held_out, won, followed in ((False, 24, 30), (True, 12, 8)):
            for i in range(40):
                user = dana if i % 2 == 0 else eli
                call = Call(org_id=org.id, rep_user_id=user.id, rep_name=user.name, media_kind="audio", status="done")
                s.add(call)
                s.flush()
                s.add(LiveCallRecord(call_id=call.id, org_id=org.id, held_out=held_out, holdout=0.5,
                                     cards=[card(i < followed)]))
                s.add(CallFeatureRow(call_id=call.id, org_id=org.id, rep=user.name,
                                     open_questions_first_90s=1.0 if i < followed else 0.0, talk_ratio=0.5))
                s.add(Outcome(org_id=org.id, call_id=call.id, outcome="won" if i < won else "lost"))
        for i in range(4):
            call = Call(org_id=org.id, rep_user_id=dana.id, rep_name="Dana", media_kind="audio", status="done")
            s.add(call)
            s.flush()
            s.add(LiveCallRecord(call_id=call.id, org_id=org.id, held_out=i % 2 == 0, cards=[]))
        s.commit()
        org_id = org.id
    app = create_app(settings, start_executor=False)
    with TestClient(app) as client:
        yield Env(client, settings, org_id, {"Authorization": f"Bearer {admin}"}, {"Authorization": f"Bearer {rep}"})


def test_report_over_http(env: Env) -> None:
    r = env.client.get("/v1/insights/live-guidance", headers=env.admin)
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["n_live_calls"], data["n_held_out_calls"], data["n_calls"]) == (84, 42, 80)
    o = data["outcome"]
    assert data["status"] == "finding" and (o["win_rate_shown"], o["win_rate_held_out"], o["lift"]) == (0.6, 0.3, 1.0)
    lo, hi = confint_proportions_2indep(24, 40, 12, 40, method="score", compare="ratio")
    assert o["lift_ci"] == [round(lo - 1, 4), round(hi - 1, 4)] and o["significant"] is True
    assert (data["follow_through"]["shown"], data["follow_through"]["held_out"]) == (0.75, 0.2)
    share = data["behaviour"][0]
    assert share["feature"] == "open_questions_first_90s" and (share["shown"], share["held_out"]) == (0.75, 0.2)
    reps = {r["rep"]: r for r in data["reps"]}
    assert set(reps) == {"Dana", "Eli"} and reps["Dana"]["cards_shown"] == 20 and reps["Dana"]["followed"] == 15
    # A rep's key sees only the rep's own live calls, and the sample-size guard speaks.
    mine = env.client.get("/v1/insights/live-guidance", headers=env.rep).json()
    assert mine["n_live_calls"] == 44 and mine["status"] == "insufficient_data"
    assert "20 shown and 20 held out" in mine["outcome"]["sentence"]
    assert env.client.get("/v1/insights/live-guidance", params={"min_group": 0}, headers=env.admin).status_code == 422


def test_report_on_the_command_line(env: Env, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from service.cli import main
    from service.core.config import get_settings

    monkeypatch.setenv("TALKTRACK_DATA_DIR", str(env.settings.data_dir))
    get_settings.cache_clear()
    try:
        assert main(["insights", "--live", "--org", env.org_id, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["outcome"]["lift"] == 1.0 and data["n_calls"] == 80
        assert main(["insights", "--live", "--org", env.org_id]) == 0
        text = capsys.readouterr().out
        assert "won 100% more often than held-out calls" in text and "Dana" in text and "15/20 = 75%" in text
        assert main(["insights", "--live", "--org", "nope"]) == 2
        assert "no organization 'nope'" in capsys.readouterr().err
        assert main(["insights", "--live"]) == 2 and main(["insights"]) == 2
    finally:
        get_settings.cache_clear()
