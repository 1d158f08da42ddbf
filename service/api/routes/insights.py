"""`GET /v1/insights`: which behaviours go with won deals, over the calls this key may see.

Each analysed call has one `CallFeatureRow` (plain columns); insights read those columns and the
outcomes in two queries and aggregate in NumPy (`coaching.insights`), so 100,000 calls stay fast.
Rows are written when an analysis is stored (`store_call_features`), and any analysed call still
missing one is backfilled here first. Each run is kept as an `InsightSnapshot`, which
`call_suggestions` uses to rank a call's suggestions by the team's own outcomes.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import String, type_coerce
from sqlalchemy import select as sa_select
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, or_, select

from coaching.benchmarks import learn_bands, rep_benchmark
from coaching.features import METRIC_NAMES, CallFeatures, FeatureColumns, features_from_analysis
from coaching.insights import InsightOptions, InsightReport, compute_insights
from coaching.playbook import PlaybookError, load_playbook, playbook_from_dict
from coaching.suggestions import suggest_for_call
from models import Call, CallResult, Outcome, Playbook
from models.base import utcnow
from models.coaching import CallFeatureRow, InsightSnapshot
from nlp.analysis import CallAnalysis
from service.api.deps import CurrentPrincipal, SessionDep, call_scope
from service.api.responses import API_ERRORS

log = logging.getLogger(__name__)
router = APIRouter(tags=["coaching"], responses=API_ERRORS)


def feature_row(call: Call, analysis: CallAnalysis) -> CallFeatureRow:
    """The call's coaching features as a table row."""
    f = features_from_analysis(analysis, call.id, rep=call.rep_name)
    return CallFeatureRow(
        call_id=call.id, org_id=call.org_id, rep=f.rep, duration_s=f.duration_s, has_timing=f.has_timing,
        trackers=sorted(f.trackers), rep_question_types=dict(f.rep_question_types), updated_at=utcnow(),
        **{m: f.metrics.get(m) for m in METRIC_NAMES},
    )


def store_call_features(session: Session, call: Call, analysis: CallAnalysis) -> None:
    """Insert or replace the call's feature row (call after storing an analysis or a relabel; the
    caller commits)."""
    row = feature_row(call, analysis)
    existing = session.get(CallFeatureRow, call.id)
    if existing is not None:
        for key, value in row.model_dump().items():
            setattr(existing, key, value)
        row = existing
    session.add(row)


def backfill_features(session: Session, org_id: str, limit: int = 500) -> int:
    """Write feature rows for analysed calls that have none, or whose analysis changed since
    (a speakers relabel rewrites it), at most `limit` per request. Returns how many were written."""
    stale = session.exec(
        select(Call, CallResult, CallFeatureRow)
        .join(CallResult, col(CallResult.call_id) == col(Call.id))
        .join(CallFeatureRow, col(CallFeatureRow.call_id) == col(Call.id), isouter=True)
        .where(col(Call.org_id) == org_id, col(Call.status) == "done",
               or_(col(CallFeatureRow.call_id).is_(None), col(CallResult.updated_at) > col(CallFeatureRow.updated_at)))
        .limit(limit)
    ).all()
    for call, result, existing in stale:
        try:
            row = feature_row(call, CallAnalysis.from_dict(json.loads(result.analysis_json)))
        except Exception:  # one unreadable stored analysis must not take insights down
            log.exception("no coaching features for call %s", call.id)
            continue
        if existing is None:
            session.add(row)
        else:
            for key, value in row.model_dump().items():
                setattr(existing, key, value)
            session.add(existing)
    if stale:
        session.commit()
    return len(stale)


def outcome_by_call(session: Session, org_id: str, deal_of: dict[str, str | None]) -> dict[str, bool]:
    """Latest won/lost per call; a deal's outcome applies to all its calls; a call's own wins."""
    rows = session.connection().execute(
        sa_select(col(Outcome.call_id), col(Outcome.deal_id), col(Outcome.outcome))
        .where(col(Outcome.org_id) == org_id, col(Outcome.outcome).in_(("won", "lost")))
        .order_by(col(Outcome.created_at))
    ).fetchall()
    by_call: dict[str, bool] = {}
    by_deal: dict[str, bool] = {}
    for call_id, deal_id, outcome in rows:
        if call_id is not None:
            by_call[call_id] = outcome == "won"
        elif deal_id is not None:
            by_deal[deal_id] = outcome == "won"
    out: dict[str, bool] = {}
    for cid, deal in deal_of.items():
        if cid in by_call:
            out[cid] = by_call[cid]
        elif deal is not None and deal in by_deal:
            out[cid] = by_deal[deal]
    return out


def visible_feature_columns(session: Session, principal: Any) -> FeatureColumns:
    """Feature columns (with outcomes) of every analysed call the principal may see.

    Read with plain SQL (no ORM objects) and the tracker lists parsed as one JSON document, so
    100,000 rows cost a couple of seconds of CPU, not one Python object per cell."""
    metric_cols = [col(getattr(CallFeatureRow, m)) for m in METRIC_NAMES]
    stmt = (
        sa_select(col(CallFeatureRow.call_id), col(CallFeatureRow.rep), col(CallFeatureRow.duration_s),
                  type_coerce(col(CallFeatureRow.trackers), String), col(Call.deal_id), *metric_cols)
        .join(Call, col(Call.id) == col(CallFeatureRow.call_id))
        .where(call_scope(principal))
    )
    rows = session.connection().execute(stmt).fetchall()
    n = len(rows)
    call_ids = [r[0] for r in rows]
    outcomes = outcome_by_call(session, principal.org_id, {r[0]: r[4] for r in rows})
    # numpy turns None into NaN for a float array
    values = np.array([r[5:] for r in rows], dtype=np.float64) if n else np.zeros((0, len(METRIC_NAMES)))
    tracker_lists: list[list[str]] = json.loads("[" + ",".join(r[3] or "[]" for r in rows) + "]")
    names = sorted({t for ts in tracker_lists for t in ts})
    index = {t: i for i, t in enumerate(names)}
    hits = np.zeros((n, len(names)), dtype=np.bool_)
    for i, ts in enumerate(tracker_lists):
        for t in ts:
            hits[i, index[t]] = True
    return FeatureColumns.from_arrays(
        outcome=np.array([1.0 if outcomes.get(c) is True else 0.0 if c in outcomes else np.nan for c in call_ids]),
        duration_s=np.array([r[2] for r in rows], dtype=np.float64),
        metrics={m: values[:, j] for j, m in enumerate(METRIC_NAMES)},
        trackers={t: hits[:, index[t]] for t in names},
        rep=[r[1] for r in rows],
        call_ids=call_ids,
    )


@router.get("/insights", summary="Which call behaviours go with won deals (effect sizes, 95% intervals)")
def get_insights(
    session: SessionDep,
    principal: CurrentPrincipal,
    min_group: int = Query(30, ge=1, le=100_000, description="calls needed on each side of a comparison"),
    alpha: float = Query(0.05, gt=0, lt=1, description="false discovery rate (Benjamini-Hochberg)"),
    benchmarks: bool = Query(False, description="add each rep's averages against the bands"),
) -> dict[str, Any]:
    """`n_calls`, `n_won`, `features` (feature, comparison, lift, lift_ci, p_value, significant,
    n_with, n_without, ...), `regression` (adjusted odds ratios) and `notes`."""
    backfill_features(session, principal.org_id)
    cols = visible_feature_columns(session, principal)
    report = compute_insights(cols, InsightOptions(min_group=min_group, alpha=alpha))
    data = report.to_dict()
    if benchmarks:
        bands = learn_bands(cols)
        data["reps"] = [rep_benchmark(cols, r, bands).to_dict() for r in sorted(set(cols.rep.tolist()) - {""})]
    if principal.role in ("admin", "coach", "integration") and min_group == 30 and alpha == 0.05:
        session.add(InsightSnapshot(org_id=principal.org_id, n_calls=report.n_calls,
                                    report_json=json.dumps(data, separators=(",", ":"))))
        session.commit()
    return data


@router.get("/reps/{rep_id}/benchmarks", summary="A rep's averages against the team's won-call bands")
def get_rep_benchmarks(rep_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    if principal.role == "rep" and rep_id != principal.user_id:
        raise HTTPException(404, detail="rep not found")
    cols = visible_feature_columns(session, principal)
    name = _rep_name(session, principal.org_id, rep_id)
    return rep_benchmark(cols, name).to_dict()


def _rep_name(session: Session, org_id: str, rep_id: str) -> str:
    """A rep id may be a user id (its calls' rep_name is used) or the rep's name itself."""
    found = session.exec(
        select(Call.rep_name).where(col(Call.org_id) == org_id, col(Call.rep_user_id) == rep_id,
                                    col(Call.rep_name).is_not(None)).limit(1)
    ).first()
    return found or rep_id


def call_suggestions(analysis: CallAnalysis, call: Call, session: Session | None = None) -> list[dict[str, Any]]:
    """Ranked suggestions for a call, using the organisation's latest insights and active playbook
    when a database session is at hand (passed, or the one `call` is attached to); otherwise the
    published bands and the bundled playbook."""
    session = session or object_session(call)  # type: ignore[assignment]
    insights: InsightReport | None = None
    playbook = load_playbook()
    if session is not None:
        try:
            snap = session.exec(
                select(InsightSnapshot.report_json).where(col(InsightSnapshot.org_id) == call.org_id)
                .order_by(col(InsightSnapshot.created_at).desc()).limit(1)
            ).first()
            if snap:
                insights = InsightReport.from_dict(json.loads(snap))
            content = session.exec(
                select(Playbook.content).where(col(Playbook.org_id) == call.org_id, col(Playbook.active))
                .order_by(col(Playbook.created_at).desc()).limit(1)
            ).first()
            if content:
                playbook = playbook_from_dict(content, "organisation playbook")
        except PlaybookError:
            log.warning("organisation %s has an invalid playbook; using the bundled one", call.org_id)
    feats: CallFeatures = features_from_analysis(analysis, call.id, rep=call.rep_name)
    return [s.to_dict() for s in suggest_for_call(analysis, insights=insights, playbook=playbook, features=feats)]
