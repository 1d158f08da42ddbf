"""A rep's weekly trends against their team: talk ratio, open questions in the first 90 s, longest
monologue, patience and questions per call.

One SQL query groups the window's calls (the rep's own, and their team's) by week and by "the
rep's or not", returning sums and counts (at most two rows per week), and NumPy turns them into
the rep's and the team's means, so the page reads no per-call rows however many calls there are. A call's week is that of `coalesce(started_at, created_at)`, weeks start on Monday (UTC).
The rep's line holds their calls that the viewer may see; the team line is an aggregate (weekly
means of every call of the rep's team, the rep's included), never another rep's single call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import ColumnElement, Integer, and_, case, cast, extract, false, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models import Call, Team, User
from models.coaching import CallFeatureRow
from service.core.access import Principal, call_condition, call_scope_of, may_see_rep, person_condition
from service.core.errors import Invalid, NotFound
from service.core.i18n import N_
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
    """The person if the principal may look at their trends (`service.core.access.may_see_rep`);
    NotFound otherwise, also for another organization's people."""
    row = session.execute(
        sa_select(col(User.id), col(User.name), col(User.role), col(User.team_id), col(User.org_id))
        .where(col(User.id) == user_id)
    ).first()
    if row is None or not may_see_rep(principal, row[4], row[3], row[0]):
        raise NotFound(N_("rep not found"))
    team_name = session.exec(select(Team.name).where(col(Team.id) == row[3])).first() if row[3] else None
    return RepInfo(row[0], row[1], row[2], row[3], team_name)


def reps_in_view(session: Session, principal: Principal) -> list[RepInfo]:
    """The people whose trends the principal may open (a coach: their team; an admin: the org;
    a rep: nobody else), by name."""
    scope = call_scope_of(principal)
    if scope not in ("team", "org"):
        return []
    q = sa_select(col(User.id), col(User.name), col(User.role), col(User.team_id), col(Team.name)).join(
        Team, col(Team.id) == col(User.team_id), isouter=True).where(person_condition(principal))
    return [RepInfo(*r) for r in session.execute(q.order_by(col(User.name))).all()]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def rep_trends(session: Session, principal: Principal, user_id: str, weeks: int = DEFAULT_WEEKS,
               today: date | None = None) -> RepTrends:
    """The rep's weekly means of `TREND_METRICS` over the last `weeks` weeks (this one included),
    with their team's weekly means beside them."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise Invalid(N_("weeks must be between 1 and %(max)s", max=MAX_WEEKS))
    rep = visible_rep(session, principal, user_id)
    first = week_start(today or datetime.now(UTC).date()) - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, time.min, tzinfo=UTC)
    end = start + timedelta(weeks=weeks)
    when = call_time()
    # The rep's line: their calls that the viewer may see (a coach: not those from another team).
    mine: ColumnElement[bool] = and_(col(Call.rep_user_id) == rep.user_id, call_condition(principal))
    who = or_(mine, col(Call.team_id) == rep.team_id) if rep.team_id else mine
    week_col = _week_index(session, when, start).label("week")
    mine_col = case((mine, 1), else_=0).label("mine")
    in_team = col(Call.team_id) == rep.team_id if rep.team_id else false()
    team_col = case((in_team, 1), else_=0).label("in_team")
    metric_cols = [col(getattr(CallFeatureRow, m.name)) for m in TREND_METRICS]
    # One row per (week, mine, in_team): the sums and counts each mean needs; NumPy adds them up.
    stmt = (
        sa_select(week_col, mine_col, team_col, func.count(),
                  *[func.sum(c) for c in metric_cols], *[func.count(c) for c in metric_cols])
        .select_from(CallFeatureRow)
        .join(Call, col(Call.id) == col(CallFeatureRow.call_id))
        .where(col(Call.org_id) == principal.org_id, who, when >= start, when < end)
        .group_by(week_col, mine_col, team_col)
    )
    rows = session.connection().execute(stmt).fetchall()
    k = len(TREND_METRICS)
    table = np.array([[float(x) if x is not None else 0.0 for x in r] for r in rows], dtype=np.float64) \
        if rows else np.zeros((0, 4 + 2 * k))
    week = table[:, 0].astype(np.int64).clip(0, weeks - 1)
    rep_rows = table[:, 1] == 1
    team_rows = table[:, 2] == 1

    def weekly(column: int, which: np.ndarray) -> np.ndarray:
        return np.bincount(week[which], weights=table[which, column], minlength=weeks)

    series = []
    for i, m in enumerate(TREND_METRICS):
        rep_mean = _means(weekly(4 + i, rep_rows), weekly(4 + k + i, rep_rows), m)
        team_mean = _means(weekly(4 + i, team_rows), weekly(4 + k + i, team_rows), m)
        series.append(MetricTrend(m, rep_mean, team_mean))
    return RepTrends(
        rep=rep,
        weeks=[first + timedelta(weeks=j) for j in range(weeks)],
        rep_calls=[int(x) for x in weekly(3, rep_rows)],
        team_calls=[int(x) for x in weekly(3, team_rows)],
        series=series,
    )


def _week_index(session: Session, when: ColumnElement[datetime], start: datetime) -> ColumnElement[int]:
    """Whole weeks from `start` to `when`, in SQL (the calls are filtered to `when >= start`)."""
    if session.get_bind().dialect.name == "sqlite":  # stored as UTC text; julianday() reads it
        start_jd = start.timestamp() / 86400.0 + 2440587.5
        return cast((func.julianday(when) - start_jd) / 7.0, Integer)
    return cast(func.floor((extract("epoch", when) - start.timestamp()) / 604800.0), Integer)


def _means(sums: np.ndarray, counts: np.ndarray, metric: TrendMetric) -> list[float | None]:
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts * metric.scale
    return [round(float(x), metric.digits) if c else None for x, c in zip(means, counts, strict=True)]
