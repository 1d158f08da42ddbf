"""A call's stored analysis and the rows derived from it: its suggestions and its brief (stored
beside it, `service.domain.briefs`), its coaching feature row and its search text.

They are written together when an analysis job finishes (`store_analysis`) and when someone fixes
the speakers' roles (`replace_analysis`); `store_brief` adds a brief to a call analysed before briefs
existed (`talktrack admin backfill-briefs`). They are read by the call page (`result_stamp`,
`analysis_json`) and the suggestions endpoint (`stored_suggestions`).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from models import Call, CallResult
from models.base import utcnow
from nlp.analysis import CallAnalysis
from service.core import access
from service.core.access import Principal
from service.domain.briefs import brief_columns
from service.domain.insights import call_suggestions, store_call_features
from service.domain.search import index_call_text

log = logging.getLogger(__name__)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def store_analysis(session: Session, call: Call, analysis: dict[str, Any], suggestions: list[dict[str, Any]],
                   now: datetime) -> None:
    """Insert or replace the call's analysis, suggestions and brief, index its words and write its
    feature row (the caller commits, with the call's new status)."""
    row = session.get(CallResult, call.id) or CallResult(call_id=call.id, analysis_json="{}")
    row.analysis_json = _json(analysis)
    row.suggestions_json = _json(suggestions)
    for key, value in brief_columns(analysis).items():
        setattr(row, key, value)
    row.updated_at = now
    session.add(row)
    index_call_text(session, call, analysis)
    try:
        store_call_features(session, call, CallAnalysis.from_dict(analysis))
    except Exception:  # insights backfill it later; the analysis itself must still be stored
        log.exception("no coaching features for call %s", call.id)


def replace_analysis(session: Session, call: Call, analysis: CallAnalysis) -> bool:
    """Replace the call's stored analysis (its speakers fixed) and its brief, recompute its
    suggestions, rewrite its feature row and search text, and commit. False when the call was
    deleted meanwhile."""
    # A conditional UPDATE: the call may have been deleted while its metrics were recomputed.
    data = analysis.to_dict()
    columns = brief_columns(data)
    if columns["brief_json"] is None:  # an analysis that carries no brief keeps the stored one
        del columns["brief_json"]
    updated = session.exec(update(CallResult).where(col(CallResult.call_id) == call.id).values(
        analysis_json=_json(data),
        suggestions_json=_json(call_suggestions(analysis, call, session)),
        **columns,
        updated_at=utcnow())).rowcount == 1
    if updated:
        store_call_features(session, call, analysis)
        index_call_text(session, call, data)  # the brief's items may have changed with the roles
    session.commit()
    return updated


def store_brief(session: Session, call: Call, stored_json: str, analysis: dict[str, Any]) -> bool:
    """Store the brief built for a call analysed before briefs existed: `analysis` is its stored
    analysis (read as `stored_json`) with a `brief`. The analysis JSON, the brief's columns and the
    search text are written in one transaction, committed here, and only while the row still holds
    `stored_json` and no brief: False (nothing written) when the call was analysed again, relabelled,
    erased or deleted meanwhile."""
    columns = brief_columns(analysis)
    if columns["brief_json"] is None:
        raise ValueError("the analysis to store has no brief")
    updated = session.exec(update(CallResult).where(
        col(CallResult.call_id) == call.id, col(CallResult.brief_json).is_(None),
        col(CallResult.analysis_json) == stored_json,
    ).values(analysis_json=_json(analysis), **columns, updated_at=utcnow())).rowcount == 1
    if updated:
        index_call_text(session, call, analysis)  # "budget" finds the call once its brief has a budget
        session.commit()
    else:
        session.rollback()
    return updated


def result_stamp(session: Session, call: Call) -> tuple[datetime, str | None] | None:
    """(when the analysis was last written, the suggestions JSON) of an analysed call, or None:
    what the call page needs before it decides whether its cached view is still current."""
    if call.status != "done":
        return None
    found = session.exec(select(CallResult.updated_at, CallResult.suggestions_json)
                         .where(col(CallResult.call_id) == call.id)).first()
    return None if found is None else (found[0], found[1])


def analysis_json(session: Session, call_id: str) -> str:
    """The stored analysis JSON of a call known to have one (`result_stamp`), unparsed."""
    return session.exec(select(CallResult.analysis_json).where(col(CallResult.call_id) == call_id)).one()


# Prebuilt per scope by the access policy (`service.core.access.prebuilt`), so the hot path builds no SQL.
_SUGGESTIONS_BY_SCOPE = access.prebuilt('SELECT "call".status, callresult.suggestions_json FROM "call" '
                                        'LEFT OUTER JOIN callresult ON callresult.call_id = "call".id '
                                        'WHERE "call".id = :call_id')


def stored_suggestions(engine: Engine, principal: Principal, call_id: str) -> tuple[str, str | None] | None:
    """(status, stored suggestions JSON or None) of a call the principal may see, else None: one
    indexed lookup with prebuilt SQL and no ORM (a CRM sidebar polls it)."""
    _condition, params = access.call_sql(principal)
    stmt = _SUGGESTIONS_BY_SCOPE[access.call_scope_of(principal)]
    with engine.connect() as conn:
        row = conn.execute(stmt, {"call_id": call_id, **params}).first()
    return None if row is None else (row[0], row[1])
