"""Insights as the product uses them: each analysed call's coaching features (one row per call),
the outcomes they are compared with, the feature columns of a principal's scope, stored insight
snapshots per scope, and the suggestions a call gets from them.

Each analysed call has one `CallFeatureRow` (plain columns); insights read those columns and the
outcomes in two queries and aggregate in NumPy (`coaching.insights`), so 100,000 calls stay fast.
Rows are written when an analysis is stored or relabelled (`store_call_features`); any analysed
call still missing one is backfilled (`backfill_features`).

Snapshots are stored per scope: a team's (coach) or the organization's (admin, integration), only
when someone asks for it (`store_snapshot`, `POST /v1/insights/snapshots`, the insights page's
button), never as a side effect of reading. A call's suggestions and live cards use its team's
newest snapshot, else the organization's (`latest_snapshot`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Text, cast, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, or_, select

from coaching.features import METRIC_NAMES, CallFeatures, FeatureColumns, features_from_analysis
from coaching.insights import InsightReport, InsightsFormatError
from coaching.suggestions import suggest_for_call
from models import Call, CallResult, Outcome
from models.base import utcnow
from models.coaching import CallFeatureRow, InsightSnapshot
from nlp.analysis import CallAnalysis
from service.core.access import Principal, call_condition, call_scope_of, require
from service.core.errors import Forbidden
from service.core.i18n import N_
from service.domain.calls import speechless_reason
from service.domain.org_definitions import org_playbook

log = logging.getLogger(__name__)


def feature_row(call: Call, analysis: CallAnalysis) -> CallFeatureRow:
    """The call's coaching features as a table row."""
    f = features_from_analysis(analysis, call.id, rep=call.rep_name)
    return CallFeatureRow(
        call_id=call.id, org_id=call.org_id, rep=f.rep, duration_s=f.duration_s, has_timing=f.has_timing,
        trackers=sorted(f.trackers), rep_question_types=dict(f.rep_question_types), updated_at=utcnow(),
        language=analysis.transcript.language or "en",
        **{m: f.metrics.get(m) for m in METRIC_NAMES},
    )


def store_call_features(session: Session, call: Call, analysis: CallAnalysis) -> None:
    """Insert or replace the call's feature row (call after storing an analysis or a relabel; the
    caller commits). A call without speech (`speechless_reason`) has no feature row: trends and
    insights, which read only these rows, do not count it."""
    existing = session.get(CallFeatureRow, call.id)
    if speechless_reason(analysis) is not None:
        if existing is not None:
            session.delete(existing)
        return
    row = feature_row(call, analysis)
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
            analysis = CallAnalysis.from_dict(json.loads(result.analysis_json))
            row = feature_row(call, analysis)
        except Exception:  # one unreadable stored analysis must not take insights down
            log.exception("no coaching features for call %s", call.id)
            continue
        if speechless_reason(analysis) is not None:
            if existing is not None:
                session.delete(existing)
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


ALL_LANGUAGES = "all"


def main_language(session: Session, principal: Principal) -> str:
    """The language most of the principal's analysed calls are in ("en" when there are none; rows
    from before the language was kept count as English)."""
    lang = func.coalesce(col(CallFeatureRow.language), "en")
    row = session.connection().execute(
        sa_select(lang, func.count()).join(Call, col(Call.id) == col(CallFeatureRow.call_id))
        .where(call_condition(principal)).group_by(lang).order_by(func.count().desc(), lang).limit(1)
    ).first()
    return str(row[0]) if row is not None else "en"


def visible_feature_columns(session: Session, principal: Principal, language: str | None = None) -> FeatureColumns:
    """Feature columns (with outcomes) of every analysed call the principal may see, in one spoken
    language: `language` ("en", "zh"), by default the language most of those calls are in
    (`main_language`), so that calls are compared with calls of their own language (a Chinese call's
    characters per minute are not English words per minute); `ALL_LANGUAGES` for every call.

    Read with plain SQL (no ORM objects) and the tracker lists parsed as one JSON document, so
    100,000 rows cost a couple of seconds of CPU, not one Python object per cell."""
    metric_cols = [col(getattr(CallFeatureRow, m)) for m in METRIC_NAMES]
    stmt = (
        sa_select(col(CallFeatureRow.call_id), col(CallFeatureRow.rep), col(CallFeatureRow.duration_s),
                  cast(col(CallFeatureRow.trackers), Text), col(Call.deal_id), *metric_cols)
        .join(Call, col(Call.id) == col(CallFeatureRow.call_id))
        .where(call_condition(principal))
    )
    if language != ALL_LANGUAGES:
        wanted = language or main_language(session, principal)
        stmt = stmt.where(func.coalesce(col(CallFeatureRow.language), "en") == wanted)
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


def rep_name(session: Session, org_id: str, rep_id: str) -> str:
    """A rep id may be a user id (its calls' rep_name is used) or the rep's name itself."""
    found = session.exec(
        select(Call.rep_name).where(col(Call.org_id) == org_id, col(Call.rep_user_id) == rep_id,
                                    col(Call.rep_name).is_not(None)).limit(1)
    ).first()
    return found or rep_id


def snapshot_team(principal: Principal) -> str | None:
    """The team a principal's snapshot belongs to: their team for a coach, None (the organization)
    for an admin or integration."""
    scope = call_scope_of(principal)
    if scope == "team":
        return principal.team_id
    if scope == "org":
        return None
    raise Forbidden(N_("insights snapshots are stored for a team (coach) or the organization (admin)"))


def store_snapshot(session: Session, principal: Principal, report: dict[str, Any]) -> InsightSnapshot:
    """Keep `report` (computed over the principal's scope) as the current insights of that scope."""
    require(principal, "insights.read")
    row = InsightSnapshot(org_id=principal.org_id, team_id=snapshot_team(principal),
                          n_calls=int(report.get("n_calls") or 0),
                          report_json=json.dumps(report, separators=(",", ":")))
    session.add(row)
    session.commit()
    return row


def latest_snapshot(session: Session, org_id: str, team_id: str | None) -> tuple[InsightReport | None, str | None]:
    """The newest snapshot of the team (when it has one), else of the organization; None when
    neither exists or the stored one cannot be read."""
    scopes: list[ColumnElement[bool]] = [col(InsightSnapshot.team_id).is_(None)]
    if team_id is not None:
        scopes.append(col(InsightSnapshot.team_id) == team_id)
    # The team's own snapshots sort before the organization's, then the newest first.
    row = session.exec(select(InsightSnapshot).where(col(InsightSnapshot.org_id) == org_id, or_(*scopes))
                       .order_by(col(InsightSnapshot.team_id).is_(None), col(InsightSnapshot.created_at).desc())
                       .limit(1)).first()
    if row is None:
        return None, None
    try:
        return InsightReport.from_dict(json.loads(row.report_json)), row.id
    except (InsightsFormatError, json.JSONDecodeError) as exc:
        log.warning("organization %s: unreadable insight snapshot %s (%s)", org_id, row.id, exc)
        return None, None


def call_suggestions(analysis: CallAnalysis, call: Call, session: Session | None = None) -> list[dict[str, Any]]:
    """Ranked suggestions for a call, using its team's (else its organization's) latest insights
    and the active playbook when a database session is at hand (passed, or the one `call` is
    attached to); otherwise the published bands and the bundled playbook. Worded in the language
    the call was transcribed in (the analysis', not the upload's choice, which may be `auto`)."""
    session = session or object_session(call)  # type: ignore[assignment]
    insights: InsightReport | None = None
    playbook = None  # the bundled one
    if session is not None:
        insights, _ = latest_snapshot(session, call.org_id, call.team_id)
        playbook = org_playbook(session, call.org_id).playbook
    feats: CallFeatures = features_from_analysis(analysis, call.id, rep=call.rep_name)
    return [s.to_dict() for s in suggest_for_call(analysis, insights=insights, playbook=playbook, features=feats,
                                                   language=analysis.transcript.language)]
