"""What goes with won deals, for the team insights page: the same computation as `GET /v1/insights`
(`coaching.insights.compute_insights` over the calls the principal may see), read only.

Unlike the API route, this never writes: no feature backfill and no `InsightSnapshot` (a page GET
must not write, issue 14), and no regression (the page shows the per-feature lifts). Each feature
becomes one forest-plot row: its win-rate ratio (lift + 1) with the 95% interval, or, greyed, the
reason it cannot be judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from coaching.insights import InsightOptions, compute_insights
from models import Team
from service.access import Principal, call_scope_of
from service.domain.calls import require
from service.domain.errors import Invalid

REASONS = {"insufficient_data": "Not enough data", "not_applicable": "Does not apply"}


@dataclass(frozen=True)
class ForestRow:
    """One feature. `ratio`, `low`, `high`: win rate with / without and its 95% interval (None
    unless `status == "finding"`)."""

    feature: str
    label: str
    comparison: str
    basis: str
    status: str
    sentence: str
    n_with: int
    n_without: int
    win_rate_with: float | None
    win_rate_without: float | None
    lift: float | None
    ratio: float | None
    low: float | None
    high: float | None
    p_value: float | None
    q_value: float | None
    significant: bool

    @property
    def judged(self) -> bool:
        return self.status == "finding"

    @property
    def reason(self) -> str:
        return REASONS.get(self.status, "")

    def chart_data(self) -> dict[str, Any]:
        return {"feature": self.feature, "label": self.label, "ratio": self.ratio, "low": self.low,
                "high": self.high, "significant": self.significant}


@dataclass(frozen=True)
class InsightsView:
    scope: str  # "Team East", "the whole organization", "your calls"
    n_calls: int  # closed (won or lost) calls compared
    n_won: int
    n_lost: int
    min_group: int
    alpha: float
    method: str
    rows: list[ForestRow]
    notes: list[str]

    @property
    def judged(self) -> list[ForestRow]:
        return [r for r in self.rows if r.judged]


def team_insights(session: Session, principal: Principal, min_group: int = 30, alpha: float = 0.05) -> InsightsView:
    """Insights over the calls the principal may see (a coach: their team; an admin: the org).
    Forbidden for roles without `insights.read` (a rep)."""
    from service.api.routes.insights import visible_feature_columns

    require(principal, "insights.read")
    if not 1 <= min_group <= 100_000:
        raise Invalid("min_group must be between 1 and 100000")
    if not 0 < alpha < 1:
        raise Invalid("alpha must be between 0 and 1")
    cols = visible_feature_columns(session, principal)
    report = compute_insights(cols, InsightOptions(min_group=min_group, alpha=alpha, regression=False)).to_dict()
    rows = [_row(f) for f in report["features"]]
    # Judged features first, strongest evidence first; then the greyed ones in their own order.
    rows.sort(key=lambda r: (not r.judged, r.q_value if r.q_value is not None else 1.0))
    return InsightsView(_scope_name(session, principal), report["n_calls"], report["n_won"], report["n_lost"],
                        report["min_group"], report["alpha"], report["method"], rows, report["notes"])


def _row(f: dict[str, Any]) -> ForestRow:
    ci = f["lift_ci"]
    lift = f["lift"]
    return ForestRow(
        feature=f["feature"], label=f["label"], comparison=f["comparison"], basis=f["basis"], status=f["status"],
        sentence=f["sentence"], n_with=f["n_with"], n_without=f["n_without"], win_rate_with=f["win_rate_with"],
        win_rate_without=f["win_rate_without"], lift=lift,
        ratio=None if lift is None else round(1.0 + lift, 4),
        low=None if ci is None else round(1.0 + ci[0], 4), high=None if ci is None else round(1.0 + ci[1], 4),
        p_value=f["p_value"], q_value=f["q_value"], significant=f["significant"],
    )


def _scope_name(session: Session, principal: Principal) -> str:
    scope = call_scope_of(principal)
    if scope == "org":
        return "the whole organization"
    if scope == "team":
        name = session.exec(select(Team.name).where(col(Team.id) == principal.team_id)).first()
        return f"team {name}" if name else "your team"
    return "your calls"
