"""A rep's weekly trends against their team: talk ratio, open questions in the first 90 s, longest
monologue, patience and questions per call.

One SQL query reads the feature columns of the window's calls (the rep's own, and their team's),
and NumPy buckets them by week (`np.bincount`), so the page costs the same with 100 or 10,000
calls. A call's week is that of `coalesce(started_at, created_at)`, weeks start on Monday (UTC).
The rep's line holds their calls that the viewer may see; the team line is an aggregate (weekly
means of every call of the rep's team, the rep's included), never another rep's single call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models import Call, Team, User
from models.coaching import CallFeatureRow
from service.access import Principal, call_condition, call_scope_of, may_see_rep
from service.domain.errors import Invalid, NotFound
from service.domain.library import call_time

DEFAULT_WEEKS = 12
MAX_WEEKS = 104
WEEK_CHOICES = (4, 12, 26, 52)


@dataclass(frozen=True)
class TrendMetric:
    """A charted metric: its feature column, its title, its unit and the factor to display it
    (talk ratio is stored as a fraction and shown in percent)."""

    name: str
    title: str
    unit: str
    scale: float = 1.0
    digits: int = 1


TREND_METRICS: tuple[TrendMetric, ...] = (
    TrendMetric("talk_ratio", "Talk ratio", "%", 100.0, 1),
    TrendMetric("open_questions_first_90s", "Open questions in the first 90 s", "per call", 1.0, 2),
    TrendMetric("longest_monologue_s", "Longest monologue", "s", 1.0, 1),
    TrendMetric("patience_s", "Patience (pause before answering)", "s", 1.0, 2),
    TrendMetric("question_count_rep", "Questions per call", "per call", 1.0, 1),
)


@dataclass(frozen=True)
class RepInfo:
    user_id: str
    name: str
    role: str
    team_id: str | None
    team_name: str | None


@dataclass(frozen=True)
class MetricTrend:
    """Weekly means of one metric (None: no call with a value that week), in display units."""

    metric: TrendMetric
    rep: list[float | None]
    team: list[float | None]


@dataclass(frozen=True)
class RepTrends:
    rep: RepInfo
    weeks: list[date]  # the Monday of each week, oldest first
    rep_calls: list[int]  # the rep's analysed calls per week
    team_calls: list[int]  # the team's (0 everywhere when the rep has no team)
    series: list[MetricTrend]

    @property
    def total_rep_calls(self) -> int:
        return sum(self.rep_calls)


def visible_rep(session: Session, principal: Principal, user_id: str) -> RepInfo:
    """The person if the principal may look at their trends (`service.access.may_see_rep`);
    NotFound otherwise, also for another organization's people."""
    row = session.execute(
        sa_select(col(User.id), col(User.name), col(User.role), col(User.team_id), col(User.org_id))
        .where(col(User.id) == user_id)
    ).first()
    if row is None or not may_see_rep(principal, row[4], row[3], row[0]):
        raise NotFound("rep not found")
    team_name = session.exec(select(Team.name).where(col(Team.id) == row[3])).first() if row[3] else None
    return RepInfo(row[0], row[1], row[2], row[3], team_name)


def reps_in_view(session: Session, principal: Principal) -> list[RepInfo]:
    """The people whose trends the principal may open (a coach: their team; an admin: the org;
    a rep: nobody else), by name."""
    scope = call_scope_of(principal)
    if scope not in ("team", "org"):
        return []
    q = sa_select(col(User.id), col(User.name), col(User.role), col(User.team_id), col(Team.name)).join(
        Team, col(Team.id) == col(User.team_id), isouter=True).where(col(User.org_id) == principal.org_id)
    if scope == "team":
        q = q.where(col(User.team_id) == principal.team_id)
    return [RepInfo(*r) for r in session.execute(q.order_by(col(User.name))).all()]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def rep_trends(session: Session, principal: Principal, user_id: str, weeks: int = DEFAULT_WEEKS,
               today: date | None = None) -> RepTrends:
    """The rep's weekly means of `TREND_METRICS` over the last `weeks` weeks (this one included),
    with their team's weekly means beside them."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise Invalid(f"weeks must be between 1 and {MAX_WEEKS}")
    rep = visible_rep(session, principal, user_id)
    first = week_start(today or datetime.now(UTC).date()) - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, time.min, tzinfo=UTC)
    end = start + timedelta(weeks=weeks)
    when = call_time()
    # The rep's line: their calls that the viewer may see (a coach: not those from another team).
    mine: ColumnElement[bool] = and_(col(Call.rep_user_id) == rep.user_id, call_condition(principal))
    who = or_(mine, col(Call.team_id) == rep.team_id) if rep.team_id else mine
    stmt = (
        sa_select(when, mine, *[col(getattr(CallFeatureRow, m.name)) for m in TREND_METRICS])
        .join(Call, col(Call.id) == col(CallFeatureRow.call_id))
        .where(col(Call.org_id) == principal.org_id, who, when >= start, when < end)
    )
    rows = session.connection().execute(stmt).fetchall()
    n = len(rows)
    if n:
        stamps, is_mine, *metric_values = zip(*rows, strict=True)
        # Stored times are UTC (naive on SQLite); numpy wants them naive.
        days = np.array([t.replace(tzinfo=None) if t.tzinfo is None else t.astimezone(UTC).replace(tzinfo=None)
                         for t in stamps], dtype="datetime64[D]")
        week = ((days - np.datetime64(first)).astype(np.int64) // 7).clip(0, weeks - 1)
        rep_mask = np.array(is_mine, dtype=bool)
        team_mask = np.ones(n, dtype=bool) if rep.team_id else np.zeros(n, dtype=bool)
        values = np.array(metric_values, dtype=np.float64)  # None -> NaN; one row per metric
    else:
        week = np.zeros(0, dtype=np.int64)
        rep_mask = team_mask = np.zeros(0, dtype=bool)
        values = np.zeros((len(TREND_METRICS), 0))
    series = [
        MetricTrend(m, _weekly_means(values[i], week, rep_mask, weeks, m),
                    _weekly_means(values[i], week, team_mask, weeks, m))
        for i, m in enumerate(TREND_METRICS)
    ]
    return RepTrends(
        rep=rep,
        weeks=[first + timedelta(weeks=k) for k in range(weeks)],
        rep_calls=np.bincount(week[rep_mask], minlength=weeks).tolist(),
        team_calls=np.bincount(week[team_mask], minlength=weeks).tolist(),
        series=series,
    )


def _weekly_means(values: np.ndarray, week: np.ndarray, mask: np.ndarray, weeks: int,
                  metric: TrendMetric) -> list[float | None]:
    keep = mask & ~np.isnan(values)
    counts = np.bincount(week[keep], minlength=weeks)
    sums = np.bincount(week[keep], weights=values[keep], minlength=weeks)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts * metric.scale
    return [round(float(x), metric.digits) if c else None for x, c in zip(means, counts, strict=True)]
