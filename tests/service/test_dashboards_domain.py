"""The dashboards' domain functions on both databases: weekly trends (weeks computed in SQL, so each
dialect's expression is checked at the week's edges), who may open a rep's trends, and the team
insights view (read only, cached until the data changes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from models import Call, Outcome
from models.coaching import CallFeatureRow, InsightSnapshot
from service.core.access import Principal
from service.core.accounts import create_org, create_team, create_user
from service.core.db import get_engine, run_migrations, session_scope
from service.core.errors import Forbidden, NotFound
from service.domain import insights_view, trends

TODAY = date(2026, 11, 25)  # a Wednesday: this week starts on Monday 2026-11-23
THIS_MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


@dataclass
class Db:
    settings: Any
    org_id: str
    ids: dict[str, str]  # user ids
    teams: dict[str, str]

    def principal(self, who: str, role: str, team: str | None) -> Principal:
        return Principal(key_id="t", org_id=self.org_id, role=role, user_id=self.ids.get(who),
                         team_id=self.teams[team] if team else None, via_session=True)


def _call(s: Session, db: Db, when: datetime, team: str, rep: str | None, **metrics: Any) -> str:
    call = Call(org_id=db.org_id, team_id=db.teams[team], rep_user_id=db.ids[rep] if rep else None,
                media_kind="vtt", status="done", started_at=when)
    s.add(call)
    s.flush()
    s.add(CallFeatureRow(call_id=call.id, org_id=db.org_id, **metrics))
    return call.id


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Db]:
    stack, dbname = h.make_stack(request.param, Path(tmp_path_factory.mktemp(f"dash-{request.param}")))
    settings = stack.settings()
    try:
        run_migrations(settings)
        with session_scope(settings) as s:
            org = create_org(s, "Acme")
            other = create_org(s, "Globex")
            teams = {"East": create_team(s, org.id, "East").id, "West": create_team(s, org.id, "West").id}
            ids = {key: create_user(s, org.id, key, team_id=teams[team], role=role).id
                   for key, team, role in (("coach", "East", "coach"), ("rep", "East", "rep"),
                                           ("west", "West", "rep"))}
            ids["stranger"] = create_user(s, other.id, "stranger", role="rep").id
            d = Db(settings, org.id, ids, teams)
            # This week: the rep at its very first second and another day; a teammate without a user.
            _call(s, d, THIS_MONDAY, "East", "rep", talk_ratio=0.5, question_count_rep=10)
            _call(s, d, THIS_MONDAY + timedelta(days=2), "East", "rep", talk_ratio=0.7, question_count_rep=None)
            _call(s, d, THIS_MONDAY + timedelta(hours=5), "East", None, talk_ratio=0.3, question_count_rep=4,
                  trackers=["pricing"])
            # Last week's last second: the rep and the West team (never in East's means).
            _call(s, d, THIS_MONDAY - timedelta(seconds=1), "East", "rep", talk_ratio=0.6, question_count_rep=8)
            _call(s, d, THIS_MONDAY - timedelta(days=1), "West", "west", talk_ratio=0.9, question_count_rep=1)
            # The rep's call filed under West (moved teams): East's coach does not see it.
            _call(s, d, THIS_MONDAY - timedelta(days=3), "West", "rep", talk_ratio=0.2, question_count_rep=2)
            # Out of a 2-week window.
            _call(s, d, THIS_MONDAY - timedelta(days=8), "East", "rep", talk_ratio=0.1, question_count_rep=99)
            s.commit()
        yield d
    finally:
        if dbname:
            h.drop_postgres_database(dbname)


def test_weekly_trends_against_the_team(db: Db) -> None:
    with Session(get_engine(db.settings)) as s:
        t = trends.rep_trends(s, db.principal("rep", "rep", "East"), db.ids["rep"], weeks=2, today=TODAY)
    assert t.weeks == [date(2026, 11, 16), date(2026, 11, 23)]
    assert t.rep.team_name == "East"
    talk = next(x for x in t.series if x.metric.name == "talk_ratio")
    questions = next(x for x in t.series if x.metric.name == "question_count_rep")
    assert talk.rep == [pytest.approx(40.0), pytest.approx(60.0)]  # (60+20)/2 last week; (50+70)/2 this week
    assert talk.team == [pytest.approx(60.0), pytest.approx(50.0)]  # East only: 60; (50+70+30)/3
    assert questions.rep == [5.0, 10.0]  # a call without a value is left out of the mean
    assert questions.team == [8.0, 7.0]
    assert t.rep_calls == [2, 2] and t.team_calls == [1, 3]
    empty = next(x for x in t.series if x.metric.name == "patience_s")
    assert empty.rep == [None, None] and empty.team == [None, None]


def test_a_coach_sees_only_the_reps_calls_of_their_team(db: Db) -> None:
    with Session(get_engine(db.settings)) as s:
        by_coach = trends.rep_trends(s, db.principal("coach", "coach", "East"), db.ids["rep"], weeks=2, today=TODAY)
        by_admin = trends.rep_trends(s, db.principal("admin", "admin", None), db.ids["rep"], weeks=2, today=TODAY)
    assert by_coach.rep_calls == [1, 2] and by_admin.rep_calls == [2, 2]
    assert by_coach.series[0].rep[0] == pytest.approx(60.0)


def test_who_may_open_a_reps_trends(db: Db) -> None:
    with Session(get_engine(db.settings)) as s:
        for viewer, target in ((("rep", "rep", "East"), "coach"), (("coach", "coach", "East"), "west"),
                               (("admin", "admin", None), "stranger"), (("coach", "coach", "East"), "nobody")):
            with pytest.raises(NotFound):
                trends.visible_rep(s, db.principal(*viewer), db.ids.get(target, "nobody"))
        assert trends.visible_rep(s, db.principal("admin", "admin", None), db.ids["west"]).team_name == "West"
        assert [r.name for r in trends.reps_in_view(s, db.principal("coach", "coach", "East"))] == ["coach", "rep"]
        assert trends.reps_in_view(s, db.principal("rep", "rep", "East")) == []


def test_insights_view_reads_only_and_follows_new_outcomes(db: Db) -> None:
    coach = db.principal("coach", "coach", "East")
    with Session(get_engine(db.settings)) as s:
        with pytest.raises(Forbidden):
            insights_view.team_insights(s, db.principal("rep", "rep", "East"))
        first = insights_view.team_insights(s, coach)
        assert first.scope == "team East" and first.n_calls == 0
        assert all(r.status != "finding" for r in first.rows)
        assert "tracker:pricing" in {r.feature for r in first.rows}  # tracker lists read on both databases
        assert insights_view.team_insights(s, coach) is first  # nothing changed: the cached view
        call_id = s.execute(select(col(Call.id)).where(col(Call.team_id) == db.teams["East"])).scalars().first()
        s.add(Outcome(org_id=db.org_id, call_id=call_id, outcome="won"))
        s.commit()
        second = insights_view.team_insights(s, coach)
        assert second is not first and (second.n_calls, second.n_won) == (1, 1)
        snapshots = s.execute(select(func.count()).select_from(InsightSnapshot)).scalar_one()
    assert snapshots == 0  # a read never stores a snapshot
