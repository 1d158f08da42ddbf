"""Server time of the dashboard pages with many analysed calls in the database.

Usage: .venv/bin/python -m bench.dashboards_speed [--calls 10000] [--repeat 15] [--database-url URL]

Seeds `--calls` analysed calls (feature rows + won/lost outcomes, `coaching.synthetic`) for one team
over the last 12 weeks, one rep in eight being the signed-in rep, then times each page in-process
(FastAPI TestClient with a real session cookie: routing, session lookup, domain query, template):

- `GET /me` as the rep: weekly trends, the rep's calls against the whole team's;
- `GET /reps/{id}` as the team's coach: the same page for one of their reps;
- `GET /insights` as the coach: compute_insights over every team call (no regression, no writes),
  recomputed (cache emptied before each request) and reused (data unchanged: two aggregate
  queries check that, then the cached view is rendered);
- baseline `GET /` as the coach: the calls library's first page (target <= 200 ms), same data.

Prints p50 / p95 per page and the ratio of each p50 to the baseline's p50. Default database: a
temporary SQLite file (the embedded default); `--database-url` takes an empty PostgreSQL database.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from coaching.features import METRIC_NAMES
from coaching.synthetic import make_corpus
from models import Call, Outcome
from models.coaching import CallFeatureRow
from service.api.main import create_app
from service.core.accounts import create_org, create_team, create_user
from service.core.config import Settings
from service.core.db import run_migrations, session_scope
from service.core.sessions import SESSION_COOKIE, start_session
from service.domain import insights_view


def seed(settings: Settings, n_calls: int) -> tuple[str, str, str]:
    """Returns (rep user id, rep session token, coach session token)."""
    corpus = make_corpus(n_calls=n_calls, seed=3, n_reps=8)
    now = datetime.now(UTC)
    with session_scope(settings) as s:
        org = create_org(s, "Bench")
        team = create_team(s, org.id, "East")
        rep = create_user(s, org.id, "Rep Zero", team_id=team.id, email="rep@bench.test", role="rep")
        coach = create_user(s, org.id, "Coach", team_id=team.id, email="coach@bench.test", role="coach")
        ids = [f"c{i:07d}" for i in range(n_calls)]
        rows = list(zip(ids, corpus.calls, strict=True))
        s.execute(insert(Call), [
            {"id": i, "org_id": org.id, "team_id": team.id, "rep_user_id": rep.id if k % 8 == 0 else None,
             "rep_name": c.rep, "media_kind": "vtt", "status": "done", "title": f"Call {k}", "crm_ids": {},
             "started_at": now - timedelta(minutes=(k * 37) % (84 * 24 * 60)), "created_at": now, "updated_at": now,
             "duration_s": c.duration_s, "rep_channel": 0, "progress": 1.0, "size_bytes": 0}
            for k, (i, c) in enumerate(rows)])
        s.execute(insert(CallFeatureRow), [
            {"call_id": i, "org_id": org.id, "rep": c.rep, "duration_s": c.duration_s, "has_timing": True,
             "trackers": sorted(c.trackers), "rep_question_types": {}, "updated_at": now,
             **{m: c.metrics.get(m) for m in METRIC_NAMES}} for i, c in rows])
        s.execute(insert(Outcome), [{"id": f"o{i}", "org_id": org.id, "call_id": i, "created_at": now,
                                     "outcome": "won" if c.outcome else "lost"} for i, c in rows])
        rep_token = start_session(s, rep, hours=2).token
        coach_token = start_session(s, coach, hours=2).token
        s.commit()
        return rep.id, rep_token, coach_token


def timed(client: TestClient, path: str, token: str, repeat: int, cold: bool = False) -> list[float]:
    """Milliseconds per request; `cold`: the insights cache is emptied before each (recomputed)."""
    client.cookies.set(SESSION_COOKIE, token)
    r = client.get(path)  # warm-up (and a check that the page works)
    assert r.status_code == 200, (path, r.status_code, r.text[:500])
    out = []
    for _ in range(repeat):
        if cold:
            insights_view._cache.clear()
        t0 = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--database-url", default=None, help="an empty PostgreSQL database (default: temp SQLite)")
    args = ap.parse_args()

    extra = {"database_url": args.database_url} if args.database_url else {}
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="tt-dash-")), **extra)
    run_migrations(settings)
    t0 = time.perf_counter()
    rep_id, rep_token, coach_token = seed(settings, args.calls)
    print(f"seeded {args.calls} analysed calls in {time.perf_counter() - t0:.1f} s "
          f"({'PostgreSQL' if args.database_url else 'SQLite'})")
    pages = [
        ("GET / (library, baseline)", "/", coach_token),
        ("GET /me (rep)", "/me", rep_token),
        ("GET /reps/{id} (coach)", f"/reps/{rep_id}", coach_token),
        ("GET /insights (coach, recomputed)", "/insights", coach_token),
        ("GET /insights (coach, data unchanged: cached view)", "/insights", coach_token),
    ]
    with TestClient(create_app(settings, start_executor=False)) as client:
        results = [(name, timed(client, path, token, args.repeat, cold="recomputed" in name))
                   for name, path, token in pages]
    base = statistics.median(results[0][1])
    print(f"\n| page ({args.calls} calls) | p50 ms | p95 ms | p50 / baseline |")
    print("|---|---:|---:|---:|")
    for name, ms in results:
        p50 = statistics.median(ms)
        p95 = statistics.quantiles(ms, n=20)[18] if len(ms) >= 2 else ms[0]
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {p50 / base:.2f} |")


if __name__ == "__main__":
    main()
