"""What goes with won deals, for the team insights page: the same computation as `GET /v1/insights`
(`coaching.insights.compute_insights` over the calls the principal may see), read only.

Unlike the API route, this never writes: no feature backfill and no `InsightSnapshot` (a page GET
must not write), and no regression (the page shows the per-feature lifts). Each feature
becomes one forest-plot row: its win-rate ratio (lift + 1) with the 95% interval, or, greyed, the
reason it cannot be judged. A row keeps its `Finding`, from which the page words its label and
sentence in the reader's language (`service.web.insight_words`); the English ones are coaching's.

The view is cached per scope and reused while the visible feature rows, their calls and the
organization's outcomes are unchanged (two aggregate queries check that), so a coach reloading
the page does not recompute the statistics.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from coaching.insights import Finding, InsightOptions, compute_insights
from models import Call, Outcome, Team
from models.coaching import CallFeatureRow
from service.core.access import Principal, call_condition, call_scope_of, require
from service.core.errors import Invalid
from service.core.i18n import N_

CACHE_SIZE = 256  # views kept per process, each checked against `_data_stamp` before reuse
_cache: dict[tuple[Any, ...], tuple[tuple[Any, ...], InsightsView]] = {}
_lock = threading.Lock()
# Why a row is greyed (the page translates them).
REASONS = {"insufficient_data": N_("Not enough data"), "not_applicable": N_("Does not apply")}


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
    finding: Finding | None = field(default=None, compare=False, repr=False)  # what the numbers came from

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

    @property
    def min_closed(self) -> int:
        """Closed calls needed before findings may be kept: a behaviour is judged only with
        `min_group` calls on each side, so no finding exists below twice that."""
        return 2 * self.min_group

    @property
    def keep_refusal(self) -> str | None:
        """Why these findings may not be kept for suggestions and live cards yet, or None."""
        if self.n_calls < self.min_closed:
            return N_("Needs at least %(min)s closed calls (won or lost) to keep: %(scope)s has %(n)s. Record "
                      "outcomes on more calls first.", min=self.min_closed, scope=self.scope, n=self.n_calls)
        if not self.judged:
            return N_("No behaviour has %(n)s closed calls on each side yet, so there is nothing to keep. Record "
                      "outcomes on more calls first.", n=self.min_group)
        return None


def team_insights(session: Session, principal: Principal, min_group: int = 30, alpha: float = 0.05) -> InsightsView:
    """Insights over the calls the principal may see (a coach: their team; an admin: the org).
    Forbidden for roles without `insights.read` (a rep)."""
    from service.domain.insights import visible_feature_columns

    require(principal, "insights.read")
    if not 1 <= min_group <= 100_000:
        raise Invalid(N_("min_group must be between 1 and 100000"))
    if not 0 < alpha < 1:
        raise Invalid(N_("alpha must be between 0 and 1"))
    key = (principal.org_id, call_scope_of(principal), principal.team_id, principal.user_id, min_group, alpha)
    stamp = _data_stamp(session, principal)
    hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    cols = visible_feature_columns(session, principal)
    computed = compute_insights(cols, InsightOptions(min_group=min_group, alpha=alpha, regression=False))
    report = computed.to_dict()
    rows = [_row(f, finding) for f, finding in zip(report["features"], computed.findings, strict=True)]
    # Judged features first, strongest evidence first; then the greyed ones in their own order.
    rows.sort(key=lambda r: (not r.judged, r.q_value if r.q_value is not None else 1.0))
    view = InsightsView(_scope_name(session, principal), report["n_calls"], report["n_won"], report["n_lost"],
                        report["min_group"], report["alpha"], report["method"], rows, report["notes"])
    with _lock:
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        _cache[key] = (stamp, view)
    return view


def _data_stamp(session: Session, principal: Principal) -> tuple[Any, ...]:
    """What the insights depend on, in two aggregate queries: the visible feature rows (how many,
    last written), their calls (last changed: deal ids) and the organization's outcomes (how many,
    last recorded). A cached view is reused only while this is unchanged."""
    calls = session.connection().execute(
        sa_select(func.count(), func.max(col(CallFeatureRow.updated_at)), func.max(col(Call.updated_at)))
        .select_from(CallFeatureRow).join(Call, col(Call.id) == col(CallFeatureRow.call_id))
        .where(call_condition(principal))
    ).one()
    outcomes = session.connection().execute(
        sa_select(func.count(), func.max(col(Outcome.created_at)))
        .where(col(Outcome.org_id) == principal.org_id)
    ).one()
    return (*calls, *outcomes)


def _row(f: dict[str, Any], finding: Finding | None = None) -> ForestRow:
    ci = f["lift_ci"]
    lift = f["lift"]
    return ForestRow(
        feature=f["feature"], label=f["label"], comparison=f["comparison"], basis=f["basis"], status=f["status"],
        sentence=f["sentence"], n_with=f["n_with"], n_without=f["n_without"], win_rate_with=f["win_rate_with"],
        win_rate_without=f["win_rate_without"], lift=lift,
        ratio=None if lift is None else round(1.0 + lift, 4),
        low=None if ci is None else round(1.0 + ci[0], 4), high=None if ci is None else round(1.0 + ci[1], 4),
        p_value=f["p_value"], q_value=f["q_value"], significant=f["significant"], finding=finding,
    )


def _scope_name(session: Session, principal: Principal) -> str:
    scope = call_scope_of(principal)
    if scope == "org":
        return "the whole organization"
    if scope == "team":
        name = session.exec(select(Team.name).where(col(Team.id) == principal.team_id)).first()
        return f"team {name}" if name else "your team"
    return "your calls"
