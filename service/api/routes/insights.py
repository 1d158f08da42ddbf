"""`GET /v1/insights`: which behaviours go with won deals, over the calls this key may see;
`POST /v1/insights/snapshots`: keep them as the scope's current insights, which rank its calls'
suggestions and choose its live cards. The work is in `service.domain.insights`."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from coaching.benchmarks import learn_bands, rep_benchmark
from coaching.insights import InsightOptions, compute_insights
from coaching.live_effect import LiveEffectOptions
from service.api.deps import CurrentPrincipal, Principal, SessionDep, allowed_to
from service.api.responses import API_ERRORS
from service.core.access import call_condition
from service.domain.insights import (
    backfill_features,
    rep_name,
    store_snapshot,
    visible_feature_columns,
)
from service.live.guidance import live_guidance

log = logging.getLogger(__name__)
router = APIRouter(tags=["coaching"], responses=API_ERRORS)


@router.get("/insights", summary="Which call behaviours go with won deals (effect sizes, 95% intervals)",
            responses={403: {"description": "a rep key cannot read insights"}})
def get_insights(
    session: SessionDep,
    principal: Annotated[Principal, allowed_to("insights.read")],
    min_group: int = Query(30, ge=1, le=100_000, description="calls needed on each side of a comparison"),
    alpha: float = Query(0.05, gt=0, lt=1, description="false discovery rate (Benjamini-Hochberg)"),
    benchmarks: bool = Query(False, description="add each rep's averages against the bands"),
) -> dict[str, Any]:
    """`n_calls`, `n_won`, `features` (feature, comparison, lift, lift_ci, p_value, significant,
    n_with, n_without, ...), `regression` (adjusted odds ratios) and `notes`. A rep key gets 403
    (the same rule as the insights page: `insights.read`)."""
    backfill_features(session, principal.org_id)
    cols = visible_feature_columns(session, principal)
    report = compute_insights(cols, InsightOptions(min_group=min_group, alpha=alpha))
    data = report.to_dict()
    if benchmarks:
        bands = learn_bands(cols)
        data["reps"] = [rep_benchmark(cols, r, bands).to_dict() for r in sorted(set(cols.rep.tolist()) - {""})]
    return data


@router.post("/insights/snapshots", status_code=201,
             summary="Keep the scope's insights as its current ones (they rank suggestions and choose live cards)",
             responses={403: {"description": "a rep cannot store insights"}})
def post_insights_snapshot(session: SessionDep,
                           principal: Annotated[Principal, allowed_to("insights.read")]) -> dict[str, Any]:
    """Computes the insights over the calls this key may see (default options) and stores them for
    its scope: a coach's team, or the organization for an admin or integration key. Returns the
    snapshot's `id`, `team_id` (null: organization-wide) and the report."""
    backfill_features(session, principal.org_id)
    report = compute_insights(visible_feature_columns(session, principal), InsightOptions()).to_dict()
    row = store_snapshot(session, principal, report)
    return {"id": row.id, "team_id": row.team_id, "created_at": row.created_at, **report}


@router.get("/insights/live-guidance",
            summary="What live cards change: follow-through, behaviour and outcomes, shown vs held-out calls")
def get_live_guidance(
    session: SessionDep,
    principal: CurrentPrincipal,
    min_group: int = Query(30, ge=1, le=100_000, description="closed calls needed in each arm"),
) -> dict[str, Any]:
    """Live calls this key may see, split by the random holdout (`live_rules.holdout`):
    `arms`, `follow_through`, `behaviour` (differences with 95% CIs), `outcome` (lift with its 95%
    CI, or `insufficient_data`), `by_card` and `reps` (follow-through rates). See
    `coaching.live_effect` for the method. A rep key gets their own calls' report (their
    follow-through)."""
    backfill_features(session, principal.org_id)
    return live_guidance(session, call_condition(principal), principal.org_id, LiveEffectOptions(min_group=min_group))


@router.get("/reps/{rep_id}/benchmarks", summary="A rep's averages against the team's won-call bands",
            responses={404: {"description": "no call of this rep is visible to this key"}})
def get_rep_benchmarks(rep_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    if principal.role == "rep" and rep_id != principal.user_id:
        raise HTTPException(404, detail="rep not found")
    cols = visible_feature_columns(session, principal)
    name = rep_name(session, principal.org_id, rep_id)
    if name not in set(cols.rep.tolist()):  # no call of this rep is visible: the same as no such rep
        raise HTTPException(404, detail="rep not found")
    return rep_benchmark(cols, name).to_dict()


